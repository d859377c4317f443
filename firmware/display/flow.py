"""What the lobby display does, as plain data: `DisplayFlow.on(event, now) -> effects`.

Pure: no pygame, gpiozero or paho. The shell (role.py) turns what happens into events (the
controller's retained queue state, the controller's status, the link going up or down, a
timer that came due) and carries out the effects the flow answers with (chime, say the
call, redraw, start a timer). What the screen shows is `current_view(now)`; the shell lays
it out and paints only what changed.

The rules a waiting customer meets live here:

- The newest call is large, the `history` calls before it below, each number once: a
  recall (the same number, a new call id) moves it back to the top.
- Every new `call_id` chimes exactly once, and a recall again; the voice says it in the
  ticket's language first, then the other two. The first state after starting is what
  every other screen already shows: shown without a chime, and so is the same state
  received again after a reconnect.
- Every sound has its text on screen, and the newest call's band blinks briefly (1 Hz, well
  under the 3 Hz limit) to draw the eye to it, then stays steady.
- In the quiet hours the sound is at `quiet_volume` (0: none); the screen still shows and
  blinks the call.
- Losing sight of the controller (our link down, its status offline or stopped) is said
  calmly once the data is `stale_after_s` old, with its age; fresh data takes it away.
- The info slides (one language at a time) and the pages of authorities turn by themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from firmware.core.calls import CallFollower, volume_at
from firmware.core.flow_kit import LinkDown, LinkUp, Redraw, redraw_last
from firmware.display.history import CallHistory, langs_of
from firmware.display.staleness import Staleness
from firmware.display.view import (
    LobbyView,
    lobby_view_from_snapshot,
    one_language_each,
    slides_on,
)
from firmware.site_model import DisplayConfig, SiteConfig
from mqtt_bridge.messages import EMPTY_SNAPSHOT, MessageError, Snapshot
from mqtt_bridge.payloads import state_of

BLINK_HZ = 1.0  # the newest call's band: on/off once a second (the limit is 3 Hz) ...
BLINK_FOR_S = 6.0  # ... for a few seconds, then steady
TICK_S = 1.0  # the clock, the age of stale data and rotations are looked at this often


class Timer(StrEnum):
    TICK = "tick"  # the minute on screen and the age of stale data
    BLINK = "blink"  # the newest call's next blink phase
    ROTATE = "rotate"  # the next slide and page of authorities


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Now:
    wall: datetime  # the device's clock: the minute shown, the quiet hours, today's slides
    mono: float  # seconds for the blink and the age of stale data


@dataclass(frozen=True)
class Started:
    pass


@dataclass(frozen=True)
class State:
    """The controller's retained `queue/state`, decoded (see `read_state`; the wire's
    object is read as a Snapshot when the flow takes it)."""

    snapshot: Snapshot | dict[str, Any]


@dataclass(frozen=True)
class ControllerStatus:
    """The site controller's retained status ("online", "offline" by its last will, ...)."""

    status: dict[str, Any]


@dataclass(frozen=True)
class TimerDue:
    name: Timer


Event = Started | State | ControllerStatus | LinkUp | LinkDown | TimerDue


def read_state(payload: bytes) -> State | None:
    """The queue state's bytes as the flow's event; None when they are no snapshot."""
    try:
        return State(Snapshot.from_payload(payload))
    except MessageError:
        return None


def read_status(payload: bytes) -> ControllerStatus:
    """A device status's bytes; anything unreadable is a status that says nothing."""
    return ControllerStatus(state_of(payload) or {})


# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chime:
    call_id: str  # for the log only
    volume: int  # percent


@dataclass(frozen=True)
class Say:
    texts: tuple[tuple[str, str], ...]  # (text, lang): the ticket's language, then the others
    volume: int  # percent


@dataclass(frozen=True)
class StartTimer:
    name: Timer
    delay_s: float


Effect = Chime | Say | Redraw | StartTimer


class DisplayFlow:
    """One lobby display's state. `own_controller`: the site's controller is this device,
    so a refusal in its status means this device's controller is not the one serving.
    `ticket_px`, `text_px` and `page_count` are the screen's measures (the shell's)."""

    def __init__(self, config: SiteConfig, display: DisplayConfig, *,
                 own_controller: bool = False, ticket_px: int = 0, text_px: int = 0,
                 page_count: Callable[[LobbyView], int] = lambda view: 1) -> None:
        self.config = config
        self.display = display
        self.own_controller = own_controller
        self.ticket_px = ticket_px
        self.text_px = text_px
        self.page_count = page_count
        self.snapshot: Snapshot = EMPTY_SNAPSHOT
        self.history = CallHistory()  # the day's latest calls, newest first
        self.follower = CallFollower(config)
        self.newest_call_id: str | None = None
        self.announced: list[str] = []  # every call announced, as shown: "K002 Huone 2"
        self.blink_until = 0.0
        self.rotation = 0
        self.not_serving = False
        self.staleness = Staleness(display.stale_after_s, 0.0)
        self._effects: list[Effect] = []
        self._now = Now(datetime.min, 0.0)

    def on(self, event: Event, now: Now) -> list[Effect]:
        self._now, self._effects = now, []
        handler = getattr(self, f"_on_{type(event).__name__.lower()}")
        handler(event)
        effects, self._effects = self._effects, []
        return redraw_last(effects)

    # -- what arrives ----------------------------------------------------------------------

    def _on_started(self, event: Started) -> None:
        self.staleness = Staleness(self.display.stale_after_s, self._now.mono)
        self._effects += [StartTimer(Timer.TICK, TICK_S),
                          StartTimer(Timer.ROTATE, self.display.slide_seconds)]

    def _on_linkup(self, event: LinkUp) -> None:
        self.staleness.link(True, self._now.mono)
        self._effects.append(Redraw())

    def _on_linkdown(self, event: LinkDown) -> None:
        self.staleness.link(False, self._now.mono)
        self._effects.append(Redraw())

    def _on_controllerstatus(self, event: ControllerStatus) -> None:
        status = event.status
        self.staleness.controller(str(status.get("state", "")), self._now.mono)
        # This device's own controller, refused: another one serves the site.
        self.not_serving = status.get("controller") == "refused" and self.own_controller
        self._effects.append(Redraw())

    def _on_state(self, event: State) -> None:
        self.snapshot = snapshot = Snapshot.or_empty(event.snapshot)
        self.history.follow(snapshot)
        self.staleness.state(self.snapshot.day, self._now.mono)
        for call in self.follower.follow(snapshot.calls(), langs_of(snapshot)):
            self.newest_call_id = call.call_id
            # The blink draws eyes to the call on screen, in quiet hours too.
            self.announced.append(call.shown)
            self.blink_until = self._now.mono + BLINK_FOR_S
            self._effects.append(StartTimer(Timer.BLINK, 0.5 / BLINK_HZ))
            volume = volume_at(self.display, self._now.wall)
            if volume > 0:  # 0: quiet hours without sound
                self._effects += [Chime(call.call_id, volume), Say(call.texts, volume)]
        self._effects.append(Redraw())

    def _on_timerdue(self, event: TimerDue) -> None:
        self._effects.append(Redraw())  # the view decides whether anything visible changed
        if event.name is Timer.BLINK:
            if self._now.mono < self.blink_until:
                self._effects.append(StartTimer(Timer.BLINK, 0.5 / BLINK_HZ))
        elif event.name is Timer.TICK:
            self._effects.append(StartTimer(Timer.TICK, TICK_S))
        else:
            self.rotation += 1
            self._effects.append(StartTimer(Timer.ROTATE, self.display.slide_seconds))

    # -- what the screen shows -------------------------------------------------------------

    def blink_on(self, mono: float) -> bool:
        """The newest call's band: alternating while it blinks, then steady (on)."""
        if mono >= self.blink_until:
            return True
        return int((self.blink_until - mono) * 2 * BLINK_HZ) % 2 == 0

    def current_view(self, now: Now) -> LobbyView:
        view = lobby_view_from_snapshot(self.snapshot, self.config, now.wall,
                                        calls=self.history.calls,
                                        history=self.display.history)
        age = self.staleness.age(now.mono, now.wall.date())
        if age is not None:
            age = float(int(age) if age < 60 else int(age // 60) * 60)  # what the text shows
        slides = one_language_each(
            slides_on(self.display, now.wall.date(), self.config.survey))
        shown = dataclasses.replace(
            view,
            now=now.wall.replace(second=0, microsecond=0),  # the screen shows minutes
            stale_age_s=age,
            slide=slides[self.rotation % len(slides)] if slides else None,
            blink_on=self.blink_on(now.mono),
            ticket_px=self.ticket_px,
            text_px=self.text_px,
            not_serving=self.not_serving,
        )
        return dataclasses.replace(shown, service_page=self.rotation % self.page_count(shown))
