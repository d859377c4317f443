"""Short signals on GPIO that more than one role gives: the beep's timing (the display's
buzzer chime beeps like the room's door) and the signal at a room's door. gpiozero parts.

They take gpiozero's `pin_factory`, so tests pass a MockFactory and can read the pin's
recorded states; only the runtime builds the real factory.
"""

from __future__ import annotations

from typing import Any

from gpiozero import LED, Buzzer

# Two short beeps, like the chime's two tones; under a second, at most 3 per second.
BEEP_ON_S = 0.18
BEEP_OFF_S = 0.17
BEEPS = 2
DOOR_LED_S = 8.0  # the door LED blinks this long (1 Hz, well under 3 Hz) after a call


class DoorSignal:
    """At a room's door: the LED blinks slowly for a few seconds and one short beep sounds."""

    def __init__(self, led_pin: int | None, buzzer_pin: int | None, *,
                 pin_factory: Any = None) -> None:
        self.led = LED(led_pin, pin_factory=pin_factory) if led_pin is not None else None
        self.buzzer = (Buzzer(buzzer_pin, pin_factory=pin_factory)
                       if buzzer_pin is not None else None)
        self.signals = 0

    def signal(self) -> None:
        if self.led is not None:
            self.led.blink(on_time=0.5, off_time=0.5, n=int(DOOR_LED_S), background=True)
        if self.buzzer is not None:
            self.buzzer.blink(on_time=BEEP_ON_S, off_time=0.0, n=1, background=True)
        self.signals += 1

    def close(self) -> None:
        for part in (self.led, self.buzzer):
            if part is not None:
                part.close()
