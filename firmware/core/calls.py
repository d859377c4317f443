"""Which calls are new, and what a voice says for one: the display, the room unit's door
signal and the announcer follow calls alike. Pure: a snapshot's call ids (read by
mqtt_bridge.messages.Snapshot.call_ids) in, the new ones and texts out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.site_model import SiteConfig

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


@dataclass(frozen=True)
class Announcement:
    """A new call as a device announces it: its id, what the screen shows, what is said."""

    call_id: str
    shown: str  # "K002 Huone 2": the number and the room's Finnish name
    texts: tuple[tuple[str, str], ...]  # (text, lang): the ticket's language, then the others


class CallFollower:
    """The calls to announce from each snapshot: once per new call id, nothing for the first
    snapshot (already announced before we started) nor for one received again. A call it
    cannot name (no ticket, or a room the config does not know) is not announced half."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.tracker = CallTracker()

    def follow(self, calls: Sequence[tuple[str, str | None, str | None]],
               langs: Mapping[str, str] | None = None) -> list[Announcement]:
        """`calls`: a snapshot's calls as (call id, ticket, room), newest last (the
        snapshot's `calls()`); ticket and room are None for a call no longer served.
        `langs`: the ticket's language by call id, where the snapshot says it."""
        found = []
        langs = langs or {}
        rows = {call_id: (ticket, room) for call_id, ticket, room in calls}
        for call_id in self.tracker.new_call_ids([c for c, _, _ in calls]):
            ticket, room_id = rows[call_id]
            room = self.config.room(room_id) if room_id is not None else None
            if ticket and room is not None:
                said = announcement(ticket, room.name.as_dict(), langs.get(call_id, "fi"))
                found.append(Announcement(call_id, f"{ticket} {room.name.fi}", tuple(said)))
        return found


SAID_LANGS = ("fi", "sv", "en")  # the order after the ticket's own language


def announcement(ticket: str, room_names: dict[str, str], lang: str = "fi"
                 ) -> list[tuple[str, str]]:
    """What the voice says for a call, "Vuoronumero K 42, Huone 5": in the ticket's language
    first (the customer waiting for it hears it soonest), then the other two in fi, sv, en
    order. A language we do not speak (an old ledger, a damaged state) counts as fi."""
    spoken = " ".join(_spell(ticket))
    said = {
        "fi": f"Vuoronumero {spoken}, {room_names['fi']}",
        "sv": f"Könummer {spoken}, {room_names['sv']}",
        "en": f"Queue number {spoken}, {room_names['en']}",
    }
    first = lang if lang in said else "fi"
    return [(said[first], first)] + [(said[o], o) for o in SAID_LANGS if o != first]


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
