"""A display whose buzzer pin cannot be opened still shows every call and chimes on the
speaker instead, saying why in its log. On the in-memory broker and a clock that jumps."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gpiozero import Button
from gpiozero.pins.mock import MockFactory

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.display.chime import Chime
from firmware.display.role import DisplayRole
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.site_factory import MONDAY, at
from tests.helpers import demo_config


def test_the_buzzer_falls_back_to_the_speaker(memory_broker: MemoryBroker,
                                              tmp_path: Path) -> None:
    config = demo_config(None, tmp_path)
    devices = tuple(
        dataclasses.replace(d, display=dataclasses.replace(d.display, buzzer_pin=18,
                                                           voice=False))
        if d.id == "waiting-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    pins = MockFactory()
    taken = Button(18, pin_factory=pins)  # the pin is not ours to have
    service = config.room("1").services[0]
    with JumpingSite(ManualClock(at(MONDAY, 10)), memory_broker) as site:
        site.device(config, "lobby-1", [ControllerRole()], tmp_path)
        display = DisplayRole(pin_factory=pins)
        site.device(config, "waiting-1", [display], tmp_path, uses_screen=True)
        clerk = site.client(config.site.id)
        site.run_until(lambda: bool(display.snapshot), what="the display's first state")
        assert isinstance(display.chime, Chime)  # the speaker's, since the pin is taken
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})
        clerk.request(topics.CALL, {"room": "1", "services": [service]})
        site.settle()
        assert display.chime.plays == 1  # the chime on the speaker
    taken.close()
