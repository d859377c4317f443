"""A display whose buzzer pin cannot be opened still shows every call and chimes on the
speaker instead, saying why in its log."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from gpiozero import Button
from gpiozero.pins.mock import MockFactory

from firmware.controller.role import ControllerRole
from firmware.display.chime import Chime
from firmware.display.role import DisplayRole
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import demo_config, wait_for
from tests.test_room_unit import run_device


def test_the_buzzer_falls_back_to_the_speaker(broker: Any, tmp_path: Path) -> None:
    config = demo_config(broker, tmp_path)
    devices = tuple(
        dataclasses.replace(d, display=dataclasses.replace(d.display, buzzer_pin=18))
        if d.id == "waiting-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    pins = MockFactory()
    taken = Button(18, pin_factory=pins)  # the pin is not ours to have
    service = config.room("1").services[0]
    with run_device(config, "lobby-1", ControllerRole(), tmp_path), \
            run_device(config, "waiting-1", DisplayRole(pin_factory=pins), tmp_path) as shown, \
            BlockingClient(broker.host, broker.port, config.site.id) as clerk:
        display = shown.role("display")
        wait_for(lambda: shown.on_loop(lambda: bool(display.snapshot)),
                 what="the display's first state")
        assert isinstance(display.chime, Chime)  # the speaker's, since the pin is taken
        clerk.request(topics.ISSUE, {"service": service, "lang": "fi"})
        clerk.request(topics.CALL, {"room": "1", "services": [service]})
        wait_for(lambda: display.chime.plays == 1, what="the chime on the speaker")
    taken.close()
