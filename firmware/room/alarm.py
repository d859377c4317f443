"""The room unit's part of the silent alarm (issue 26), pure: the clerk's alarm key held, the
alarm messages of its own room, the broker's acknowledgement of its raise and a settle timer
in; the raise published, its retained copy removed, the key's LED and the kept file out.
`RoomFlow` (flow.py) hands its alarm events here and passes the effects on.

What the clerk meets:
- Holding the key `[alarm] hold_s` raises the alarm (gpiozero times the hold: a shorter press
  is no event at all, so it does nothing). Held again while the room's alarm is not yet
  cleared, it raises again: the readers join it to the same episode, the LED stays as it is.
- The LED is the only sign, facing the clerk: dark until the broker has the alarm, then
  steady; a short blip every 2 s once a guard or an advisor acknowledged it ("seen"); dark
  again when it is cleared. The door screen never shows anything of it.

Why it is kept and resent: the alarm must arrive although the broker may restart and lose
what it held. The unanswered raise is kept in a file (the shell's `KeepAlarm`) until the
room's episode is acknowledged, and after every (re)connection, once the retained answer has
had `ALARM_SETTLE_S` to arrive, it is published again if nobody has answered it. The same
id each time: a reader that has it already changes nothing.

Why the raise is removed once acknowledged: a retained raise outlives its episode. After the
clear, a console that connects would read it as a new alarm (a joined raise's id is not the
one the answer names), so the room unit empties the retained raise it wrote (source "key")
as soon as its room's alarm is acknowledged or cleared.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from firmware.core.alarm import (
    ACKNOWLEDGED,
    CLEARED,
    AlarmBoard,
    Change,
    Episode,
    moment,
    new_alarm_id,
)
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised, MessageError

log = logging.getLogger("firmware.room.role")

ALARM_SETTLE_S = 1.0  # after a (re)connection: the retained answer comes first, if there is one
SENT_REMEMBERED = 64  # raises waiting for the broker's acknowledgement (a flood drops the oldest)
READERS: dict[str, type[AlarmRaised] | type[AlarmAnswer] | type[AlarmEscalated]] = {
    "raised": AlarmRaised, "answer": AlarmAnswer, "escalated": AlarmEscalated}


class AlarmPattern(StrEnum):
    OFF = "off"  # no alarm, or not yet on the broker, or cleared
    ON = "on"  # the broker has it: sent
    BLIP = "blip"  # acknowledged by a guard or an advisor: seen


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmKeyHeld:
    """The alarm key held `[alarm] hold_s` (gpiozero's when_held)."""


@dataclass(frozen=True)
class AlarmMessage:
    """A message on `alarm/{room}/{part}` (part raised, answer or escalated); empty: a
    retained one removed."""

    room: str
    part: str
    payload: bytes


@dataclass(frozen=True)
class AlarmDelivered:
    """The broker acknowledged (PUBACK) the publish of this raise."""

    alarm: str


@dataclass(frozen=True)
class AlarmKept:
    """The kept file's contents, read by the shell at start when there is one."""

    payload: bytes


# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishAlarm:
    message: AlarmRaised  # retained, QoS 1 on alarm/{room}/raised


@dataclass(frozen=True)
class RemoveAlarm:
    """An empty retained payload on alarm/{room}/raised: the raise this unit wrote is done."""


@dataclass(frozen=True)
class AlarmLight:
    pattern: AlarmPattern


@dataclass(frozen=True)
class KeepAlarm:
    message: AlarmRaised  # into {data_dir}/alarm-{room}.json until acknowledged


@dataclass(frozen=True)
class ForgetAlarm:
    """The kept raise is answered: remove the file."""


@dataclass(frozen=True)
class SettleAlarm:
    """Start (or restart) the settle timer: ALARM_SETTLE_S from now."""


AlarmEvent = AlarmKeyHeld | AlarmMessage | AlarmDelivered | AlarmKept
AlarmEffect = PublishAlarm | RemoveAlarm | AlarmLight | KeepAlarm | ForgetAlarm | SettleAlarm


class RoomAlarm:
    """One room's alarm as its room unit sees it."""

    def __init__(self, room_id: str) -> None:
        self.room_id = room_id
        # Fed only with what the broker has: the room's messages as they arrive, and this
        # unit's own raise once the broker acknowledged it. So the LED says "sent" only then.
        self.board = AlarmBoard()
        self.kept: AlarmRaised | None = None  # this unit's unanswered raise (also on disk)
        self.sent: dict[str, AlarmRaised] = {}  # published, the broker's PUBACK not yet in
        self.retained_raise: AlarmRaised | None = None  # what alarm/{room}/raised holds now
        self.pattern = AlarmPattern.OFF

    # -- reading ---------------------------------------------------------------------------

    def episode(self) -> Episode | None:
        return self.board.of_room(self.room_id)

    def light(self) -> AlarmPattern:
        episode = self.episode()
        if episode is None or episode.state == CLEARED:
            return AlarmPattern.OFF
        return AlarmPattern.BLIP if episode.state == ACKNOWLEDGED else AlarmPattern.ON

    # -- events ----------------------------------------------------------------------------

    def on(self, event: AlarmEvent, now: datetime) -> list[AlarmEffect]:
        effects: list[AlarmEffect] = []
        match event:
            case AlarmKeyHeld():
                effects += self._raise(now)
            case AlarmMessage(room, part, payload):
                effects += self._message(room, part, payload, now)
            case AlarmDelivered(alarm):
                message = self.sent.pop(alarm, None)
                if message is not None:
                    self._fold(self.board.on_raised(message, now), effects)
            case AlarmKept(payload):
                self._restore(payload)
        return effects + self._tidy()

    def settle_due(self, now: datetime) -> list[AlarmEffect]:
        """ALARM_SETTLE_S after a (re)connection: resend the kept raise if nobody answered."""
        if self.kept is None:
            return []
        effects: list[AlarmEffect] = []
        if self._answered(self.kept, self.episode()):
            self.kept = None
            effects.append(ForgetAlarm())
        else:
            log.info("room %s: the alarm is not answered yet; sent again", self.room_id)
            effects.append(self._publish(self.kept))
        return effects + self._tidy()

    def connected(self) -> list[AlarmEffect]:
        """The link is up (at start or again): resend after the settle time if need be."""
        return [SettleAlarm()] if self.kept is not None else []

    # -- inside ----------------------------------------------------------------------------

    def _raise(self, now: datetime) -> list[AlarmEffect]:
        message = AlarmRaised(alarm=new_alarm_id(), room=self.room_id, at=moment(now),
                              source="key", drill=False)
        log.warning("room %s: the alarm key was held; alarm raised", self.room_id)
        effects: list[AlarmEffect] = [self._publish(message)]
        episode = self.episode()
        joins_answered = episode is not None and episode.state == ACKNOWLEDGED
        if self.kept is None and not joins_answered:
            self.kept = message  # the first unanswered one: resending it is enough
            effects.append(KeepAlarm(message))
        return effects

    def _publish(self, message: AlarmRaised) -> PublishAlarm:
        self.sent[message.alarm] = message
        while len(self.sent) > SENT_REMEMBERED:
            del self.sent[next(iter(self.sent))]
        return PublishAlarm(message)

    def _message(self, room: str, part: str, payload: bytes,
                 now: datetime) -> list[AlarmEffect]:
        if room != self.room_id:
            return []  # not this room's: not subscribed, and none of its business
        if not payload:  # a retained message removed: nothing changes but what is retained
            if part == "raised":
                self.retained_raise = None
            return []
        try:
            message = READERS[part].from_payload(payload)
            if message.room != room:
                raise MessageError(f"it names room {message.room!r}")
        except (KeyError, MessageError) as exc:
            log.warning("room %s: an alarm message on %s was not read: %s", self.room_id,
                        part, exc)
            return []
        effects: list[AlarmEffect] = []
        if isinstance(message, AlarmRaised):
            self.retained_raise = message
            changes = self.board.on_raised(message, now)
        elif isinstance(message, AlarmAnswer):
            changes = self.board.on_answer(message, now)
        else:
            changes = self.board.on_escalated(message, now)
        self._fold(changes, effects)
        return effects

    def _fold(self, changes: list[Change], effects: list[AlarmEffect]) -> None:
        episode = self.episode()
        if self.kept is not None and any(
                c.episode is episode and c.kind in (ACKNOWLEDGED, CLEARED) for c in changes) \
                and self._answered(self.kept, episode):
            self.kept = None
            effects.append(ForgetAlarm())

    def _tidy(self) -> list[AlarmEffect]:
        """What follows from the board as it is now: the retained raise removed once
        answered, the LED's pattern when it changed."""
        effects: list[AlarmEffect] = []
        episode = self.episode()
        raise_ = self.retained_raise
        if raise_ is not None and raise_.source == "key" and self._answered(raise_, episode):
            self.retained_raise = None  # its removal comes back as an empty raise, too
            effects.append(RemoveAlarm())
        pattern = self.light()
        if pattern != self.pattern:
            self.pattern = pattern
            effects.append(AlarmLight(pattern))
        return effects

    def _answered(self, message: AlarmRaised, episode: Episode | None) -> bool:
        """Whether a raise of this room has been answered by `episode` (its room's newest).

        Its id in the episode says so. Otherwise times tell, which matters after a restart,
        when the board has not heard this raise: an acknowledged episode answers every raise
        of its room (one sent after its first raise joined it; one sent before it was lost or
        its own episode is over, and sending it again would only join this one); a cleared
        one answers a raise sent before the clear (one sent after it is a new alarm)."""
        if episode is None or episode.state not in (ACKNOWLEDGED, CLEARED):
            return False
        if message.alarm in episode.ids or episode.state == ACKNOWLEDGED:
            return True
        return (episode.cleared_at is not None
                and datetime.fromisoformat(message.at) <= episode.cleared_at)

    def _restore(self, payload: bytes) -> None:
        try:
            message = AlarmRaised.from_payload(payload)
        except MessageError as exc:
            log.error("room %s: the kept alarm could not be read (%s); not sent again",
                      self.room_id, exc)
            return
        if message.room != self.room_id or message.source != "key":
            log.error("room %s: the kept alarm is not this room unit's; not sent again",
                      self.room_id)
            return
        self.kept = message
