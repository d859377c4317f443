"""A chime for displays without a speaker: a gpiozero buzzer (the room's door signal, which
beeps alike, is in firmware/signals.py).

It takes gpiozero's `pin_factory`, so tests pass a MockFactory and can read the pin's
recorded states; only the runtime builds the real factory.
"""

from __future__ import annotations

from typing import Any

from gpiozero import Buzzer

from firmware.signals import BEEP_OFF_S, BEEP_ON_S, BEEPS


class BuzzerChime:
    """Same face as `firmware.display.chime.Chime`: `available`, `problem`, `plays`, `play()`."""

    def __init__(self, pin: int, *, pin_factory: Any = None) -> None:
        self.buzzer = Buzzer(pin, pin_factory=pin_factory)
        self.available = True
        self.problem = ""
        self.plays = 0

    def play(self, call_id: str) -> bool:
        self.buzzer.blink(on_time=BEEP_ON_S, off_time=BEEP_OFF_S, n=BEEPS, background=True)
        self.plays += 1
        return True

    def close(self) -> None:
        self.buzzer.close()
