"""The generated ACL on a real Mosquitto: a device can write only what its roles need."""

from __future__ import annotations

import dataclasses
import json
import queue
import subprocess
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.roles.controller_role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_config import load_site_config
from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text, users
from mqtt_bridge.blocking import BlockingClient
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, wait_for
from tests.test_walking_skeleton import TUESDAY_10


@pytest.fixture
def secured(tmp_path: Path):
    config = load_site_config(DEMO_SITE)
    (tmp_path / "acl").write_text(acl_text(config))
    passwd = tmp_path / "passwd"
    for user in users(config):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), user, f"pw-{user}"], check=True, capture_output=True)
    broker = LocalBroker(tmp_path / "broker", extra_conf=[
        "allow_anonymous false", f"password_file {passwd}", f"acl_file {tmp_path / 'acl'}",
        "check_retain_source true"])
    with broker:
        yield config, broker


def client(broker: LocalBroker, site: str, user: str, name: str | None = None) -> BlockingClient:
    return BlockingClient(broker.host, broker.port, site, client=name or user, username=user,
                          password=f"pw-{user}")


def received(inbox: queue.Queue, wait: float = 1.0) -> list[tuple[str, bytes]]:
    got = []
    while True:
        try:
            topic, payload, _ = inbox.get(timeout=wait)
        except queue.Empty:
            return got
        got.append((topic, payload))


def test_devices_write_only_what_their_roles_need(secured, tmp_path) -> None:
    config, broker = secured
    site = config.site.id
    lobby = config.device("lobby-1")
    controller_config = dataclasses.replace(config, broker=dataclasses.replace(
        config.broker, username="lobby-1", password="pw-lobby-1"))
    runtime = Runtime(controller_config, dataclasses.replace(lobby, roles=("controller",)),
                      ShiftedClock(TUESDAY_10), tmp_path, [ControllerRole()],
                      broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime), client(broker, site, "collector") as watcher, \
            client(broker, site, "waiting-1") as display, client(broker, site, "room-1") as room, \
            client(broker, site, "lobby-1", name="lobby-1") as kiosk:
        wait_for(lambda: runtime.link.connected, what="the controller with its credentials")
        everything = watcher.watch(f"piste/v1/{site}/#")
        received(everything)  # retained messages of before

        # The kiosk's credentials may issue a ticket.
        assert kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})["ok"]
        # A display's may not call a number, nor poison the queue state.
        display.publish_raw(topics.command(site, topics.CALL),
                            json.dumps({"request_id": "evil", "room": "1"}).encode(),
                            correlation=b"x", response_topic=topics.reply(site, "waiting-1"))
        display.publish_raw(topics.queue_state(site), b'{"serving": []}', retain=True)
        # A room unit reports its own room, not another.
        room.publish_raw(topics.room_occupancy(site, "1"), b'{"state": "vacant"}', retain=True)
        room.publish_raw(topics.room_occupancy(site, "2"), b'{"state": "in_session"}',
                         retain=True)
        seen = received(everything)

    topics_seen = [t for t, _ in seen]
    assert topics.command(site, topics.ISSUE) in topics_seen
    assert topics.command(site, topics.CALL) not in topics_seen
    assert topics.room_occupancy(site, "1") in topics_seen
    assert topics.room_occupancy(site, "2") not in topics_seen
    states = [json.loads(p) for t, p in seen if t == topics.queue_state(site)]
    assert states and all("seq" in s for s in states)  # only the controller's snapshots
    events = [json.loads(p)["type"] for t, p in seen if t == topics.queue_events(site)]
    assert events == ["ticket.issued"]  # the display's call did nothing


def test_wrong_password_is_refused(secured) -> None:
    config, broker = secured
    from mqtt_bridge.blocking import BrokerUnreachable

    with pytest.raises(BrokerUnreachable):
        BlockingClient(broker.host, broker.port, config.site.id, username="waiting-1",
                       password="guess").connect(timeout=2)
