"""The display role: the shell around the lobby display's flow (flow.py) on its hardware:
the screen, the chime (the speaker's, or a buzzer on a GPIO pin) and the voice.

What the display does is decided in `DisplayFlow`, which is pure and tested alone
(tests/test_display_flow.py): which calls are new and chime, the blink, the slides, the
age of stale data, the quiet hours. This shell only translates: the controller's retained
state and status and the link become the flow's events, and the effects are carried out
here: the chime, the words, timers on the runtime's loop, a redraw. It redraws only when
what the screen shows changes, and then only the rectangles that changed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pygame

from display_driver.dirty import draw_changes
from display_driver.layout import Plan
from firmware.display import flow as df
from firmware.display.chime import Chime
from firmware.display.flow import DisplayFlow
from firmware.display.lobby_screen import LobbyView, plan_lobby, service_page_count
from firmware.display.readability import text_px_needed, ticket_px_needed
from firmware.runtime import Role, Runtime
from firmware.screen import Screen
from firmware.speech import Speaker
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming

log = logging.getLogger(__name__)


class DisplayRole(Role):
    name = "display"

    def __init__(self, frames_dir: Path | None = None, *, pin_factory: Any = None,
                 speaker: Speaker | None = None) -> None:
        self.frames_dir = frames_dir
        self.pin_factory = pin_factory
        self._speaker = speaker
        self.dirty = True
        self.frames_drawn = 0  # full or partial repaints: an idle display adds none
        self._last_view: LobbyView | None = None
        self._last_plan: Plan | None = None
        self._timers: dict[df.Timer, Any] = {}
        self.flow: DisplayFlow | None = None  # made at start(), from the device's config

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
        self.chime = self._open_chime() if device.chime else None
        self.speaker = self._speaker
        if self.display.voice and self.speaker is None:
            self.speaker = Speaker.open(self.display.volume)
            if not self.speaker.available:
                log.warning("voice unavailable: %s", self.speaker.problem)
        controller = next((d for d in runtime.config.devices if "controller" in d.roles), None)
        self._controller_status = (topics.device_status(runtime.site, controller.id)
                                   if controller else None)
        size = self.canvas.get_size()
        self.flow = DisplayFlow(
            runtime.config, self.display,
            own_controller=controller is not None and controller.id == device.id,
            ticket_px=ticket_px_needed(self.display, size),
            text_px=text_px_needed(self.display, size),
            page_count=lambda view: service_page_count(view, self.canvas.get_size()))
        runtime.link.subscribe(topics.queue_state(runtime.site))
        if self._controller_status:
            runtime.link.subscribe(self._controller_status)
        self.feed(df.Started())

    def _open_chime(self) -> Any:
        chime: Any
        if self.display.buzzer_pin is not None:
            from firmware.display.buzzer import BuzzerChime

            try:
                chime = BuzzerChime(self.display.buzzer_pin, pin_factory=self.pin_factory)
            except Exception as exc:  # no GPIO here: the speaker's chime instead
                log.error("buzzer on GPIO%s unavailable (%s); using the speaker",
                          self.display.buzzer_pin, exc)
                chime = Chime.open()
        else:
            chime = Chime.open()
        if not chime.available:
            log.warning("chime unavailable: %s", chime.problem)
        return chime

    def stop(self) -> None:
        if self.speaker is not None and self._speaker is None:
            self.speaker.close()
        if self.chime is not None and hasattr(self.chime, "close"):
            self.chime.close()
        self.screen.close()

    # -- the flow's state, under the names the role has always had ---------------------------

    @property
    def snapshot(self) -> dict[str, Any]:
        return self.flow.snapshot.to_wire() if self.flow is not None else {}  # {} before start()

    @property
    def announced(self) -> list[str]:
        return self.flow.announced

    # -- events in ---------------------------------------------------------------------------

    def now(self) -> df.Now:
        return df.Now(self.runtime.clock.now(), self.runtime.monotonic())

    def feed(self, event: df.Event) -> None:
        """Give the flow one event and carry out what it answers."""
        for effect in self.flow.on(event, self.now()):
            self._carry_out(effect)

    def on_link_up(self) -> None:
        self.feed(df.LinkUp())

    def on_link_down(self) -> None:
        self.feed(df.LinkDown())

    def on_message(self, message: Incoming) -> None:
        if message.topic == self._controller_status:
            self.feed(df.read_status(message.payload))
        elif message.topic == topics.queue_state(self.runtime.site):
            state = df.read_state(message.payload)
            if state is None:
                log.warning("ignored a queue state that is not a JSON object")
            else:
                self.feed(state)

    # -- effects out -------------------------------------------------------------------------

    def _carry_out(self, effect: df.Effect) -> None:
        match effect:
            case df.Chime(call_id, volume):
                if self.chime is not None:
                    sound = getattr(self.chime, "sound", None)
                    if sound is not None:
                        sound.set_volume(volume / 100)
                    self.chime.play(call_id)
            case df.Say(texts, volume):
                if self.speaker is not None and self.speaker.available:
                    self.speaker.set_volume(volume)
                    for text, lang in texts:
                        self.speaker.say(text, lang)
            case df.Redraw():
                self.dirty = True
            case df.StartTimer(name, delay_s):
                timer = self._timers.pop(name, None)
                if timer is not None:
                    timer.cancel()
                self._timers[name] = self.runtime.call_later(delay_s,
                                                             lambda: self._timer_due(name))

    def _timer_due(self, name: df.Timer) -> None:
        self._timers.pop(name, None)
        self.feed(df.TimerDue(name))

    # -- drawing -----------------------------------------------------------------------------

    def current_view(self) -> LobbyView:
        return self.flow.current_view(self.now())

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
