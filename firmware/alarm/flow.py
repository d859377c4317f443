"""What the relay device of the silent alarm does, as plain data:
`AlarmRelayFlow.on(event, now) -> effects`.

Pure: no gpiozero, no paho. The shell (role.py) turns the alarm topics, the link and its one
timer into events, and carries out the effects: switch the relay, publish an escalation,
start or cancel the timer, report health.

The rules:
- It folds the three retained alarm messages into an `AlarmBoard`, as every reader does.
- An alarm still unacknowledged at its `escalation_due(escalate_after_s)` escalates: this
  device publishes `escalated` (retained, QoS 1) and switches its relay on. One that heard
  another device's `escalated` for the alarm first switches its relay but publishes nothing.
- Acknowledging after the escalation does not switch the relay off: only the clear does,
  and only once no other escalated alarm is left.
- A drill escalates like an alarm (the consoles are told) but switches the relay only when
  the site says `drill_switches_relay`.
- After a restart the retained messages come back in any order; an alarm escalated and
  not cleared switches the relay on again. For `RETAINED_SETTLE_S` after the link comes up
  the relay is not switched on and nothing escalates: the retained messages are still
  arriving, and an alarm's `escalated` may come before its `cleared` (the relay must not
  click on for an alarm that is over). Switching off never waits.
- A room has one alarm at a time, so an escalated alarm of a room where a later alarm has
  begun is over, even when its clear is no longer retained (the room's `answer` topic now
  holds the later alarm's): a stale retained `escalated` must not switch the relay on.
- Without a relay (the pin could not be opened) it still escalates, saying `relay: false`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from firmware.core.alarm import (
    CLEARED,
    ESCALATE_AFTER_S,
    ESCALATED,
    AlarmBoard,
    Episode,
    moment,
)
from firmware.core.flow_kit import LinkDown, LinkUp
from mqtt_bridge.messages import AlarmEscalated, MessageError

log = logging.getLogger("firmware.alarm.role")

# After (re)connecting, the broker's retained alarm messages arrive within milliseconds; a
# second covers a slow link with room to spare, and delays an escalation by no more.
RETAINED_SETTLE_S = 1.0

# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    link_up: bool = False


@dataclass(frozen=True)
class Message:
    """A message on `alarm/{room}/{part}` (the room is in the payload itself)."""

    part: str  # raised, answer or escalated
    payload: bytes


@dataclass(frozen=True)
class TimerDue:
    """The escalation timer: the next unacknowledged alarm's time has come."""


Event = Started | Message | TimerDue | LinkUp | LinkDown

# -- effects --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relay:
    on: bool


@dataclass(frozen=True)
class PublishEscalated:
    """Retained, QoS 1, on `alarm/{message.room}/escalated`."""

    message: AlarmEscalated


@dataclass(frozen=True)
class StartTimer:
    delay_s: float  # on the device's clock


@dataclass(frozen=True)
class CancelTimer:
    pass


@dataclass(frozen=True)
class HealthChanged:
    """Report `health` now: the relay switched."""


Effect = Relay | PublishEscalated | StartTimer | CancelTimer | HealthChanged


class AlarmRelayFlow:
    def __init__(self, device_id: str, *, relay_present: bool,
                 escalate_after_s: float = ESCALATE_AFTER_S,
                 drill_switches_relay: bool = False) -> None:
        self.device_id = device_id
        self.relay_present = relay_present
        self.escalate_after_s = escalate_after_s
        self.drill_switches_relay = drill_switches_relay
        self.board = AlarmBoard()
        self.relay_on = False
        self.link_up = False
        # Every alarm known to have escalated (by anyone) and not yet cleared, by id: the
        # relay follows these. Kept apart from the board's rooms, where an escalated alarm
        # learned while its room shows another raise would not be found.
        self.escalated: dict[str, Episode] = {}
        # This device's own escalations not yet heard back from the broker: sent again
        # when the link comes back (a retained message delivered twice changes nothing).
        self.unconfirmed: dict[str, AlarmEscalated] = {}
        self.newest: dict[str, datetime] = {}  # each room's latest alarm, by its raise time
        self._timer_due: datetime | None = None
        self.settling_until: datetime | None = None  # the retained messages still arriving
        self._effects: list[Effect] = []

    # -- the one entry -----------------------------------------------------------------------

    def on(self, event: Event, now: datetime) -> list[Effect]:
        self._effects = []
        match event:
            case Started(link_up):
                self.link_up = link_up
                if link_up:
                    self._settle(now)
            case LinkUp():
                self.link_up = True
                self._settle(now)
                for message in self.unconfirmed.values():
                    self._effects.append(PublishEscalated(message))
            case LinkDown():
                self.link_up = False
            case Message(part, payload):
                self._on_message(part, payload, now)
            case TimerDue():
                self._timer_due = None
                if self.settling_until is not None and now >= self.settling_until:
                    self.settling_until = None
                if self.settling_until is None:
                    self._escalate_due(now)
        self._follow(now)
        effects, self._effects = self._effects, []
        return effects

    # -- reading ---------------------------------------------------------------------------

    def switches_relay(self, episode: Episode) -> bool:
        """Whether this alarm's escalation switches the relay: a drill only if the site
        says so (a drill must not call the building's alarm company by default)."""
        return not episode.drill or self.drill_switches_relay

    def wants_relay(self) -> bool:
        return any(self.switches_relay(e) for e in self.escalated.values() if self._live(e))

    def _live(self, episode: Episode) -> bool:
        """Not cleared, and no later alarm of its room has begun since (which it would have
        joined had it still been on)."""
        return episode.state != CLEARED and episode.raised_at >= self.newest.get(
            episode.room, episode.raised_at)

    def _settle(self, now: datetime) -> None:
        self.settling_until = now + timedelta(seconds=RETAINED_SETTLE_S)

    # -- handling --------------------------------------------------------------------------

    def _on_message(self, part: str, payload: bytes, now: datetime) -> None:
        try:
            changes = self.board.on_payload(part, payload, now)
        except MessageError as exc:  # no alarm message: the board is as it was
            log.warning("ignored an alarm %s message: %s", part, exc)
            return
        if part == "escalated" and payload:
            # Ours come back from the broker, or another device's said it: nothing to resend.
            self.unconfirmed.pop(AlarmEscalated.from_payload(payload).alarm, None)
        for change in changes:
            room, raised_at = change.episode.room, change.episode.raised_at
            self.newest[room] = max(self.newest.get(room, raised_at), raised_at)
            if change.kind == ESCALATED:
                self.escalated[change.episode.alarm] = change.episode

    def _escalate_due(self, now: datetime) -> None:
        for episode in self.board.due(now, self.escalate_after_s):
            message = AlarmEscalated(
                alarm=episode.alarm, room=episode.room, at=moment(now),
                raised_at=moment(episode.raised_at), device=self.device_id,
                relay=self.relay_present and self.switches_relay(episode),
                drill=episode.drill)
            log.warning("alarm in room %s escalated%s (relay %s)", episode.room,
                        " (a drill)" if episode.drill else "",
                        "on" if message.relay else "not switched")
            self.board.on_escalated(message, now)  # the board knows at once: due no more
            self.escalated[episode.alarm] = episode
            self.unconfirmed[episode.alarm] = message
            self._effects.append(PublishEscalated(message))

    def _follow(self, now: datetime) -> None:
        """After every turn: the relay as the escalated alarms want it, and the timer set
        for the next alarm that may escalate."""
        for alarm in [a for a, e in self.escalated.items() if not self._live(e)]:
            del self.escalated[alarm]
            self.unconfirmed.pop(alarm, None)  # over: no need to say it escalated
        wanted = self.wants_relay()
        if wanted != self.relay_on and not (wanted and self.settling_until is not None):
            self.relay_on = wanted
            self._effects += [Relay(wanted), HealthChanged()]
        due = self.settling_until or self.board.next_due(self.escalate_after_s)
        if due != self._timer_due:
            self._timer_due = due
            self._effects.append(CancelTimer() if due is None
                                 else StartTimer(max(0.0, (due - now).total_seconds())))
