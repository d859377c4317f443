"""A lobby device, controller and kiosk, on a JumpingSite: the kiosk's own role with its
screen drawn by the SDL dummy driver, touched through pygame events at the buttons' own
places, gpiozero MockFactory pins, the printer a test gives it (python-escpos's Dummy
behind a TicketPrinter, or the site's file printer), and a speaker that hears what is said
(testkit/voice.py). Its loop runs on the test's thread, when the site is driven.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from gpiozero.pins.mock import MockFactory

from firmware.controller.role import ControllerRole
from firmware.kiosk.keys import KeyPress
from firmware.kiosk.role import KioskRole
from firmware.runtime import Role, Runtime
from firmware.site_model import KioskConfig, ScreenConfig, SiteConfig
from testkit.jumping import JumpingSite
from testkit.voice import HeardSpeaker
from ticket_printer.connection import TicketPrinter


class LobbyKiosk:
    def __init__(self, site: JumpingSite, config: SiteConfig, data_dir: Path, *,
                 printer: TicketPrinter | None = None, kiosk: KioskConfig | None = None,
                 screen: ScreenConfig | None = None, device_id: str = "lobby-1",
                 with_controller: bool = True) -> None:
        """`with_controller` False: the kiosk alone, as when its controller is down (the
        test puts the state the kiosk reads on the broker itself)."""
        lobby = config.device(device_id)
        assert lobby is not None, device_id
        device = dataclasses.replace(
            lobby, roles=("controller", "kiosk") if with_controller else ("kiosk",),
            kiosk=kiosk or lobby.kiosk,
            screen=screen or dataclasses.replace(lobby.screen, fullscreen=False))
        self.config = dataclasses.replace(
            config, devices=tuple(device if d.id == device.id else d for d in config.devices))
        self.site = site
        self.pins = MockFactory()
        self.speaker = HeardSpeaker()
        self.controller = ControllerRole() if with_controller else None
        # The kiosk's waits count on the site's clock too: they jump with the timers.
        self.role = KioskRole(printer=printer, pin_factory=self.pins, speaker=self.speaker,
                              monotonic=site.clock.monotonic)
        roles: list[Role] = [self.controller, self.role] if self.controller else [self.role]
        self.runtime: Runtime = site.device(self.config, device_id, roles, data_dir)

    @property
    def phase(self) -> str:
        return str(self.role.phase.value)

    def ready(self) -> LobbyKiosk:
        """Run the site until the kiosk shows its start screen (the controller's state came)."""
        self.site.run_until(lambda: self.phase == "start", within_s=10, what="the start screen")
        self.role.render()
        return self

    def touch(self, action: str, arg: str | None = None) -> None:
        """A finger down and up on the button's centre, as SDL reports it."""
        import pygame

        pos = self.role.button_at(action, arg)
        assert pos is not None, f"no {action} {arg} button on the {self.phase} screen"
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            self.role.on_screen_event(pygame.event.Event(
                kind, pos=pos, button=1, window=self.role.screen.window))
        self.turn()

    def key(self, name: str) -> None:
        """A tactile key, as PhysicalKeys posts it to the runtime's inbox."""
        self.runtime.post(lambda: self.role.on_key(KeyPress(name)))
        self.turn()

    def turn(self) -> None:
        """The device handles what came of it and draws the screen again."""
        self.site.settle()
        self.role.render()

    def printed(self, within_s: float = 5.0) -> None:
        """Wait for the printer's worker thread to hand back what it printed, then let the
        device handle it."""
        self.site.await_post(self.runtime, within_s, what="the printer's result")
        self.role.render()

    def loop(self, fn: Any) -> Any:
        """`fn()` (the loop is the test's own thread here): for code shared with the tests
        whose device runs on a thread of its own."""
        return fn()
