"""Appointment check-in: a code from the booking confirmation turns into a queue number.

Codes are personal enough to protect: they are stored only as salted hashes and compared
here in constant time. The check-in window opens some time before the appointment and
closes some time after it; outside it the customer is told plainly what to do.
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

CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,16}$")


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


def check_in(appointments: list[Appointment], code: str, now: datetime,
             rules: QueueRules) -> Appointment:
    """The appointment a code checks in, or a Refusal the kiosk can show as it is."""
    found = [a for a in appointments if a.matches(code)]
    if not found:
        raise Refusal(ErrorCode.UNKNOWN_APPOINTMENT,
                      "no appointment today with this code; please ask the service advisor")
    # The same code twice in a day (rare): take the one whose time is nearest.
    appointment = min(found, key=lambda a: abs((a.at - now).total_seconds()))
    opens = appointment.at - timedelta(minutes=rules.appointment_early_minutes)
    closes = appointment.at + timedelta(minutes=rules.appointment_late_minutes)
    if now < opens:
        raise Refusal(ErrorCode.APPOINTMENT_TOO_EARLY,
                      f"your appointment is at {appointment.at:%H:%M}; check-in opens at "
                      f"{opens:%H:%M}", appointment_at=appointment.at.isoformat(
                          timespec="minutes"), opens_at=opens.isoformat(timespec="minutes"))
    if now > closes:
        raise Refusal(ErrorCode.APPOINTMENT_TOO_LATE,
                      f"your appointment was at {appointment.at:%H:%M}; please ask the service "
                      "advisor", appointment_at=appointment.at.isoformat(timespec="minutes"))
    return appointment
