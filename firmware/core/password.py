"""Slow, salted password hashes: the kiosk's technician PIN and the staff console's logins.

PBKDF2-SHA256 from the standard library, compared in constant time: a copied config or
users file does not give a password away in seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ROUNDS = 200_000


def hash_secret(secret: str, rounds: int = ROUNDS, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), rounds).hex()
    return f"pbkdf2_sha256${rounds}${salt}${digest}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether `secret` matches the stored hash. An empty or malformed hash matches nothing."""
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256" or not 1 <= int(rounds) <= 10_000_000:
            return False
        candidate = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt),
                                        int(rounds)).hex()
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)
