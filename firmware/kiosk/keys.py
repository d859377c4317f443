"""The kiosk's physical keys and status LED, through gpiozero.

Four keys (up, down, select, help) operate the whole flow without the touch screen
(EN 301 549 closed functionality). gpiozero calls back on its own thread, so a key only
posts a `KeyPress` to the runtime's inbox. Holding help steps the speech volume once
(after `HOLD_S`); holding it on to `HOLD_S` twice over (2 s, the flow's HELP_HOLD_S) asks for
the service advisor. gpiozero times the hold (`hold_time`, `hold_repeat`): no timer of ours.
The LED is lit while the printer or the controller is at fault, and blinks when paper runs
low, so the service advisor sees it from across the lobby.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from firmware.site_model import KioskConfig

log = logging.getLogger(__name__)

KEYS = ("up", "down", "select", "help")
HOLD_S = 1.0  # holding help this long is "louder", not "read again"; twice as long: "help"
HOLDS_HEARD = 2  # louder, then help: a longer hold repeats neither
DEBOUNCE_S = 0.03  # contacts bounce for a few ms: one press is one press


@dataclass(frozen=True)
class KeyPress:
    """Posted to the inbox: a key was released (`held`: help was held down, for `held_s`)."""

    key: str
    held: bool = False
    held_s: float = 0.0


def moved_focus(focus: int | None, count: int, key: str) -> int:
    """Where up/down move the focus ring among `count` buttons: from no focus, down starts at
    the first and up at the last; past either end it wraps round."""
    step = 1 if key == "down" else -1
    if focus is None:
        return 0 if step == 1 else count - 1
    return (focus + step) % count


def focus_step(focus: int | None, count: int, key: str) -> tuple[int, bool]:
    """up/down/select on a focus ring of `count` buttons: the new focus, and whether select
    presses the focused button (a first select only puts the ring on the first button, so
    a customer hears where they are before anything happens)."""
    if key in ("up", "down"):
        return moved_focus(focus, count, key), False
    if focus is None:
        return 0, False
    return focus % count, True


class PhysicalKeys:
    def __init__(self, config: KioskConfig, post: Callable[[object], None], *,
                 pin_factory: Any = None) -> None:
        from gpiozero import Button

        self.buttons: dict[str, Any] = {}
        self._post = post
        self._held: dict[str, int] = {}  # key -> how often gpiozero said "held" this press
        self.problem = ""
        for key in KEYS:
            pin = getattr(config, f"key_{key}")
            if pin is None:
                continue
            try:
                button = Button(pin, pull_up=True, bounce_time=DEBOUNCE_S, hold_time=HOLD_S,
                                hold_repeat=key == "help", pin_factory=pin_factory)
            except Exception as e:  # no GPIO here, or the pin is taken: the touch still works
                self.problem = f"{key} key on GPIO{pin}: {e}"
                log.error("kiosk %s", self.problem)
                continue
            # Actions fire on release (as on the touch screen); a held help key fires once
            # when held and not again on release.
            button.when_released = lambda k=key: self._released(k)
            button.when_held = lambda k=key: self._on_held(k)
            self.buttons[key] = button

    def _released(self, key: str) -> None:
        if self._held.pop(key, 0):
            return  # the hold did its part already
        self._post(KeyPress(key))

    def _on_held(self, key: str) -> None:
        if key != "help":
            return
        holds = self._held[key] = self._held.get(key, 0) + 1
        if holds <= HOLDS_HEARD:  # gpiozero repeats every HOLD_S while it is held
            self._post(KeyPress(key, held=True, held_s=holds * HOLD_S))

    def close(self) -> None:
        for button in self.buttons.values():
            button.close()


class StatusLed:
    """Off: all well. On: a fault. Blinking: paper low (print on, but change the roll)."""

    def __init__(self, pin: int | None, *, pin_factory: Any = None) -> None:
        self.led: Any = None
        self.state = "off"
        self.problem = ""
        if pin is not None:
            from gpiozero import LED

            try:
                self.led = LED(pin, pin_factory=pin_factory)
            except Exception as e:  # the kiosk serves customers without its LED too
                self.problem = f"status LED on GPIO{pin}: {e}"
                log.error("kiosk %s", self.problem)

    def show(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        if self.led is None:
            return
        if state == "fault":
            self.led.on()
        elif state == "warning":
            self.led.blink(on_time=0.5, off_time=1.5)
        else:
            self.led.off()

    def close(self) -> None:
        if self.led is not None:
            self.led.close()
