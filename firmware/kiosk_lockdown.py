"""Lockdown: the kiosk runs fullscreen and nobody leaves it from the keyboard, except a
technician who presses the chord and types the PIN whose hash is in the config.

The PIN is stored as PBKDF2-SHA256 (a slow hash: a copied config does not give the PIN away
in seconds) and compared in constant time. `python -m firmware.kiosk_lockdown` asks for a PIN
and prints the line to put in `[devices.kiosk] technician_pin_hash`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ROUNDS = 200_000
PIN_MAX = 12
# Ctrl + Alt + Shift + End: four keys far apart that no customer presses together by chance,
# and that no desktop or SDL shortcut uses.
CHORD_MODS = ("ctrl", "alt", "shift")
CHORD_KEY = "end"


def hash_pin(pin: str, rounds: int = ROUNDS, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), rounds).hex()
    return f"pbkdf2_sha256${rounds}${salt}${digest}"


def verify_pin(pin: str, stored: str) -> bool:
    """Whether `pin` matches the stored hash. An empty or malformed hash matches nothing:
    a kiosk without a configured PIN cannot be left from the keyboard at all."""
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt),
                                        int(rounds)).hex()
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)


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

    pin = getpass.getpass("technician PIN (4-12 digits): ")
    if not (pin.isdigit() and 4 <= len(pin) <= PIN_MAX):
        print("a PIN is 4 to 12 digits")
        return 2
    if getpass.getpass("again: ") != pin:
        print("the two PINs differ")
        return 2
    print(f'technician_pin_hash = "{hash_pin(pin)}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
