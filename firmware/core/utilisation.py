"""How the service rooms were used, from the ledger's occupancy changes and calls.

Pure. Two reports for the service team, aggregates only (rooms and authorities, never a
visit):

- **Utilisation** per room and opening hour: of the open time, the share in session (staff
  and customer), staff only, customer only and vacant, each counted only over the time the
  room's sensors were healthy; the unknown share is of all the open time. Sessions count in
  the hour they began.
- **Walking time** per authority: from a call (the first call of that number to that room)
  to the moment the customer side of that room became occupied, before the number left the
  room or the room called someone else; calls where nobody arrived; calls that cannot be
  judged because the customer sensor was unknown in between, or the room has no sensors.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from firmware.core.events import Event, EventType
from firmware.core.occupancy import OccupancyState, combine

ALL = "all"
KNOWN = (OccupancyState.IN_SESSION, OccupancyState.STAFF_ONLY, OccupancyState.CUSTOMER_ONLY,
         OccupancyState.VACANT)
UTILISATION_COLUMNS = ["room", "hour", "open_min", "healthy_min", "in_session_share",
                       "staff_only_share", "customer_only_share", "vacant_share",
                       "unknown_share", "sessions"]
WALK_COLUMNS = ["service", "calls", "arrived", "not_arrived", "unmeasured",
                "walk_median_s", "walk_p90_s"]
ENDS = (EventType.TICKET_COMPLETED, EventType.TICKET_NO_SHOW, EventType.TICKET_TRANSFERRED,
        EventType.TICKET_CANCELLED)


MAX_OCCUPANCY_BYTES = 4096


def parse_occupancy(payload: bytes) -> dict[str, Any] | None:
    """A room unit's occupancy message as ledger data, or None if it is not one.

    Lenient on the wire: extra fields are ignored; wrong types, an unknown state, a state
    that contradicts its sides or a time without offset are refused.
    """
    if len(payload) > MAX_OCCUPANCY_BYTES:  # an occupancy message is some 100 bytes
        return None
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested deep
        return None
    if not isinstance(value, dict):
        return None
    staff, customer, state, since = (value.get(k) for k in ("staff", "customer", "state",
                                                             "since"))
    if not all(v is None or isinstance(v, bool) for v in (staff, customer)):
        return None
    try:
        state = OccupancyState(state)
        moment = datetime.fromisoformat(since) if isinstance(since, str) else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None or combine(staff, customer) is not state:
        return None
    data: dict[str, Any] = {"staff": staff, "customer": customer, "state": str(state),
                            "since": moment.isoformat(timespec="seconds")}
    faults = value.get("faults")
    if state is OccupancyState.UNKNOWN and isinstance(faults, dict):
        data["faults"] = {str(k)[:16]: str(v)[:16] for k, v in list(faults.items())[:2]}
    return data


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    state: OccupancyState
    customer: bool | None


def timelines(events: Iterable[Event], rooms: Sequence[str], start: datetime,
              end: datetime) -> dict[str, list[Span]]:
    """Each room's states from `start` to `end`; unknown until its first change."""
    changes: dict[str, list[tuple[datetime, OccupancyState, bool | None]]] = {r: [] for r in
                                                                              rooms}
    for e in events:
        if e.type is EventType.ROOM_OCCUPANCY and e.data.get("room") in changes:
            try:
                since = datetime.fromisoformat(e.data["since"])
                state = OccupancyState(e.data["state"])
            except (KeyError, TypeError, ValueError):
                continue
            changes[e.data["room"]].append((since, state, e.data.get("customer")))
    result: dict[str, list[Span]] = {}
    for room, steps in changes.items():
        spans: list[Span] = []
        at, state, customer = start, OccupancyState.UNKNOWN, None
        for since, new_state, new_customer in steps:  # in ledger order
            since = min(max(since, at), end)
            if since > at:
                spans.append(Span(at, since, state, customer))
            at, state, customer = since, new_state, new_customer
        if end > at:
            spans.append(Span(at, end, state, customer))
        result[room] = spans
    return result


@dataclass
class _Use:
    room: str
    hour: str
    seconds: dict[OccupancyState, float] = field(default_factory=dict)
    sessions: int = 0

    def add(self, state: OccupancyState, seconds: float) -> None:
        self.seconds[state] = self.seconds.get(state, 0.0) + seconds

    def as_dict(self) -> dict[str, Any]:
        open_s = sum(self.seconds.values())
        healthy = sum(self.seconds.get(s, 0.0) for s in KNOWN)

        def share(state: OccupancyState, of: float) -> float | None:
            return round(self.seconds.get(state, 0.0) / of, 3) if of > 0 else None

        return {
            "room": self.room, "hour": self.hour, "open_min": round(open_s / 60, 1),
            "healthy_min": round(healthy / 60, 1),
            "in_session_share": share(OccupancyState.IN_SESSION, healthy),
            "staff_only_share": share(OccupancyState.STAFF_ONLY, healthy),
            "customer_only_share": share(OccupancyState.CUSTOMER_ONLY, healthy),
            "vacant_share": share(OccupancyState.VACANT, healthy),
            "unknown_share": share(OccupancyState.UNKNOWN, open_s),
            "sessions": self.sessions,
        }


def _hour_pieces(a: datetime, b: datetime, tz: tzinfo) -> Iterable[tuple[str, float]]:
    """(hour "09", seconds) for each local clock hour the interval [a, b) touches."""
    at = a
    while at < b:
        local = at.astimezone(tz)
        next_hour = (local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        cut = min(b, next_hour)
        yield f"{local.hour:02d}", (cut - at).total_seconds()
        at = cut


def utilisation(events: Iterable[Event], rooms: Sequence[str],
                open_ranges: Sequence[tuple[datetime, datetime]], end: datetime,
                tz: tzinfo) -> list[dict[str, Any]]:
    """Rows per room and hour of open time, then the room's total (hour "all")."""
    events = list(events)
    if not open_ranges:
        return []
    lines = timelines(events, rooms, open_ranges[0][0], end)
    rows: dict[tuple[str, str], _Use] = {}
    for room in rooms:
        previous = OccupancyState.UNKNOWN
        for span in lines[room]:
            began_in_open = False
            for open_start, open_end in open_ranges:
                a, b = max(span.start, open_start), min(span.end, open_end)
                if a >= b:
                    continue
                if a == span.start:
                    began_in_open = True
                for hour, seconds in _hour_pieces(a, b, tz):
                    for key in ((room, hour), (room, ALL)):
                        rows.setdefault(key, _Use(*key)).add(span.state, seconds)
            if (span.state is OccupancyState.IN_SESSION and previous is not span.state
                    and began_in_open):
                hour = f"{span.start.astimezone(tz).hour:02d}"
                for key in ((room, hour), (room, ALL)):
                    rows.setdefault(key, _Use(*key)).sessions += 1
            previous = span.state
    order = sorted(rows, key=lambda k: (k[0], k[1] == ALL, k[1]))
    return [rows[k].as_dict() for k in order]


@dataclass(frozen=True)
class Walk:
    service: str
    room: str
    called_at: datetime
    outcome: str  # "arrived", "not_arrived" or "unmeasured"
    seconds: float | None = None


def _calls(events: list[Event], end: datetime) -> list[tuple[str, str, str, datetime,
                                                              datetime]]:
    """(number, service, room, first call, end of the window) for each number in a room."""
    open_calls: dict[tuple[str, str], list[Any]] = {}
    done: list[tuple[str, str, str, datetime, datetime]] = []

    def close(key: tuple[str, str], at: datetime) -> None:
        number, service, room, called = open_calls.pop(key)
        done.append((number, service, room, called, at))

    for e in events:
        number, room = e.data.get("number"), e.data.get("room")
        if e.type in (EventType.TICKET_CALLED, EventType.TICKET_RECALLED):
            for key in [k for k in open_calls if k[1] == room and k[0] != number]:
                close(key, e.at)  # the room called someone else
            open_calls.setdefault((number, room), [number, e.data.get("service", ""), room,
                                                   e.at])
        elif e.type in ENDS:
            for key in [k for k in open_calls if k[0] == number]:
                close(key, e.at)
    for key in list(open_calls):
        close(key, end)
    return done


def walks(events: Iterable[Event], end: datetime) -> list[Walk]:
    events = list(events)
    rooms = sorted({e.data["room"] for e in events
                    if e.type is EventType.ROOM_OCCUPANCY and "room" in e.data})
    day_start = min((e.at for e in events), default=end)
    lines = timelines(events, rooms, min(day_start, end), end)
    result = []
    for _number, service, room, called, until in _calls(events, end):
        result.append(_walk(service, room, called, until, lines.get(room)))
    return result


def _walk(service: str, room: str, called: datetime, until: datetime,
          spans: list[Span] | None) -> Walk:
    if not spans:
        return Walk(service, room, called, "unmeasured")
    before: bool | None = None  # the customer side just before the arrival we look for
    for span in spans:
        if span.end <= called:
            before = span.customer if span.state is not OccupancyState.UNKNOWN else None
            continue
        if span.start >= until:
            break
        if span.state is OccupancyState.UNKNOWN:
            return Walk(service, room, called, "unmeasured")
        if span.customer and before is False and span.start >= called:
            return Walk(service, room, called, "arrived",
                        (span.start - called).total_seconds())
        before = span.customer
    return Walk(service, room, called, "not_arrived")


def walking_report(events: Iterable[Event], end: datetime) -> list[dict[str, Any]]:
    """Rows per authority, then all authorities: calls, arrivals, walking time."""
    groups: dict[str, list[Walk]] = {}
    for walk in walks(events, end):
        for key in (walk.service, ALL):
            groups.setdefault(key, []).append(walk)
    rows = []
    for service in sorted(groups, key=lambda s: (s == ALL, s)):
        items = groups[service]
        times = sorted(w.seconds for w in items if w.seconds is not None)
        rows.append({
            "service": service, "calls": len(items),
            "arrived": sum(w.outcome == "arrived" for w in items),
            "not_arrived": sum(w.outcome == "not_arrived" for w in items),
            "unmeasured": sum(w.outcome == "unmeasured" for w in items),
            "walk_median_s": round(statistics.median(times)) if times else None,
            "walk_p90_s": round(times[min(len(times) - 1, round(0.9 * (len(times) - 1)))])
            if times else None,
        })
    return rows
