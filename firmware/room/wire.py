"""The controller's state and answers read into the room flow's events (functions).

The one place the room unit reads what the wire carries: a change to the payloads'
decoding is made here and nowhere else.

The state's `rooms` (each room serving, paused or closed) and `recent` (the last calls) are
read as messages.Snapshot reads them: a row that is not what the contract says is passed
over, never a reason to drop the whole state, and a controller that does not send them
(one from before breaks) leaves the room as it was.
"""

from __future__ import annotations

from typing import Any

from firmware.room.flow import SWITCH, Answered, Call, NoAnswer, Refused, State, Switched
from mqtt_bridge.messages import MessageError, RoomRow, Snapshot


def state_event(payload: bytes, room_id: str) -> State | None:
    """`queue/state` as the room needs it: the calls to this room (newest last), which
    services are open, the room's state and its last call. None for a payload that is no
    snapshot."""
    try:
        snapshot = Snapshot.from_payload(payload)
    except MessageError:
        return None
    calls = tuple(Call(row.ticket, row.call_id) for row in snapshot.serving
                  if row.room == room_id)
    return State(calls, frozenset(snapshot.open_services()),
                 room_state=room_state(snapshot, room_id),
                 last_call=last_call(snapshot, room_id))


def room_state(snapshot: Snapshot, room_id: str) -> str | None:
    """This room's state in the snapshot's `rooms`; None when it does not say."""
    room = snapshot.room(room_id)
    return room.state if room is not None else None


def last_call(snapshot: Snapshot, room_id: str) -> str | None:
    """The number this room called last, from `recent` (newest first); None: none said."""
    return next((call.ticket for call in snapshot.recent if call.room == room_id), None)


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
        room = RoomRow.read(answer.get("room"))
        return Switched(room.state if room is not None else None)
    ticket = answer.get("ticket")
    return Answered(action, str(ticket.get("number", "")) if isinstance(ticket, dict) else None)
