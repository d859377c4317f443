"""Masking what looks personal in a customer's free words before they are stored.

Feedback is anonymous, yet customers write "call me 040 123 4567" or their identity code in
the box despite the notice. Nothing personal may enter the ledger, so the words are masked on
the device (the customer is told) and again on the controller (a device is not trusted).
Three kinds are found: a Finnish personal identity code (henkilötunnus), an e-mail address
and a phone number. Each becomes `MASK`; the text around it stays as written.

Leaning to the safe side: a mistyped identity code (wrong check character, a space for the
century sign) is masked too. Ordinary numbers are left alone: a year "2026", a date
"2026-05-12", a ticket "A012" or a price "12,50", because a phone number here starts with 0
or + and has at least seven digits.

`mask_personal` never raises and is idempotent: masking its own output changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

MASK = "[•••]"
MAX_WORDS_CHARS = 500
IDENTITY_CODE = "identity_code"
EMAIL = "email"
PHONE = "phone"
KINDS = (IDENTITY_CODE, EMAIL, PHONE)

# The check character of a henkilötunnus: (DDMMYYNNN mod 31) indexes this table.
CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# + 1800s; - Y X W V U 1900s; A B C D E F 2000s (the signs added in 2023 included).
CENTURY_SIGNS = "+-YXWVUABCDEF"
MIN_PHONE_DIGITS = 7

# Masking reads at most this much: every mask is at least 5/11 of what it replaces, so the
# first MAX_WORDS_CHARS characters of the result never come from beyond this cut.
_READ_LIMIT = 4 * MAX_WORDS_CHARS
_MAX_PASSES = 8

_IDENTITY_CODE = re.compile(
    # No word boundaries: "hetu:010190-123Akiitos" must be caught as well. A space in place
    # of the century sign is a common slip on a touch keyboard.
    r"(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}[-+A-FU-Y ][0-9]{3}[0-9A-Z]",
    re.IGNORECASE,
)
# Starts only where a run of address characters starts: linear time on a long run of letters.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
# Starts at '+' or at a '0' that does not continue a longer number; then digits with at most
# three separator characters between any two ("040 - 123 4567", "+358 (0)40 123 4567").
# Each repetition takes exactly one digit, so the pattern cannot backtrack badly.
_PHONE = re.compile(r"(?:\+|(?<![0-9])\(?(?=0))(?:[\s\-–/()]{0,3}[0-9])+")


@dataclass(frozen=True)
class MaskResult:
    """The words as they may be stored, and which kinds of personal text were masked."""

    text: str
    found: frozenset[str]

    @property
    def masked(self) -> bool:
        return bool(self.found)


def identity_code_check_char(digits: str) -> str:
    """The check character for the nine digits DDMMYYNNN of an identity code."""
    return CHECK_CHARS[int(digits) % 31]


def _clean(text: str) -> str:
    """Drop control and invisible format characters; a tab becomes a space.

    Format characters (zero-width space, bidi overrides) could hide a number from the
    patterns; lone surrogates would break the UTF-8 of the ledger.
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n" or category[0] != "C" or category == "Co":
            out.append(char)
        elif char == "\t":
            out.append(" ")
    return "".join(out)


def _ascii_digits(text: str) -> str:
    """The text with every decimal digit (Arabic-Indic, full-width, ...) as an ASCII digit.

    One character for one, so positions found in this view are positions in the text.
    """
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


def _is_phone(candidate: str) -> bool:
    return sum(c.isdigit() for c in candidate) >= MIN_PHONE_DIGITS


_PATTERNS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool]], ...] = (
    # E-mail first: its local part may hold digits that would look like a phone number;
    # identity codes before phones, or "010190-123A" would lose only its first ten characters.
    (EMAIL, _EMAIL, lambda _: True),
    (IDENTITY_CODE, _IDENTITY_CODE, lambda _: True),
    (PHONE, _PHONE, _is_phone),
)


def _mask_kind(text: str, pattern: re.Pattern[str], accept: Callable[[str], bool]
               ) -> tuple[str, bool]:
    """`text` with every accepted match of `pattern` replaced by MASK; whether any was."""
    view = _ascii_digits(text)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(view):
        if match.end() > match.start() and accept(match.group()):
            pieces += [text[last:match.start()], MASK]
            last = match.end()
    if not pieces:
        return text, False
    pieces.append(text[last:])
    return "".join(pieces), True


def _mask_pass(text: str) -> tuple[str, set[str]]:
    found: set[str] = set()
    for kind, pattern, accept in _PATTERNS:
        text, hit = _mask_kind(text, pattern, accept)
        if hit:
            found.add(kind)
    return text[:MAX_WORDS_CHARS], found


def mask_personal(text: str) -> MaskResult:
    """The text capped, cleaned of control characters and with personal-looking parts masked.

    Runs until nothing changes, because cutting at the cap could in theory complete a
    pattern; that is what makes the result idempotent. A non-text gives an empty text.
    """
    if not isinstance(text, str):
        return MaskResult("", frozenset())
    current = _clean(text[:_READ_LIMIT])
    found: set[str] = set()
    for _ in range(_MAX_PASSES):
        masked, kinds = _mask_pass(current)
        found |= kinds
        if masked == current:
            break
        current = masked
    return MaskResult(current, frozenset(found))
