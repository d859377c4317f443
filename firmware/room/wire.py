"""The controller's state and answers read into the room flow's events (functions).

The one place the room unit reads what the wire carries: a change to the payloads'
decoding is made here and nowhere else.

The state's `rooms` (each room serving, paused or closed) and `recent` (the last calls) are
read from the payload's own rows, defensively: a controller that does not send them yet
leaves the room as it was (serving, as before breaks), and a row that is not what the
contract says is passed over, never a reason to drop the whole state.
"""

from __future__ import annotations

from typing import Any

from firmware.room.flow import SWITCH, Answered, Call, NoAnswer, Refused, State, Switched
from mqtt_bridge import messages
from mqtt_bridge.messages import MessageError, Snapshot

ROOM_STATES = ("serving", "paused", "closed")


def state_event(payload: bytes, room_id: str) -> State | None:
    """`queue/state` as the room needs it: the calls to this room (newest last), which
    services are open, the room's state and its last call. None for a payload that is no
    snapshot."""
    try:
        value = messages.decode(payload)
        snapshot = Snapshot.from_wire(value)
    except MessageError:
        return None
    calls = tuple(Call(row.ticket, row.call_id) for row in snapshot.serving
                  if row.room == room_id)
    return State(calls, frozenset(snapshot.open_services()),
                 room_state=room_state(value, room_id), last_call=last_call(value, room_id))


def _rows(value: Any, key: str) -> list[dict[str, Any]]:
    rows = value.get(key) if isinstance(value, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def room_state(value: Any, room_id: str) -> str | None:
    """This room's state in the snapshot's `rooms`; None when it does not say."""
    for row in _rows(value, "rooms"):
        if row.get("id") == room_id:
            state = row.get("state")
            return state if state in ROOM_STATES else None
    return None


def last_call(value: Any, room_id: str) -> str | None:
    """The number this room called last, from `recent` (newest first); None: none said."""
    for row in _rows(value, "recent"):
        ticket = row.get("ticket")
        if row.get("room") == room_id and isinstance(ticket, str) and ticket:
            return ticket
    return None


def answer_event(action: str, answer: dict[str, Any] | None
                 ) -> Answered | Switched | Refused | NoAnswer:
    """The controller's answer to a clerk's command (None: it never came)."""
    if answer is None:
        return NoAnswer(action)
    if not answer.get("ok"):
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        code = error.get("code", "") if isinstance(error, dict) else ""
        message = str(error.get("message", code) if isinstance(error, dict) else code)
        return Refused(action, str(code), message)
    if action == SWITCH:  # {"ok": true, "room": {id, state, reason, since, languages}}
        room = answer.get("room")
        state = room.get("state") if isinstance(room, dict) else None
        return Switched(state if state in ROOM_STATES else None)
    ticket = answer.get("ticket")
    return Answered(action, str(ticket.get("number", "")) if isinstance(ticket, dict) else None)
