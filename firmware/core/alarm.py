"""The silent alarm as every reader folds it (issue 26): the staff consoles, the relay
device, the room unit that sent it and the controller all keep an `AlarmBoard` and feed it
the three retained messages of `alarm/{room}/...` in whatever order and however often the
broker delivers them.

An alarm is an *episode* of one room, from its first raise until a guard or an advisor
clears it:
- raised: ringing on the guard's and advisors' consoles, escalation counting down;
- acknowledged: someone is on their way; the ringing and the countdown stop;
- cleared: over.

Why a fold and not a state pushed by one writer: the alarm must not depend on the
controller or on any one device. Each message repeats what a late reader needs (the answer
carries the raise's time), so a console that connects after the answer still knows the
whole alarm, and a retained message delivered again changes nothing. A second raise for a
room whose alarm is not yet cleared (the clerk pressed again, or used the console as well,
or a broken unit floods) joins that episode instead of starting another: one room, one
banner. So a room's alarms follow one another: whichever began earlier was over when the
next began. A reader that comes late can hold an old alarm's retained escalation beside a
newer alarm's answer (each topic keeps only its latest message); the older is then over.

Pure: no paho, no clock of its own; `now` is passed in.
"""

from __future__ import annotations

import itertools
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mqtt_bridge.messages import (
    AlarmAnswer,
    AlarmEscalated,
    AlarmRaised,
    MessageError,
)

ESCALATE_AFTER_S = 20.0  # the default: unacknowledged this long, the relay switches
MAX_IDS_PER_EPISODE = 64  # raises joining one episode beyond this are ignored (a flood)
REMEMBER = 1024  # alarm ids remembered, so that a retained message delivered again is known

RAISED, ACKNOWLEDGED, ESCALATED, CLEARED, AGAIN = (
    "raised", "acknowledged", "escalated", "cleared", "again")


def new_alarm_id() -> str:
    """A random id for a new alarm: says nothing about the room, the clerk or the time."""
    return secrets.token_hex(16)


def moment(at: datetime) -> str:
    """An alarm's time on the wire: with its offset, to the millisecond."""
    return at.isoformat(timespec="milliseconds")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class Episode:
    """One room's alarm, from its first raise until it is cleared.

    The board keeps one of these per message-begun record: a raise heard alone that turns
    out to be a later press of an earlier alarm stays a record of its own, `joined_to` that
    alarm, and is not shown. Which records join, and which earlier alarms a later one ends,
    is worked out again from all of a room's records after every message, so the order the
    messages came in does not matter.
    """

    alarm: str  # the id of the raise that began it; answers name this one
    room: str
    raised_at: datetime  # the sender's time
    received_at: datetime  # when this reader first heard of it
    drill: bool
    source: str | None = None  # key or console; None when only its answer was heard
    ids: set[str] = field(default_factory=set)  # its own id and those of the presses joined
    again_at: datetime | None = None  # the latest later press that joined it (its time)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    escalated_at: datetime | None = None
    escalated_by: str | None = None  # the relay device
    relay: bool = False  # the escalation switched a relay
    cleared_at: datetime | None = None
    cleared_by: str | None = None  # None with a cleared_at: a later alarm of the room began
    # Its start is known for certain: an answer or an escalation named it. A raise heard
    # alone may be a later press of an alarm whose first raise this reader never heard.
    confirmed: bool = False
    joined_to: Episode | None = None  # a later press of that alarm, not one of its own
    heard: int = 0  # the order this reader heard the records in (the board counts)
    answered_clear: bool = False  # cleared by an answer (not only ended by a later alarm)

    @property
    def state(self) -> str:
        if self.joined_to is not None:  # a later press shares its alarm's state
            return self.joined_to.state
        if self.cleared_at is not None:
            return CLEARED
        return ACKNOWLEDGED if self.acknowledged_at is not None else RAISED

    @property
    def ringing(self) -> bool:
        """Whether the guard's console should ring for it: nobody has answered yet."""
        return self.state == RAISED

    @property
    def press_only(self) -> bool:
        """Known only from a raise: it may be a later press of an earlier alarm."""
        return not self.confirmed and self.acknowledged_at is None \
            and self.escalated_at is None and not self.answered_clear

    def escalation_due(self, after_s: float) -> datetime:
        """When it escalates if nobody acknowledges it. From the raise's own time, unless
        this reader heard of it before that time (a sender's clock running ahead): a delay
        on the way (a broker restart) brings the escalation nearer, never later."""
        return min(self.raised_at, self.received_at) + timedelta(seconds=after_s)

    def time_to_acknowledge(self) -> timedelta | None:
        if self.acknowledged_at is None:
            return None
        return max(self.acknowledged_at - self.raised_at, timedelta(0))


@dataclass(frozen=True)
class Change:
    """What one message changed: `kind` one of raised, again, acknowledged, escalated,
    cleared. Readers act on these (ring, switch the relay, record in the ledger)."""

    kind: str
    episode: Episode


class AlarmBoard:
    """Every room's current alarm, folded from the retained messages."""

    def __init__(self, remember: int = REMEMBER) -> None:
        self.rooms: dict[str, Episode] = {}  # each room's newest alarm, cleared or not
        self._records: dict[str, list[Episode]] = {}  # each room's records, oldest first
        self._by_id: OrderedDict[str, Episode] = OrderedDict()
        self._remember = remember
        self._count = itertools.count(1)

    # -- reading ---------------------------------------------------------------------------

    def of_room(self, room: str) -> Episode | None:
        return self.rooms.get(room)

    def episode(self, alarm: str) -> Episode | None:
        """The alarm an id belongs to (a later press's id: the alarm it joined)."""
        record = self._by_id.get(alarm)
        return _root(record) if record is not None else None

    def active(self) -> list[Episode]:
        """The alarms not yet cleared, oldest first."""
        return sorted((e for e in self.rooms.values() if e.state != CLEARED),
                      key=lambda e: e.raised_at)

    def ringing(self) -> list[Episode]:
        return [e for e in self.active() if e.ringing]

    def due(self, now: datetime, after_s: float) -> list[Episode]:
        """Unacknowledged alarms whose time to escalate has come and that are not yet
        escalated (by anyone)."""
        return [e for e in self.active() if e.ringing and e.escalated_at is None
                and now >= e.escalation_due(after_s)]

    def next_due(self, after_s: float) -> datetime | None:
        """When the next escalation falls due, or None when no alarm is waiting for one."""
        waiting = [e.escalation_due(after_s) for e in self.active()
                   if e.ringing and e.escalated_at is None]
        return min(waiting, default=None)

    # -- folding ---------------------------------------------------------------------------

    def on_payload(self, part: str, payload: bytes, now: datetime) -> list[Change]:
        """A message of `alarm/{room}/{part}`. An empty payload (a retained one removed)
        changes nothing; a payload that is no such message raises MessageError."""
        if not payload:
            return []
        if part == "raised":
            return self.on_raised(AlarmRaised.from_payload(payload), now)
        if part == "answer":
            return self.on_answer(AlarmAnswer.from_payload(payload), now)
        if part == "escalated":
            return self.on_escalated(AlarmEscalated.from_payload(payload), now)
        raise MessageError(f"no alarm message is called {part!r}")

    def on_raised(self, message: AlarmRaised, now: datetime) -> list[Change]:
        if message.alarm in self._by_id:
            return []  # delivered again (retained, resent after a reconnect)
        current = self.rooms.get(message.room)
        if current is not None and current.state != CLEARED \
                and len(current.ids) >= MAX_IDS_PER_EPISODE:
            return []  # a flood of presses: the alarm is ringing already
        record = Episode(alarm=message.alarm, room=message.room,
                         raised_at=_when(message.at), received_at=now, drill=message.drill,
                         source=message.source, ids={message.alarm})
        return self._settle(message.room, self._add(record), record, RAISED)

    def on_answer(self, message: AlarmAnswer, now: datetime) -> list[Change]:
        episode, before = self._named(message, now)
        if episode.acknowledged_at is None and not episode.answered_clear:
            episode.acknowledged_at = _when(message.acknowledged_at or message.at)
            episode.acknowledged_by = message.by
        if message.state == CLEARED and not episode.answered_clear:
            episode.answered_clear = True
            episode.cleared_at = _when(message.at)
            episode.cleared_by = message.by
        return self._settle(episode.room, before, episode, None)

    def on_escalated(self, message: AlarmEscalated, now: datetime) -> list[Change]:
        episode, before = self._named(message, now)
        if episode.escalated_at is None:
            episode.escalated_at = _when(message.at)
            episode.escalated_by = message.device
            episode.relay = message.relay
        return self._settle(episode.room, before, episode, None)

    def _named(self, message: AlarmAnswer | AlarmEscalated, now: datetime
               ) -> tuple[Episode, dict[int, tuple[bool, str, bool]]]:
        """The alarm an answer or escalation names (it names an alarm's first raise: that
        record itself, learned from the message if its raise was never heard), and how its
        room's records looked before."""
        record = self._by_id.get(message.alarm)
        if record is None:
            record = self._learn(message, now)
            before = self._add(record)
        else:
            before = self._seen(record.room)
        record.confirmed = True
        return record, before

    # -- keeping ---------------------------------------------------------------------------

    def _learn(self, message: AlarmAnswer | AlarmEscalated, now: datetime) -> Episode:
        """An alarm whose raise this reader never heard, as its answer or escalation says."""
        return Episode(alarm=message.alarm, room=message.room,
                       raised_at=_when(message.raised_at), received_at=now,
                       drill=message.drill, ids={message.alarm}, confirmed=True)

    def _seen(self, room: str) -> dict[int, tuple[bool, str, bool]]:
        """What each of a room's records looked like: shown or not, its state, escalated."""
        return {id(r): (r.joined_to is None, r.state, r.escalated_at is not None)
                for r in self._records.get(room, [])}

    def _add(self, record: Episode) -> dict[int, tuple[bool, str, bool]]:
        before = self._seen(record.room)
        record.heard = next(self._count)
        self._records.setdefault(record.room, []).append(record)
        self._keep(record.alarm, record)
        return before

    def _settle(self, room: str, before: dict[int, tuple[bool, str, bool]],
                touched: Episode, new_kind: str | None) -> list[Change]:
        """Work out the room's alarms again from all its records, and say what changed:
        a press heard alone within an earlier alarm (open, or cleared after it) joins it;
        any other alarm that began before a later one was over when that one began."""
        # Two raises of one moment: the one heard first began the alarm (a reader's clock
        # may stand still between two messages, its count does not).
        records = sorted(self._records[room], key=lambda r: (r.raised_at, r.heard))
        shown: list[Episode] = []
        for record in records:
            record.joined_to = None
            record.ids = {record.alarm}
            record.again_at = None
            if not record.answered_clear:
                record.cleared_at = record.cleared_by = None
        for record in records:
            earlier = shown[-1] if shown else None
            if earlier is not None and record.press_only and (
                    earlier.cleared_at is None or record.raised_at <= earlier.cleared_at):
                record.joined_to = earlier
                earlier.ids.add(record.alarm)
                earlier.again_at = max(filter(None, (earlier.again_at, record.raised_at)))
                continue
            if earlier is not None and earlier.cleared_at is None:
                earlier.cleared_at = record.raised_at  # a later alarm began: this one was over
            shown.append(record)
        # A room's records are kept while they can still matter: the last few alarms.
        keep = {id(r) for r in shown[-8:]}
        self._records[room] = [r for r in records
                               if id(r) in keep or (r.joined_to is not None
                                                    and id(r.joined_to) in keep)]
        self.rooms[room] = shown[-1]
        return self._changes(room, before, touched, new_kind)

    def _changes(self, room: str, before: dict[int, tuple[bool, str, bool]],
                 touched: Episode, new_kind: str | None) -> list[Change]:
        changes: list[Change] = []
        for record in self._records[room]:
            was_shown, was_state, was_escalated = before.get(id(record), (False, CLEARED, False))
            if record.joined_to is not None:
                if record is touched and new_kind == RAISED \
                        and record.joined_to.state != CLEARED:
                    changes.append(Change(AGAIN, record.joined_to))
                continue
            if not was_shown or (was_state == CLEARED and record.state != CLEARED):
                # new, or a press that turns out to be an alarm of its own after all
                changes.append(Change(RAISED, record))
                was_state, was_escalated = RAISED, False
            if record.acknowledged_at is not None and was_state == RAISED:
                changes.append(Change(ACKNOWLEDGED, record))
            if record.escalated_at is not None and not was_escalated:
                changes.append(Change(ESCALATED, record))
            if record.state == CLEARED and was_state != CLEARED:
                changes.append(Change(CLEARED, record))
        return changes

    def _keep(self, alarm: str, record: Episode) -> None:
        self._by_id[alarm] = record
        while len(self._by_id) > self._remember:
            oldest, kept = next(iter(self._by_id.items()))
            if _root(kept).state != CLEARED:
                # Never forget a live alarm; drop the oldest cleared id after it instead.
                cleared = next((a for a, e in self._by_id.items()
                                if _root(e).state == CLEARED), None)
                if cleared is None:
                    break
                oldest = cleared
            del self._by_id[oldest]


def _root(record: Episode) -> Episode:
    return record.joined_to if record.joined_to is not None else record
