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

from mqtt_bridge.messages import LastCall, RecentCall, Serving, Snapshot

KEPT = 9  # numbers kept: the newest call and the most history the setting allows (8)
KNOWN_KEPT = 500  # call ids remembered as seen: far more than a day's calls on one screen


@dataclass(frozen=True)
class LobbyCall:
    """One call as the lobby keeps it: from the snapshot's `recent` list, its `serving` rows
    or its `last_call` (the last two say no time or language from an older controller)."""

    ticket: str
    room: str  # the room's id in the site config
    call_id: str
    at: str | None = None  # when it was called (ISO 8601), as the controller said
    lang: str | None = None  # the ticket's language; None from a controller that does not say


def _of_recent(call: RecentCall) -> LobbyCall:
    return LobbyCall(call.ticket, call.room, call.call_id, call.at, call.lang)


def _of_serving(call: Serving) -> LobbyCall:
    return LobbyCall(call.ticket, call.room, call.call_id, call.called_at, call.lang)


def _of_last(call: LastCall) -> LobbyCall:
    return LobbyCall(call.ticket, call.room, call.call_id, call.at, call.lang)


def _stamp(call: LobbyCall) -> float:
    try:
        return datetime.fromisoformat(call.at).timestamp() if call.at else float("-inf")
    except (ValueError, OverflowError, OSError):
        return float("-inf")


def _unique(calls: Iterable[LobbyCall]) -> tuple[LobbyCall, ...]:
    """Each call id once, where it first comes."""
    found: dict[str, LobbyCall] = {}
    for call in calls:
        found.setdefault(call.call_id, call)
    return tuple(found.values())


def calls_in(snapshot: Snapshot) -> tuple[LobbyCall, ...]:
    """The calls a snapshot shows, newest first: its `recent` list when it has one (the
    controller's own history), else its last call and the calls being served, by call time."""
    if snapshot.recent:
        return _unique(map(_of_recent, snapshot.recent))
    served = sorted(map(_of_serving, snapshot.serving), key=_stamp, reverse=True)
    last = _of_last(snapshot.last_call) if snapshot.last_call is not None else None
    return _unique([last, *served] if last else served)  # the last call is the newest


class CallHistory:
    """The day's latest calls as a display keeps them, newest first, each number once.

    `follow` each snapshot: one with `recent` is the whole truth; otherwise its calls not
    seen before go on top (a recall is a new call id: its number moves up). The ids seen are
    remembered apart from the calls shown, so a number recalled many times never pushes the
    others out, and an old call seen again never moves its number up."""

    def __init__(self) -> None:
        self.calls: tuple[LobbyCall, ...] = ()
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
        if snapshot.recent:
            self.calls = each_number_once(shown)[:KEPT]
        else:
            self.calls = each_number_once([*fresh, *self.calls])[:KEPT]


def each_number_once(calls: Iterable[LobbyCall]) -> tuple[LobbyCall, ...]:
    """Newest first, each ticket number only at its newest call."""
    found: dict[str, LobbyCall] = {}
    for call in calls:
        found.setdefault(call.ticket, call)
    return tuple(found.values())


def langs_of(snapshot: Snapshot) -> dict[str, str]:
    """The ticket's language of every call the snapshot names, by call id (a controller
    from before issue 24 names none: its calls are said and shown fi first, as then)."""
    calls = [*map(_of_recent, snapshot.recent), *map(_of_serving, snapshot.serving)]
    if snapshot.last_call is not None:
        calls.append(_of_last(snapshot.last_call))
    return {call.call_id: call.lang for call in calls if call.lang}
