"""The face keys by the exit, each with an LED, through gpiozero.

HappyOrNot style: one press is one vote, no screen needed. gpiozero calls back on its own
thread, so a key only posts its face (1 = worst) to the runtime's inbox. The key's LED lights
for a moment when the vote is counted: the customer sees that the press did something.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.03
COUNTED_S = 1.5  # how long a key's LED says "counted"


class FaceKeys:
    def __init__(self, keys: tuple[int, ...], leds: tuple[int, ...],
                 post: Callable[[int], None], *, pin_factory: Any = None) -> None:
        self.buttons: list[Any] = []
        self.leds: list[Any] = []
        self.problem = ""
        if not keys:
            return
        try:
            from gpiozero import LED, Button

            for face, pin in enumerate(keys, start=1):
                button = Button(pin, pull_up=True, bounce_time=DEBOUNCE_S,
                                pin_factory=pin_factory)
                button.when_released = lambda f=face: post(f)
                self.buttons.append(button)
            self.leds = [LED(pin, pin_factory=pin_factory) for pin in leds]
        except Exception as exc:  # no GPIO here: the touch screen still takes votes
            self.problem = f"face keys: {exc}"
            log.error("feedback %s", self.problem)

    def counted(self, face: int) -> None:
        """Light the key's LED once, for a moment (in gpiozero's background thread)."""
        if 1 <= face <= len(self.leds):
            self.leds[face - 1].blink(on_time=COUNTED_S, off_time=0, n=1, background=True)

    def close(self) -> None:
        for part in (*self.buttons, *self.leds):
            part.close()
