"""What the announcer does, as plain data: `AnnouncerFlow.on(event, now) -> effects`.

Pure: it follows the calls as the display does (firmware.core.calls: one announcement per
new `call_id`; what was called before it started, or is received again after a reconnect,
is not said again) and says each at the volume of the moment: more quietly, or not at all,
in the quiet hours. The shell (role.py) speaks through espeak-ng and the speaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.announcer.config import AnnouncerConfig
from firmware.core.calls import CallFollower, volume_at
from firmware.site_model import SiteConfig
from mqtt_bridge.payloads import state_of


@dataclass(frozen=True)
class State:
    """The controller's retained `queue/state`, decoded (see `read_state`)."""

    snapshot: dict[str, Any]


def read_state(payload: bytes) -> State | None:
    """The queue state's bytes as the flow's event; None when it is not a JSON object."""
    snapshot = state_of(payload)
    return State(snapshot) if snapshot is not None else None


@dataclass(frozen=True)
class Say:
    shown: str  # "K002 Huone 2": the call as the lobby's screen shows it
    texts: tuple[tuple[str, str], ...]  # (text, lang): fi, sv and en
    volume: int  # percent, above 0


class AnnouncerFlow:
    def __init__(self, config: SiteConfig, settings: AnnouncerConfig) -> None:
        self.settings = settings
        self.follower = CallFollower(config)

    def on(self, event: State, now: datetime) -> list[Say]:
        volume = volume_at(self.settings, now)
        calls = self.follower.follow(event.snapshot)  # followed in quiet hours too
        return [Say(c.shown, c.texts, volume) for c in calls] if volume > 0 else []
