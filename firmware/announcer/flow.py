"""What the announcer does, as plain data: `AnnouncerFlow.on(event, now) -> effects`.

Pure: it follows the calls as the display does (firmware.core.calls: one announcement per
new `call_id`; what was called before it started, or is received again after a reconnect,
is not said again) and says each, in the ticket's language first, at the volume of the
moment: more quietly, or not at all, in the quiet hours. The shell (role.py) speaks through
espeak-ng and the speaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.announcer.config import AnnouncerConfig
from firmware.core.calls import CallFollower, volume_at
from firmware.display.history import langs_of
from firmware.site_model import SiteConfig
from mqtt_bridge.messages import MessageError, Snapshot


@dataclass(frozen=True)
class State:
    """The controller's retained `queue/state`, decoded (see `read_state`; the wire's
    object is read as a Snapshot when the flow takes it)."""

    snapshot: Snapshot | dict[str, Any]


def read_state(payload: bytes) -> State | None:
    """The queue state's bytes as the flow's event; None when they are no snapshot."""
    try:
        return State(Snapshot.from_payload(payload))
    except MessageError:
        return None


@dataclass(frozen=True)
class Say:
    shown: str  # "K002 Huone 2": the call as the lobby's screen shows it
    texts: tuple[tuple[str, str], ...]  # (text, lang): the ticket's language, then the others
    volume: int  # percent, above 0


class AnnouncerFlow:
    def __init__(self, config: SiteConfig, settings: AnnouncerConfig) -> None:
        self.settings = settings
        self.follower = CallFollower(config)

    def on(self, event: State, now: datetime) -> list[Say]:
        volume = volume_at(self.settings, now)
        # Followed in quiet hours too: a call made then is not said later.
        snapshot = Snapshot.or_empty(event.snapshot)
        calls = self.follower.follow(snapshot.calls(), langs_of(snapshot))
        return [Say(c.shown, c.texts, volume) for c in calls] if volume > 0 else []
