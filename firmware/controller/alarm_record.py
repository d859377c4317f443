"""The controller's side of the silent alarm (issue 26): the alarm's times into the ledger.

The alarm does not go through the controller: the room unit, the consoles and the relay
device act on the three retained messages of `alarm/{room}/...` by themselves. The
controller only keeps the record the safety team's statistics are made from: it folds the
same messages into its own `AlarmBoard` and appends `alarm.raised`, `alarm.acknowledged`,
`alarm.escalated` and `alarm.cleared`, each once per alarm, with the message's own time.
Rooms, times and whether it was a drill: never who pressed, acknowledged or cleared it.

Once, also across restarts: each event's id is made from the alarm's id and the kind
(`event_id`), and the ledger is asked for it before anything is appended. The broker
delivers the retained messages again after every reconnect and restart, and a controller
that was down for the whole alarm learns it from the retained answer alone: the raise and
the acknowledgement (and the clear) are recorded then, at their own times.

Two readings the board alone cannot give:
- An answer that clears an alarm nobody acknowledged (`acknowledged_at` null) also ends its
  ringing on the board, as an acknowledgement would; the ledger records no
  `alarm.acknowledged` for it, so that "cleared without acknowledgement" stays countable.
- After a restart the retained raise of a room may be a later press that joined an alarm
  already recorded (the board sees it first and takes it for a new alarm): a raise for a
  room whose recorded alarm is not cleared is such a press, unless an answer or escalation
  later names it as an alarm of its own (then its raise is recorded first).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from firmware.controller.use_cases import Controller
from firmware.core.alarm import (
    ACKNOWLEDGED,
    AGAIN,
    CLEARED,
    ESCALATED,
    RAISED,
    AlarmBoard,
    Change,
    Episode,
)
from firmware.core.events import EventType
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised, MessageError

log = logging.getLogger(__name__)

KINDS = {RAISED: EventType.ALARM_RAISED, ACKNOWLEDGED: EventType.ALARM_ACKNOWLEDGED,
         ESCALATED: EventType.ALARM_ESCALATED, CLEARED: EventType.ALARM_CLEARED}
ALARM_TYPES = tuple(str(kind) for kind in KINDS.values())
# How far back a room's recorded, not yet cleared alarm is looked for when a raise comes:
# an alarm is answered in minutes; one open longer lost its clear while we were away.
OPEN_LOOKBACK_DAYS = 7
# Made once with uuid4: the namespace of the alarm events' ids (uuid5 of alarm and kind).
NAMESPACE = uuid.UUID("6f1d2c3a-5b8e-4c71-9a0d-2e4f6b8c1d3e")


def event_id(alarm: str, kind: str) -> str:
    """The ledger id of an alarm's event of `kind`: the same every time it is seen."""
    return str(uuid.uuid5(NAMESPACE, f"{alarm}/{kind}"))


def event_data(kind: str, episode: Episode) -> tuple[dict[str, Any], datetime]:
    """The event's fields (the contract's, nothing else) and its time."""
    data: dict[str, Any] = {"alarm": episode.alarm, "room": episode.room,
                            "drill": episode.drill}
    if kind == RAISED:
        return {**data, "source": episode.source}, episode.raised_at
    if kind == ACKNOWLEDGED:
        taken = episode.time_to_acknowledge() or timedelta(0)
        assert episode.acknowledged_at is not None
        return {**data, "after_s": round(taken.total_seconds(), 1)}, episode.acknowledged_at
    if kind == ESCALATED:
        assert episode.escalated_at is not None
        return {**data, "relay": episode.relay}, episode.escalated_at
    assert episode.cleared_at is not None
    return data, episode.cleared_at


class AlarmRecorder:
    """The controller's alarm board, and the alarm events it puts in the controller's
    ledger (through `Controller.record_once`)."""

    def __init__(self, site: str, controller: Controller) -> None:
        self.site = site
        self.controller = controller
        self.board = AlarmBoard()

    def record(self, message: Incoming) -> bool:
        """An alarm message into the board and its changes into the ledger, once each.

        Returns True when the message was on an alarm topic of this site (recorded or not).
        A payload that is no such alarm message, or names another room than its topic, is
        logged and dropped: the alarm itself is the other devices' business, the ledger
        only records what can be read.
        """
        parsed = topics.parse_alarm(self.site, message.topic)
        if parsed is None:
            return False
        room, part = parsed
        if not message.payload:
            return True  # a retained raise removed once answered: nothing happened
        now = self.controller.clock.now()
        try:
            changes, unanswered_clear = self._fold(room, part, message.payload, now)
        except MessageError as exc:
            log.warning("alarm message on %s ignored: %s", message.topic, exc)
            return True
        for change in changes:
            if change.kind == AGAIN:
                continue
            if change.kind == ACKNOWLEDGED and unanswered_clear:
                continue  # cleared without acknowledgement: no time to acknowledge
            if change.kind == RAISED and part == "raised" and self._joins(change.episode):
                continue
            self._write(change)
        return True

    def _fold(self, room: str, part: str, payload: bytes,
              now: datetime) -> tuple[list[Change], bool]:
        board = self.board
        if part == "raised":
            raised = AlarmRaised.from_payload(payload)
            _same_room(raised.room, room)
            _in_calendar(raised.at)
            return board.on_raised(raised, now), False
        if part == "answer":
            answer = AlarmAnswer.from_payload(payload)
            _same_room(answer.room, room)
            _in_calendar(answer.at, answer.raised_at, answer.acknowledged_at)
            unanswered = answer.state == CLEARED and answer.acknowledged_at is None
            return board.on_answer(answer, now), unanswered
        escalated = AlarmEscalated.from_payload(payload)
        _same_room(escalated.room, room)
        _in_calendar(escalated.at, escalated.raised_at)
        return board.on_escalated(escalated, now), False

    def _joins(self, episode: Episode) -> bool:
        """Whether this raise is a later press of the room's alarm already recorded and not
        yet cleared (a restart showed us the room's newest retained raise first)."""
        open_alarm = self._open_alarm(episode.room)
        if open_alarm is None or open_alarm == episode.alarm:
            return False
        log.info("a raise of room %s joins its alarm recorded before; not a new alarm",
                 episode.room)
        return True

    def _open_alarm(self, room: str) -> str | None:
        since = (date.fromisoformat(self.controller.state.day)
                 - timedelta(days=OPEN_LOOKBACK_DAYS)).isoformat()
        events = self.controller.ledger.events_between(ALARM_TYPES, since, "9999-12-31")
        cleared = {e.data.get("alarm") for e in events if e.type is EventType.ALARM_CLEARED}
        raised = [e.data.get("alarm") for e in events
                  if e.type is EventType.ALARM_RAISED and e.data.get("room") == room]
        return next((a for a in reversed(raised) if a not in cleared), None)

    def _write(self, change: Change) -> None:
        episode = change.episode
        if change.kind != RAISED:  # every recorded alarm has its raise first
            self._append(RAISED, episode)
        if self._append(change.kind, episode):
            log.info("alarm %s of room %s%s recorded", change.kind, episode.room,
                     " (drill)" if episode.drill else "")

    def _append(self, kind: str, episode: Episode) -> bool:
        data, at = event_data(kind, episode)
        return self.controller.record_once(
            event_id(episode.alarm, kind), KINDS[kind], data, at) is not None


def _in_calendar(*times: str | None) -> None:
    """Refuse, before the board takes it, a time at the calendar's very ends (year 1 with
    an offset): no service day could hold it, and as a live alarm it would swallow the
    room's real ones."""
    for text in times:
        if text is None:
            continue
        try:
            year = datetime.fromisoformat(text).astimezone(UTC).year
        except OverflowError:
            year = 1
        if not 2 <= year <= 9998:
            raise MessageError(f"{text!r} is out of any calendar")


def _same_room(named: str, room: str) -> None:
    if named != room:
        raise MessageError(f"it names room {named!r} on the topic of room {room!r}")
