"""Which calls are new, and what a voice says for one: the display, the room unit's door
signal and the announcer follow calls alike. Pure: a snapshot's call ids (read by
mqtt_bridge.messages.Snapshot.call_ids) in, the new ones and texts out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# How many call ids to remember: far more than can be on screen, bounded for a long day.
SEEN_CALLS_KEPT = 500


class CallTracker:
    """Decides which calls are new. Pure: the role plays the chime for what it returns."""

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}  # insertion-ordered set
        self.primed = False

    def new_call_ids(self, ids: list[str]) -> list[str]:
        """The calls among `ids` (a snapshot's, newest last) not seen before."""
        fresh = [c for c in dict.fromkeys(ids) if c not in self.seen]
        for call_id in fresh:
            self.seen[call_id] = None
        while len(self.seen) > SEEN_CALLS_KEPT:
            del self.seen[next(iter(self.seen))]
        if not self.primed:
            self.primed = True
            return []  # already announced before we started
        return fresh


def announcement(ticket: str, room_names: dict[str, str]) -> list[tuple[str, str]]:
    """What the voice says for a call, in fi, sv and en: "Vuoronumero K 42, huone 5"."""
    spoken = " ".join(_spell(ticket))
    return [
        (f"Vuoronumero {spoken}, {room_names['fi']}", "fi"),
        (f"Könummer {spoken}, {room_names['sv']}", "sv"),
        (f"Queue number {spoken}, {room_names['en']}", "en"),
    ]


def _spell(ticket: str) -> list[str]:
    """ "K042" -> ["K", "42"]: the letter on its own, the number without leading zeros."""
    letters = ticket.rstrip("0123456789")
    digits = ticket[len(letters):]
    parts = [letters] if letters else []
    if digits:
        parts.append(str(int(digits)))
    return parts


def in_quiet_hours(display: Any, moment: datetime) -> bool:
    return any(r.contains(moment.time()) for r in display.quiet_hours)
