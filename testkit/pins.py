"""gpiozero mock pins a test can wait on: each change of state wakes the waiting test.

gpiozero's own MockPin records every state with its time; this one also notifies, so a test
awaits "the LED has blinked three times" as an event rather than by polling the list. It is
a MockPin in every other way, given to gpiozero as MockFactory's `pin_class`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from gpiozero.pins.mock import MockFactory, MockPin


class EventPin(MockPin):
    def __init__(self, *args: object, **kwargs: object) -> None:
        self._changed = threading.Condition()
        super().__init__(*args, **kwargs)

    def _change_state(self, value: bool) -> bool:
        with self._changed:
            changed = super()._change_state(value)
            self._changed.notify_all()
        return changed

    def wait_states(self, condition: Callable[[list[bool]], bool], timeout: float = 5.0,
                    what: str = "the pin") -> None:
        """Until `condition` holds for the pin's states so far (oldest first)."""
        with self._changed:
            if not self._changed.wait_for(lambda: condition([s.state for s in self.states]),
                                          timeout):
                raise AssertionError(f"{what}: not within {timeout} s")


def event_pins() -> MockFactory:
    return MockFactory(pin_class=EventPin)


def rising_edges(states: list[bool]) -> int:
    """How many times a pin went from low to high (an LED's blinks)."""
    return sum(1 for a, b in itertools.pairwise(states) if not a and b)
