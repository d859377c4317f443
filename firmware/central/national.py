"""National statistics from every site's ledger events, as the central collector stores them.

Pure: events in, tables out. The collector has each site's events in their wire form
(`Event.to_wire()`: id, seq, type, at, day and the event's data) and nothing else: no
authority names, no opening hours, no room list. So every figure is read from the events,
with the site's own definitions (`firmware.core.stats`, `utilisation`, `feedback_stats`)
wherever they apply, and a month is the month of the event's service day (`day`). Only the
days `first_day`..`last_day` (both included) count.

- **Queue** (`rows`, MONTH_COLUMNS): per site, authority and month, then the site's total
  (`service` "all"). `customers` are the numbers taken for the authority (`ticket.issued`);
  `arrivals`, the outcomes and the waiting and service times are exactly `piste stats`'s:
  a visit runs from the number's issue or transfer to its outcome, waiting to its last call,
  service from that call to completion; median and 90th percentile in minutes, to 0.1. A
  transferred visit counts for each authority it visited, so the total's `arrivals` can
  exceed its `customers`.
- **Utilisation** (`utilisation`): per site, room and month, the shares of `piste stats`
  over the month's open time. **Open time is not known centrally**, so a site-day counts as
  open from its first to its last ticket event (the day-end expiries, written the next
  morning, and the tickets closed at the day's end, after closing, are not part of it). That
  leaves out time open before the first number or after the last customer, and counts a
  closed lunch hour between them as open. A room's state carries over from its last recorded
  change, also from an earlier day (the controller records changes only); the site's own day
  report starts each day unknown instead. Rooms are those that ever reported occupancy. A
  day whose raw changes the site has pruned (the `{"pruned": true}` placeholders, counted in
  `pruned`) is left out, and after it each room is unknown until its next change.
- **Languages** (`languages`): per site, month and the ticket's language: customers,
  waits (of every leg, to its first call), calls and the calls the room's language
  preference decided (`by_language`).
- **Legs** (`legs`) and **visits** (`visits`): per site, month and authority, each visit
  to an authority counted (a ticket continued to a second authority is two legs), waits to
  each leg's first call and service times, then "all"; per site and month the numbers
  taken and those that visited several authorities (`firmware.core.stats`).
- **Room time** (`room_time`): per site, month and room, the minutes serving and paused
  (per reason) from `room.state` changes, over the same open spans as utilisation (first to
  last ticket event of each day). Each day starts serving, as at the site; the rooms are
  those that called a customer or changed their state in the period.
- **Feedback** (`feedback`): per site, month and scale, the continuous ratings: count, mean,
  distribution (scales never mixed).
- **Survey** (`survey`): per site and month, and all sites together (`site` "all"), per
  statement: count, mean and distribution 4..10; `answers` is how many answered at all.
- **Safety alarms** (`alarms`): per site and month, the silent alarms (issue 26) as the
  site's statistics page counts them (`firmware.core.alarm_stats`): a row of real alarms
  and one of drills, counted apart; the month is the one of the alarm's raise in `tz` (not
  of its service day), and an alarm counts when its events' days are in the period.

A national report must not stop on one bad row: a row that cannot be read (not a pair of
site and mapping, an unknown type, a time without offset, a day that is no date, a ticket
event without its number, a rating off its scale...) is passed over and counted in
`skipped`. The CSV is the tables one after another, each with its own header and a
blank line between (queue, utilisation, feedback, survey, then languages, legs, visits and
room time, then the safety alarms), every row starting with site and month, so files of
many periods can be put together; the JSON (`as_dict()`) holds the same rows, distributions
as objects.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, TextIO

from firmware.core.alarm_stats import ALARM_COLUMNS, ALARM_EVENT_TYPES, alarm_months, readable
from firmware.core.events import Event, EventType
from firmware.core.feedback import MAX_STEPS, MIN_STEPS
from firmware.core.feedback_stats import (
    FEEDBACK_COLUMNS,
    SURVEY_COLUMNS,
    feedback_by_day_hour,
    survey_summary,
)
from firmware.core.stats import (
    COLUMNS,
    LANGUAGE_COLUMNS,
    LEG_COLUMNS,
    ROOM_TIME_COLUMNS,
    VISIT_COLUMNS,
    Row,
    language_rows,
    leg_rows,
    room_time_rows,
    segments,
)
from firmware.core.utilisation import UTILISATION_COLUMNS, parse_occupancy, utilisation

ALL = "all"
MONTH_COLUMNS: list[str] = ["site", "month", "service", "customers",
                            *[c for c in COLUMNS if c not in ("service", "hour")]]
UTILISATION_MONTH_COLUMNS: list[str] = ["site", "month",
                                        *[c for c in UTILISATION_COLUMNS if c != "hour"]]
FEEDBACK_MONTH_COLUMNS: list[str] = ["site", "month",
                                     *[c for c in FEEDBACK_COLUMNS if c not in ("day", "hour")]]
SURVEY_MONTH_COLUMNS: list[str] = ["site", "month", "answers", *SURVEY_COLUMNS]
LANGUAGE_MONTH_COLUMNS: list[str] = ["site", "month", *LANGUAGE_COLUMNS]
LEG_MONTH_COLUMNS: list[str] = ["site", "month", *LEG_COLUMNS]
VISIT_MONTH_COLUMNS: list[str] = ["site", "month", *VISIT_COLUMNS]
ROOM_TIME_MONTH_COLUMNS: list[str] = ["site", "month", *ROOM_TIME_COLUMNS]
ALARM_MONTH_COLUMNS: list[str] = ["site", *ALARM_COLUMNS]

CONTINUED, ASSISTANCE = EventType.TICKET_CONTINUED, EventType.TICKET_ASSISTANCE
ROOM_STATE = EventType.ROOM_STATE
ROOM_STATES = ("serving", "paused", "closed")
TICKET_TYPES = frozenset({
    EventType.TICKET_ISSUED, EventType.TICKET_CALLED, EventType.TICKET_RECALLED,
    EventType.TICKET_NO_SHOW, EventType.TICKET_COMPLETED, EventType.TICKET_TRANSFERRED,
    EventType.TICKET_CANCELLED, EventType.TICKET_REINSTATED, CONTINUED, ASSISTANCE})
ENVELOPE = ("id", "seq", "type", "at", "day")


@dataclass
class NationalReport:
    first_day: str
    last_day: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    utilisation: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    survey: list[dict[str, Any]] = field(default_factory=list)
    languages: list[dict[str, Any]] = field(default_factory=list)
    legs: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    room_time: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # rows that could not be read
    pruned: int = 0  # occupancy placeholders of pruned days

    def tables(self) -> list[tuple[list[str], list[dict[str, Any]]]]:
        return [(MONTH_COLUMNS, self.rows), (UTILISATION_MONTH_COLUMNS, self.utilisation),
                (FEEDBACK_MONTH_COLUMNS, self.feedback), (SURVEY_MONTH_COLUMNS, self.survey),
                (LANGUAGE_MONTH_COLUMNS, self.languages), (LEG_MONTH_COLUMNS, self.legs),
                (VISIT_MONTH_COLUMNS, self.visits), (ROOM_TIME_MONTH_COLUMNS, self.room_time),
                (ALARM_MONTH_COLUMNS, self.alarms)]

    def write_csv(self, out: TextIO) -> None:
        """All the tables, an empty one as its header alone: the file always has one shape."""
        for index, (columns, rows) in enumerate(self.tables()):
            if index:
                out.write("\n")
            # restval "": a feedback value beyond the row's scale is "not on the keys", not 0.
            writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(_flat(row) for row in rows)

    def csv_text(self) -> str:
        out = io.StringIO()
        self.write_csv(out)
        return out.getvalue()

    def as_dict(self) -> dict[str, Any]:
        return {"first_day": self.first_day, "last_day": self.last_day,
                "skipped": self.skipped, "pruned": self.pruned, "rows": self.rows,
                "utilisation": self.utilisation, "feedback": self.feedback,
                "survey": self.survey, "languages": self.languages, "legs": self.legs,
                "visits": self.visits, "room_time": self.room_time, "alarms": self.alarms}


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON row for the CSV: its distribution as r-columns."""
    flat = {k: v for k, v in row.items() if k != "distribution"}
    flat.update({f"r{v}": n for v, n in row.get("distribution", {}).items()})
    return flat


# -- reading one row ----------------------------------------------------------------------


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _service_day(value: Any) -> str | None:
    """The day as stored, only in its plain ISO form: it is compared as text with others."""
    try:
        ok = isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return None
    return value if ok else None


def _occupancy_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """The change in the form the room unit's parser gives it (its checks reused), or None."""
    if data.get("pruned") is True:
        return {"pruned": True}
    if not _text(data.get("room")):
        return None
    try:
        parsed = parse_occupancy(json.dumps(data).encode())
    except (TypeError, ValueError):  # not JSON at all: the collector gave us objects
        return None
    return None if parsed is None else {**parsed, "room": data["room"]}


def _data(kind: EventType, data: dict[str, Any]) -> dict[str, Any] | None:
    """The data if the figures can use it (the fields they read are there and right)."""
    if kind in TICKET_TYPES:
        ok = _text(data.get("number")) and (
            kind is not EventType.TICKET_ISSUED or _text(data.get("service"))) and (
            kind not in (EventType.TICKET_TRANSFERRED, CONTINUED)
            or _text(data.get("to_service")))
        return data if ok else None
    if kind == ROOM_STATE:
        ok = _text(data.get("room")) and data.get("state") in ROOM_STATES
        return data if ok else None
    if kind is EventType.ROOM_OCCUPANCY:
        return _occupancy_data(data)
    if kind is EventType.FEEDBACK_GIVEN:
        scale, rating = _whole(data.get("scale")), _whole(data.get("rating"))
        ok = (scale is not None and MIN_STEPS <= scale <= MAX_STEPS and rating is not None
              and 1 <= rating <= scale)
        return data if ok else None
    if kind is EventType.SURVEY_ANSWERED:
        return data if isinstance(data.get("ratings"), Mapping) else None
    if kind in ALARM_EVENT_TYPES:
        return data if readable(kind, data) else None
    return data


def read_row(item: Any) -> tuple[str, Event] | None:
    """(site, event) from one (site id, wire event) row, or None if it cannot be read."""
    try:
        site, wire = item
    except (TypeError, ValueError):
        return None
    if not _text(site) or not isinstance(wire, Mapping):
        return None
    kind = _kind(wire.get("type"))
    if kind is None:
        return None
    at, day = _moment(wire.get("at")), _service_day(wire.get("day"))
    data = _data(kind, {k: v for k, v in wire.items() if k not in ENVELOPE})
    if at is None or day is None or data is None:
        return None
    seq = _whole(wire.get("seq"))
    return site, Event(str(wire.get("id", "")), kind, at, day, data, seq or 0)


def _kind(name: Any) -> EventType | None:
    """The event type of a wire name; None for a name the ledger does not know."""
    try:
        return EventType(name)
    except (TypeError, ValueError):
        return None


# -- one site's events --------------------------------------------------------------------


@dataclass
class _Site:
    """What the figures need of one site, gathered in its ledger order."""

    tickets: dict[str, list[Event]] = field(default_factory=dict)  # per day in the period
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)  # open, per day
    occupancy: list[Event] = field(default_factory=list)  # every change up to the period's end
    rooms: dict[str, str] = field(default_factory=dict)  # room -> the first day it reported
    pruned_days: set[str] = field(default_factory=set)
    feedback: list[Event] = field(default_factory=list)
    survey: list[Event] = field(default_factory=list)
    alarms: list[Event] = field(default_factory=list)
    room_states: dict[str, list[Event]] = field(default_factory=dict)  # per day in the period
    called_rooms: set[str] = field(default_factory=set)  # rooms that called or changed state
    unknown_marked: bool = False  # the rooms were set unknown at a pruned day, no change since

    def add(self, event: Event, first_day: str, last_day: str) -> None:
        if event.day > last_day:
            return
        if event.type is EventType.ROOM_OCCUPANCY:
            # Also before the period: a room's state at its start is its last change.
            self._occupancy(event)
        elif event.day < first_day:
            return
        elif event.type is ROOM_STATE:
            self.room_states.setdefault(event.day, []).append(event)
            self.called_rooms.add(str(event.data["room"]))
        elif event.type in TICKET_TYPES:
            self.tickets.setdefault(event.day, []).append(event)
            if event.type is EventType.TICKET_CALLED and _text(event.data.get("room")):
                self.called_rooms.add(event.data["room"])
            if not (event.type is EventType.TICKET_CANCELLED
                    and event.data.get("reason") in ("expired", "closed")):
                # Expiries are written when the next day begins, and the day's end closes
                # tickets after the closing time: neither is open time.
                a, b = self.spans.get(event.day, (event.at, event.at))
                self.spans[event.day] = (min(a, event.at), max(b, event.at))
        elif event.type is EventType.FEEDBACK_GIVEN:
            self.feedback.append(event)
        elif event.type is EventType.SURVEY_ANSWERED:
            self.survey.append(event)
        elif event.type in ALARM_EVENT_TYPES:
            self.alarms.append(event)

    def _occupancy(self, event: Event) -> None:
        if event.data.get("pruned") is not True:
            self.occupancy.append(event)
            self.rooms.setdefault(event.data["room"], event.day)
            self.unknown_marked = False
            return
        self.pruned_days.add(event.day)
        if self.unknown_marked:
            return
        # What came before a pruned change no longer tells the state after it.
        self.unknown_marked = True
        since = event.at.isoformat(timespec="seconds")
        for room in self.rooms:
            self.occupancy.append(Event("", EventType.ROOM_OCCUPANCY, event.at, event.day, {
                "room": room, "staff": None, "customer": None, "state": "unknown",
                "since": since}))


def national_report(events: Iterable[tuple[str, Mapping[str, Any]]], first_day: str,
                    last_day: str, tz: tzinfo) -> NationalReport:
    """The national tables of the days `first_day`..`last_day` (ISO dates, both included).

    `events` are (site id, wire event) in any order across sites, each site's in its seq
    order. `tz` is the sites' time zone. Raises ValueError only for a wrong period.
    """
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    if last < first:
        raise ValueError(f"the period ends ({last_day}) before it begins ({first_day})")
    report = NationalReport(first.isoformat(), last.isoformat())
    sites: dict[str, _Site] = {}
    for item in events:
        read = read_row(item)
        if read is None:
            report.skipped += 1
            continue
        site_id, event = read
        if event.type is EventType.ROOM_OCCUPANCY and event.data.get("pruned") is True:
            report.pruned += 1
        sites.setdefault(site_id, _Site()).add(event, report.first_day, report.last_day)
    for site_id in sorted(sites):
        site = sites[site_id]
        report.rows += _queue_rows(site_id, site)
        report.languages += _language_rows(site_id, site)
        legs, visits = _leg_rows(site_id, site)
        report.legs += legs
        report.visits += visits
        report.room_time += _room_time_rows(site_id, site)
        report.alarms += [{"site": site_id, **row} for row in alarm_months(site.alarms, tz)]
        report.utilisation += _utilisation_rows(site_id, site, tz)
        feedback = _feedback_rows(site_id, site.feedback, tz)
        report.feedback += feedback
        # Ratings read here that the site's summary still passed over (none, as it is).
        report.skipped += len(site.feedback) - sum(row["count"] for row in feedback)
    report.survey = _survey_rows(sites)
    return report


# -- the tables ---------------------------------------------------------------------------


def _queue_rows(site_id: str, site: _Site) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], Row] = {}
    customers: Counter[tuple[str, str]] = Counter()
    for day, events in site.tickets.items():
        month = day[:7]
        # Per day: numbers start again each service day, and a visit never spans two.
        for segment in segments(events):
            for service in (segment.service, ALL):
                rows.setdefault((month, service), Row(service, ALL)).add(segment)
        for event in events:
            if event.type is EventType.TICKET_ISSUED:
                customers[(month, event.data["service"])] += 1
                customers[(month, ALL)] += 1
    result = []
    for month, service in sorted(rows, key=lambda k: (k[0], k[1] == ALL, k[1])):
        values = {"site": site_id, "month": month, "customers": customers[(month, service)],
                  **rows[(month, service)].as_dict()}
        result.append({c: values[c] for c in MONTH_COLUMNS})
    return result


def _open_ranges(site: _Site, month: str) -> list[tuple[datetime, datetime]]:
    """The month's open spans (days with pruned occupancy left out), in order, disjoint."""
    ranges: list[tuple[datetime, datetime]] = []
    for day in sorted(site.spans):
        if day[:7] != month or day in site.pruned_days:
            continue
        start, end = site.spans[day]
        if ranges:  # a clock set back could make two days overlap: never count time twice
            start = max(start, ranges[-1][1])
        if end > start:
            ranges.append((start, end))
    return ranges


def _utilisation_rows(site_id: str, site: _Site, tz: tzinfo) -> list[dict[str, Any]]:
    result = []
    for month in sorted({day[:7] for day in site.spans}):
        rooms = sorted(r for r, first in site.rooms.items() if first[:7] <= month)
        ranges = _open_ranges(site, month)
        if not rooms or not ranges:
            continue
        # The whole month as one set of open ranges: the states carry over from day to
        # day, and the room's total row (hour "all") is the month's.
        changes = [e for e in site.occupancy if e.day[:7] <= month]
        for row in utilisation(changes, rooms, ranges, ranges[-1][1], tz):
            if row["hour"] == ALL:
                result.append({"site": site_id, "month": month,
                               **{k: v for k, v in row.items() if k != "hour"}})
    return result


def _feedback_rows(site_id: str, events: list[Event], tz: tzinfo) -> list[dict[str, Any]]:
    # The month given as the events' day: the site's day totals (hour "all") are then the
    # month's, counted and rounded exactly as `piste stats` does.
    by_month = [dataclasses.replace(e, day=e.day[:7]) for e in events]
    return [{"site": site_id, "month": row.day,
             **{k: v for k, v in row.as_dict().items() if k not in ("day", "hour")}}
            for row in feedback_by_day_hour(by_month, tz) if row.hour == ALL]


def _survey_rows(sites: Mapping[str, _Site]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[Event]] = {}
    for site_id, site in sites.items():
        for event in site.survey:
            for key in ((site_id, event.day[:7]), (ALL, event.day[:7])):
                groups.setdefault(key, []).append(event)
    result = []
    # Per month: the sites in order, then the nation.
    for site_id, month in sorted(groups, key=lambda k: (k[1], k[0] == ALL, k[0])):
        answers = groups[(site_id, month)]
        result += [{"site": site_id, "month": month, "answers": len(answers),
                    **summary.as_dict()} for summary in survey_summary(answers)]
    return result


def _months(site: _Site) -> dict[str, list[str]]:
    """The site's days with ticket events, per month, in order."""
    months: dict[str, list[str]] = {}
    for day in sorted(site.tickets):
        months.setdefault(day[:7], []).append(day)
    return months


def _language_rows(site_id: str, site: _Site) -> list[dict[str, Any]]:
    return [{"site": site_id, "month": month, **row}
            for month, days in _months(site).items()
            for row in language_rows(site.tickets[d] for d in days)]


def _leg_rows(site_id: str, site: _Site) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    legs, visits = [], []
    for month, days in _months(site).items():
        rows, counts = leg_rows(site.tickets[d] for d in days)
        legs += [{"site": site_id, "month": month, **row} for row in rows]
        if counts["tickets"]:
            visits.append({"site": site_id, "month": month, **counts})
    return legs, visits


def _room_time_rows(site_id: str, site: _Site) -> list[dict[str, Any]]:
    rooms = sorted(site.called_rooms)
    result = []
    for month in sorted({day[:7] for day in site.spans}):
        days = [(site.room_states.get(day, []), *site.spans[day])
                for day in sorted(site.spans) if day[:7] == month]
        result += [{"site": site_id, "month": month, **row}
                   for row in room_time_rows(days, rooms)]
    return result
