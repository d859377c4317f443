"""The day report: what the service team reads of one service day when it ends.

Pure: the day's ledger events in, one JSON-able dict out (appended as the `day.closed`
event's `report`, shown on the console's `/report` page, downloaded as CSV). Nothing
personal is in it: no ticket numbers, no kiosk or login names, only authorities, rooms,
languages, counts and minutes.

How it counts (the rules the people reading it would expect):
- A **visit** is one ticket (one number); a **leg** is its visit to one authority. The
  first leg starts at the issue, each later one at its `ticket.continued`. A transfer keeps
  the leg (the first authority was the wrong one) and moves it to the new authority, so
  every leg is counted once, at the authority it ended with.
- Per authority, every leg ends in exactly one of: `served` (completed), `no_shows` (left
  as a no-show), `cancelled` (cancelled by staff during the day), `open_at_close` (still
  open when the day ended: closed or expired at the day's end, or open still when a report
  is drawn before the end). So `served + no_shows + cancelled + open_at_close == customers`.
- **Wait** of a leg: from its start to the first call of that leg (a recall or a
  reinstated no-show does not make the customer wait again); **service time**: from the
  leg's last call to its completion. Medians and 90th percentiles in minutes, to 0.1.
- **Languages**: per the ticket's language, the visits, the waits of their legs and the
  calls the room's language preference decided (`by_language`).
- **Rooms**: serving and paused minutes from `room.state` changes between the site's
  opening that day (or the day's first event, without opening hours) and `closed_at`; a
  room without a change today is serving, as before; closed time is neither.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from firmware.core import rules
from firmware.core.events import Event
from firmware.core.events import EventType as E
from firmware.core.queue import PAUSE_REASONS
from firmware.site_model import SiteConfig

LANG_ORDER = ("fi", "sv", "en")
NO_REASON = "unspecified"  # a pause without a reason (`reason: null`)
REASON_KEYS = (*PAUSE_REASONS, NO_REASON)
# The event types read here.
ISSUED, CALLED, RECALLED = E.TICKET_ISSUED, E.TICKET_CALLED, E.TICKET_RECALLED
COMPLETED, NO_SHOW, REINSTATED = E.TICKET_COMPLETED, E.TICKET_NO_SHOW, E.TICKET_REINSTATED
TRANSFERRED, CANCELLED = E.TICKET_TRANSFERRED, E.TICKET_CANCELLED
CONTINUED, ASSISTANCE, REPRINTED = E.TICKET_CONTINUED, E.TICKET_ASSISTANCE, E.TICKET_REPRINTED
ROOM_STATE, HELP_REQUESTED = E.ROOM_STATE, E.HELP_REQUESTED

AUTHORITY_COLUMNS = ["service", "customers", "served", "no_shows", "cancelled", "open_at_close",
                     "wait_median_min", "wait_p90_min", "service_median_min",
                     "legs_continued_in"]
VISIT_COLUMNS = ["tickets", "several_authorities"]
LANGUAGE_COLUMNS = ["lang", "customers", "wait_median_min", "decided_by_language"]
ROOM_COLUMNS = ["room", "serving_min", "paused_min",
                *[f"paused_{r}_min" for r in REASON_KEYS]]
ASSISTANCE_COLUMNS = ["tickets", "wait_median_min"]
OTHER_COLUMNS = ["help_requests", "reprints"]


@dataclass
class Leg:
    service: str
    start: datetime
    first_call: datetime | None = None
    last_call: datetime | None = None
    end: datetime | None = None
    outcome: str | None = None  # served, no_shows, cancelled, open_at_close; None: open
    continued_in: bool = False  # began with a `ticket.continued`

    @property
    def wait_min(self) -> float | None:
        if self.first_call is None:
            return None
        return (self.first_call - self.start).total_seconds() / 60

    @property
    def service_min(self) -> float | None:
        if self.outcome != "served" or self.last_call is None or self.end is None:
            return None
        return (self.end - self.last_call).total_seconds() / 60


@dataclass
class Visit:
    lang: str
    assistance: bool
    legs: list[Leg] = field(default_factory=list)

    @property
    def leg(self) -> Leg:
        return self.legs[-1]


def visits(events: Iterable[Event]) -> list[Visit]:
    """Each ticket of the day with its legs, in the order they were issued."""
    every: list[Visit] = []
    found: dict[str, Visit] = {}  # by number: the latest visit that had it
    for e in events:
        kind, d = e.type, e.data
        if kind == ISSUED:
            found[d["number"]] = Visit(str(d.get("lang", "fi")), bool(d.get("assistance")),
                                       [Leg(d["service"], e.at)])
            every.append(found[d["number"]])
            continue
        visit = found.get(d.get("number", ""))
        if visit is None:
            continue
        leg = visit.leg
        if kind in (CALLED, RECALLED):
            leg.first_call = leg.first_call or e.at
            leg.last_call = e.at
            leg.outcome = None if leg.outcome == "no_shows" else leg.outcome
        elif kind == COMPLETED:
            leg.end, leg.outcome = e.at, "served"
        elif kind == NO_SHOW:
            leg.end, leg.outcome = e.at, "no_shows"
        elif kind == REINSTATED:
            leg.end = leg.outcome = None
        elif kind == TRANSFERRED:
            leg.service = d.get("to_service", leg.service)
        elif kind == CONTINUED:
            visit.legs.append(Leg(d.get("to_service", leg.service), e.at, continued_in=True))
        elif kind == ASSISTANCE:
            visit.assistance = bool(d.get("assistance"))
        elif kind == CANCELLED and leg.outcome is None:
            # Closed at the day's end or expired when the next day began: open at close.
            staff = d.get("reason") not in ("closed", "expired")
            leg.end, leg.outcome = e.at, "cancelled" if staff else "open_at_close"
    return every


def _median(values: Sequence[float]) -> float | None:
    return None if not values else round(statistics.median(values), 1)


def _p90(values: Sequence[float]) -> float | None:
    """The nearest-rank 90th percentile, as `piste stats` has it."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))], 1)


def _waits(legs: Iterable[Leg]) -> list[float]:
    return [w for w in (leg.wait_min for leg in legs) if w is not None]


def _authorities(config: SiteConfig, all_visits: list[Visit]) -> list[dict[str, Any]]:
    legs = [leg for v in all_visits for leg in v.legs]
    known = [s.id for s in config.services]
    ids = known + sorted({leg.service for leg in legs} - set(known))
    rows = []
    for service in ids:
        own = [leg for leg in legs if leg.service == service]
        outcomes = [leg.outcome or "open_at_close" for leg in own]
        served = [t for t in (leg.service_min for leg in own) if t is not None]
        rows.append({
            "service": service, "customers": len(own), "served": outcomes.count("served"),
            "no_shows": outcomes.count("no_shows"), "cancelled": outcomes.count("cancelled"),
            "open_at_close": outcomes.count("open_at_close"),
            "wait_median_min": _median(_waits(own)), "wait_p90_min": _p90(_waits(own)),
            "service_median_min": _median(served),
            "legs_continued_in": sum(leg.continued_in for leg in own)})
    return rows


def _languages(all_visits: list[Visit], events: Sequence[Event],
               numbers_lang: Mapping[str, str]) -> list[dict[str, Any]]:
    decided: dict[str, int] = {}
    for e in events:
        if e.type is CALLED and e.data.get("by_language"):
            lang = numbers_lang.get(e.data.get("number", ""), str(e.data.get("lang", "")))
            decided[lang] = decided.get(lang, 0) + 1
    langs = {v.lang for v in all_visits} | set(decided)
    order = [x for x in LANG_ORDER if x in langs] + sorted(langs - set(LANG_ORDER))
    return [{"lang": lang, "customers": sum(v.lang == lang for v in all_visits),
             "wait_median_min": _median(_waits(
                 leg for v in all_visits if v.lang == lang for leg in v.legs)),
             "decided_by_language": decided.get(lang, 0)} for lang in order]


def day_start(config: SiteConfig, day: str, events: Sequence[Event]) -> datetime | None:
    """When the site opened that day; without opening hours, the day's first event."""
    tz = ZoneInfo(config.site.timezone)
    when = date.fromisoformat(day)
    ranges = config.site.opening_hours.on(when.weekday())
    if ranges:
        return datetime.combine(when, min(r.start for r in ranges), tzinfo=tz)
    return min((e.at for e in events), default=None)


def day_end(config: SiteConfig, day: str) -> datetime:
    """The day's end as the controller keeps it (`rules.day_end_at`); without opening hours
    that day, midnight (the next day's start)."""
    end = rules.day_end_at(config, day)
    if end is not None:
        return end
    tz = ZoneInfo(config.site.timezone)
    return datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), tzinfo=tz)


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def room_time(changes: Sequence[Event], start: datetime,
               end: datetime) -> tuple[float, dict[str, float]]:
    """Seconds serving and paused (per reason) between `start` and `end`, from one room's
    changes in ledger order. A change before `start` sets the state the room opens in."""
    serving, paused = 0.0, {r: 0.0 for r in REASON_KEYS}
    state, reason, since = "serving", None, start
    for at, change in [*((min(max(e.at, start), end), e) for e in changes), (end, None)]:
        if at > since:
            seconds = (at - since).total_seconds()
            if state == "serving":
                serving += seconds
            elif state == "paused":
                paused[reason if reason in PAUSE_REASONS else NO_REASON] += seconds
            since = at
        if change is not None:
            state, reason = str(change.data.get("state", "serving")), change.data.get("reason")
    return serving, paused


def _rooms(config: SiteConfig, day: str, events: Sequence[Event],
           closed_at: datetime) -> list[dict[str, Any]]:
    start = day_start(config, day, events) or closed_at
    changes = [e for e in events if e.type is ROOM_STATE and e.data.get("room")]
    known = [r.id for r in config.rooms]
    ids = known + sorted({str(e.data["room"]) for e in changes} - set(known))
    rows = []
    for room in ids:
        serving, paused = room_time([c for c in changes if c.data["room"] == room],
                                     start, closed_at)
        rows.append({"room": room, "serving_min": _minutes(serving),
                     "paused_min": _minutes(sum(paused.values())),
                     "paused_by_reason": {k: _minutes(v) for k, v in paused.items() if v > 0}})
    return rows


def build(events: Iterable[Event], config: SiteConfig, day: str,
          closed_at: datetime) -> dict[str, Any]:
    """The report of `day` (ISO date) from its ledger events, as at `closed_at` (the day's
    end, or now for a day still going: its open tickets then count as open at close)."""
    own = [e for e in events if e.day == day]
    all_visits = visits(own)
    numbers_lang = {e.data["number"]: str(e.data.get("lang", "fi"))
                    for e in own if e.type is ISSUED}
    helped = [v for v in all_visits if v.assistance]
    return {
        "day": day,
        "closed_at": closed_at.isoformat(timespec="seconds"),
        "authorities": _authorities(config, all_visits),
        "visits": {"tickets": len(all_visits),
                   "several_authorities": sum(len(v.legs) > 1 for v in all_visits)},
        "languages": _languages(all_visits, own, numbers_lang),
        "rooms": _rooms(config, day, own, closed_at),
        "assistance": {"tickets": len(helped),
                       "wait_median_min": _median(_waits(
                           leg for v in helped for leg in v.legs))},
        "help_requests": sum(e.type is HELP_REQUESTED for e in own),
        "reprints": sum(e.type is REPRINTED for e in own),
    }


def _room_row(row: Mapping[str, Any]) -> dict[str, Any]:
    reasons = row.get("paused_by_reason", {})
    return {**row, **{f"paused_{r}_min": reasons.get(r, 0.0)
                      for r in REASON_KEYS}}


def to_csv(report: Mapping[str, Any]) -> str:
    """The report as CSV: one table per section, each with its header row, a blank line
    between; every row starts with the section's name and the day, so files of many days
    can be put together."""
    tables: list[tuple[str, list[str], list[Mapping[str, Any]]]] = [
        ("authorities", AUTHORITY_COLUMNS, report["authorities"]),
        ("visits", VISIT_COLUMNS, [report["visits"]]),
        ("languages", LANGUAGE_COLUMNS, report["languages"]),
        ("rooms", ROOM_COLUMNS, [_room_row(r) for r in report["rooms"]]),
        ("assistance", ASSISTANCE_COLUMNS, [report["assistance"]]),
        ("other", OTHER_COLUMNS, [report]),
    ]
    out = io.StringIO()
    for index, (name, columns, rows) in enumerate(tables):
        if index:
            out.write("\n")
        writer = csv.DictWriter(out, fieldnames=["table", "day", *columns], restval="",
                                extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "table": name, "day": report["day"]} for row in rows)
    return out.getvalue()
