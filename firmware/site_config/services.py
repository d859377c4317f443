"""The `[[services]]` tables: prefix, names, hours and date exceptions inside the site's hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from firmware.site_config.hours import (
    RawWeek,
    check_inside_opening,
    day_ranges,
    is_within,
    read_week,
    sorted_valid,
    weekly_hours,
)
from firmware.site_config.reader import (
    DAY_NAMES,
    Reader,
    check_unique,
    fmt_range,
    fmt_ranges,
    ident,
    join_path,
    localized,
    number_field,
    prefix_field,
    text_field,
    toml_date,
)
from firmware.site_config.site import SiteParts
from firmware.site_model import (
    WEEKDAYS,
    DateException,
    Service,
)

SERVICE_KEYS = ("id", "prefix", "name", "mean_service_minutes", "note", "hours", "exceptions")


EXCEPTION_KEYS = ("date", "hours", "reason")


@dataclass
class _ServiceParts:
    index: int
    path: str
    id: str | None
    prefix: str | None
    hours: RawWeek | None
    exceptions: list[tuple[str, DateException]]
    service: Service | None


def read_service(r: Reader, index: int, value: Any, path: str) -> _ServiceParts:
    table = r.table(value, path, SERVICE_KEYS)
    if table is None:
        return _ServiceParts(index, path, None, None, None, [], None)
    service_id = r.get(table, path, "id", ident)
    prefix = r.get(table, path, "prefix", prefix_field)
    name = r.get(table, path, "name", localized)
    minutes = r.get(table, path, "mean_service_minutes", number_field(0.0, 24 * 60),
                    default=Service.mean_service_minutes)
    note = r.get(table, path, "note", localized, default=None)
    hours = r.get(table, path, "hours", read_week)
    exceptions = _exceptions(r, table.get("exceptions", []), join_path(path, "exceptions"))
    note_ok = note is not None or "note" not in table
    service = None
    if service_id and prefix and name and minutes is not None and hours is not None and note_ok:
        service = Service(service_id, prefix, name, weekly_hours(hours),
                          tuple(e for _, e in exceptions), minutes, note)
    return _ServiceParts(index, path, service_id, prefix, hours, exceptions, service)


def _exceptions(r: Reader, value: Any, path: str) -> list[tuple[str, DateException]]:
    """A service's date exceptions, each with its path; hours = [] (or none) means closed."""
    found: list[tuple[str, DateException]] = []
    seen: dict[date, str] = {}
    for p, item in r.items(value, path, "tables with a date and hours"):
        table = r.table(item, p, EXCEPTION_KEYS)
        if table is None:
            continue
        day = r.get(table, p, "date", toml_date)
        ranges = day_ranges(r, table.get("hours", []), join_path(p, "hours"))
        reason = r.get(table, p, "reason", text_field, default="")
        if day is None or reason is None:
            continue
        if day in seen:
            r.add(join_path(p, "date"), f"{day} already has an exception at {seen[day]}")
            continue
        seen[day] = p
        found.append((p, DateException(day, sorted_valid(ranges), reason)))
    return found


def check_services(r: Reader, site: SiteParts, services: list[_ServiceParts]) -> None:
    check_unique(r, ((join_path(s.path, "id"), s.id) for s in services), "service id")
    check_unique(r, ((join_path(s.path, "prefix"), s.prefix) for s in services), "prefix")
    if site.opening is None:
        return  # the site's hours are unreadable; their own problems are already listed
    for s in services:
        for day, ranges in (s.hours or {}).items():
            check_inside_opening(r, ranges, join_path(join_path(s.path, "hours"), WEEKDAYS[day]),
                                  sorted_valid(site.opening.get(day, [])), DAY_NAMES[day])
        for p, exc in s.exceptions:
            _check_exception(r, site, p, exc)


def _check_exception(r: Reader, site: SiteParts, path: str, exc: DateException) -> None:
    assert site.opening is not None
    if exc.day in site.closed and exc.ranges:
        r.add(join_path(path, "hours"), f"the whole site is closed on {exc.day} "
              "(see site.closed_days)")
        return
    weekday = exc.day.weekday()
    opening = sorted_valid(site.opening.get(weekday, []))
    # Checked in sorted order, so name entries by their time rather than their index.
    for rng in exc.ranges:
        if not is_within(rng, opening):
            where = f"open {fmt_ranges(opening)}" if opening else "closed"
            r.add(join_path(path, "hours"), f"{fmt_range(rng)} is outside the site's opening "
                  f"hours on {exc.day} ({DAY_NAMES[weekday]}: the site is {where})")
