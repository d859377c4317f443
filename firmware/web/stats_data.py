"""The service team's statistics as chart-ready JSON: a day and a month of the ledger.

Why Chart.js draws them: it is one file, vendored (`static/vendor/chart.umd.min.js`, v4.6.2,
MIT, its licence beside it), so there is no build step, no CDN the site network may not
reach and nothing but the console's own scripts under its content security policy; its
canvas charts stay quick and readable on a tablet. Every chart has a heading, one sentence
that says what it shows, and a plain HTML table of the same numbers beside it, for screen
readers and for anyone who cannot read a chart. Table and chart are drawn from one spec
(`labels` and `series` below), so they cannot disagree.

Pure: events and `piste stats` rows in, dicts out. The figures are never computed here:
a day is `firmware.core.stats.day_report` (and the room reports of `piste stats`), a month's
or a week's totals are the core's `segments` and `Row`, read day by day as the national
report reads them, since numbers start again every service day.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta, tzinfo
from typing import Any

from firmware.central.national import MONTH_COLUMNS
from firmware.core.events import Event, EventType
from firmware.core.stats import COLUMNS, Row, day_report, segments
from firmware.core.utilisation import UTILISATION_COLUMNS, WALK_COLUMNS
from firmware.site_model import SiteConfig

ALL = "all"
ALL_COLOUR = -1  # the stats.js palette's colour for "all authorities"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # [0-9], not \d: no other scripts' digits
MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
FIRST_YEAR, LAST_YEAR = 2000, 2999  # whole weeks around any of their months stay in range
WEEK_COLUMNS = ["site", "week", "first_day", "last_day", "days", "service", "customers",
                *[c for c in COLUMNS if c not in ("service", "hour")]]
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHARES = (("in_session_share", "In session"), ("staff_only_share", "Staff only"),
          ("customer_only_share", "Customer only"), ("vacant_share", "Vacant"))


class BadInput(ValueError):
    """A day or month in the address that is not one; the message says what was expected."""


def _shown(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "…"


def parse_day(text: str | None) -> str | None:
    """The ISO day asked for, None when none was; BadInput for anything else."""
    if text is None or text == "":
        return None
    if not DAY.fullmatch(text):
        raise BadInput(f"'{_shown(text)}' is not a day such as 2026-12-01.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text} is not a day of the calendar.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(f"{text}: the ledger holds days of {FIRST_YEAR}–{LAST_YEAR} only.")
    return day.isoformat()


def parse_month(text: str | None) -> str | None:
    """The month asked for (YYYY-MM), None when none was; BadInput for anything else."""
    if text is None or text == "":
        return None
    if not MONTH.fullmatch(text) or not 1 <= int(text[5:]) <= 12:
        raise BadInput(f"'{_shown(text)}' is not a month such as 2026-12.")
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise BadInput(f"{text}: the ledger holds months of {FIRST_YEAR}–{LAST_YEAR} only.")
    return text


def month_bounds(month: str) -> tuple[str, str]:
    """The first and the last day of a month."""
    first = date.fromisoformat(f"{month}-01")
    after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first.isoformat(), (after - timedelta(days=1)).isoformat()


def weeks_around(first: str, last: str) -> tuple[str, str]:
    """From the Monday before `first` to the Sunday after `last`: whole ISO weeks."""
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return ((a - timedelta(days=a.weekday())).isoformat(),
            (b + timedelta(days=6 - b.weekday())).isoformat())


def _short(when: date) -> str:
    return f"{when.day} {MONTH_NAMES[when.month - 1]}"


def day_label(day: str) -> str:
    """Like "Tue 8 Dec", in English whatever the machine's locale."""
    when = date.fromisoformat(day)
    return f"{WEEKDAY_NAMES[when.weekday()]} {_short(when)}"


def _names(config: SiteConfig) -> dict[str, str]:
    return {s.id: s.name.en for s in config.services}


def _service(config: SiteConfig, service: str) -> str:
    return "All authorities" if service == ALL else _names(config).get(service, service)


def _colour(config: SiteConfig, key: str) -> int:
    """The authority's colour: its place in the config, so every chart colours it alike
    (one no longer in the config gets one after those that are)."""
    ids = [s.id for s in config.services]
    if key == ALL:
        return ALL_COLOUR
    return ids.index(key) if key in ids else len(ids) + len(key)


def _series(key: str, label: str, values: list[Any], colour: int,
            table_only: bool = False) -> dict[str, Any]:
    return {"key": key, "label": label, "values": values, "colour": colour,
            "table_only": table_only}


def _chart(title: str, kind: str, axis: str, unit: str, labels: list[str],
           series: list[dict[str, Any]], summary: str, stacked: bool = False) -> dict[str, Any]:
    """One chart and its table: a row per label, a column per series (some table only)."""
    return {"title": title, "type": kind, "axis": axis, "unit": unit, "labels": labels,
            "series": series, "summary": summary, "stacked": stacked}


def _minutes(value: float | None) -> str:
    return "no value" if value is None else f"{value} min"


def _services_in(rows: Iterable[Mapping[str, Any]], config: SiteConfig) -> list[str]:
    """The authorities in these rows, in the site config's order (unknown ones last)."""
    found = {r["service"] for r in rows if r["service"] != ALL}
    order = [s.id for s in config.services]
    return [s for s in order if s in found] + sorted(found - set(order))


# -- a day --------------------------------------------------------------------------------


def _hourly_chart(rows: list[dict[str, Any]], config: SiteConfig) -> dict[str, Any]:
    hourly = {(r["service"], r["hour"]): r["arrivals"] for r in rows if r["hour"] != ALL}
    hours = sorted({h for _, h in hourly})
    if hours:
        hours = [f"{h:02d}" for h in range(int(hours[0]), int(hours[-1]) + 1)]
    services = _services_in(rows, config)
    series = [_series(s, _service(config, s), [hourly.get((s, h), 0) for h in hours],
                      _colour(config, s)) for s in services]
    totals = [sum(hourly.get((s, h), 0) for s in services) for h in hours]
    series.append(_series(ALL, "All authorities", totals, ALL_COLOUR, table_only=True))
    if totals:
        busiest = max(range(len(hours)), key=lambda i: totals[i])
        summary = (f"{sum(totals)} arrivals; the busiest hour began at {hours[busiest]}:00 "
                   f"with {totals[busiest]}.")
    else:
        summary = "Nobody took a number on this day."
    return _chart("Arrivals per authority and hour", "bar", "Hour the visit began",
                  "customers", [f"{h}:00" for h in hours], series, summary, stacked=True)


def _times_chart(rows: list[dict[str, Any]], config: SiteConfig, kind: str) -> dict[str, Any]:
    """Median and 90th percentile per authority: `kind` "wait" or "service"."""
    totals = {r["service"]: r for r in rows if r["hour"] == ALL}
    keys = [*_services_in(rows, config), ALL] if totals else []
    median = [totals[k][f"{kind}_median_min"] for k in keys]
    p90 = [totals[k][f"{kind}_p90_min"] for k in keys]
    what = "Waiting time" if kind == "wait" else "Service time"
    if keys:
        day = totals[ALL]
        summary = (f"{what}, all authorities: median {_minutes(day[f'{kind}_median_min'])}, "
                   f"90 % within {_minutes(day[f'{kind}_p90_min'])}.")
    else:
        summary = f"No {what.lower()}s on this day."
    return _chart(f"{what} per authority, median and 90th percentile", "bar", "Authority",
                  "minutes", [_service(config, k) for k in keys],
                  [_series("median", "Median", median, 0), _series("p90", "90th percentile",
                                                                   p90, 1)], summary)


def _room_label(config: SiteConfig, room: str) -> str:
    found = config.room(room)
    return found.name.en if found is not None else f"Room {room}"


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _utilisation_chart(rows: list[dict[str, Any]], config: SiteConfig) -> dict[str, Any]:
    totals = [r for r in rows if r["hour"] == ALL]
    series = [_series(key, label, [_percent(r[key]) for r in totals], colour)
              for colour, (key, label) in enumerate(SHARES)]
    series += [
        _series("unknown_share", "Sensors unknown (% of open time)",
                [_percent(r["unknown_share"]) for r in totals], 4, table_only=True),
        _series("sessions", "Sessions", [r["sessions"] for r in totals], 5, table_only=True),
        _series("open_min", "Open minutes", [r["open_min"] for r in totals], 6,
                table_only=True)]
    known = [(r["in_session_share"], r["room"]) for r in totals
             if r["in_session_share"] is not None]
    if known:
        share, room = max(known)
        summary = (f"The busiest room was {_room_label(config, room)}, in session "
                   f"{_percent(share)} % of the time its sensors worked.")
    else:
        summary = "No room's sensors worked during opening hours."
    return _chart("Room utilisation: share of the open time the sensors worked", "bar", "Room",
                  "%", [_room_label(config, r["room"]) for r in totals], series, summary,
                  stacked=True)


def _walking_chart(rows: list[dict[str, Any]], config: SiteConfig) -> dict[str, Any]:
    keys = [r["service"] for r in rows]
    series = [_series("walk_median_s", "Median", [r["walk_median_s"] for r in rows], 0),
              _series("walk_p90_s", "90th percentile", [r["walk_p90_s"] for r in rows], 1)]
    series += [_series(key, key.replace("_", " ").capitalize(), [r[key] for r in rows], i,
                       table_only=True)
               for i, key in enumerate(("calls", "arrived", "not_arrived", "unmeasured"), 2)]
    every = next((r for r in rows if r["service"] == ALL), None)
    if every is not None and every["walk_median_s"] is not None:
        summary = (f"Of {every['calls']} calls, {every['arrived']} customers were seen to "
                   f"arrive, after a median {every['walk_median_s']} s (90 % within "
                   f"{every['walk_p90_s']} s).")
    else:
        summary = "No walking times could be measured on this day."
    return _chart("Walking time from the call to the room, per authority", "bar", "Authority",
                  "seconds", [_service(config, k) for k in keys], series, summary)


def day_totals(day: str, events: Sequence[Event], tz: tzinfo) -> dict[str, Any] | None:
    """The day's all-authorities row of `piste stats` with its day; None without visits."""
    row = next((r for r in day_report(events, tz) if r["service"] == ALL), None)
    return None if row is None else {**row, "day": day}


def _compared_chart(compared: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """This day beside others: (what the day is, its all-authorities row with its day)."""
    labels = [f"{day_label(row['day'])} ({what})" for what, row in compared]
    drawn = (("arrivals", "Arrivals"), ("served", "Served"))
    table = (("wait_median_min", "Median wait (min)"), ("wait_p90_min", "90th pct wait (min)"),
             ("service_median_min", "Median service (min)"))
    series = [_series(k, label, [row[k] for _, row in compared], i)
              for i, (k, label) in enumerate(drawn)]
    series += [_series(k, label, [row[k] for _, row in compared], i + 2, table_only=True)
               for i, (k, label) in enumerate(table)]
    parts = [f"{row['arrivals']} arrivals on {day_label(row['day'])} ({what})"
             for what, row in compared]
    return _chart("This day compared", "bar", "Day", "customers", labels, series,
                  "; ".join(parts) + ".")


def day_view(config: SiteConfig, day: str, events: Sequence[Event],
             rooms: Mapping[str, list[dict[str, Any]]],
             compared: Sequence[tuple[str, dict[str, Any]]], tz: tzinfo) -> dict[str, Any]:
    """A day as the page draws it; `rows` and the room tables are `piste stats --format json`.

    `rooms`: the day's room reports ({} without occupancy data); `compared`: other days'
    `day_totals`, each with what it is to this day ("previous day", "a week before").
    """
    rows = day_report(events, tz)
    charts = {"hourly": _hourly_chart(rows, config),
              "waits": _times_chart(rows, config, "wait"),
              "service_times": _times_chart(rows, config, "service")}
    if rooms.get("utilisation"):
        charts["utilisation"] = _utilisation_chart(rooms["utilisation"], config)
    if rooms.get("walking"):
        charts["walking"] = _walking_chart(rooms["walking"], config)
    this = day_totals(day, events, tz)
    if this is not None:
        charts["compared"] = _compared_chart([("this day", this), *compared])
    return {"ok": True, "site": config.site.id, "day": day, "label": day_label(day),
            "names": {**_names(config), ALL: "All authorities"}, "rows": rows, **rooms,
            "charts": charts}


def _tables(tables: Sequence[tuple[list[str], Iterable[Mapping[str, Any]]]]) -> str:
    """CSV tables one after another, each with its header, a blank line between."""
    out = io.StringIO()
    for index, (columns, rows) in enumerate(tables):
        if index:
            out.write("\n")
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def day_csv(view: Mapping[str, Any]) -> str:
    """Exactly `piste stats --format csv`: the day's rows, then its room tables if any."""
    tables = [(COLUMNS, view["rows"])]
    tables += [(columns, view[name]) for name, columns in
               (("utilisation", UTILISATION_COLUMNS), ("walking", WALK_COLUMNS)) if name in view]
    return _tables([(["day", *columns], [{"day": view["day"], **row} for row in rows])
                    for columns, rows in tables])


# -- a month ------------------------------------------------------------------------------


def totals(groups: Mapping[str, Sequence[Sequence[Event]]]) -> dict[str, list[dict[str, Any]]]:
    """Per group (a month, a week) its days' events: a row per authority, then "all".

    `customers` are the numbers taken (`ticket.issued`); the rest is `piste stats`'s row
    (arrivals count a transferred visit for each authority it visited). Segments are read
    day by day: numbers start again each service day.
    """
    result: dict[str, list[dict[str, Any]]] = {}
    for group, days in groups.items():
        rows: dict[str, Row] = {}
        customers: dict[str, int] = {}
        for events in days:
            for segment in segments(events):
                for key in (segment.service, ALL):
                    rows.setdefault(key, Row(key, ALL)).add(segment)
            for e in events:
                if e.type is EventType.TICKET_ISSUED:
                    for key in (e.data["service"], ALL):
                        customers[key] = customers.get(key, 0) + 1
        order = sorted(rows, key=lambda k: (k == ALL, k))
        result[group] = [{"customers": customers.get(k, 0), **rows[k].as_dict()} for k in order]
    return result


def _iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _week_label(week: str) -> str:
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    sunday = monday + timedelta(days=6)
    return f"Week {int(week[6:])} ({_short(monday)}–{_short(sunday)})"


def _week_rows(config: SiteConfig, days: Mapping[str, Sequence[Event]],
               weeks: list[str]) -> list[dict[str, Any]]:
    """Whole ISO weeks, also their days in the month before or after."""
    groups: dict[str, list[Sequence[Event]]] = {w: [] for w in weeks}
    for day in sorted(days):
        if _iso_week(day) in groups:
            groups[_iso_week(day)].append(days[day])
    result = []
    for week, rows in totals(groups).items():
        monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
        facts = {"site": config.site.id, "week": week, "first_day": monday.isoformat(),
                 "last_day": (monday + timedelta(days=6)).isoformat(),
                 "days": len(groups[week])}
        result += [{c: {**facts, **row}[c] for c in WEEK_COLUMNS} for row in rows]
    return result


def _daily_chart(daily: list[dict[str, Any]], days: list[str],
                 config: SiteConfig) -> dict[str, Any]:
    by = {(r["day"], r["service"]): r for r in daily}
    series = [_series(s, _service(config, s), [by[(d, s)]["arrivals"] if (d, s) in by else 0
                                                for d in days], _colour(config, s))
              for s in _services_in(daily, config)]
    every = [by[(d, ALL)]["arrivals"] for d in days]
    series.append(_series(ALL, "All authorities", every, ALL_COLOUR, table_only=True))
    busiest = max(range(len(days)), key=lambda i: every[i])
    summary = (f"{sum(every)} arrivals on {len(days)} days; the busiest was "
               f"{day_label(days[busiest])} with {every[busiest]}.")
    return _chart("Arrivals per authority and day", "bar", "Day",
                  "customers", [day_label(d) for d in days], series, summary, stacked=True)


def _daily_wait_chart(daily: list[dict[str, Any]], days: list[str],
                      config: SiteConfig) -> dict[str, Any]:
    by = {(r["day"], r["service"]): r["wait_median_min"] for r in daily}
    keys = [*_services_in(daily, config), ALL]
    series = [_series(k, _service(config, k), [by.get((d, k)) for d in days],
                      _colour(config, k)) for k in keys]
    known = [(by[(d, ALL)], d) for d in days if by.get((d, ALL)) is not None]
    if known:
        (low, low_day), (high, high_day) = min(known), max(known)
        summary = (f"The median wait of all authorities was between {low} min "
                   f"({day_label(low_day)}) and {high} min ({day_label(high_day)}).")
    else:
        summary = "Nobody was called this month."
    return _chart("Median wait per authority and day", "line", "Day", "minutes",
                  [day_label(d) for d in days], series, summary)


def _weeks_chart(weeks: list[dict[str, Any]], config: SiteConfig) -> dict[str, Any]:
    names = sorted({r["week"] for r in weeks})
    by = {(r["week"], r["service"]): r for r in weeks}
    series = [_series(s, _service(config, s), [by[(w, s)]["arrivals"] if (w, s) in by else 0
                                                for w in names], _colour(config, s))
              for s in _services_in(weeks, config)]
    every = [by[(w, ALL)] for w in names]
    series += [_series(f"all_{key}", label, [row[key] for row in every], i, table_only=True)
               for i, (key, label) in enumerate((
                   ("arrivals", "All arrivals"), ("served", "Served"),
                   ("wait_median_min", "Median wait (min)"),
                   ("wait_p90_min", "90th pct wait (min)"), ("days", "Days with data")))]
    parts = [f"week {int(w[6:])}: {row['arrivals']}" for w, row in zip(names, every,
                                                                        strict=True)]
    return _chart("Weeks compared: arrivals per authority (whole weeks)", "bar", "Week",
                  "customers", [_week_label(w) for w in names], series,
                  "Arrivals per week, " + ", ".join(parts) + ".", stacked=True)


def month_view(config: SiteConfig, month: str, days: Mapping[str, Sequence[Event]],
               tz: tzinfo) -> dict[str, Any]:
    """A month as the page draws it, from each day's ticket events (`days`: the days with
    data from the Monday before the month to the Sunday after it, for whole weeks). Its
    `days` are those with visits (not only a late expiry, say).

    `rows` are every day's `piste stats` rows (for the CSV), `daily` their per-authority
    totals, `totals` the month's per authority as the national report has them (its
    MONTH_COLUMNS), `weeks` the same per ISO week touching the month.
    """
    first, last = month_bounds(month)
    reports = {d: day_report(days[d], tz) for d in sorted(days) if first <= d <= last}
    in_month = [d for d, report in reports.items() if report]  # the days with visits
    rows = [{"day": d, **r} for d in in_month for r in reports[d]]
    daily = [r for r in rows if r["hour"] == ALL]
    month_rows = totals({month: [days[d] for d in in_month]})[month]
    weeks = _week_rows(config, days, sorted({_iso_week(d) for d in in_month}))
    charts = {}
    if in_month:
        charts = {"daily": _daily_chart(daily, in_month, config),
                  "daily_waits": _daily_wait_chart(daily, in_month, config),
                  "weeks": _weeks_chart(weeks, config)}
    return {"ok": True, "site": config.site.id, "month": month, "first_day": first,
            "last_day": last, "days": in_month,
            "names": {**_names(config), ALL: "All authorities"},
            "totals": [{c: {"site": config.site.id, "month": month, **r}[c]
                        for c in MONTH_COLUMNS} for r in month_rows],
            "weeks": weeks, "daily": daily, "rows": rows, "charts": charts}


def month_csv(view: Mapping[str, Any]) -> str:
    """Every day's `piste stats` rows, the month per authority, the weeks per authority."""
    return _tables([(["day", *COLUMNS], view["rows"]), (MONTH_COLUMNS, view["totals"]),
                    (WEEK_COLUMNS, view["weeks"])])

