"""The announcer role: the shell around the announcer's flow (flow.py): says each new call
aloud in fi, sv and en through espeak-ng and the speaker (firmware/speech.py), and has no
screen. For a second waiting area out of sight of the lobby display.
"""

from __future__ import annotations

import logging
from typing import Any

from firmware.announcer.config import AnnouncerConfig
from firmware.announcer.flow import AnnouncerFlow, read_state
from firmware.runtime import Role, Runtime
from firmware.speech import Speaker
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming

log = logging.getLogger(__name__)


class AnnouncerRole(Role):
    name = "announcer"

    def __init__(self, *, speaker: Speaker | None = None) -> None:
        self._speaker = speaker  # given: a test's or a shared one, which it does not close
        self.announced: list[str] = []  # "K002 Huone 2" for every call said, in order

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        self.settings: AnnouncerConfig = runtime.device.table("announcer")
        self.flow = AnnouncerFlow(runtime.config, self.settings)
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
        state = read_state(message.payload)
        if state is None:
            log.warning("ignored a queue state that is not a JSON object")
            return
        for say in self.flow.on(state, self.runtime.clock.now()):
            if not self.speaker.available:
                continue  # a voice that cannot speak says nothing, and counts nothing
            self.announced.append(say.shown)
            self.speaker.set_volume(say.volume)
            for text, lang in say.texts:
                self.speaker.say(text, lang)

    def health(self) -> dict[str, Any]:
        return {"voice": "ok" if self.speaker.available else "unavailable"}
