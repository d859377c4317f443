"""Appointment check-in: a code from the booking confirmation turns into a queue number.

Codes are personal enough to protect: they are stored only as salted hashes and compared
here in constant time. The check-in window opens some time before the appointment and
closes some time after it.

A code must not be guessable from the kiosk (security issue 15): codes are at least
CODE_MIN letters or digits (checked at import), and a code that is unknown, not open yet
or already closed gets one and the same refusal, built from the site's rules only. An
answer that said "too early" or gave the appointment's time would confirm that a guessed
code exists. The customer with a right code at the wrong time learns the window from the
refusal and the service advisor helps with the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from firmware.core.errors import ErrorCode, Refusal
from firmware.site_model import QueueRules

# 8 letters or digits are 36**8 (about 2.8e12) codes: far beyond what a kiosk can try at
# the few wrong codes a minute the controller accepts. 16 is what the keypad and the
# scanner take.
CODE_MIN = 8
CODE_MAX = 16
CODE_PATTERN = re.compile(rf"^[A-Z0-9]{{{CODE_MIN},{CODE_MAX}}}$")


def normalize_code(code: str) -> str:
    """Codes are read from paper and typed on a keypad: ignore case, spaces and dashes."""
    return re.sub(r"[\s-]", "", code).upper()


def new_salt() -> str:
    return secrets.token_hex(16)


def hash_code(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{normalize_code(code)}".encode()).hexdigest()


@dataclass(frozen=True)
class Appointment:
    id: str
    at: datetime
    service: str
    salt: str
    code_hash: str

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_code(code, self.salt))


def not_now(rules: QueueRules) -> Refusal:
    """The one refusal for every code that does not check in now: no part of it depends
    on the code, so it tells a guesser nothing."""
    return Refusal(ErrorCode.UNKNOWN_APPOINTMENT,
                   f"This code does not give a number now. Check-in opens "
                   f"{rules.appointment_early_minutes} minutes before the appointment and "
                   f"closes {rules.appointment_late_minutes} minutes after it. Please ask the "
                   "service advisor.")


def check_in(appointments: list[Appointment], code: str, now: datetime,
             rules: QueueRules) -> Appointment:
    """The appointment a code checks in now, or the one refusal the kiosk shows as it is."""
    if len(normalize_code(code)) < CODE_MIN:
        # No list imported today has such a code; one left from before the minimum should
        # not be guessable either.
        raise not_now(rules)
    # Every appointment is hashed, found or not: the time taken does not tell either.
    found = [a for a in appointments if a.matches(code)]
    early = timedelta(minutes=rules.appointment_early_minutes)
    late = timedelta(minutes=rules.appointment_late_minutes)
    open_now = [a for a in found if a.at - early <= now <= a.at + late]
    if not open_now:
        raise not_now(rules)
    # The same code twice in a day (rare): take the one whose time is nearest.
    return min(open_now, key=lambda a: abs((a.at - now).total_seconds()))
