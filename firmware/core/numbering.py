"""Ticket numbers: a daily sequence per service prefix, or one shared anonymous sequence."""

from __future__ import annotations

from firmware.site_model import Service

MAX_NUMBER = 999  # three digits fit the displays and are easy to say aloud


def counter_key(service: Service, anonymous: bool) -> str:
    """Which sequence a service draws from: its own prefix, or the site's shared one."""
    return "*" if anonymous else service.prefix


def format_number(prefix: str, n: int) -> str:
    return f"{prefix}{n:03d}"


def next_number(
    service: Service, anonymous: bool, last: int, open_numbers: set[str]
) -> tuple[int, str]:
    """The next free number after `last`, wrapping after 999 past numbers still open.

    Raises RuntimeError only if all 999 numbers of the sequence are open at once, which a
    lobby cannot physically hold.
    """
    prefix = "" if anonymous else service.prefix
    n = last
    for _ in range(MAX_NUMBER):
        n = n % MAX_NUMBER + 1
        number = format_number(prefix, n)
        if number not in open_numbers:
            return n, number
    raise RuntimeError(f"all {MAX_NUMBER} numbers of sequence {prefix or 'shared'} are in use")
