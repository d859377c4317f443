"""Statistics of a service day, read from its ledger events (nothing personal is in them).

Each ticket's visit to one authority is a segment: from its issue (or its transfer or
continuation to that authority) to its outcome. Waiting time runs from the segment's start
to its last call; service time from the last call to the end. Rows are per authority and
per opening hour (the hour the segment started), plus totals per authority and for the
whole day.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from firmware.core.day_report import (
    CALLED,
    CONTINUED,
    ISSUED,
    LANG_ORDER,
    REASON_KEYS,
    ROOM_STATE,
    Leg,
    day_end,
    day_start,
    room_time,
    visits,
)
from firmware.core.events import Event, EventType
from firmware.core.queue import Outcome
from firmware.site_model import SiteConfig

ALL = "all"


@dataclass
class Segment:
    number: str
    service: str
    start: datetime
    last_call: datetime | None = None
    end: datetime | None = None
    outcome: Outcome | None = None
    calls: int = 0

    @property
    def wait_minutes(self) -> float | None:
        if self.last_call is None:
            return None
        return (self.last_call - self.start).total_seconds() / 60

    @property
    def service_minutes(self) -> float | None:
        if self.outcome is not Outcome.SERVED or self.last_call is None or self.end is None:
            return None
        return (self.end - self.last_call).total_seconds() / 60


def segments(events: Iterable[Event]) -> list[Segment]:
    done: list[Segment] = []
    open_: dict[str, Segment] = {}

    def close(number: str, at: datetime, outcome: Outcome) -> None:
        segment = open_.pop(number, None)
        if segment is not None:
            segment.end, segment.outcome = at, outcome
            done.append(segment)

    for e in events:
        number = e.data.get("number", "")
        if e.type is EventType.TICKET_ISSUED:
            open_[number] = Segment(number, e.data["service"], e.at)
        elif e.type in (EventType.TICKET_CALLED, EventType.TICKET_RECALLED):
            if number in open_:
                open_[number].last_call = e.at
                open_[number].calls += 1
        elif e.type is EventType.TICKET_COMPLETED:
            close(number, e.at, Outcome.SERVED)
        elif e.type is EventType.TICKET_NO_SHOW:
            segment = open_.get(number)
            close(number, e.at, Outcome.NO_SHOW)
            if segment is not None:
                # Kept aside: a reinstatement reopens the same segment.
                open_[f"noshow:{number}"] = segment
        elif e.type is EventType.TICKET_REINSTATED:
            segment = open_.pop(f"noshow:{number}", None)
            if segment is not None:
                done.remove(segment)
                segment.end = segment.outcome = None
                open_[number] = segment
        elif e.type is EventType.TICKET_TRANSFERRED:
            close(number, e.at, Outcome.TRANSFERRED)
            open_[number] = Segment(number, e.data["to_service"], e.at)
        elif e.type == CONTINUED:
            # The next authority of the same visit (its last leg was completed just before).
            close(number, e.at, Outcome.SERVED)
            open_[number] = Segment(number, e.data["to_service"], e.at)
        elif e.type is EventType.TICKET_CANCELLED:
            reason = Outcome.EXPIRED if e.data.get("reason") == "expired" else Outcome.CANCELLED
            close(number, e.at, reason)
    done.extend(s for key, s in open_.items() if not key.startswith("noshow:"))
    return done


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Row:
    service: str
    hour: str
    arrivals: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)
    service_times: list[float] = field(default_factory=list)

    def add(self, segment: Segment) -> None:
        self.arrivals += 1
        if segment.outcome is not None:
            key = str(segment.outcome)
            self.outcomes[key] = self.outcomes.get(key, 0) + 1
        if segment.wait_minutes is not None:
            self.waits.append(segment.wait_minutes)
        if segment.service_minutes is not None:
            self.service_times.append(segment.service_minutes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "hour": self.hour,
            "arrivals": self.arrivals,
            **{str(o): self.outcomes.get(str(o), 0) for o in Outcome},
            "wait_median_min": _round(statistics.median(self.waits) if self.waits else None),
            "wait_p90_min": _round(_p90(self.waits)),
            "service_median_min": _round(
                statistics.median(self.service_times) if self.service_times else None),
            "service_p90_min": _round(_p90(self.service_times)),
        }


COLUMNS = ["service", "hour", "arrivals", *[str(o) for o in Outcome], "wait_median_min",
           "wait_p90_min", "service_median_min", "service_p90_min"]


def day_report(events: Iterable[Event], tz: tzinfo) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], Row] = {}
    for segment in segments(events):
        hour = f"{segment.start.astimezone(tz).hour:02d}"
        for key in ((segment.service, hour), (segment.service, ALL), (ALL, ALL)):
            rows.setdefault(key, Row(*key)).add(segment)
    # Per authority: its hours in order, then its total; the day's total last.
    order = sorted(rows, key=lambda k: (k[0] == ALL, k[0], k[1] == ALL, k[1]))
    return [rows[k].as_dict() for k in order]


# -- languages, legs and the rooms' time (issue 24) ---------------------------------------
#
# Read as the day report reads them (`firmware.core.day_report`): a leg is a ticket's visit
# to one authority (the first from its issue, each later one from its `ticket.continued`),
# its wait runs to its first call; a language is the ticket's. Given a period as its days'
# events one day at a time: numbers start again every service day.

LANGUAGE_COLUMNS = ["lang", "customers", "wait_median_min", "wait_p90_min", "calls",
                    "decided_by_language"]
LEG_COLUMNS = ["service", "legs", "continued_in", "served", "wait_median_min", "wait_p90_min",
               "service_median_min", "service_p90_min"]
VISIT_COLUMNS = ["tickets", "several_authorities"]
ROOM_TIME_COLUMNS = ["room", "serving_min", "paused_min",
                     *[f"paused_{r}_min" for r in REASON_KEYS]]
AUTHORITY_TIME_COLUMNS = ["service", "rooms", "serving_min", "paused_min"]


def _figures(values: list[float]) -> tuple[float | None, float | None]:
    return _round(statistics.median(values) if values else None), _round(_p90(values))


def language_rows(days: Iterable[Sequence[Event]]) -> list[dict[str, Any]]:
    """Per language (fi, sv, en first): the tickets, the waits of all their legs, the calls
    and the calls the room's language preference decided."""
    customers: dict[str, int] = {}
    waits: dict[str, list[float]] = {}
    calls: dict[str, int] = {}
    decided: dict[str, int] = {}
    for events in days:
        langs: dict[str, str] = {}
        for e in events:
            number = e.data.get("number", "")
            if e.type == ISSUED:
                langs[number] = str(e.data.get("lang", "fi"))
            elif e.type == CALLED:
                lang = langs.get(number, str(e.data.get("lang", "fi")))
                calls[lang] = calls.get(lang, 0) + 1
                if e.data.get("by_language"):
                    decided[lang] = decided.get(lang, 0) + 1
        for visit in visits(events):
            customers[visit.lang] = customers.get(visit.lang, 0) + 1
            waits.setdefault(visit.lang, []).extend(
                w for w in (leg.wait_min for leg in visit.legs) if w is not None)
    found = set(customers) | set(calls)
    order = [x for x in LANG_ORDER if x in found] + sorted(found - set(LANG_ORDER))
    rows = []
    for lang in order:
        median, p90 = _figures(waits.get(lang, []))
        rows.append({"lang": lang, "customers": customers.get(lang, 0),
                     "wait_median_min": median, "wait_p90_min": p90,
                     "calls": calls.get(lang, 0), "decided_by_language": decided.get(lang, 0)})
    return rows


def leg_rows(days: Iterable[Sequence[Event]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per authority, counting each leg of a visit (then "all"): legs, those continued in
    from another authority, served, waits to each leg's first call and service times; and
    the visits, with those to several authorities."""
    legs: dict[str, list[Leg]] = {}
    counts = {"tickets": 0, "several_authorities": 0}
    for events in days:
        for visit in visits(events):
            counts["tickets"] += 1
            counts["several_authorities"] += len(visit.legs) > 1
            for leg in visit.legs:
                for key in (leg.service, ALL):
                    legs.setdefault(key, []).append(leg)
    rows = []
    for service in sorted(legs, key=lambda k: (k == ALL, k)):
        own = legs[service]
        wait = _figures([w for w in (leg.wait_min for leg in own) if w is not None])
        served = _figures([t for t in (leg.service_min for leg in own) if t is not None])
        rows.append({"service": service, "legs": len(own),
                     "continued_in": sum(leg.continued_in for leg in own),
                     "served": sum(leg.outcome == "served" for leg in own),
                     "wait_median_min": wait[0], "wait_p90_min": wait[1],
                     "service_median_min": served[0], "service_p90_min": served[1]})
    return rows, counts


def room_time_rows(days: Iterable[tuple[Sequence[Event], datetime, datetime]],
                   rooms: Sequence[str]) -> list[dict[str, Any]]:
    """Per room: minutes serving and paused (and per reason) over the days, each day given
    as (its events, when it opened, when it ended). Rooms are `rooms`, then any other that
    changed its state; a room without a change in a day serves all of it."""
    seconds: dict[str, list[float]] = {}
    for events, start, end in days:
        changes = [e for e in events if e.type == ROOM_STATE and e.data.get("room")]
        ids = list(rooms) + sorted({str(e.data["room"]) for e in changes} - set(rooms))
        for room in ids:
            serving, paused = room_time([c for c in changes if c.data["room"] == room],
                                        start, end)
            total = seconds.setdefault(room, [0.0] * (2 + len(REASON_KEYS)))
            for i, value in enumerate((serving, sum(paused.values()),
                                       *[paused[r] for r in REASON_KEYS])):
                total[i] += value
    order = [r for r in rooms if r in seconds] + sorted(set(seconds) - set(rooms))
    return [dict(zip(ROOM_TIME_COLUMNS, [room, *[round(s / 60, 1) for s in seconds[room]]],
                     strict=True)) for room in order]


def authority_time_rows(room_rows: Sequence[Mapping[str, Any]],
                        served_by: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """Per authority (in `served_by`'s order: service -> the rooms that serve it), the
    serving and paused minutes of its rooms. A room serving two authorities counts for both:
    it is the time each could have been served, not time split between them."""
    by_room = {r["room"]: r for r in room_rows}
    rows = []
    for service, rooms in served_by.items():
        own = [by_room[r] for r in rooms if r in by_room]
        rows.append({"service": service, "rooms": len(own),
                     "serving_min": round(sum(r["serving_min"] for r in own), 1),
                     "paused_min": round(sum(r["paused_min"] for r in own), 1)})
    return rows


# The day's tables beside `day_report`'s rows, in the order `piste stats` writes them.
EXTRA_TABLES = (("languages", LANGUAGE_COLUMNS), ("legs", LEG_COLUMNS),
                ("visits", VISIT_COLUMNS), ("room_time", ROOM_TIME_COLUMNS),
                ("authority_time", AUTHORITY_TIME_COLUMNS))


def day_extras(events: Sequence[Event], config: SiteConfig, day: str,
               now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Per language, per leg, the visits and the rooms' and authorities' serving and paused
    time of a day with visits ({} without): room time from the site's opening to the day's
    end (`day_report.day_end`), or to `now` while the day is going."""
    if not any(e.type == ISSUED for e in events):
        return {}
    legs, counts = leg_rows([events])
    start, end = day_start(config, day, events), min(now, day_end(config, day))
    rooms = [r.id for r in config.rooms]
    room_rows = room_time_rows([(events, start, end)], rooms) \
        if start is not None and end > start else []
    served_by = {s.id: [r.id for r in config.rooms if s.id in r.services]
                 for s in config.services}
    return {"languages": language_rows([events]), "legs": legs, "visits": [counts],
            "room_time": room_rows, "authority_time": authority_time_rows(room_rows, served_by)}
