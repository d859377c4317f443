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
    # An answer or an escalation names it: `alarm` is surely its first raise's id, not a
    # raise that joined an alarm whose first raise this reader never heard.
    named: bool = False
    # Learned from its answer or escalation, its first raise unheard: a raise that joins it
    # may as well be a new alarm raised after a clear this reader has not heard yet (the
    # broker hands a starting reader its retained messages in any order). Kept here until
    # the clear tells: a raise that joined an alarm this reader never heard rings again.
    learned: bool = False
    late_joiners: dict[str, tuple[AlarmRaised, datetime]] = field(default_factory=dict)

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
            if current.learned:
                current.late_joiners[message.alarm] = (message, now)
            return [Change(AGAIN, current)]
        episode = Episode(alarm=message.alarm, room=message.room,
                          raised_at=_when(message.at), received_at=now, drill=message.drill,
                          source=message.source, ids={message.alarm})
        self._begin(episode)
        return [Change(RAISED, episode)]

    def on_answer(self, message: AlarmAnswer, now: datetime) -> list[Change]:
        changes = self._own_episode(message.alarm)
        episode = self._by_id.get(message.alarm)
        if episode is None:  # its raise was never heard (or came later): the answer says it
            episode = self._learn(message.alarm, message.room, message.raised_at,
                                  message.drill, now)
            if episode.state == CLEARED:
                return []  # an answer of an alarm long over, kept by the broker
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
        changes += self._end_older(episode)
        return changes + self._ring_late_joiners(episode)

    def on_escalated(self, message: AlarmEscalated, now: datetime) -> list[Change]:
        changes = self._own_episode(message.alarm)
        episode = self._by_id.get(message.alarm)
        if episode is None:
            episode = self._learn(message.alarm, message.room, message.raised_at,
                                  message.drill, now)
            if episode.state == CLEARED:
                return []  # the escalation of an alarm long over, kept by the broker
            changes.append(Change(RAISED, episode))
        if episode.escalated_at is None:
            episode.escalated_at = _when(message.at)
            episode.escalated_by = message.device
            episode.relay = message.relay
            changes.append(Change(ESCALATED, episode))
        self._place(episode)
        return changes + self._end_older(episode)

    # -- keeping ---------------------------------------------------------------------------

    def _learn(self, alarm: str, room: str, raised_at: str, drill: bool,
               now: datetime) -> Episode:
        episode = Episode(alarm=alarm, room=room, raised_at=_when(raised_at), received_at=now,
                          drill=drill, ids={alarm}, named=True, learned=True)
        later = self._named_after(episode)
        if later is not None:  # a later alarm of the room was answered or escalated
            episode.cleared_at = later.raised_at
        self._keep(alarm, episode)  # placed once the message's own change is applied
        return episode

    def _named_after(self, episode: Episode) -> Episode | None:
        return next((e for e in self._by_id.values() if e.named and e.room == episode.room
                     and e.raised_at > episode.raised_at), None)

    def _end_older(self, episode: Episode) -> list[Change]:
        """A room's alarms follow each other: one begins only once the one before is
        cleared. So an answer or escalation of an alarm (which names its first raise) ends
        every older alarm of the room that one names too, even when the broker kept no
        clear of it: a relay device restarting the day after finds the old escalation
        retained and the answer topic holding a later alarm's clear, and must not switch
        on or ring for it. Only named ones: a raise may have joined this very alarm."""
        episode.named = True
        ended = []
        for older in {id(e): e for e in self._by_id.values()}.values():
            if older.named and older.room == episode.room and older is not episode \
                    and older.state != CLEARED and older.raised_at < episode.raised_at:
                older.cleared_at = episode.raised_at
                ended.append(Change(CLEARED, older))
                ended += self._ring_late_joiners(older)
        if ended:
            self._place(episode)  # in place of the older one it ended
        return ended

    def _own_episode(self, alarm: str) -> list[Change]:
        """An answer or escalation names an alarm's first raise: a raise that this reader
        took for a late joiner of an alarm it learned is an alarm of its own after all."""
        joined = self._by_id.get(alarm)
        if joined is None or joined.alarm == alarm or alarm not in joined.late_joiners:
            return []
        message, at = joined.late_joiners.pop(alarm)
        joined.ids.discard(alarm)
        episode = Episode(alarm=alarm, room=message.room, raised_at=_when(message.at),
                          received_at=at, drill=message.drill, source=message.source,
                          ids={alarm}, named=True)
        self._keep(alarm, episode)  # placed once the message's own change is applied
        return [Change(RAISED, episode)]

    def _ring_late_joiners(self, episode: Episode) -> list[Change]:
        """A cleared alarm learned late gives back the raises that joined it and were sent
        after its clear: each is heard again, as if it came now, and rings as a new alarm
        (see `learned`). One sent before the clear was the same alarm pressed again (a room's
        next alarm begins only once the one before is cleared): it stays joined. Such a
        raise outlives the clear on the broker while its room unit is away, and a reader
        that starts then must not ring or record an alarm nobody raised."""
        if episode.state != CLEARED or not episode.late_joiners:
            return []
        cleared_at = episode.cleared_at
        assert cleared_at is not None
        joiners = sorted((j for j in episode.late_joiners.values()
                          if _when(j[0].at) >= cleared_at), key=lambda j: j[1])
        episode.late_joiners = {}
        for message, _ in joiners:
            episode.ids.discard(message.alarm)
            self._by_id.pop(message.alarm, None)
        return [change for message, at in joiners for change in self.on_raised(message, at)]

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
