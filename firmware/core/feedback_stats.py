"""Customer feedback figures from the ledger, for `piste stats` and national comparison.

The yearly survey is summed per statement (count, mean, how many gave each value 4–10); the
continuous ratings per service day and hour, with a total row per day. Input is events in
their wire form (`Event.to_wire()`: id, seq, type, at, day and the data). Only what the
events hold is reported: a statement nobody rated or an hour without votes gets no row.
Nothing personal is read: the words of feedback are not part of any figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from firmware.core.events import EventType
from firmware.core.feedback import MAX_STEPS, MIN_STEPS
from firmware.core.survey import SCALE_MAX, SCALE_MIN, STATEMENT_COUNT

ALL = "all"
SURVEY_COLUMNS = ["statement", "count", "mean",
                  *[f"r{v}" for v in range(SCALE_MIN, SCALE_MAX + 1)]]
FEEDBACK_COLUMNS = ["day", "hour", "scale", "count", "mean",
                    *[f"r{v}" for v in range(1, MAX_STEPS + 1)]]


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mean(distribution: Mapping[int, int]) -> float:
    count = sum(distribution.values())
    return round(sum(v * n for v, n in distribution.items()) / count, 2)


@dataclass(frozen=True)
class StatementSummary:
    number: int
    count: int
    mean: float
    distribution: dict[int, int]  # every value SCALE_MIN..SCALE_MAX, zeros included

    def as_dict(self) -> dict[str, Any]:
        return {"statement": self.number, "count": self.count, "mean": self.mean,
                "distribution": {str(v): n for v, n in self.distribution.items()}}

    def csv_row(self) -> dict[str, Any]:
        return {"statement": self.number, "count": self.count, "mean": self.mean,
                **{f"r{v}": n for v, n in self.distribution.items()}}


@dataclass(frozen=True)
class FeedbackRow:
    """Continuous ratings of one day and hour ("09", or ALL for the day) on one scale.

    Ratings on different scales are never mixed: 3 on a 3-key device is not 3 on 5 keys.
    """

    day: str
    hour: str
    scale: int
    count: int
    mean: float
    distribution: dict[int, int]  # every value 1..scale, zeros included

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "hour": self.hour, "scale": self.scale, "count": self.count,
                "mean": self.mean,
                "distribution": {str(v): n for v, n in self.distribution.items()}}

    def csv_row(self) -> dict[str, Any]:
        # Values beyond this row's scale stay empty: "not on the keys" differs from "none".
        beyond = {f"r{v}": "" for v in range(self.scale + 1, MAX_STEPS + 1)}
        return {"day": self.day, "hour": self.hour, "scale": self.scale, "count": self.count,
                "mean": self.mean, **{f"r{v}": n for v, n in self.distribution.items()},
                **beyond}


def to_csv_rows(items: Iterable[StatementSummary | FeedbackRow]) -> list[dict[str, Any]]:
    """Rows for `csv.DictWriter` with SURVEY_COLUMNS or FEEDBACK_COLUMNS."""
    return [item.csv_row() for item in items]


def _wire(events: Iterable[Any], event_type: EventType) -> Iterable[Mapping[str, Any]]:
    """The events of one type as wire dicts (Event objects are turned into theirs)."""
    for event in events:
        wire = event.to_wire() if hasattr(event, "to_wire") else event
        if isinstance(wire, Mapping) and wire.get("type") == str(event_type):
            yield wire


def survey_answer_count(events: Iterable[Any]) -> int:
    """How many customers answered the survey."""
    return sum(1 for _ in _wire(events, EventType.SURVEY_ANSWERED))


def survey_summary(events: Iterable[Any]) -> list[StatementSummary]:
    """Per statement that someone rated: count, mean and distribution, in statement order.

    A skipped statement (null) is not counted. The ledger's entries were validated on the
    way in; one that is not right anyway is passed over rather than stop a national report.
    """
    counts: dict[int, dict[int, int]] = {}
    for event in _wire(events, EventType.SURVEY_ANSWERED):
        ratings = event.get("ratings")
        if not isinstance(ratings, Mapping):
            continue
        for key, rating in ratings.items():
            number = int(key) if isinstance(key, str) and key.isascii() and key.isdecimal() \
                else _whole_number(key)
            value = _whole_number(rating)
            if (number is None or not 1 <= number <= STATEMENT_COUNT or value is None
                    or not SCALE_MIN <= value <= SCALE_MAX):
                continue
            row = counts.setdefault(number, dict.fromkeys(range(SCALE_MIN, SCALE_MAX + 1), 0))
            row[value] += 1
    return [StatementSummary(n, sum(d.values()), _mean(d), d) for n, d in sorted(counts.items())]


def _day_hour(event: Mapping[str, Any], tz: tzinfo | None) -> tuple[str, str] | None:
    try:
        at = datetime.fromisoformat(str(event.get("at")))
    except ValueError:
        return None
    if tz is not None and at.tzinfo is not None:
        at = at.astimezone(tz)
    day = event.get("day")
    return (day if isinstance(day, str) and day else at.date().isoformat()), f"{at.hour:02d}"


def feedback_by_day_hour(events: Iterable[Any], tz: tzinfo | None = None
                         ) -> list[FeedbackRow]:
    """Continuous ratings per service day and hour, then the day's total (hour ALL).

    The hour is read in `tz` (the site's zone); without it, in the offset the event carries.
    """
    counts: dict[tuple[str, str, int], dict[int, int]] = {}
    for event in _wire(events, EventType.FEEDBACK_GIVEN):
        scale, rating = _whole_number(event.get("scale")), _whole_number(event.get("rating"))
        when = _day_hour(event, tz)
        if (scale is None or not MIN_STEPS <= scale <= MAX_STEPS or rating is None
                or not 1 <= rating <= scale or when is None):
            continue
        day, hour = when
        for key in ((day, hour, scale), (day, ALL, scale)):
            counts.setdefault(key, dict.fromkeys(range(1, scale + 1), 0))[rating] += 1
    # Per day: its hours in order, then its total; scales apart, fewest keys first.
    order = sorted(counts, key=lambda k: (k[0], k[1] == ALL, k[1], k[2]))
    return [FeedbackRow(day, hour, scale, sum(counts[(day, hour, scale)].values()),
                        _mean(counts[(day, hour, scale)]), counts[(day, hour, scale)])
            for day, hour, scale in order]
