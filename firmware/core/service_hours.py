"""When a service takes customers: weekly hours, date exceptions and the site's opening hours.

All functions take the moment in question; none reads a clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from firmware.site_model import Service, Site, TimeRange

# How far ahead `next_open` looks: two weeks covers Christmas and a closed week.
LOOKAHEAD_DAYS = 21


def ranges_on(service: Service, site: Site, day: date) -> tuple[TimeRange, ...]:
    """The intervals the service is open on `day`, cut to the site's opening hours.

    A date exception replaces the weekly hours of that service; the site's own hours are an
    outer limit (nobody is served behind locked doors).
    """
    exception = next((e for e in service.exceptions if e.day == day), None)
    own = exception.ranges if exception is not None else service.hours.on(day.weekday())
    site_ranges = site.opening_hours.on(day.weekday())
    cut: list[TimeRange] = []
    for r in own:
        for s in site_ranges:
            start, end = max(r.start, s.start), min(r.end, s.end)
            if start < end:
                cut.append(TimeRange(start, end))
    return tuple(sorted(cut, key=lambda r: r.start))


def is_open(service: Service, site: Site, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(site.timezone))
    return any(r.contains(local.time()) for r in ranges_on(service, site, local.date()))


def next_open(service: Service, site: Site, at: datetime) -> datetime | None:
    """The next moment after `at` at which the service opens, or None within the lookahead."""
    tz = ZoneInfo(site.timezone)
    local = at.astimezone(tz)
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        for r in ranges_on(service, site, day):
            start = datetime.combine(day, r.start, tzinfo=tz)
            if start > local:
                return start
    return None


def closes_at(service: Service, site: Site, at: datetime) -> datetime | None:
    """When the interval that contains `at` ends, or None when the service is closed."""
    tz = ZoneInfo(site.timezone)
    local = at.astimezone(tz)
    for r in ranges_on(service, site, local.date()):
        if r.contains(local.time()):
            return datetime.combine(local.date(), r.end, tzinfo=tz)
    return None


def service_day(site: Site, at: datetime) -> str:
    """The service day a moment belongs to (ISO date in the site's time zone)."""
    return at.astimezone(ZoneInfo(site.timezone)).date().isoformat()
