"""Statistics of a service day, read from its ledger events (nothing personal is in them).

Each ticket's visit to one authority is a segment: from its issue (or its transfer to that
authority) to its outcome. Waiting time runs from the segment's start to its last call;
service time from the last call to the end. Rows are per authority and per opening hour
(the hour the segment started), plus totals per authority and for the whole day.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from firmware.core.events import Event, EventType
from firmware.core.queue import Outcome

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
