"""Lockdown: the kiosk runs fullscreen and nobody leaves it from the keyboard, except a
technician who presses the chord and types the PIN whose hash is in the config.

The PIN is stored as PBKDF2-SHA256 (a slow hash: a copied config does not give the PIN away
in seconds) and compared in constant time. `piste pin-hash` (or `python -m
firmware.kiosk.lockdown`) asks for a PIN and prints the line to put in `[devices.kiosk]
technician_pin_hash`.

Guessing at the kiosk is made slow (security issue 15). A PIN has PIN_MIN to PIN_MAX digits;
the kiosk refuses a shorter one without checking the hash at all, so a hash made earlier
from a 4- or 5-digit PIN can no longer unlock a kiosk: make a new one with the helper.
`PinGuard` decides when a PIN may be checked: after each wrong PIN a delay that doubles
(1, 2, 4, 8 s), and after MAX_FAILURES wrong PINs in a row a lockout of LOCKOUT_S during
which no PIN is checked. The guard lives in memory: restarting the kiosk (which needs the
power switch or systemd, not the touch screen) starts it afresh.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum

from firmware.core.password import ROUNDS, hash_secret, verify_secret

PIN_MIN = 6  # a million PINs: with the lockout below, years of trying at the kiosk
PIN_MAX = 12
FIRST_DELAY_S = 1.0  # after the first wrong PIN; doubled after each further one
MAX_FAILURES = 5  # wrong PINs in a row before the lockout
LOCKOUT_S = 15 * 60.0
# Ctrl + Alt + Shift + End: four keys far apart that no customer presses together by chance,
# and that no desktop or SDL shortcut uses.
CHORD_MODS = ("ctrl", "alt", "shift")
CHORD_KEY = "end"


def hash_pin(pin: str, rounds: int = ROUNDS, salt: str | None = None) -> str:
    return hash_secret(pin, rounds, salt)


def verify_pin(pin: str, stored: str) -> bool:
    """Whether `pin` matches the stored hash. An empty or malformed hash matches nothing:
    a kiosk without a configured PIN cannot be left from the keyboard at all."""
    return verify_secret(pin, stored)


class PinAnswer(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # checked, and wrong: counted (the last one starts the lockout)
    TOO_SHORT = "too_short"  # fewer than PIN_MIN digits: not checked, not counted
    WAIT = "wait"  # asked during the delay after a wrong PIN: not checked
    LOCKED = "locked"  # asked during the lockout: not checked


class PinGuard:
    """When a technician PIN may be checked, from the wrong PINs before it.

    Pure: the caller passes the time as monotonic seconds (a wall clock that NTP moves
    must not shorten a lockout). A right PIN clears the count; the lockout's end does too,
    so after it the next MAX_FAILURES tries get the same delays again.
    """

    def __init__(self, *, max_failures: int = MAX_FAILURES,
                 first_delay_s: float = FIRST_DELAY_S, lockout_s: float = LOCKOUT_S) -> None:
        if max_failures < 1:
            raise ValueError(f"a PIN needs at least 1 try before the lockout, not {max_failures}")
        self.max_failures = max_failures
        self.first_delay_s = first_delay_s
        self.lockout_s = lockout_s
        self.failures = 0  # wrong PINs in a row
        self.failed_total = 0  # every wrong PIN since the kiosk started (for health)
        self.lockouts = 0
        self._not_before = -math.inf  # no PIN is checked before this moment

    def wait_s(self, now_s: float) -> float:
        """Seconds until the next PIN will be checked (0: now)."""
        return max(0.0, self._not_before - now_s)

    def locked_out(self, now_s: float) -> bool:
        return self.failures >= self.max_failures and self.wait_s(now_s) > 0

    def try_pin(self, pin: str, stored: str, now_s: float,
                verify: Callable[[str, str], bool] | None = None) -> PinAnswer:
        """Check `pin` against the stored hash if the rules allow it now."""
        if self.wait_s(now_s) > 0:
            return PinAnswer.LOCKED if self.failures >= self.max_failures else PinAnswer.WAIT
        if self.failures >= self.max_failures:
            self.failures = 0  # the lockout is over
        if len(pin) < PIN_MIN:
            return PinAnswer.TOO_SHORT
        if (verify or verify_pin)(pin, stored):
            self.failures = 0
            self._not_before = -math.inf
            return PinAnswer.OK
        self._failed(now_s)
        return PinAnswer.WRONG  # locked_out() tells whether this was the last try

    def _failed(self, now_s: float) -> None:
        self.failures += 1
        self.failed_total += 1
        if self.failures >= self.max_failures:
            self.lockouts += 1
            self._not_before = now_s + self.lockout_s
        else:
            self._not_before = now_s + self.first_delay_s * 2 ** (self.failures - 1)


def is_chord(key_name: str, mods: set[str]) -> bool:
    """The technician chord, from a key name and the held modifiers (pygame's names)."""
    return key_name == CHORD_KEY and all(m in mods for m in CHORD_MODS)


def held_modifiers(mod: int) -> set[str]:
    """pygame's KMOD bit mask -> {"ctrl", "alt", "shift"}."""
    import pygame

    names = set()
    if mod & pygame.KMOD_CTRL:
        names.add("ctrl")
    if mod & pygame.KMOD_ALT:
        names.add("alt")
    if mod & pygame.KMOD_SHIFT:
        names.add("shift")
    return names


def main() -> int:
    import getpass

    pin = getpass.getpass(f"technician PIN ({PIN_MIN}-{PIN_MAX} digits): ")
    if not (pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        print(f"a PIN is {PIN_MIN} to {PIN_MAX} digits (0-9 only), so that it cannot be "
              "guessed at the kiosk")
        return 2
    if getpass.getpass("again: ") != pin:
        print("the two PINs differ")
        return 2
    print(f'technician_pin_hash = "{hash_pin(pin)}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
