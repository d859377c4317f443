"""The display role: the waiting-area screen and its chime.

It redraws only when the queue state changes (or the minute on its clock does) and chimes
exactly once per new `call_id`. The first state it receives after starting is what is
already on every other screen: it is shown without a chime, and so is the same state
received again after a reconnect.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from display_driver.chime import Chime
from display_driver.lobby_screen import lobby_view_from_snapshot, render_lobby
from firmware.roles.controller_role import state_of
from firmware.runtime import Role, Runtime
from firmware.screen import Screen
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming

log = logging.getLogger(__name__)

# How many call ids to remember: far more than can be on screen, bounded for a long day.
SEEN_CALLS_KEPT = 500


def call_ids(snapshot: dict[str, Any]) -> list[str]:
    """Every call id a snapshot shows, newest call last."""
    found = []
    for row in reversed(snapshot.get("serving") or []):
        if isinstance(row, dict) and isinstance(row.get("call_id"), str):
            found.append(row["call_id"])
    last = snapshot.get("last_call")
    if isinstance(last, dict) and isinstance(last.get("call_id"), str):
        found.append(last["call_id"])
    return found


class CallTracker:
    """Decides which calls are new. Pure: the role plays the chime for what it returns."""

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}  # insertion-ordered set
        self.primed = False

    def new_calls(self, snapshot: dict[str, Any]) -> list[str]:
        ids = call_ids(snapshot)
        fresh = [c for c in dict.fromkeys(ids) if c not in self.seen]
        for call_id in fresh:
            self.seen[call_id] = None
        while len(self.seen) > SEEN_CALLS_KEPT:
            del self.seen[next(iter(self.seen))]
        if not self.primed:
            self.primed = True
            return []  # already announced before we started
        return fresh


class DisplayRole(Role):
    name = "display"

    def __init__(self, frames_dir: Path | None = None) -> None:
        self.frames_dir = frames_dir
        self.snapshot: dict[str, Any] = {}
        self.tracker = CallTracker()
        self.newest_call_id: str | None = None
        self.dirty = True
        self._minute: str = ""

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        self.screen = Screen(
            f"display-{device.id}",
            (device.screen.width, device.screen.height),
            fullscreen=device.screen.fullscreen,
            frames_dir=self.frames_dir,
        )
        self.chime = Chime.open() if device.chime else None
        if self.chime is not None and not self.chime.available:
            log.warning("chime unavailable: %s", self.chime.problem)
        runtime.link.subscribe(topics.queue_state(runtime.site))

    def stop(self) -> None:
        self.screen.close()

    def on_message(self, message: Incoming) -> None:
        if message.topic != topics.queue_state(self.runtime.site):
            return
        snapshot = state_of(message.payload)
        if snapshot is None:
            log.warning("ignored a queue state that is not a JSON object")
            return
        self.snapshot = snapshot
        for call_id in self.tracker.new_calls(snapshot):
            self.newest_call_id = call_id
            if self.chime is not None:
                self.chime.play(call_id)
        self.dirty = True

    def render(self) -> None:
        now = self.runtime.clock.now()
        minute = now.strftime("%Y-%m-%d %H:%M")
        if minute != self._minute:
            self._minute = minute
            self.dirty = True
        if not self.dirty:
            return
        self.dirty = False
        view = lobby_view_from_snapshot(self.snapshot, self.runtime.config, now)
        render_lobby(self.screen.surface, view)
        self.screen.present()

    @property
    def chimes(self) -> int:
        return self.chime.plays if self.chime is not None else 0

    def health(self) -> dict[str, Any]:
        return {
            "display": {"screen": self.screen.problem or "ok"},
            "chime": "ok" if self.chime and self.chime.available else "unavailable",
        }
