"""Random bytes and random JSON shapes at every command topic of a running controller,
through a real broker: every one is answered, and the controller keeps working."""

from __future__ import annotations

import dataclasses
import json
import queue
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.site_factory import MONDAY, at, small_site
from tests.helpers import RunningDevice, wait_for
from tests.test_payloads import command_like, json_values

# The fuzzer's own commands are garbage on purpose; the controller's answers and everything it
# publishes are still checked against the contract.
pytestmark = pytest.mark.wire_abuse("cmd/#")


@pytest.fixture(scope="module")
def target(broker, tmp_path_factory):
    config = small_site()
    config = dataclasses.replace(config, site=dataclasses.replace(
        config.site, id=f"fuzz-{uuid.uuid4().hex[:6]}"))
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 10, 0)),
                      tmp_path_factory.mktemp("fuzz"), [ControllerRole()],
                      broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime) as running, \
            BlockingClient(broker.host, broker.port, config.site.id, "fuzzer") as client:
        wait_for(lambda: runtime.link.connected, what="the controller")
        replies = client.watch(topics.reply(config.site.id, "fuzz-answers"))
        yield config.site.id, client, replies, running


payloads = st.binary(max_size=200) | command_like.map(
    lambda body: json.dumps(body).encode()) | json_values.map(lambda v: json.dumps(v).encode())


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(topics.COMMANDS), payload=payloads)
def test_every_command_answers_anything(target, name: str, payload: bytes) -> None:
    site, client, replies, _ = target
    correlation = uuid.uuid4().bytes
    client.publish_raw(topics.command(site, name), payload, correlation=correlation,
                       response_topic=topics.reply(site, "fuzz-answers"))
    while True:
        try:
            answer = json.loads(replies.get(timeout=5)[1])
        except queue.Empty:
            pytest.fail(f"no answer to {name} {payload[:60]!r}")
        if isinstance(answer, dict) and ("ok" in answer):
            break
    assert isinstance(answer["ok"], bool)
    if not answer["ok"]:
        assert answer["error"]["code"] and answer["error"]["message"]


def test_the_controller_still_serves_after_the_fuzzing(target) -> None:
    _site, client, _, running = target
    answer = client.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
    assert answer["ok"] and answer["ticket"]["number"].startswith("K")
    assert running.thread.is_alive()
