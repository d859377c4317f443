"""Hostile JSON at the staff console's web role: deeply nested, huge or broken payloads on
every topic it can see (its own, and the commands a controller on the same device gets) are
passed over quietly. Nothing is decoded that the console does not use, and what it decodes
is bounded in size and depth: no RecursionError, no traceback in the log."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.admin.config_watch import ConfigWatchRole
from firmware.broker import LocalBroker
from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_config import load_site_config
from firmware.web.lobby import LobbyView
from firmware.web.role import WebRole
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.payloads import MAX_DEPTH, MAX_STATE_BYTES, nesting_depth, state_of
from testkit.site_factory import MONDAY, at
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, demo_config, wait_for
from tests.test_payloads import json_values

SITE = load_site_config(DEMO_SITE)
ROOT = topics.site_root(SITE.site.id)
# Every topic the console's role sees: its own, and those of a controller beside it.
SEEN = [topics.queue_state(SITE.site.id), topics.queue_events(SITE.site.id),
        f"{ROOT}/device/lobby-1/status", f"{ROOT}/device/room-1/health",
        f"{ROOT}/room/1/occupancy", f"{ROOT}/alert/printer", f"{ROOT}/reply/console",
        *(topics.command(SITE.site.id, name) for name in topics.COMMANDS)]


def nested(depth: int, opener: str) -> bytes:
    inner = "".join('{"a":' if c == "{" else "[" for c in opener * depth)
    tail = "".join("}" if c == "{" else "]" for c in reversed(opener * depth))
    return f'{{"type":"ticket_issued","x":{inner}1{tail}}}'.encode()


def is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


hostile = st.one_of(
    st.builds(nested, st.integers(MAX_DEPTH, 50_000), st.sampled_from(["[", "{", "[{"])),
    st.integers(1, 200_000).map(lambda n: b"[" * n),
    st.integers(1, 50_000).map(lambda n: b'{"a":' * n),
    st.just(b'{"a":"' + b"x" * (MAX_STATE_BYTES + 1) + b'"}'),
    st.binary(min_size=1, max_size=300).filter(lambda raw: not is_json_object(raw)),
)


@settings(max_examples=200, deadline=None)
@given(topic=st.sampled_from(SEEN), payload=hostile)
def test_the_lobby_view_passes_over_hostile_payloads(topic: str, payload: bytes) -> None:
    view = LobbyView(SITE)
    view.take(topic, payload)  # must not raise
    assert view.snapshot is None and not view.health and not view.active_alerts


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


@given(json_values)
def test_the_depth_is_counted_without_parsing(value: Any) -> None:
    raw = json.dumps(value).encode()
    assert nesting_depth(raw) == depth_of(value)
    if isinstance(value, dict) and depth_of(value) <= MAX_DEPTH:
        assert state_of(raw) == value


def test_brackets_inside_strings_do_not_count() -> None:
    assert nesting_depth(b'{"a": "[[[[{{{{\\"]]]]"}') == 1
    assert state_of(b'{"a": "' + b"[" * 1000 + b'"}') == {"a": "[" * 1000}


@pytest.fixture
def controller_with_console(broker: LocalBroker, tmp_path):
    config = demo_config(broker, tmp_path)
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller", "web"))
    config = dataclasses.replace(config, devices=tuple(
        device if d.id == "lobby-1" else d for d in config.devices))
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 10, 0)), tmp_path,
                      [ControllerRole(), WebRole(), ConfigWatchRole()],
                      broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime) as running:
        wait_for(lambda: runtime.link.connected, what="the device on the broker")
        yield config, running


# The hostile messages are the point; the controller's answer to the issue is still checked.
@pytest.mark.wire_abuse("cmd/#", "queue/events", "device/x/health", "alert/x",
                        "room/1/occupancy", "reply/lobby-1")
def test_a_device_with_a_controller_and_the_console_shrugs_off_deep_json(
        broker: LocalBroker, controller_with_console, caplog: pytest.LogCaptureFixture) -> None:
    config, running = controller_with_console
    site = config.site.id
    root = topics.site_root(site)
    # As deep as fits under the broker's max_packet_size (64 KiB).
    deep = b'{"request_id":"r1","service":' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    # And deeper than Python's parser recurses, in a few bytes: under every size limit.
    short = b'{"request_id":"r2","staff":' + b"[" * 1500 + b"]" * 1500 + b"}"
    with caplog.at_level(logging.WARNING), \
            BlockingClient(broker.host, broker.port, site, "hostile") as client:
        for topic in [*(topics.command(site, name) for name in topics.COMMANDS),
                      f"{root}/queue/events", f"{root}/device/x/health", f"{root}/alert/x",
                      f"{root}/room/1/occupancy", topics.reply(site, "lobby-1")]:
            client.publish_raw(topic, deep)
            client.publish_raw(topic, short)
        # Still serving, in order: the answer comes after every hostile message was handled.
        answer = client.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        assert answer["ok"] is True
        assert running.on_loop(lambda: running.role("web").lobby.snapshot) is not None
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "RecursionError" not in record.getMessage()
