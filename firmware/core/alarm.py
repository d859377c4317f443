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
banner.

Pure: no paho, no clock of its own; `now` is passed in.
"""

from __future__ import annotations

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
    """One room's alarm, from its first raise until it is cleared."""

    alarm: str  # the id of the raise that began it; answers name this one
    room: str
    raised_at: datetime  # the sender's time
    received_at: datetime  # when this reader first heard of it
    drill: bool
    source: str | None = None  # key or console; None when only its answer was heard
    ids: set[str] = field(default_factory=set)
    again_at: datetime | None = None  # a later raise joined it (received time)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    escalated_at: datetime | None = None
    escalated_by: str | None = None  # the relay device
    relay: bool = False  # the escalation switched a relay
    cleared_at: datetime | None = None
    cleared_by: str | None = None

    @property
    def state(self) -> str:
        if self.cleared_at is not None:
            return CLEARED
        return ACKNOWLEDGED if self.acknowledged_at is not None else RAISED

    @property
    def ringing(self) -> bool:
        """Whether the guard's console should ring for it: nobody has answered yet."""
        return self.state == RAISED

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
        self.rooms: dict[str, Episode] = {}  # each room's newest episode, cleared or not
        self._by_id: OrderedDict[str, Episode] = OrderedDict()
        self._remember = remember

    # -- reading ---------------------------------------------------------------------------

    def of_room(self, room: str) -> Episode | None:
        return self.rooms.get(room)

    def episode(self, alarm: str) -> Episode | None:
        return self._by_id.get(alarm)

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
        if current is not None and current.state != CLEARED:
            if len(current.ids) >= MAX_IDS_PER_EPISODE:
                return []
            current.ids.add(message.alarm)
            self._keep(message.alarm, current)
            current.again_at = now
            return [Change(AGAIN, current)]
        episode = Episode(alarm=message.alarm, room=message.room,
                          raised_at=_when(message.at), received_at=now, drill=message.drill,
                          source=message.source, ids={message.alarm})
        self._begin(episode)
        return [Change(RAISED, episode)]

    def on_answer(self, message: AlarmAnswer, now: datetime) -> list[Change]:
        changes: list[Change] = []
        episode = self._by_id.get(message.alarm)
        if episode is None:  # its raise was never heard (or came later): the answer says it
            episode = self._learn(message.alarm, message.room, message.raised_at,
                                  message.drill, now)
            changes.append(Change(RAISED, episode))
        if episode.acknowledged_at is None and episode.cleared_at is None:
            episode.acknowledged_at = _when(message.acknowledged_at or message.at)
            episode.acknowledged_by = message.by
            changes.append(Change(ACKNOWLEDGED, episode))
        if message.state == CLEARED and episode.cleared_at is None:
            episode.cleared_at = _when(message.at)
            episode.cleared_by = message.by
            changes.append(Change(CLEARED, episode))
        self._place(episode)
        return changes

    def on_escalated(self, message: AlarmEscalated, now: datetime) -> list[Change]:
        changes: list[Change] = []
        episode = self._by_id.get(message.alarm)
        if episode is None:
            episode = self._learn(message.alarm, message.room, message.raised_at,
                                  message.drill, now)
            changes.append(Change(RAISED, episode))
        if episode.escalated_at is None:
            episode.escalated_at = _when(message.at)
            episode.escalated_by = message.device
            episode.relay = message.relay
            changes.append(Change(ESCALATED, episode))
        self._place(episode)
        return changes

    # -- keeping ---------------------------------------------------------------------------

    def _learn(self, alarm: str, room: str, raised_at: str, drill: bool,
               now: datetime) -> Episode:
        episode = Episode(alarm=alarm, room=room, raised_at=_when(raised_at), received_at=now,
                          drill=drill, ids={alarm})
        self._keep(alarm, episode)  # placed once the message's own change is applied
        return episode

    def _begin(self, episode: Episode) -> None:
        self._keep(episode.alarm, episode)
        self._place(episode)

    def _place(self, episode: Episode) -> None:
        """Make `episode` its room's shown alarm, unless that would hide a live one or put
        an older cleared alarm before a newer (retained messages come in any order)."""
        current = self.rooms.get(episode.room)
        if current is None or current is episode or (current.state == CLEARED and (
                episode.state != CLEARED or episode.raised_at >= current.raised_at)):
            self.rooms[episode.room] = episode

    def _keep(self, alarm: str, episode: Episode) -> None:
        self._by_id[alarm] = episode
        while len(self._by_id) > self._remember:
            oldest, kept = next(iter(self._by_id.items()))
            if kept.state != CLEARED:
                # Never forget a live alarm; drop the oldest cleared id after it instead.
                cleared = next((a for a, e in self._by_id.items() if e.state == CLEARED), None)
                if cleared is None:
                    break
                oldest = cleared
            del self._by_id[oldest]
