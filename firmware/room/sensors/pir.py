"""A PIR motion sensor or any digital presence input on a GPIO pin, through gpiozero.

A PIR's output drives the line itself (high while it sees motion, for its own hold time),
so the pin floats: no pull resistor. A plain contact (a pressure mat, a door switch, another
sensor's open-collector output) needs the Pi's pull resistor: kind "gpio" pulls the line
to the inactive level and counts the other as presence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OnLevel = Callable[[bool], None]


class DigitalPresence:
    """Hands every edge of the input (and its level at start) to `on_level`."""

    def __init__(self, pin: int | str, on_level: OnLevel, *, kind: str = "pir",
                 active_high: bool = True, pin_factory: Any = None) -> None:
        from gpiozero import DigitalInputDevice  # only room units with GPIO sensors load it

        if kind == "pir":
            self.device = DigitalInputDevice(pin, pull_up=None, active_state=active_high,
                                             pin_factory=pin_factory)
        else:
            self.device = DigitalInputDevice(pin, pull_up=not active_high,
                                             pin_factory=pin_factory)
        self.on_level = on_level
        # gpiozero calls these on its own thread: they only hand the level over.
        self.device.when_activated = lambda: on_level(True)
        self.device.when_deactivated = lambda: on_level(False)

    def announce(self) -> None:
        """Report the level as it is now (an edge before we listened is not lost)."""
        self.on_level(bool(self.device.value))

    def close(self) -> None:
        self.device.close()
