"""The announcer role: says each new call aloud in fi, sv and en, and has no screen.

For a second waiting area out of sight of the lobby display: it follows the queue state as
the display does (one announcement per new `call_id`; what was already called before it
started, or is received again after a reconnect, is not said again) and speaks through
espeak-ng and the speaker (firmware/speech.py), more quietly or not at all in quiet hours.
"""

from __future__ import annotations

import logging
from typing import Any

from firmware.announcer.config import AnnouncerConfig
from firmware.core.calls import CallTracker, announcement, in_quiet_hours
from firmware.runtime import Role, Runtime
from firmware.speech import Speaker
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import MessageError, Snapshot

log = logging.getLogger(__name__)


class AnnouncerRole(Role):
    name = "announcer"

    def __init__(self, *, speaker: Speaker | None = None) -> None:
        self._speaker = speaker  # given: a test's or a shared one, which it does not close
        self.tracker = CallTracker()
        self.announced: list[str] = []  # "K002 Huone 2" for every call said, in order

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        self.settings: AnnouncerConfig = runtime.device.table("announcer")
        self.speaker = self._speaker or Speaker.open(self.settings.volume)
        if not self.speaker.available:
            log.warning("voice unavailable: %s", self.speaker.problem)
        runtime.link.subscribe(topics.queue_state(runtime.site))

    def stop(self) -> None:
        if self._speaker is None:
            self.speaker.close()

    def on_message(self, message: Incoming) -> None:
        if message.topic != topics.queue_state(self.runtime.site):
            return
        try:
            state = Snapshot.from_payload(message.payload)
        except MessageError as e:
            log.warning("ignored a queue state that cannot be read: %s", e)
            return
        for call_id in self.tracker.new_call_ids(state.call_ids()):
            self._announce(state, call_id)

    def _announce(self, state: Snapshot, call_id: str) -> None:
        row = state.call(call_id)
        room = self.runtime.config.room(row.room) if row else None
        if row is None or room is None:
            return  # a call it cannot name is not said half
        ticket = row.ticket
        quiet = in_quiet_hours(self.settings, self.runtime.clock.now())
        volume = self.settings.quiet_volume if quiet else self.settings.volume
        if volume <= 0 or not self.speaker.available:
            return
        self.announced.append(f"{ticket} {room.name.fi}")
        self.speaker.set_volume(volume)
        for text, lang in announcement(ticket, room.name.as_dict()):
            self.speaker.say(text, lang)

    def health(self) -> dict[str, Any]:
        return {"voice": "ok" if self.speaker.available else "unavailable"}
