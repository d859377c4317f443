"""What the room unit does, as plain data: `RoomFlow.on(event, now) -> effects`.

Pure: no gpiozero, pygame, paho or serial. The shell (role.py) turns what happens on the
hardware and the wire into events (a clerk's key, a sensor's reading or failure, the
controller's answer or state, the link going up or down, a timer that came due) and carries
out the effects the flow answers with (send a command, light or blink the clerk's LED,
signal at the door, publish the occupancy, start or cancel a timer, redraw, report health).

The rules the clerk and the customer meet live here:

- Keys: each press sends one command; the LED stays lit while it is under way and then
  blinks once for done or three times for a refusal, and the screen says what happened: a
  refusal is never swallowed. A press while a command is under way sends nothing and says
  "one moment".
- Breaks: holding the call-next key `long_press_s` (gpiozero says "held": `KeyHeld`) switches
  the room between serving and paused (reason "break") with `room/state`; the key let go
  after it (`KeyReleased`) calls nobody. Let go sooner, it calls the next customer, as ever
  (from a paused room the controller resumes it first). The door screen says "Tauko · Paus ·
  On a break" while the controller's state has the room paused, with the room's last call.
- Screen: the number called in, or "please wait" / "closed" from the controller's state;
  "updating" while there is no state or no link.
- Door: a new call (or a recall) to this room signals at the door; a call received again
  after a reconnect does not.
- Occupancy: the pure `RoomOccupancy` debounces the readings of both sides and decides the
  room's state; a change is published retained. A side that is silent, stuck or failed makes
  the room `unknown` (and shows in `health`), never `vacant`. With one side or none
  configured nothing is published: one side alone cannot tell a session from a clerk at work.
- The silent alarm (alarm.py, `RoomAlarm`): the alarm key held raises it, its LED says sent
  and seen; none of it ever reaches the door screen (no Redraw, no message).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from firmware.core.calls import CallTracker
from firmware.core.flow_kit import LinkDown, LinkUp, Redraw, redraw_last
from firmware.core.occupancy import (
    SIDES,
    Debouncer,
    OccupancyState,
    RoomOccupancy,
    SensorStatus,
    SideMonitor,
)
from firmware.room.alarm import (
    ALARM_SETTLE_S,
    AlarmDelivered,
    AlarmEffect,
    AlarmKept,
    AlarmKeyHeld,
    AlarmLight,
    AlarmMessage,
    ForgetAlarm,
    KeepAlarm,
    PublishAlarm,
    RemoveAlarm,
    RoomAlarm,
    SettleAlarm,
)
from firmware.room.texts import DONE, REFUSED, say
from firmware.site_model import RoomUnitConfig, SensorConfig
from mqtt_bridge import topics

# The role's name: the room's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.room.role")

MESSAGE_SHOWN_S = 8.0  # a key's confirmation or refusal stays on screen this long
KEYS = ("call_next", "recall", "no_show", "complete")
COMMANDS = {"call_next": topics.CALL, "recall": topics.RECALL, "no_show": topics.NO_SHOW,
            "complete": topics.COMPLETE}
ROOM_STATE = topics.ROOM_STATE  # pauses or resumes the room (body `{room, state, reason}`)
SWITCH = "room_state"  # the long press's action: its answer comes back naming it
HOLDABLE = ("call_next",)  # the key whose long press switches serving and paused
BLINKS_DONE, BLINKS_REFUSED = 1, 3


class Timer(StrEnum):
    OCCUPANCY = "occupancy"  # the next moment a side's answer can change without a reading
    MESSAGE = "message"  # a key's confirmation leaves the screen
    ALARM_SETTLE = "alarm_settle"  # after a (re)connection: resend an unanswered alarm


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    link_up: bool = False


@dataclass(frozen=True)
class KeyPressed:
    action: str  # one of KEYS


@dataclass(frozen=True)
class KeyHeld:
    """A key held down `long_press_s` (gpiozero's when_held): the room's state switches."""

    action: str  # one of HOLDABLE


@dataclass(frozen=True)
class KeyReleased:
    """A holdable key let go: a command if it was not held, nothing after a hold."""

    action: str


@dataclass(frozen=True)
class Switched:
    """The controller switched the room (answer to `room/state`); `state` as it says, or
    None when its answer did not say in words we read."""

    state: str | None


@dataclass(frozen=True)
class Answered:
    """The controller did it; `number` is the ticket it concerned (None: nobody waits)."""

    action: str
    number: str | None


@dataclass(frozen=True)
class Refused:
    action: str
    code: str
    message: str


@dataclass(frozen=True)
class NoAnswer:
    """The controller did not answer in time (every attempt)."""

    action: str


@dataclass(frozen=True)
class Reading:
    side: str  # staff or customer
    present: bool
    at: datetime  # stamped where it was read, on the adapter's thread


@dataclass(frozen=True)
class SensorFailed:
    side: str
    message: str


@dataclass(frozen=True)
class Call:
    ticket: str
    call_id: str | None


@dataclass(frozen=True)
class State:
    """The controller's snapshot as the room needs it (read by wire.state_event)."""

    calls: tuple[Call, ...]  # the calls to this room, newest last
    open_services: frozenset[str]
    # serving, paused or closed from the state's `rooms`; None: the state does not say
    room_state: str | None = None
    last_call: str | None = None  # the number this room called last (its `recent` calls)


@dataclass(frozen=True)
class TimerDue:
    name: Timer


Event = (Started | KeyPressed | KeyHeld | KeyReleased | Answered | Switched | Refused | NoAnswer
         | Reading | SensorFailed | State | LinkUp | LinkDown | TimerDue
         | AlarmKeyHeld | AlarmMessage | AlarmDelivered | AlarmKept)

# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    command: str  # mqtt_bridge.topics: call, recall, no_show, complete
    body: dict[str, Any]
    action: str  # the key: its answer comes back as an event naming it


@dataclass(frozen=True)
class Light:
    on: bool  # the clerk's LED: lit while a command is under way


@dataclass(frozen=True)
class Blink:
    times: int  # BLINKS_DONE or BLINKS_REFUSED


@dataclass(frozen=True)
class SignalDoor:
    """The LED (and beep) at the door: this room called someone in."""


@dataclass(frozen=True)
class PublishOccupancy:
    payload: dict[str, Any]  # retained on room/{room}/occupancy


@dataclass(frozen=True)
class StartTimer:
    name: Timer
    delay_s: float
    device_clock: bool = False  # counted on the device's clock (a demo's may run fast)


@dataclass(frozen=True)
class CancelTimer:
    name: Timer


@dataclass(frozen=True)
class HealthChanged:
    """Report `health` now: a sensor's state changed."""


Effect = (Send | Light | Blink | SignalDoor | PublishOccupancy | StartTimer | CancelTimer
          | Redraw | HealthChanged
          | PublishAlarm | RemoveAlarm | AlarmLight | KeepAlarm | ForgetAlarm)


def monitor(sensor: SensorConfig, now: datetime) -> SideMonitor:
    return SideMonitor(
        sensor.kind, Debouncer(sensor.on_s, sensor.off_s), now,
        silence_s=sensor.silence_s if sensor.kind == "ld2410" else None,
        stuck_s=sensor.stuck_s)


def has_sensor_pair(unit: RoomUnitConfig) -> bool:
    return unit.staff.kind != "none" and unit.customer.kind != "none"


class RoomFlow:
    def __init__(self, room_id: str, services: list[str], unit: RoomUnitConfig,
                 started: datetime, *, lang: str = "fi") -> None:
        self.room_id = room_id
        self.services = services
        self.lang = lang
        self.occupancy: RoomOccupancy | None = None
        if has_sensor_pair(unit):
            self.occupancy = RoomOccupancy(monitor(unit.staff, started),
                                           monitor(unit.customer, started))
        self.calls = CallTracker()  # which calls to this room are new: the door signal
        self.state: State | None = None  # no state from the controller yet
        self.number: str | None = None  # the number called into this room now
        self.message = ""
        self.awaiting: str | None = None  # the key whose command is under way
        self.held: set[str] = set()  # keys held long: their release sends nothing
        # serving, paused or closed: from the controller's state or its answer to a switch;
        # None while neither has said (then the room counts as serving, as before breaks).
        self.room_state: str | None = None
        self.asked_state: str | None = None  # what the switch under way asked for
        self.link_up = False
        self.alarm = RoomAlarm(room_id)
        self._effects: list[Effect] = []

    # -- the one entry ---------------------------------------------------------------------

    def on(self, event: Event, now: datetime) -> list[Effect]:
        self._effects = []
        handler = getattr(self, f"_on_{type(event).__name__.lower()}")
        handler(event, now)
        effects, self._effects = self._effects, []
        return redraw_last(effects)

    def _emit(self, *effects: Effect) -> None:
        self._effects.extend(effects)

    # -- what the screen shows ------------------------------------------------------------------

    def screen_state(self) -> str:
        if self.state is None or not self.link_up:
            return "unknown"
        if self.room_state == "paused":
            return "paused"
        if self.number:
            return "called"
        if self.room_state == "closed":  # the counter closed for the day (the console)
            return "closed"
        return "free" if self.state.open_services & set(self.services) else "closed"

    # -- the link, the controller's state -----------------------------------------------------

    def _on_started(self, event: Started, now: datetime) -> None:
        self.link_up = event.link_up
        if event.link_up:
            self._alarm(self.alarm.connected())
        if self.occupancy is None:
            log.info("room %s: no sensor pair configured; occupancy is not reported",
                     self.room_id)
        else:
            self._update(now)

    def _on_linkup(self, event: LinkUp, now: datetime) -> None:
        self.link_up = True
        self._alarm(self.alarm.connected())
        self._publish_occupancy()  # retained: what is current is published again
        self._emit(Redraw())

    def _on_linkdown(self, event: LinkDown, now: datetime) -> None:
        self.link_up = False
        self._emit(Redraw())

    def last_call(self) -> str | None:
        """The number this room called last: the one in it now, else its newest call of
        the controller's recent ones (a paused door still says who was called in)."""
        return self.number or (self.state.last_call if self.state is not None else None)

    def _on_state(self, event: State, now: datetime) -> None:
        self.state = event
        if event.room_state is not None:
            self.room_state = event.room_state
        self.number = event.calls[-1].ticket if event.calls else None
        # A new call (or a recall) to this room, not one received again after a reconnect.
        ids = [c.call_id for c in event.calls if c.call_id is not None]
        if self.calls.new_call_ids(ids):
            self._emit(SignalDoor())
        self._emit(Redraw())

    # -- keys -------------------------------------------------------------------------------

    def _on_keyheld(self, event: KeyHeld, now: datetime) -> None:
        if event.action not in HOLDABLE or event.action in self.held:
            return
        self.held.add(event.action)  # whatever happens now, the release calls nobody
        if self.awaiting is not None:
            self._show(say(REFUSED["busy"], self.lang), ok=False)
            return
        serving = self.room_state in (None, "serving")
        self.asked_state = "paused" if serving else "serving"
        self.awaiting = SWITCH
        self._emit(Light(True), Send(ROOM_STATE, {
            "room": self.room_id, "state": self.asked_state,
            "reason": "break" if serving else None}, SWITCH))

    def _on_keyreleased(self, event: KeyReleased, now: datetime) -> None:
        if event.action in self.held:
            self.held.discard(event.action)  # the long press did its part
            return
        self._on_keypressed(KeyPressed(event.action), now)

    def _on_switched(self, event: Switched, now: datetime) -> None:
        self.awaiting = None
        state = event.state if event.state in ("serving", "paused", "closed") \
            else self.asked_state
        self.room_state = state
        self._show(say(DONE["paused" if state == "paused" else "serving"], self.lang), ok=True)

    def _on_keypressed(self, event: KeyPressed, now: datetime) -> None:
        if self.awaiting is not None:
            self._show(say(REFUSED["busy"], self.lang), ok=False)
            return
        body: dict[str, Any] = {"room": self.room_id}
        if event.action == "call_next":
            body["services"] = self.services
        self.awaiting = event.action
        self._emit(Light(True), Send(COMMANDS[event.action], body, event.action))

    def _on_noanswer(self, event: NoAnswer, now: datetime) -> None:
        self.awaiting = None
        self._show(say(REFUSED["unreachable"], self.lang), ok=False)

    def _on_refused(self, event: Refused, now: datetime) -> None:
        self.awaiting = None
        if event.code == "no_ticket":
            self._show(say(REFUSED["no_ticket"], self.lang), ok=False)
        else:
            self._show(say(REFUSED["other"], self.lang, m=event.message[:60]), ok=False)

    def _on_answered(self, event: Answered, now: datetime) -> None:
        self.awaiting = None
        if event.number is None:
            self._show(say(REFUSED["empty"], self.lang), ok=False)
            if event.action == "call_next":
                self.number = None  # calling next completed the one the room had
            return
        self.number = event.number if event.action in ("call_next", "recall") else None
        self._show(say(DONE[event.action], self.lang, n=event.number), ok=True)

    def _show(self, message: str, *, ok: bool) -> None:
        self.message = message
        self._emit(Redraw(), Light(False), Blink(BLINKS_DONE if ok else BLINKS_REFUSED),
                   StartTimer(Timer.MESSAGE, MESSAGE_SHOWN_S))

    def _on_timerdue(self, event: TimerDue, now: datetime) -> None:
        if event.name is Timer.ALARM_SETTLE:
            self._alarm(self.alarm.settle_due(now))
        elif event.name is Timer.MESSAGE:
            self.message = ""
            self._emit(Redraw())
        elif self.occupancy is not None:
            self._update(now)

    # -- the silent alarm: never a Redraw, never a message on the door screen -----------------

    def _on_alarmkeyheld(self, event: AlarmKeyHeld, now: datetime) -> None:
        self._alarm(self.alarm.on(event, now))

    def _on_alarmmessage(self, event: AlarmMessage, now: datetime) -> None:
        self._alarm(self.alarm.on(event, now))

    def _on_alarmdelivered(self, event: AlarmDelivered, now: datetime) -> None:
        self._alarm(self.alarm.on(event, now))

    def _on_alarmkept(self, event: AlarmKept, now: datetime) -> None:
        self._alarm(self.alarm.on(event, now))

    def _alarm(self, effects: list[AlarmEffect]) -> None:
        for effect in effects:
            if isinstance(effect, SettleAlarm):
                self._emit(StartTimer(Timer.ALARM_SETTLE, ALARM_SETTLE_S))
            else:
                self._emit(effect)

    # -- occupancy ----------------------------------------------------------------------------

    def _on_reading(self, event: Reading, now: datetime) -> None:
        if self.occupancy is None:
            return
        self.occupancy.side(event.side).reading(event.present, event.at)
        self._update(now)

    def _on_sensorfailed(self, event: SensorFailed, now: datetime) -> None:
        if self.occupancy is None:
            return
        self.occupancy.side(event.side).failed(event.message)
        self._update(now)

    def _update(self, now: datetime) -> None:
        assert self.occupancy is not None
        changed, statuses = self.occupancy.update(now)
        for change in statuses:
            level = logging.INFO if change.status is SensorStatus.OK else logging.WARNING
            log.log(level, "room %s %s sensor: %s (was %s)", self.room_id, change.side,
                    change.status, change.previous)
        if changed is not None:
            self._publish_occupancy()
        if statuses:
            self._emit(HealthChanged())
        due = self.occupancy.due(now)
        if due is None:
            self._emit(CancelTimer(Timer.OCCUPANCY))
        else:
            self._emit(StartTimer(Timer.OCCUPANCY, (due - now).total_seconds(),
                                  device_clock=True))

    def _publish_occupancy(self) -> None:
        payload = self.occupancy_payload()
        if payload is not None and self.link_up:
            self._emit(PublishOccupancy(payload))

    def occupancy_payload(self) -> dict[str, Any] | None:
        if self.occupancy is None or self.occupancy.current is None:
            return None
        payload = self.occupancy.current.to_wire()
        if self.occupancy.current.state is OccupancyState.UNKNOWN:
            # Which side cannot be trusted and why: the controller's alert names it.
            payload["faults"] = {side: str(status) for side, status in
                                 self.occupancy.statuses.items()
                                 if status not in (SensorStatus.OK, SensorStatus.STARTING)}
        return payload

    def sensor_health(self, now: datetime) -> dict[str, Any]:
        """The sensors' part of `health`."""
        if self.occupancy is None:
            return {"state": "none"}
        return {side: {"kind": self.occupancy.side(side).kind,
                       "state": str(self.occupancy.side(side).status(now)),
                       **({"error": self.occupancy.side(side).error}
                          if self.occupancy.side(side).error else {})}
                for side in SIDES}
