"""The display role: the waiting-area screen, its chime and its voice.

It redraws only when what the screen shows changes (the queue, the minute, a blink phase, a
slide, the age of stale data), and then only the rectangles that changed. It chimes exactly
once per new `call_id`; the first state it receives after starting is what is already on
every other screen: shown without a chime, and so is the same state received again after a
reconnect. When it loses sight of the controller it says so, calmly, with the data's age.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import pygame

from display_driver.dirty import draw_changes
from display_driver.layout import Plan
from firmware.core.calls import CallTracker, announcement, in_quiet_hours
from firmware.display.chime import Chime
from firmware.display.lobby_screen import (
    LobbyView,
    lobby_view_from_snapshot,
    one_language_each,
    plan_lobby,
    service_page_count,
)
from firmware.display.readability import slides_on, text_px_needed, ticket_px_needed
from firmware.display.staleness import Staleness
from firmware.runtime import Role, Runtime
from firmware.screen import Screen
from firmware.speech import Speaker
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import EMPTY_SNAPSHOT, MessageError, Snapshot
from mqtt_bridge.payloads import state_of

log = logging.getLogger(__name__)

BLINK_HZ = 1.0  # the newest call's band: on/off once a second (the limit is 3 Hz) ...
BLINK_FOR_S = 6.0  # ... for a few seconds, then steady
TICK_S = 1.0  # the clock, the age of stale data and rotations are looked at this often


class DisplayRole(Role):
    name = "display"

    def __init__(self, frames_dir: Path | None = None, *, pin_factory: Any = None,
                 speaker: Speaker | None = None) -> None:
        self.frames_dir = frames_dir
        self.pin_factory = pin_factory
        self._speaker = speaker
        self.state: Snapshot | None = None  # the controller's latest queue/state
        self.tracker = CallTracker()
        self.newest_call_id: str | None = None
        self.dirty = True
        self.frames_drawn = 0  # full or partial repaints: an idle display adds none
        self.announced: list[str] = []  # texts of every call announced, as shown on screen
        self._last_view: LobbyView | None = None
        self._last_plan: Plan | None = None
        self._blink_until = 0.0
        self._rotation = 0
        self._minute = ""

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        self.display = device.display
        self.screen = Screen(
            f"display-{device.id}",
            (device.screen.width, device.screen.height),
            fullscreen=device.screen.fullscreen,
            frames_dir=self.frames_dir,
        )
        w, h = self.screen.size
        want = self.display.orientation
        # A portrait screen whose video mode is landscape: draw upright, turn on the way out.
        self.turned = (want == "portrait" and w > h) or (want == "landscape" and h > w)
        self.canvas = pygame.Surface((h, w)) if self.turned else self.screen.surface
        self.ticket_px = ticket_px_needed(self.display, self.canvas.get_size())
        self.text_px = text_px_needed(self.display, self.canvas.get_size())
        self.chime: Any = None
        if device.chime:
            if self.display.buzzer_pin is not None:
                from firmware.display.buzzer import BuzzerChime

                try:
                    self.chime = BuzzerChime(self.display.buzzer_pin,
                                             pin_factory=self.pin_factory)
                except Exception as exc:  # no GPIO here: the speaker's chime instead
                    log.error("buzzer on GPIO%s unavailable (%s); using the speaker",
                              self.display.buzzer_pin, exc)
                    self.chime = Chime.open()
            else:
                self.chime = Chime.open()
            if not self.chime.available:
                log.warning("chime unavailable: %s", self.chime.problem)
        self.speaker = self._speaker
        if self.display.voice and self.speaker is None:
            self.speaker = Speaker.open(self.display.volume)
            if not self.speaker.available:
                log.warning("voice unavailable: %s", self.speaker.problem)
        self.staleness = Staleness(self.display.stale_after_s, self.runtime.monotonic())
        self.not_serving = False
        controller = next((d for d in runtime.config.devices if "controller" in d.roles), None)
        self._controller_status = (topics.device_status(runtime.site, controller.id)
                                   if controller else None)
        runtime.link.subscribe(topics.queue_state(runtime.site))
        if self._controller_status:
            runtime.link.subscribe(self._controller_status)
        runtime.call_later(TICK_S, self._tick)
        runtime.call_later(self.display.slide_seconds, self._rotate)

    def stop(self) -> None:
        if self.speaker is not None and self._speaker is None:
            self.speaker.close()
        if self.chime is not None and hasattr(self.chime, "close"):
            self.chime.close()
        self.screen.close()

    # -- what arrives ---------------------------------------------------------------------

    def on_link_up(self) -> None:
        self.staleness.link(True, self.runtime.monotonic())
        self.dirty = True

    def on_link_down(self) -> None:
        self.staleness.link(False, self.runtime.monotonic())
        self.dirty = True

    def on_message(self, message: Incoming) -> None:
        if message.topic == self._controller_status:
            status = state_of(message.payload) or {}
            self.staleness.controller(str(status.get("state", "")), self.runtime.monotonic())
            # This device's own controller, refused: another one serves the site.
            self.not_serving = (status.get("controller") == "refused"
                                and self._controller_status == topics.device_status(
                                    self.runtime.site, self.runtime.device.id))
            self.dirty = True
            return
        if message.topic != topics.queue_state(self.runtime.site):
            return
        try:
            state = Snapshot.from_payload(message.payload)
        except MessageError as e:
            log.warning("ignored a queue state that cannot be read: %s", e)
            return
        self.state = state
        self.staleness.state(state.day, self.runtime.monotonic())
        for call_id in self.tracker.new_call_ids(state.call_ids()):
            self.newest_call_id = call_id
            self._announce(state, call_id)
        self.dirty = True

    @property
    def snapshot(self) -> dict[str, Any]:
        """The latest queue state as the wire has it (empty before the first)."""
        return self.state.to_wire() if self.state is not None else {}

    def _announce(self, state: Snapshot, call_id: str) -> None:
        """The chime, the words, and the blink that draws eyes to the same call on screen."""
        row = state.call(call_id)
        room = self.runtime.config.room(row.room) if row else None
        if row is None or room is None:
            return  # nothing the screen can show: no sound without its text
        ticket = row.ticket
        self.announced.append(f"{ticket} {room.name.fi}")
        self._blink_until = self.runtime.monotonic() + BLINK_FOR_S
        self.runtime.call_later(0.5 / BLINK_HZ, self._blink)
        quiet = in_quiet_hours(self.display, self.runtime.clock.now())
        volume = self.display.quiet_volume if quiet else self.display.volume
        if volume <= 0:
            return  # quiet hours: the screen still shows and blinks the call
        if self.chime is not None:
            sound = getattr(self.chime, "sound", None)
            if sound is not None:
                sound.set_volume(volume / 100)
            self.chime.play(call_id)
        if self.speaker is not None and self.speaker.available:
            self.speaker.set_volume(volume)
            for text, lang in announcement(ticket, room.name.as_dict()):
                self.speaker.say(text, lang)

    # -- timers ---------------------------------------------------------------------------

    def _blink(self) -> None:
        self.dirty = True
        if self.runtime.monotonic() < self._blink_until:
            self.runtime.call_later(0.5 / BLINK_HZ, self._blink)

    def _tick(self) -> None:
        self.dirty = True  # the view decides whether anything visible changed
        self.runtime.call_later(TICK_S, self._tick)

    def _rotate(self) -> None:
        self._rotation += 1
        self.dirty = True
        self.runtime.call_later(self.display.slide_seconds, self._rotate)

    # -- drawing --------------------------------------------------------------------------

    def current_view(self) -> LobbyView:
        now = self.runtime.clock.now()
        view = lobby_view_from_snapshot(self.state or EMPTY_SNAPSHOT, self.runtime.config, now)
        mono = self.runtime.monotonic()
        age = self.staleness.age(mono, now.date())
        if age is not None:
            age = float(int(age) if age < 60 else int(age // 60) * 60)  # what the text shows
        blinking = mono < self._blink_until
        phase = int((self._blink_until - mono) * 2 * BLINK_HZ) % 2 == 0 if blinking else True
        slides = one_language_each(
            slides_on(self.display, now.date(), self.runtime.config.survey))
        shown = dataclasses.replace(
            view,
            now=now.replace(second=0, microsecond=0),  # the screen shows minutes
            stale_age_s=age,
            slide=slides[self._rotation % len(slides)] if slides else None,
            blink_on=phase,
            ticket_px=self.ticket_px,
            text_px=self.text_px,
            not_serving=self.not_serving,
        )
        pages = service_page_count(shown, self.canvas.get_size())
        return dataclasses.replace(shown, service_page=self._rotation % pages)

    def render(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        view = self.current_view()
        if view == self._last_view:
            return  # nothing visible changed: draw nothing
        self._last_view = view
        plan = plan_lobby(view, self.canvas.get_size())
        draw_changes(self.canvas, self._last_plan, plan)
        self._last_plan = plan
        if self.turned:
            self.screen.surface.blit(pygame.transform.rotate(self.canvas, 90), (0, 0))
        self.frames_drawn += 1
        self.screen.present()

    @property
    def chimes(self) -> int:
        return self.chime.plays if self.chime is not None else 0

    def health(self) -> dict[str, Any]:
        return {
            "display": {"screen": self.screen.problem or "ok",
                        "stale": self._last_view is not None
                        and self._last_view.stale_age_s is not None},
            "chime": "ok" if self.chime and self.chime.available else "unavailable",
            "voice": ("off" if self.speaker is None else
                      "ok" if self.speaker.available else "unavailable"),
        }
