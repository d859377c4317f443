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

Every word is the staff member's language (`lang`, English unless asked: `piste stats` and
the tests read English), every number the same in all three; the CSV files keep the
English column names of `piste stats`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from firmware.central.national import (
    LANGUAGE_MONTH_COLUMNS,
    LEG_MONTH_COLUMNS,
    MONTH_COLUMNS,
    ROOM_TIME_MONTH_COLUMNS,
    VISIT_MONTH_COLUMNS,
)
from firmware.core.day_report import REASON_KEYS, day_end, day_start
from firmware.core.events import Event, EventType
from firmware.core.stats import (
    COLUMNS,
    EXTRA_TABLES,
    Row,
    day_report,
    language_rows,
    leg_rows,
    room_time_rows,
    segments,
)
from firmware.core.utilisation import UTILISATION_COLUMNS, WALK_COLUMNS
from firmware.site_model import SiteConfig
from firmware.web.texts import translator

ALL = "all"
ALL_COLOUR = -1  # the stats.js palette's colour for "all authorities"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # [0-9], not \d: no other scripts' digits
MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
FIRST_YEAR, LAST_YEAR = 2000, 2999  # whole weeks around any of their months stay in range
WEEK_COLUMNS = ["site", "week", "first_day", "last_day", "days", "service", "customers",
                *[c for c in COLUMNS if c not in ("service", "hour")]]
SHARES = (("in_session_share", "stats_in_session"), ("staff_only_share", "stats_staff_only"),
          ("customer_only_share", "stats_customer_only"), ("vacant_share", "stats_vacant"))
Say = Callable[..., str]  # `t(key, **values)` of firmware.web.texts, in one language
ENGLISH = translator("en")


class BadInput(ValueError):
    """A day or month in the address that is not one; the message says what was expected.

    It keeps its text's key, so the page says it in the reader's language (`said`); as an
    exception it reads in English, like the log and `piste stats`.
    """

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(ENGLISH(key, **values))
        self.key, self.values = key, values

    def said(self, t: Say) -> str:
        return t(self.key, **self.values)


def _shown(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "…"


def parse_day(text: str | None) -> str | None:
    """The ISO day asked for, None when none was; BadInput for anything else."""
    if text is None or text == "":
        return None
    if not DAY.fullmatch(text):
        raise BadInput("stats_bad_day", text=_shown(text))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput("stats_no_such_day", text=text) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput("stats_day_range", text=text, first=FIRST_YEAR, last=LAST_YEAR)
    return day.isoformat()


def parse_month(text: str | None) -> str | None:
    """The month asked for (YYYY-MM), None when none was; BadInput for anything else."""
    if text is None or text == "":
        return None
    if not MONTH.fullmatch(text) or not 1 <= int(text[5:]) <= 12:
        raise BadInput("stats_bad_month", text=_shown(text))
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise BadInput("stats_month_range", text=text, first=FIRST_YEAR, last=LAST_YEAR)
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


def _short(when: date, lang: str) -> str:
    t = translator(lang)
    return t("stats_date", day=when.day, month=t("stats_months").split()[when.month - 1])


def day_label(day: str, lang: str = "en") -> str:
    """Like "Tue 8 Dec", "ti 8. joulu": our own names, whatever the machine's locale."""
    when = date.fromisoformat(day)
    return f"{translator(lang)('stats_weekdays').split()[when.weekday()]} {_short(when, lang)}"


def _names(config: SiteConfig, lang: str) -> dict[str, str]:
    return {s.id: s.name.get(lang) for s in config.services}


def _service(config: SiteConfig, service: str, lang: str) -> str:
    if service == ALL:
        return translator(lang)("stats_all")
    return _names(config, lang).get(service, service)


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


def _minutes(value: float | None, t: Say) -> str:
    return t("stats_no_value") if value is None else f"{value} min"


def _services_in(rows: Iterable[Mapping[str, Any]], config: SiteConfig) -> list[str]:
    """The authorities in these rows, in the site config's order (unknown ones last)."""
    found = {r["service"] for r in rows if r["service"] != ALL}
    order = [s.id for s in config.services]
    return [s for s in order if s in found] + sorted(found - set(order))


# -- a day --------------------------------------------------------------------------------


def _hourly_chart(rows: list[dict[str, Any]], config: SiteConfig, lang: str) -> dict[str, Any]:
    t = translator(lang)
    hourly = {(r["service"], r["hour"]): r["arrivals"] for r in rows if r["hour"] != ALL}
    hours = sorted({h for _, h in hourly})
    if hours:
        hours = [f"{h:02d}" for h in range(int(hours[0]), int(hours[-1]) + 1)]
    services = _services_in(rows, config)
    series = [_series(s, _service(config, s, lang), [hourly.get((s, h), 0) for h in hours],
                      _colour(config, s)) for s in services]
    totals = [sum(hourly.get((s, h), 0) for s in services) for h in hours]
    series.append(_series(ALL, t("stats_all"), totals, ALL_COLOUR, table_only=True))
    if totals:
        busiest = max(range(len(hours)), key=lambda i: totals[i])
        summary = t("stats_hourly_summary", total=sum(totals),
                    hour=t("stats_hour", hour=hours[busiest]), busiest=totals[busiest])
    else:
        summary = t("stats_hourly_none")
    return _chart(t("stats_hourly_title"), "bar", t("stats_hourly_axis"),
                  t("stats_customers"), [t("stats_hour", hour=h) for h in hours], series,
                  summary, stacked=True)


def _times_chart(rows: list[dict[str, Any]], config: SiteConfig, kind: str,
                 lang: str) -> dict[str, Any]:
    """Median and 90th percentile per authority: `kind` "wait" or "service"."""
    t = translator(lang)
    totals = {r["service"]: r for r in rows if r["hour"] == ALL}
    keys = [*_services_in(rows, config), ALL] if totals else []
    median = [totals[k][f"{kind}_median_min"] for k in keys]
    p90 = [totals[k][f"{kind}_p90_min"] for k in keys]
    what = t("stats_wait") if kind == "wait" else t("stats_service_time")
    if keys:
        day = totals[ALL]
        summary = t("stats_times_summary", what=what,
                    median=_minutes(day[f"{kind}_median_min"], t),
                    p90=_minutes(day[f"{kind}_p90_min"], t))
    else:
        summary = t("stats_waits_none" if kind == "wait" else "stats_service_none")
    return _chart(t("stats_waits_title" if kind == "wait" else "stats_service_title"), "bar",
                  t("stats_authority"), t("stats_minutes"),
                  [_service(config, k, lang) for k in keys],
                  [_series("median", t("stats_median"), median, 0),
                   _series("p90", t("stats_p90"), p90, 1)], summary)


def _room_label(config: SiteConfig, room: str, lang: str) -> str:
    found = config.room(room)
    return found.name.get(lang) if found is not None else translator(lang)("stats_room_n",
                                                                            room=room)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _utilisation_chart(rows: list[dict[str, Any]], config: SiteConfig,
                       lang: str) -> dict[str, Any]:
    t = translator(lang)
    totals = [r for r in rows if r["hour"] == ALL]
    series = [_series(key, t(label), [_percent(r[key]) for r in totals], colour)
              for colour, (key, label) in enumerate(SHARES)]
    series += [
        _series("unknown_share", t("stats_unknown_share"),
                [_percent(r["unknown_share"]) for r in totals], 4, table_only=True),
        _series("sessions", t("stats_sessions"), [r["sessions"] for r in totals], 5,
                table_only=True),
        _series("open_min", t("stats_open_min"), [r["open_min"] for r in totals], 6,
                table_only=True)]
    known = [(r["in_session_share"], r["room"]) for r in totals
             if r["in_session_share"] is not None]
    if known:
        share, room = max(known)
        summary = t("stats_utilisation_summary", room=_room_label(config, room, lang),
                    share=_percent(share))
    else:
        summary = t("stats_utilisation_none")
    return _chart(t("stats_utilisation_title"), "bar", t("stats_room"), "%",
                  [_room_label(config, r["room"], lang) for r in totals], series, summary,
                  stacked=True)


LANGUAGE_SERIES = (("wait_median_min", "stats_wait_median"), ("wait_p90_min", "stats_wait_p90"),
                   ("calls", "stats_calls"), ("decided_by_language", "stats_report_decided"))
LEG_SERIES = (("legs", "stats_legs"), ("continued_in", "stats_report_continued_in"),
              ("served", "stats_served"), ("service_median_min", "stats_service_median"),
              ("service_p90_min", "stats_service_p90"))
LANGUAGES = ("fi", "sv", "en")
MONTH_EXTRA_TABLES = (("languages", LANGUAGE_MONTH_COLUMNS), ("legs", LEG_MONTH_COLUMNS),
                      ("visits", VISIT_MONTH_COLUMNS), ("room_time", ROOM_TIME_MONTH_COLUMNS))

WALK_COUNTS = (("calls", "stats_calls"), ("arrived", "stats_arrived"),
               ("not_arrived", "stats_not_arrived"), ("unmeasured", "stats_unmeasured"))


def _walking_chart(rows: list[dict[str, Any]], config: SiteConfig, lang: str) -> dict[str, Any]:
    t = translator(lang)
    keys = [r["service"] for r in rows]
    series = [_series("walk_median_s", t("stats_median"), [r["walk_median_s"] for r in rows], 0),
              _series("walk_p90_s", t("stats_p90"), [r["walk_p90_s"] for r in rows], 1)]
    series += [_series(key, t(label), [r[key] for r in rows], i, table_only=True)
               for i, (key, label) in enumerate(WALK_COUNTS, 2)]
    every = next((r for r in rows if r["service"] == ALL), None)
    if every is not None and every["walk_median_s"] is not None:
        summary = t("stats_walking_summary", calls=every["calls"], arrived=every["arrived"],
                    median=every["walk_median_s"], p90=every["walk_p90_s"])
    else:
        summary = t("stats_walking_none")
    return _chart(t("stats_walking_title"), "bar", t("stats_authority"), t("stats_seconds"),
                  [_service(config, k, lang) for k in keys], series, summary)


# -- languages, legs and the rooms' time (issue 24) ---------------------------------------


def _language_chart(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    t = translator(lang)
    series = [_series("customers", t("stats_customers_col"), [r["customers"] for r in rows], 0)]
    series += [_series(key, t(label), [r[key] for r in rows], i, table_only=True)
               for i, (key, label) in enumerate(LANGUAGE_SERIES, 1)]
    decided = sum(r["decided_by_language"] for r in rows)
    summary = t("stats_languages_summary", parts=", ".join(
        t("stats_languages_part", lang=_language(r["lang"], lang), customers=r["customers"])
        for r in rows), decided=decided)
    return _chart(t("stats_languages_title"), "bar", t("stats_report_language"),
                  t("stats_customers"), [_language(r["lang"], lang) for r in rows], series,
                  summary)


def _language(code: str, lang: str) -> str:
    return translator(lang)(f"stats_report_lang_{code}") if code in LANGUAGES else code


def _legs_chart(rows: list[dict[str, Any]], counts: Mapping[str, int], config: SiteConfig,
                lang: str) -> dict[str, Any]:
    t = translator(lang)
    series = [_series("wait_median_min", t("stats_median"), [r["wait_median_min"] for r in rows],
                      0),
              _series("wait_p90_min", t("stats_p90"), [r["wait_p90_min"] for r in rows], 1)]
    series += [_series(key, t(label), [r[key] for r in rows], i, table_only=True)
               for i, (key, label) in enumerate(LEG_SERIES, 2)]
    summary = t("stats_legs_summary", tickets=counts["tickets"],
                several=counts["several_authorities"])
    return _chart(t("stats_legs_title"), "bar", t("stats_authority"), t("stats_minutes"),
                  [_service(config, r["service"], lang) for r in rows], series, summary)


def _time_chart(rows: list[dict[str, Any]], labels: list[str], kind: str,
                lang: str) -> dict[str, Any]:
    """Serving and paused minutes, stacked, per room (`kind` "room") or authority."""
    t = translator(lang)
    series = [_series("serving_min", t("stats_report_serving"), [r["serving_min"] for r in rows],
                      0),
              _series("paused_min", t("stats_report_paused"), [r["paused_min"] for r in rows],
                      1)]
    if kind == "room":
        series += [_series(f"paused_{reason}_min", t(f"stats_report_reason_{reason}"),
                           [r[f"paused_{reason}_min"] for r in rows], i, table_only=True)
                   for i, reason in enumerate(REASON_KEYS, 2)]
    else:
        series.append(_series("rooms", t("stats_rooms_count"), [r["rooms"] for r in rows], 2,
                              table_only=True))
    paused = sum(r["paused_min"] for r in rows) if kind == "room" else None
    summary = t("stats_room_time_summary", paused=round(paused or 0, 1)) if kind == "room" \
        else t("stats_authority_time_summary")
    return _chart(t(f"stats_{kind}_time_title"), "bar",
                  t("stats_room" if kind == "room" else "stats_authority"), t("stats_minutes"),
                  labels, series, summary, stacked=True)


def extra_charts(extras: Mapping[str, Any], config: SiteConfig, lang: str) -> dict[str, Any]:
    """The charts of `day_extras`' tables (none for a day without visits)."""
    if not extras:
        return {}
    charts = {"languages": _language_chart(extras["languages"], lang),
              "legs": _legs_chart(extras["legs"], extras["visits"][0], config, lang)}
    if extras["room_time"]:
        charts["room_time"] = _time_chart(
            extras["room_time"], [_room_label(config, r["room"], lang)
                                  for r in extras["room_time"]], "room", lang)
        charts["authority_time"] = _time_chart(
            extras["authority_time"], [_service(config, r["service"], lang)
                                       for r in extras["authority_time"]], "authority", lang)
    return charts


def day_totals(day: str, events: Sequence[Event], tz: tzinfo) -> dict[str, Any] | None:
    """The day's all-authorities row of `piste stats` with its day; None without visits."""
    row = next((r for r in day_report(events, tz) if r["service"] == ALL), None)
    return None if row is None else {**row, "day": day}


def _compared_chart(compared: list[tuple[str, dict[str, Any]]], lang: str) -> dict[str, Any]:
    """This day beside others: (the key of what the day is, its all-authorities row)."""
    t = translator(lang)
    labels = [f"{day_label(row['day'], lang)} ({t(what)})" for what, row in compared]
    drawn = (("arrivals", "stats_arrivals"), ("served", "stats_served"))
    table = (("wait_median_min", "stats_wait_median"), ("wait_p90_min", "stats_wait_p90"),
             ("service_median_min", "stats_service_median"))
    series = [_series(k, t(label), [row[k] for _, row in compared], i)
              for i, (k, label) in enumerate(drawn)]
    series += [_series(k, t(label), [row[k] for _, row in compared], i + 2, table_only=True)
               for i, (k, label) in enumerate(table)]
    parts = [t("stats_compared_part", arrivals=row["arrivals"], day=day_label(row["day"], lang),
               what=t(what)) for what, row in compared]
    return _chart(t("stats_compared_title"), "bar", t("stats_day"), t("stats_customers"),
                  labels, series, "; ".join(parts) + ".")


def day_view(config: SiteConfig, day: str, events: Sequence[Event],
             rooms: Mapping[str, list[dict[str, Any]]],
             compared: Sequence[tuple[str, dict[str, Any]]], tz: tzinfo,
             lang: str = "en", extras: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A day as the page draws it; `rows` and the room tables are `piste stats --format json`.

    `rooms`: the day's room reports ({} without occupancy data); `compared`: other days'
    `day_totals`, each with the text key of what it is to this day ("stats_previous_day",
    "stats_week_before"). `lang`: the language of every word; the numbers are the same.
    `extras`: the day's `firmware.core.stats.day_extras` (per language, per leg, the rooms'
    and authorities' serving and paused time), drawn after the rest.
    """
    rows = day_report(events, tz)
    charts = {"hourly": _hourly_chart(rows, config, lang),
              "waits": _times_chart(rows, config, "wait", lang),
              "service_times": _times_chart(rows, config, "service", lang)}
    if rooms.get("utilisation"):
        charts["utilisation"] = _utilisation_chart(rooms["utilisation"], config, lang)
    if rooms.get("walking"):
        charts["walking"] = _walking_chart(rooms["walking"], config, lang)
    this = day_totals(day, events, tz)
    if this is not None:
        charts["compared"] = _compared_chart([("stats_this_day", this), *compared], lang)
    charts.update(extra_charts(extras or {}, config, lang))
    return {"ok": True, "site": config.site.id, "day": day, "label": day_label(day, lang),
            "names": {**_names(config, lang), ALL: translator(lang)("stats_all")},
            "rows": rows, **rooms, **(extras or {}), "charts": charts}


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
    """Exactly `piste stats --format csv`: the day's rows, then its room tables if any, then
    its languages, legs, visits and serving and paused time if it had visits."""
    tables = [(COLUMNS, view["rows"])]
    tables += [(columns, view[name]) for name, columns in
               (("utilisation", UTILISATION_COLUMNS), ("walking", WALK_COLUMNS),
                *EXTRA_TABLES) if name in view]
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


def _week_label(week: str, lang: str) -> str:
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    sunday = monday + timedelta(days=6)
    return translator(lang)("stats_week_label", week=int(week[6:]), first=_short(monday, lang),
                            last=_short(sunday, lang))


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
                 config: SiteConfig, lang: str) -> dict[str, Any]:
    t = translator(lang)
    by = {(r["day"], r["service"]): r for r in daily}
    series = [_series(s, _service(config, s, lang),
                      [by[(d, s)]["arrivals"] if (d, s) in by else 0 for d in days],
                      _colour(config, s))
              for s in _services_in(daily, config)]
    every = [by[(d, ALL)]["arrivals"] for d in days]
    series.append(_series(ALL, t("stats_all"), every, ALL_COLOUR, table_only=True))
    busiest = max(range(len(days)), key=lambda i: every[i])
    summary = t("stats_daily_summary", total=sum(every), days=len(days),
                day=day_label(days[busiest], lang), busiest=every[busiest])
    return _chart(t("stats_daily_title"), "bar", t("stats_day"), t("stats_customers"),
                  [day_label(d, lang) for d in days], series, summary, stacked=True)


def _daily_wait_chart(daily: list[dict[str, Any]], days: list[str],
                      config: SiteConfig, lang: str) -> dict[str, Any]:
    t = translator(lang)
    by = {(r["day"], r["service"]): r["wait_median_min"] for r in daily}
    keys = [*_services_in(daily, config), ALL]
    series = [_series(k, _service(config, k, lang), [by.get((d, k)) for d in days],
                      _colour(config, k)) for k in keys]
    known = [(by[(d, ALL)], d) for d in days if by.get((d, ALL)) is not None]
    if known:
        (low, low_day), (high, high_day) = min(known), max(known)
        summary = t("stats_daily_waits_summary", low=low, low_day=day_label(low_day, lang),
                    high=high, high_day=day_label(high_day, lang))
    else:
        summary = t("stats_daily_waits_none")
    return _chart(t("stats_daily_waits_title"), "line", t("stats_day"), t("stats_minutes"),
                  [day_label(d, lang) for d in days], series, summary)


WEEK_SERIES = (("arrivals", "stats_all_arrivals"), ("served", "stats_served"),
               ("wait_median_min", "stats_wait_median"), ("wait_p90_min", "stats_wait_p90"),
               ("days", "stats_days_with_data"))


def _weeks_chart(weeks: list[dict[str, Any]], config: SiteConfig, lang: str) -> dict[str, Any]:
    t = translator(lang)
    names = sorted({r["week"] for r in weeks})
    by = {(r["week"], r["service"]): r for r in weeks}
    series = [_series(s, _service(config, s, lang),
                      [by[(w, s)]["arrivals"] if (w, s) in by else 0 for w in names],
                      _colour(config, s))
              for s in _services_in(weeks, config)]
    every = [by[(w, ALL)] for w in names]
    series += [_series(f"all_{key}", t(label), [row[key] for row in every], i, table_only=True)
               for i, (key, label) in enumerate(WEEK_SERIES)]
    parts = [t("stats_weeks_part", week=int(w[6:]), arrivals=row["arrivals"])
             for w, row in zip(names, every, strict=True)]
    return _chart(t("stats_weeks_title"), "bar", t("stats_week"), t("stats_customers"),
                  [_week_label(w, lang) for w in names], series,
                  t("stats_weeks_summary", weeks=", ".join(parts)), stacked=True)


def month_view(config: SiteConfig, month: str, days: Mapping[str, Sequence[Event]],
               tz: tzinfo, lang: str = "en", now: datetime | None = None) -> dict[str, Any]:
    """A month as the page draws it, from each day's ticket events (`days`: the days with
    data from the Monday before the month to the Sunday after it, for whole weeks). Its
    `days` are those with visits (not only a late expiry, say).

    `rows` are every day's `piste stats` rows (for the CSV), `daily` their per-authority
    totals, `totals` the month's per authority as the national report has them (its
    MONTH_COLUMNS), `weeks` the same per ISO week touching the month. `languages`, `legs`
    and `visits` are the month's as the national report has them; `room_time` the rooms'
    serving and paused minutes over the month's days, each from the site's opening to the
    day's end (or `now`, for a day still going). `lang`: the language of the charts' words
    and the names; the numbers are the same in every language.
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
        charts = {"daily": _daily_chart(daily, in_month, config, lang),
                  "daily_waits": _daily_wait_chart(daily, in_month, config, lang),
                  "weeks": _weeks_chart(weeks, config, lang)}
    return {"ok": True, "site": config.site.id, "month": month, "first_day": first,
            "last_day": last, "days": in_month,
            "names": {**_names(config, lang), ALL: translator(lang)("stats_all")},
            "totals": [{c: {"site": config.site.id, "month": month, **r}[c]
                        for c in MONTH_COLUMNS} for r in month_rows],
            "weeks": weeks, "daily": daily, "rows": rows, "charts": charts,
            "row_names": _row_names(config, lang),
            **_month_extras(config, month, [(d, days[d]) for d in in_month], now)}


def _row_names(config: SiteConfig, lang: str) -> dict[str, dict[str, str]]:
    """What the page calls the rows of the month's extra tables, by their first field."""
    t = translator(lang)
    return {"lang": {code: _language(code, lang) for code in LANGUAGES},
            "service": {**_names(config, lang), ALL: t("stats_all")},
            "room": {r.id: r.name.get(lang) for r in config.rooms}}


def _month_extras(config: SiteConfig, month: str, days: list[tuple[str, Sequence[Event]]],
                  now: datetime | None) -> dict[str, list[dict[str, Any]]]:
    """The month per language, per leg, its visits and its rooms' serving and paused time,
    every row starting with the site and the month."""
    legs, counts = leg_rows(events for _, events in days)
    spans = []
    for day, events in days:
        start, end = day_start(config, day, events), day_end(config, day)
        end = end if now is None else min(now, end)
        if start is not None and end > start:
            spans.append((events, start, end))
    facts = {"site": config.site.id, "month": month}
    return {
        "languages": [{**facts, **r} for r in language_rows(events for _, events in days)],
        "legs": [{**facts, **r} for r in legs],
        "visits": [{**facts, **counts}] if counts["tickets"] else [],
        "room_time": [{**facts, **r}
                      for r in room_time_rows(spans, [r.id for r in config.rooms])]}


def month_csv(view: Mapping[str, Any]) -> str:
    """Every day's `piste stats` rows, the month per authority, the weeks per authority;
    then the month per language, per leg, its visits and its rooms' time."""
    return _tables([(["day", *COLUMNS], view["rows"]), (MONTH_COLUMNS, view["totals"]),
                    (WEEK_COLUMNS, view["weeks"]),
                    *[(columns, view[name]) for name, columns in MONTH_EXTRA_TABLES]])



# -- the safety alarms (issue 26) ---------------------------------------------------------

ALARM_MONTHS = 12  # the section shows a year of months, up to the month asked for
ALARM_FIGURES = (("count", "stats_alarms_count"), ("escalated", "stats_alarms_escalated"),
                 ("acknowledged", "stats_alarms_acknowledged"),
                 ("ack_median_s", "stats_alarms_ack_median"),
                 ("ack_p90_s", "stats_alarms_ack_p90"),
                 ("ack_longest_s", "stats_alarms_ack_longest"),
                 ("cleared_unacknowledged", "stats_alarms_cleared_unacknowledged"))


def alarm_window(month: str) -> tuple[str, str]:
    """The first and the last month of the year of months that ends with `month`."""
    year, number = int(month[:4]), int(month[5:])
    index = year * 12 + number - 1 - (ALARM_MONTHS - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", month


def alarm_view(rows: Iterable[Mapping[str, Any]], first: str, last: str,
               lang: str = "en") -> dict[str, Any]:
    """The section's table: `firmware.core.alarm_stats` rows of the months `first`..`last`
    (alarms, then drills, of each month with any), with the words of `lang`."""
    t = translator(lang)
    shown = [dict(r) for r in rows if first <= r["month"] <= last]
    alarms = sum(r["count"] for r in shown if r["kind"] == "alarm")
    drills = sum(r["count"] for r in shown if r["kind"] == "drill")
    summary = (t("stats_alarms_summary", first=first, last=last, alarms=alarms, drills=drills)
               if shown else t("stats_alarms_none", first=first, last=last))
    return {"first": first, "last": last, "rows": shown, "summary": summary,
            "kinds": {"alarm": t("stats_alarms_kind_alarm"),
                      "drill": t("stats_alarms_kind_drill")},
            "columns": [(key, t(label)) for key, label in ALARM_FIGURES]}
