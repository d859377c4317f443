"""The service team's statistics pages: a day and a month as charts, tables and CSV files.

The figures come from the controller's ledger (`ledger.sqlite` in the device's data
directory), opened read-only: the controller may be writing it in this process or another,
and a reader must neither block it nor change the file. Reading a month is seconds of work
on a Pi, so every read runs on a worker thread, never on the server's loop, and a month's
result is kept until the ledger grows. A console on a device without the controller's
ledger, a day or month in the address that is none, or one without data answers with a
sentence (on the page, or as JSON `{"ok": false, "message"}`), never a traceback.

Pages, JSON and sentences are in the staff member's language (`auth.lang_of`); the numbers
and the CSV files (`piste stats`'s own, English column names) are the same in every one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from firmware.central.national import ROOM_STATE, TICKET_TYPES
from firmware.controller.ledger import Ledger
from firmware.controller.occupancy import room_reports
from firmware.core.alarm_stats import ALARM_EVENT_TYPES, alarm_months
from firmware.core.events import Event
from firmware.core.stats import day_extras
from firmware.web import auth, stats_data
from firmware.web.ledger_reading import Unavailable, reading
from firmware.web.routes_report import report_routes
from firmware.web.stats_data import BadInput, Say
from firmware.web.texts import translator

MONTHS_KEPT = 4


class MonthCache:
    """The last months drawn, per console: a month changes only when its ledger grows, and
    a long month costs a Pi about half a second to fold. Kept on the console it serves (no
    module state), read by uvicorn's requests on their threads."""

    def __init__(self) -> None:
        self._views: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            return self._views.get(key)

    def put(self, key: tuple[Any, ...], view: dict[str, Any]) -> None:
        with self._lock:
            self._views[key] = view
            while len(self._views) > MONTHS_KEPT:
                self._views.popitem(last=False)


def month_cache(console: Any) -> MonthCache:
    """The console's own cache of months, made at its first use."""
    cache = vars(console).get("month_cache")
    if cache is None:
        cache = vars(console).setdefault("month_cache", MonthCache())
    return cache


def _latest(ledger: Ledger) -> str:
    latest = ledger.latest_day_before("9999-12-31")
    if latest is None:
        raise Unavailable("stats_ledger_empty")
    return latest


def _compared(ledger: Ledger, day: str, tz: ZoneInfo) -> list[tuple[str, dict[str, Any]]]:
    """The previous day with data and the same weekday a week before, when they had visits,
    each with the text key of what it is to this day."""
    before = ledger.latest_day_before(day)
    week = (date.fromisoformat(day) - timedelta(days=7)).isoformat()
    others = {week: "stats_week_before"}
    if before is not None:
        others[before] = ("stats_previous_day_week_before" if before == week
                          else "stats_previous_day")
    result = []
    for other in sorted(others, reverse=True):
        row = stats_data.day_totals(other, ledger.events_of_day(other), tz)
        if row is not None:
            result.append((others[other], row))
    return result


def read_day(console: Any, wanted: str | None, lang: str = "en") -> dict[str, Any]:
    """The day's view (the latest day with data when none is asked for), in `lang`."""
    config = console.runtime.config
    tz = ZoneInfo(config.site.timezone)
    with reading(console.data_dir) as ledger:
        latest = _latest(ledger)
        day = wanted or latest
        events = ledger.events_of_day(day)
        if not events:
            raise Unavailable("stats_nothing_on_day", day=day, latest=latest)
        # A day whose raw occupancy changes were pruned has its room report kept instead.
        rooms = ledger.room_report(day) or room_reports(events, config, day, now=console.now())
        compared = _compared(ledger, day, tz)
    extras = day_extras(events, config, day, console.now())
    return {**stats_data.day_view(config, day, events, rooms, compared, tz, lang, extras),
            "latest": latest}


def _by_day(events: list[Event]) -> dict[str, list[Event]]:
    days: dict[str, list[Event]] = {}
    for event in events:
        days.setdefault(event.day, []).append(event)
    return days


def read_month(console: Any, wanted: str | None, lang: str = "en") -> dict[str, Any]:
    """The month's view (the month of the latest day with data when none is asked for), in
    `lang`."""
    config = console.runtime.config
    with reading(console.data_dir) as ledger:
        latest = _latest(ledger)
        month = wanted or latest[:7]
        first, last = stats_data.month_bounds(month)
        # A month changes only when the ledger grows (or is replaced: another inode); its
        # words differ by language.
        key = (str(ledger.path), ledger.path.stat().st_ino, month, ledger.last_seq, lang)
        cached = month_cache(console).get(key)
        if cached is not None:
            return cached
        start, end = stats_data.weeks_around(first, last)
        days = _by_day(ledger.events_between(sorted({*TICKET_TYPES, ROOM_STATE}), start, end))
    view = {**stats_data.month_view(config, month, days, ZoneInfo(config.site.timezone), lang,
                                    console.now()),
            "latest": latest}
    if not view["days"]:
        raise Unavailable("stats_nothing_in_month", month=month, latest=latest)
    month_cache(console).put(key, view)
    return view


def read_alarms(console: Any, wanted: str | None, lang: str = "en") -> dict[str, Any]:
    """The safety alarms of the year of months up to `wanted` (this month when None), for
    the safety team: each month's alarms and drills (`firmware.core.alarm_stats`)."""
    tz = ZoneInfo(console.runtime.config.site.timezone)
    first, last = stats_data.alarm_window(wanted or console.now().astimezone(tz)
                                          .strftime("%Y-%m"))
    # An alarm's service day is that of its time, never later: a day either side is enough
    # for the months by the site's clock.
    since = (date.fromisoformat(stats_data.month_bounds(first)[0]) - timedelta(days=1))
    until = (date.fromisoformat(stats_data.month_bounds(last)[1]) + timedelta(days=1))
    with reading(console.data_dir) as ledger:
        events = ledger.events_between([str(t) for t in ALARM_EVENT_TYPES],
                                       since.isoformat(), until.isoformat())
    return stats_data.alarm_view(alarm_months(events, tz), first, last, lang)


def _said(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "message": message}, status_code=status)


async def _view(request: Request, kind: str) -> dict[str, Any] | Response:
    """The day's or month's view for a JSON or CSV answer, or the answer that says why not."""
    found = auth.require(request, "stats")
    if isinstance(found, Response):
        return found
    console, lang = request.app.state.console, auth.lang_of(request)
    try:
        if kind == "day":
            wanted = stats_data.parse_day(request.query_params.get("day"))
            return await run_in_threadpool(read_day, console, wanted, lang)
        month = stats_data.parse_month(request.query_params.get("month"))
        return await run_in_threadpool(read_month, console, month, lang)
    except BadInput as exc:
        return _said(400, exc.said(translator(lang)))
    except Unavailable as exc:
        return _said(exc.status, exc.said(translator(lang)))


async def day_json(request: Request) -> Response:
    view = await _view(request, "day")
    return view if isinstance(view, Response) else JSONResponse(view)


async def month_json(request: Request) -> Response:
    view = await _view(request, "month")
    if isinstance(view, Response):
        return view
    # Every day's hourly rows are for the CSV; the page draws the month from the rest.
    return JSONResponse({k: v for k, v in view.items() if k != "rows"})


def _download(view: dict[str, Any], name: str, text: str) -> Response:
    filename = f"piste-stats-{view['site']}-{name}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


async def day_csv(request: Request) -> Response:
    view = await _view(request, "day")
    if isinstance(view, Response):
        return view
    return _download(view, view["day"], stats_data.day_csv(view))


async def month_csv(request: Request) -> Response:
    view = await _view(request, "month")
    if isinstance(view, Response):
        return view
    return _download(view, view["month"], stats_data.month_csv(view))


def _attempt(read: Callable[[], dict[str, Any]], t: Say) -> tuple[dict[str, Any] | None, str]:
    try:
        return read(), ""
    except (BadInput, Unavailable) as exc:
        return None, exc.said(t)


def _page_views(console: Any, day_text: str | None, month_text: str | None,
                lang: str) -> dict[str, Any]:
    """Both views for the page, each with the sentence to show when it is not there."""
    t = translator(lang)
    day, day_problem = _attempt(
        lambda: read_day(console, stats_data.parse_day(day_text), lang), t)
    if month_text in (None, "") and day is not None:
        month_text = day["day"][:7]  # the month of the day shown, unless another is asked
    month, month_problem = _attempt(lambda: read_month(
        console, stats_data.parse_month(month_text), lang), t)
    # The safety alarms up to the month shown (or asked for); a ledger that cannot be read
    # is said above already.
    alarms, _ = _attempt(lambda: read_alarms(
        console, month["month"] if month else _month_or_none(month_text), lang), t)
    return {"day": day, "day_problem": day_problem, "month": month,
            "month_problem": month_problem, "alarms": alarms,
            "day_value": day["day"] if day else (day_text or "")[:10],
            "month_value": month["month"] if month else (month_text or "")[:7]}


def _month_or_none(text: str | None) -> str | None:
    try:
        return stats_data.parse_month(text)
    except BadInput:
        return None


async def page(request: Request) -> Response:
    found = auth.require(request, "stats")
    if isinstance(found, Response):
        return found
    session, user = found
    query = request.query_params
    views = await run_in_threadpool(_page_views, request.app.state.console, query.get("day"),
                                    query.get("month"), auth.lang_of(request))
    return request.app.state.templates.TemplateResponse(
        request, "stats.html", auth.page_context(session, user, "stats", **views))


def stats_routes() -> list[Route]:
    return [Route("/stats", page), Route("/stats/day.json", day_json),
            Route("/stats/month.json", month_json), Route("/stats/day.csv", day_csv),
            Route("/stats/month.csv", month_csv), *report_routes()]
