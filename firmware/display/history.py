"""The lobby's short history of calls: the newest call and the ones before it, newest first,
each number once (its newest call: a recall moves the number back to the top).

Pure. The source is the snapshot's `recent` list (the controller's last 8 calls, newest
first, a recall a new entry). A controller that sends no `recent` (one from before issue 24)
still shows a history: the display remembers every call it has seen in the snapshots'
`serving` rows and `last_call` (`CallHistory`), so a number served and completed since stays on
screen until newer calls push it off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mqtt_bridge.messages import Snapshot

KEPT = 9  # numbers kept: the newest call and the most history the setting allows (8)
KNOWN_KEPT = 500  # call ids remembered as seen: far more than a day's calls on one screen


@dataclass(frozen=True)
class RecentCall:
    """One call as the lobby keeps it."""

    ticket: str
    room: str  # the room's id in the site config
    call_id: str
    at: str | None = None  # when it was called (ISO 8601), as the controller said
    lang: str | None = None  # the ticket's language; None from a controller that does not say


def _read(row: Any) -> RecentCall | None:
    """A snapshot row (`recent`, `serving` or `last_call`, read by messages.Snapshot or a
    plain wire object) as a call; None unless it names a ticket, a room and a call."""
    if row is None:
        return None

    def field(name: str) -> Any:
        return row.get(name) if isinstance(row, dict) else getattr(row, name, None)

    ticket, room, call_id = field("ticket"), field("room"), field("call_id")
    if not (isinstance(ticket, str) and ticket and isinstance(room, str)
            and isinstance(call_id, str)):
        return None
    at = field("at") or field("called_at")
    lang = field("lang")
    return RecentCall(ticket, room, call_id, at if isinstance(at, str) else None,
                      lang if isinstance(lang, str) else None)


def _stamp(call: RecentCall) -> float:
    try:
        return datetime.fromisoformat(call.at).timestamp() if call.at else float("-inf")
    except (ValueError, OverflowError, OSError):
        return float("-inf")


def _unique(calls: Iterable[RecentCall]) -> tuple[RecentCall, ...]:
    """Each call id once, where it first comes."""
    found: dict[str, RecentCall] = {}
    for call in calls:
        found.setdefault(call.call_id, call)
    return tuple(found.values())


def calls_in(snapshot: Snapshot) -> tuple[RecentCall, ...]:
    """The calls a snapshot shows, newest first: its `recent` list when it has one (the
    controller's own history), else its last call and the calls being served, by call time.

    `recent` is read off whatever the snapshot carries (messages.Snapshot gains the field
    in issue 24): this function is the one place that looks for it."""
    recent = [c for c in map(_read, getattr(snapshot, "recent", None) or ()) if c]
    if recent:
        return _unique(recent)
    served = sorted((c for c in map(_read, snapshot.serving) if c), key=_stamp, reverse=True)
    last = _read(snapshot.last_call) if snapshot.last_call is not None else None
    return _unique([last, *served] if last else served)  # the last call is the newest


class CallHistory:
    """The day's latest calls as a display keeps them, newest first, each number once.

    `follow` each snapshot: one with `recent` is the whole truth; otherwise its calls not
    seen before go on top (a recall is a new call id: its number moves up). The ids seen are
    remembered apart from the calls shown, so a number recalled many times never pushes the
    others out, and an old call seen again never moves its number up."""

    def __init__(self) -> None:
        self.calls: tuple[RecentCall, ...] = ()
        self.day: str | None = None
        self._known: dict[str, None] = {}  # insertion-ordered set of call ids seen today

    def follow(self, snapshot: Snapshot) -> None:
        if snapshot.day is not None and snapshot.day != self.day:
            # A new day: yesterday's numbers guide nobody.
            self.calls, self.day, self._known = (), snapshot.day, {}
        shown = calls_in(snapshot)
        fresh = [c for c in shown if c.call_id not in self._known]
        for call in fresh:
            self._known[call.call_id] = None
        while len(self._known) > KNOWN_KEPT:
            del self._known[next(iter(self._known))]
        if getattr(snapshot, "recent", None):
            self.calls = each_number_once(shown)[:KEPT]
        else:
            self.calls = each_number_once([*fresh, *self.calls])[:KEPT]


def each_number_once(calls: Iterable[RecentCall]) -> tuple[RecentCall, ...]:
    """Newest first, each ticket number only at its newest call."""
    found: dict[str, RecentCall] = {}
    for call in calls:
        found.setdefault(call.ticket, call)
    return tuple(found.values())


def langs_of(snapshot: Snapshot) -> dict[str, str]:
    """The ticket's language of every call the snapshot names, by call id (a controller
    from before issue 24 names none: its calls are said and shown fi first, as then)."""
    rows = [*(getattr(snapshot, "recent", None) or ()), *snapshot.serving, snapshot.last_call]
    return {c.call_id: c.lang for c in map(_read, rows) if c is not None and c.lang}
