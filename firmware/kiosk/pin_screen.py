"""The technician's PIN screen: a typed PIN tried through the guard, and the line under the
field.

The guard (`lockdown.PinGuard`) decides whether a PIN is checked at all; here its answer is
logged, never with the digits, and put into words: how long to wait, or that the PIN was
wrong or too short. The time is monotonic seconds, as the guard wants it.
"""

from __future__ import annotations

import logging
from typing import Any

from firmware.kiosk import lockdown as kiosk_lockdown
from firmware.kiosk.lockdown import PinAnswer, PinGuard
from firmware.kiosk.texts import text, wait_words

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")


def check_pin(guard: PinGuard, pin: str, pin_hash: str, now_s: float) -> PinAnswer:
    """Try `pin` and log what came of it: counts and waits, never the digits."""
    answer = guard.try_pin(pin, pin_hash, now_s)
    if answer is PinAnswer.OK:
        log.warning("technician left the kiosk with the PIN")
    elif answer is PinAnswer.WRONG:
        if guard.locked_out(now_s):
            log.error("wrong technician PIN %d times in a row: no PIN is checked for "
                      "%.0f minutes", guard.failures, guard.lockout_s / 60)
        else:
            log.warning("wrong technician PIN (%d in a row)", guard.failures)
    elif answer is PinAnswer.TOO_SHORT:
        log.info("technician PIN shorter than %d digits: not checked", kiosk_lockdown.PIN_MIN)
    else:
        log.info("technician PIN not checked: %s", answer.value)
    return answer


def pin_note(guard: PinGuard, answer: PinAnswer | None, lang: str, now_s: float) -> str:
    """The line under the PIN field: a running wait first, else what the last try was."""
    wait = guard.wait_s(now_s)
    if guard.locked_out(now_s):
        return text(lang, "pin_locked", wait=wait_words(lang, wait))
    if wait > 0:
        return text(lang, "pin_wait", wait=wait_words(lang, wait))
    if answer is PinAnswer.TOO_SHORT:
        return text(lang, "pin_short", n=kiosk_lockdown.PIN_MIN)
    if answer in (PinAnswer.WRONG, PinAnswer.WAIT, PinAnswer.LOCKED):
        return text(lang, "pin_wrong")
    return ""


def pin_health(guard: PinGuard, now_s: float) -> dict[str, Any]:
    # Counts only: someone trying PINs at the kiosk is for the service team to know.
    return {"failed": guard.failed_total, "lockouts": guard.lockouts,
            "locked": guard.locked_out(now_s)}
