"""A call to a room blinks the LED at its door (mock pins), once per call, again on a recall.
On the in-memory broker and a clock that jumps (testkit/jumping.py)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.room.role import RoomRole
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.pins import event_pins
from testkit.site_factory import at
from tests.helpers import demo_config

TUESDAY_10 = at(date(2026, 12, 1), 10)
DOOR_LED = 12  # free on the demo's room-1 (its silent alarm's LED is on GPIO20)


def test_the_door_led_blinks_for_each_call_to_its_room(memory_broker: MemoryBroker,
                                                       tmp_path: Path) -> None:
    config = demo_config(None, tmp_path)
    devices = tuple(
        dataclasses.replace(d, display=dataclasses.replace(d.display, door_led_pin=DOOR_LED))
        if d.id == "room-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    service = config.room("1").services[0]
    pins = event_pins()
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        site.device(config, "lobby-1", [ControllerRole()], tmp_path)
        role = RoomRole(pin_factory=pins)
        site.device(config, "room-1", [role], tmp_path)
        clerk = site.client(config.site.id)
        site.run_until(lambda: role.screen_state() == "free", what="the room screen")
        assert role.door.signals == 0
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})
        clerk.request(topics.CALL, {"room": "2", "services": [service]})  # another room's call
        clerk.request(topics.CALL, {"room": "1", "services": [service]})
        site.settle()
        assert role.door.signals == 1
        pins.pin(DOOR_LED).wait_states(any, what="the LED lit")
        clerk.request(topics.RECALL, {"room": "1"})
        site.settle()
        assert role.door.signals == 2
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})  # not a call: no signal
        site.settle()
    assert role.door.signals == 2


def test_a_room_unit_whose_keys_cannot_open_still_runs_and_says_why(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    from gpiozero import Button

    from firmware.site_model import RoomUnitConfig

    config = demo_config(None, tmp_path)
    devices = tuple(dataclasses.replace(d, room_unit=RoomUnitConfig(key_call_next=5))
                    if d.id == "room-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    pins = event_pins()
    taken = Button(5, pin_factory=pins)  # something else holds the pin: gpiozero refuses
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        site.device(config, "lobby-1", [ControllerRole()], tmp_path)
        role = RoomRole(pin_factory=pins)
        room = site.device(config, "room-1", [role], tmp_path)
        site.run_until(lambda: role.screen_state() == "free", what="the room screen")
        health = room.health()
    taken.close()
    assert health["keys"]["state"] == "error" and "keys unavailable" in health["keys"]["error"]
