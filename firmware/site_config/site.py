"""The `[site]` table: id, names, time zone, opening hours and closed days."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from firmware.site_config.hours import RawWeek, read_week, weekly_hours
from firmware.site_config.reader import (
    Reader,
    boolean_field,
    ident,
    join_path,
    localized,
    suggest,
    text_field,
    toml_date,
)
from firmware.site_model import (
    Site,
)

SITE_KEYS = ("id", "name", "timezone", "opening_hours", "anonymous_numbering", "closed_days",
             "home_assistant_discovery")


CLOSED_DAY_KEYS = ("date", "reason")


def _timezone(r: Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and value in _zones():
        return value
    hint = suggest(value, _zones()) if isinstance(value, str) else ""
    r.wrong(path, 'an IANA time zone such as "Europe/Helsinki"', value, hint)
    return None


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    # Asked once: the list comes from the tzdata package and the system's zoneinfo files.
    return frozenset(available_timezones())


@dataclass
class SiteParts:
    site: Site | None = None
    opening: RawWeek | None = None
    closed: dict[date, str] = dataclasses.field(default_factory=dict)


def read_site(r: Reader, value: Any, path: str) -> SiteParts:
    parts = SiteParts()
    table = r.table(value, path, SITE_KEYS)
    if table is None:
        return parts
    site_id = r.get(table, path, "id", ident)
    name = r.get(table, path, "name", localized)
    zone = r.get(table, path, "timezone", _timezone)
    parts.opening = r.get(table, path, "opening_hours", read_week)
    anonymous = r.get(table, path, "anonymous_numbering", boolean_field, default=False)
    discovery = r.get(table, path, "home_assistant_discovery", boolean_field, default=False)
    parts.closed = _closed_days(r, table.get("closed_days", []), join_path(path, "closed_days"))
    if (site_id and name and zone and parts.opening is not None and anonymous is not None
            and discovery is not None):
        parts.site = Site(site_id, name, zone, weekly_hours(parts.opening), anonymous,
                          discovery)
    return parts


def _closed_days(r: Reader, value: Any, path: str) -> dict[date, str]:
    """Days the whole site is closed (public holidays): every service gets a closed exception."""
    closed: dict[date, str] = {}
    for p, item in r.items(value, path, "tables with a date"):
        table = r.table(item, p, CLOSED_DAY_KEYS)
        if table is None:
            continue
        day = r.get(table, p, "date", toml_date)
        reason = r.get(table, p, "reason", text_field, default="")
        if day is None or reason is None:
            continue
        if day in closed:
            r.add(join_path(p, "date"), f"{day} is listed twice")
        closed[day] = reason
    return closed
