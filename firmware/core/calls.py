"""Which calls are new, and what a voice says for one: the display, the room unit's door
signal and the announcer follow calls alike. Pure: a snapshot in, call ids and texts out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.site_model import SiteConfig

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


@dataclass(frozen=True)
class Announcement:
    """A new call as a device announces it: its id, what the screen shows, what is said."""

    call_id: str
    shown: str  # "K002 Huone 2": the number and the room's Finnish name
    texts: tuple[tuple[str, str], ...]  # (text, lang) in fi, sv and en


class CallFollower:
    """The calls to announce from each snapshot: once per new call id, nothing for the first
    snapshot (already announced before we started) nor for one received again. A call it
    cannot name (no ticket, or a room the config does not know) is not announced half."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.tracker = CallTracker()

    def follow(self, snapshot: dict[str, Any]) -> list[Announcement]:
        found = []
        for call_id in self.tracker.new_calls(snapshot):
            row = next((r for r in snapshot.get("serving") or []
                        if isinstance(r, dict) and r.get("call_id") == call_id), None)
            room_id = row.get("room") if row else None
            room = self.config.room(room_id) if isinstance(room_id, str) else None
            ticket = row.get("ticket") if row else None
            if isinstance(ticket, str) and room is not None:
                found.append(Announcement(call_id, f"{ticket} {room.name.fi}",
                                          tuple(announcement(ticket, room.name.as_dict()))))
        return found


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


def volume_at(settings: Any, moment: datetime) -> int:
    """How loud a call is at `moment`, in percent: `quiet_volume` in the quiet hours (0:
    silent), else `volume`. `settings` has the three: a display's or an announcer's table."""
    return settings.quiet_volume if in_quiet_hours(settings, moment) else settings.volume
