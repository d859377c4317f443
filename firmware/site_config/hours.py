"""Opening hours: `"08:00-16:15"` ranges per weekday, and whether one range lies inside another."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from typing import Any

from firmware.site_config.reader import RANGE_PATTERN, Reader, fmt_range, fmt_ranges, join_path
from firmware.site_model import (
    WEEKDAYS,
    TimeRange,
    WeeklyHours,
)

# --- hours ---------------------------------------------------------------------------------


def _time_range(r: Reader, value: Any, path: str) -> TimeRange | None:
    expected = 'a time range "HH:MM-HH:MM" such as "08:00-16:15"'
    if not isinstance(value, str):
        r.wrong(path, expected, value)
        return None
    match = RANGE_PATTERN.fullmatch(value.strip())
    if match is None:
        hint = " (use a plain '-' between the times)" if "–" in value or "—" in value else ""
        r.wrong(path, expected + hint, value)
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    result = TimeRange(time(h1, m1), time(h2, m2))
    if result.start >= result.end:
        r.add(path, f"expected a start before the end, found \"{value}\" "
              "(a day's hours cannot run past midnight)")
        return None
    return result


def day_ranges(r: Reader, value: Any, path: str) -> list[TimeRange | None]:
    """One day's ranges in the order written (None where an entry is wrong), overlaps reported.

    The order is kept so that later checks can name an entry by its index.
    """
    ranges = [_time_range(r, item, p) for p, item in r.items(value, path, '"HH:MM-HH:MM" texts')]
    for i, this in enumerate(ranges):
        for j in range(i):
            other = ranges[j]
            if this and other and this.start < other.end and other.start < this.end:
                r.add(join_path(path, i), f"{fmt_range(this)} overlaps {fmt_range(other)} "
                      f"at {join_path(path, j)}")
                break
    return ranges


# A week as read: weekday index -> the ranges in written order, None for unreadable entries.
RawWeek = dict[int, list[TimeRange | None]]


def read_week(r: Reader, value: Any, path: str) -> RawWeek | None:
    table = r.table(value, path, WEEKDAYS, what="a table of weekdays (mon ... sun)")
    if table is None:
        return None
    return {i: day_ranges(r, table[day], join_path(path, day))
            for i, day in enumerate(WEEKDAYS) if day in table}


def weekly_hours(raw: RawWeek | None) -> WeeklyHours:
    raw = raw or {}
    return WeeklyHours(tuple(sorted_valid(raw.get(i, [])) for i in range(len(WEEKDAYS))))


def sorted_valid(ranges: Iterable[TimeRange | None]) -> tuple[TimeRange, ...]:
    return tuple(sorted((r for r in ranges if r is not None), key=lambda r: r.start))


def is_within(inner: TimeRange, outer: Sequence[TimeRange]) -> bool:
    return any(o.start <= inner.start and inner.end <= o.end for o in outer)


def check_inside_opening(r: Reader, ranges: list[TimeRange | None], path: str,
                          opening: Sequence[TimeRange], when: str) -> None:
    """A service's ranges must lie inside the site's: nobody is served behind locked doors."""
    for i, rng in enumerate(ranges):
        if rng is None or is_within(rng, opening):
            continue
        site = f"the site is open {fmt_ranges(opening)}" if opening else "the site is closed"
        r.add(join_path(path, i), f"{fmt_range(rng)} is outside the site's opening hours "
              f"on {when} ({site}; see site.opening_hours)")
