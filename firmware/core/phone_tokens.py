"""A ticket's phone token and typed code, and the one form in which either leaves the
controller: its key. Pure: no I/O.

The token (in the QR code) and the code (printed under it, for those who type) are random,
not derived from the ticket's number. Only `key_of` of them goes on a topic or in a message,
so a relay or a log that sees the key cannot open the page.
"""

from __future__ import annotations

import hashlib
import secrets

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits
CODE_GROUP = 4
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_token() -> str:
    """128 random bits, 22 URL-safe characters: what goes after the base URL in the QR."""
    return secrets.token_urlsafe(16)


def new_code() -> str:
    """16 Crockford base32 characters in groups of four: "7KQ2-M9XD-PW4R-H8TZ"."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return _grouped(raw)


def normalise_code(text: str) -> str | None:
    """A typed code in the form `new_code` gives it (any case, dashes or spaces anywhere,
    O for 0, I or L for 1), or None when it cannot be a code."""
    if not isinstance(text, str):
        return None
    raw = "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return _grouped(raw)


def key_of(secret: str) -> str:
    """The public name of a token or a code: a topic level and a message field."""
    return hashlib.sha256(b"piste-phone-v1:" + secret.encode()).hexdigest()[:32]


def _grouped(raw: str) -> str:
    return "-".join(raw[i:i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))
