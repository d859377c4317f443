"""Home Assistant discovery: off by default; when on, the controller announces every room's
occupancy and every kiosk's printer, pointing at piste's own topics."""

from __future__ import annotations

import dataclasses
import json
import queue
import uuid

from firmware.clock import ManualClock
from firmware.controller import ha_discovery
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_config import load_site_config, parse_site_config
from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text
from mqtt_bridge.blocking import BlockingClient
from testkit.site_factory import MONDAY, at
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, wait_for


def with_discovery(on: bool):  # type: ignore[no-untyped-def]
    config = load_site_config(DEMO_SITE)
    site = dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:8]}",
                               home_assistant_discovery=on)
    return dataclasses.replace(config, site=site)


def test_off_by_default_and_read_from_the_site_table() -> None:
    assert ha_discovery.messages(load_site_config(DEMO_SITE)) == []
    text = DEMO_SITE.read_text().replace("home_assistant_discovery = false",
                                         "home_assistant_discovery = true")
    assert parse_site_config(text, "demo").site.home_assistant_discovery is True


def test_every_room_and_kiosk_is_announced_with_its_own_topics() -> None:
    config = with_discovery(True)
    found = {topic: json.loads(payload) for topic, payload in ha_discovery.messages(config)}
    room_sensor = found[f"homeassistant/sensor/piste_{config.site.id}_room_1/occupancy/config"]
    assert room_sensor["state_topic"] == topics.room_occupancy(config.site.id, "1")
    assert room_sensor["availability"][0]["topic"] == topics.device_status(config.site.id,
                                                                           "room-1")
    printer = found[f"homeassistant/sensor/piste_{config.site.id}_lobby-1/printer/config"]
    assert printer["state_topic"] == topics.device_health(config.site.id, "lobby-1")
    assert len(found) == 2 * len(config.rooms) + 1
    assert "topic write homeassistant/#" in acl_text(config)
    assert "homeassistant" not in acl_text(with_discovery(False))


def test_the_controller_publishes_them_retained_when_it_connects(broker, tmp_path) -> None:
    config = with_discovery(True)
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 9, 0)), tmp_path,
                      [ControllerRole()], broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime):
        wait_for(lambda: runtime.link.connected, what="the controller")
        mine = f"piste_{config.site.id}_"
        wanted = 2 * len(config.rooms) + 1
        with BlockingClient(broker.host, broker.port, config.site.id) as early:
            # Subscribed while the controller may still be publishing: wait for them all.
            inbox = early.watch("homeassistant/#")
            seen: set[str] = set()
            while len(seen) < wanted:
                topic = inbox.get(timeout=10)[0]
                if mine in topic:
                    seen.add(topic)
        got = []
        with BlockingClient(broker.host, broker.port, config.site.id) as home_assistant:
            # Home Assistant starting later still finds every config: they are retained.
            inbox = home_assistant.watch("homeassistant/#")
            while True:
                try:
                    topic, payload, retained = inbox.get(timeout=1.0)
                except queue.Empty:
                    break
                if mine in topic:
                    got.append((topic, payload, retained))
    assert len(got) == wanted and all(retained for _, _, retained in got)
