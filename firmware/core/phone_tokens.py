"""A ticket's secrets for following it on a phone: the token in its QR code, the short code
printed under it, and the key that stands for either outside the controller.

The token is 128 random bits, the code 80 (16 Crockford base32 characters, easy to read
aloud and to type: no I, L, O or U). Neither says anything about the ticket's number or
day: they are drawn, not derived. Outside the controller's own disk only `key_of` a secret
is ever seen (a topic level, a message field), so a log, an event, a statistic or a
broker's retained store never holds one. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 16  # 128 bits: token_urlsafe gives 22 characters
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 16  # 80 bits
CODE_GROUP = 4  # shown as 7KQ2-M9XD-PW4R-H8TZ
# Longer than any way of writing a code (dashes and spaces between every character):
# anything longer is not one, and is not worked through.
CODE_TEXT_MAX = 64
KEY_SALT = b"piste-phone-v1:"
KEY_LENGTH = 32  # hex characters: 128 bits of the hash
# What people type for what they see: Crockford's own readings.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -\t_.")


def new_token() -> str:
    """A fresh token for a ticket's QR code (URL-safe, 22 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_code() -> str:
    """A fresh short code, grouped as printed: `7KQ2-M9XD-PW4R-H8TZ`."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalise_code(text: str) -> str | None:
    """A typed code in the form it was printed in, or None if it cannot be a code.

    Case, dashes, spaces (and dots, underscores, tabs) do not matter; O reads as 0, I and L
    as 1. Never raises, whatever the text.
    """
    if not isinstance(text, str) or len(text) > CODE_TEXT_MAX or not text.isascii():
        return None
    plain = text.upper().translate(_SEPARATORS).translate(_LOOKALIKES)
    if len(plain) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in plain):
        return None
    return _grouped(plain)


def key_of(secret: str) -> str:
    """The public stand-in of a token or a (normalised) code: 32 hex characters.

    The only form in which a secret leaves the controller's disk. Encoded so that any
    Python text has a key (a lone surrogate from a mangled URL included).
    """
    digest = hashlib.sha256(KEY_SALT + secret.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:KEY_LENGTH]


def _grouped(plain: str) -> str:
    return "-".join(plain[i:i + CODE_GROUP] for i in range(0, len(plain), CODE_GROUP))
