"""Refusals: the closed set of error codes the controller answers with."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNKNOWN_SERVICE = "unknown_service"
    SERVICE_CLOSED = "service_closed"
    UNKNOWN_ROOM = "unknown_room"
    NO_TICKET = "no_ticket"
    UNKNOWN_APPOINTMENT = "unknown_appointment"
    ROOM_BUSY = "room_busy"
    FORBIDDEN = "forbidden"  # the client may not do this (another room's call, say)
    RATE_LIMITED = "rate_limited"  # this kiosk took its tickets for the minute
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # too many wrong appointment codes from a kiosk
    SURVEY_CLOSED = "survey_closed"  # a survey answer outside the site's survey month
    INTERNAL = "internal"


class Refusal(Exception):
    """A command the rules do not allow; the controller answers it as a
    `mqtt_bridge.messages.Refusal`, `{"ok": false, "error": {...}}` (`details` are its
    `retry_after_s` or `next_open`)."""

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
