"""A call to a room blinks the LED at its door (mock pins), once per call, again on a recall."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from gpiozero.pins.mock import MockFactory

from firmware.controller.role import ControllerRole
from firmware.room.role import RoomRole
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import demo_config, wait_for
from tests.test_room_unit import run_device

DOOR_LED = 20


def test_the_door_led_blinks_for_each_call_to_its_room(broker: Any, tmp_path: Path) -> None:
    config = demo_config(broker, tmp_path)
    devices = tuple(
        dataclasses.replace(d, display=dataclasses.replace(d.display, door_led_pin=DOOR_LED))
        if d.id == "room-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    service = config.room("1").services[0]
    pins = MockFactory()
    with run_device(config, "lobby-1", ControllerRole(), tmp_path), \
            run_device(config, "room-1", RoomRole(pin_factory=pins), tmp_path) as room, \
            BlockingClient(broker.host, broker.port, config.site.id) as clerk:
        role = room.role("room")
        wait_for(lambda: room.on_loop(role.screen_state) == "free", what="the room screen")
        assert role.door.signals == 0
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})
        clerk.request(topics.CALL, {"room": "2", "services": [service]})  # another room's call
        clerk.request(topics.CALL, {"room": "1", "services": [service]})
        wait_for(lambda: role.door.signals == 1, what="the door signal")
        wait_for(lambda: any(s.state for s in pins.pin(DOOR_LED).states), what="the LED lit")
        clerk.request(topics.RECALL, {"room": "1"})
        wait_for(lambda: role.door.signals == 2, what="the door signal for the recall")
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})  # not a call: no signal
        room.on_loop(lambda: None)
    assert role.door.signals == 2


def test_a_room_unit_whose_keys_cannot_open_still_runs_and_says_why(broker: Any,
                                                                    tmp_path: Path) -> None:
    from gpiozero import Button

    from firmware.site_model import RoomUnitConfig

    config = demo_config(broker, tmp_path)
    devices = tuple(dataclasses.replace(d, room_unit=RoomUnitConfig(key_call_next=5))
                    if d.id == "room-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    pins = MockFactory()
    taken = Button(5, pin_factory=pins)  # something else holds the pin: gpiozero refuses
    with run_device(config, "lobby-1", ControllerRole(), tmp_path), \
            run_device(config, "room-1", RoomRole(pin_factory=pins), tmp_path) as room:
        role = room.role("room")
        wait_for(lambda: room.on_loop(role.screen_state) == "free", what="the room screen")
        health = room.on_loop(room.runtime.health)
    taken.close()
    assert health["keys"]["state"] == "error" and "keys unavailable" in health["keys"]["error"]
