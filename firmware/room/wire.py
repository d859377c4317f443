"""The controller's state and answers read into the room flow's events (functions).

The one place the room unit reads what the wire carries: a change to the payloads'
decoding is made here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from firmware.room.flow import Answered, Call, NoAnswer, Refused, State
from mqtt_bridge.messages import MessageError, Snapshot


def state_event(payload: bytes, room_id: str) -> State | None:
    """`queue/state` as the room needs it: the calls to this room (newest last) and which
    services are open. None for a payload that is no snapshot."""
    try:
        snapshot = Snapshot.from_payload(payload)
    except MessageError:
        return None
    calls = tuple(Call(row.ticket, row.call_id) for row in snapshot.serving
                  if row.room == room_id)
    return State(calls, frozenset(snapshot.open_services()))


def answer_event(action: str, answer: dict[str, Any] | None) -> Answered | Refused | NoAnswer:
    """The controller's answer to a clerk's command (None: it never came)."""
    if answer is None:
        return NoAnswer(action)
    if not answer.get("ok"):
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        code = error.get("code", "") if isinstance(error, dict) else ""
        message = str(error.get("message", code) if isinstance(error, dict) else code)
        return Refused(action, str(code), message)
    ticket = answer.get("ticket")
    return Answered(action, str(ticket.get("number", "")) if isinstance(ticket, dict) else None)
