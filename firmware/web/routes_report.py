"""The day report in the console: `/report` (today, or `?day=YYYY-MM-DD`) and its CSV,
`/report.csv?day=…`, for the advisor and the service team (who may open the statistics).

A closed day shows the report its `day.closed` event carries, exactly as it was sent to the
service team; a day still going (or an old day the controller never closed) is built from
the ledger's events so far with the same builder (`firmware.core.day_report.build`), and
the page says so. The ledger is opened read-only on a worker thread, as the statistics are
(`ledger_reading.reading`); anything missing is said in a sentence, never a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from firmware.core import day_report
from firmware.core.events import EventType
from firmware.web import auth, stats_data
from firmware.web.ledger_reading import Unavailable, reading
from firmware.web.stats_data import BadInput
from firmware.web.texts import translator

CLOSED, SO_FAR, UNCLOSED = "closed", "so_far", "unclosed"


def read_report(console: Any, wanted: str | None) -> dict[str, Any]:
    """{"day", "state", "report"}: the day's report and whether it is the closing one
    (`closed`), the day so far (`so_far`) or a past day without one (`unclosed`)."""
    config = console.runtime.config
    now = console.now()
    today = now.astimezone(ZoneInfo(config.site.timezone)).date().isoformat()
    day = wanted or today
    if day > today:
        raise Unavailable("stats_report_future", day=day, today=today)
    with reading(console.data_dir) as ledger:
        events = ledger.events_of_day(day)
        latest = ledger.latest_day_before("9999-12-31")
    closing = next((e for e in reversed(events) if e.type is EventType.DAY_CLOSED), None)
    if closing is not None and isinstance(closing.data.get("report"), dict):
        return {"day": day, "state": CLOSED, "report": closing.data["report"]}
    if not events and day != today:
        raise Unavailable("stats_report_nothing", day=day, latest=latest or today)
    end = day_report.day_end(config, day)
    return {"day": day, "state": SO_FAR if now < end else UNCLOSED,
            "report": day_report.build(events, config, day, min(now, end))}


def _words(console: Any, view: dict[str, Any], lang: str) -> dict[str, Any]:
    """The names the page shows for the report's ids, in the staff member's language."""
    config = console.runtime.config
    t = translator(lang)
    report = view["report"]
    services = {s.id: s.name.get(lang) for s in config.services}
    rooms = {r.id: r.name.get(lang) for r in config.rooms}
    closed_at = datetime.fromisoformat(report["closed_at"]).astimezone(
        ZoneInfo(config.site.timezone))
    return {
        "label": stats_data.day_label(view["day"], lang),
        "clock": t("stats_report_clock", hour=f"{closed_at.hour:02d}",
                   minute=f"{closed_at.minute:02d}"),
        "service_names": {r["service"]: services.get(r["service"], r["service"])
                          for r in report.get("authorities", [])},
        "room_names": {r["room"]: rooms.get(r["room"], t("stats_room_n", room=r["room"]))
                       for r in report.get("rooms", [])},
        "language_names": {x["lang"]: t(f"stats_report_lang_{x['lang']}")
                       if x["lang"] in day_report.LANG_ORDER else x["lang"]
                       for x in report.get("languages", [])},
        "reasons": day_report.REASON_KEYS,
    }


def _said(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "message": message}, status_code=status)


async def _view(request: Request) -> dict[str, Any]:
    """The day's report; BadInput or Unavailable when there is none to give."""
    wanted = stats_data.parse_day(request.query_params.get("day"))
    return await run_in_threadpool(read_report, request.app.state.console, wanted)


async def page(request: Request) -> Response:
    found = auth.require(request, "report")
    if isinstance(found, Response):
        return found
    session, user = found
    lang = auth.lang_of(request)
    asked = request.query_params.get("day") or ""
    view, problem = None, ""
    try:
        view = await _view(request)
    except (BadInput, Unavailable) as exc:
        problem = exc.said(translator(lang))
    context: dict[str, Any] = {"view": view, "problem": problem,
                               "day_value": view["day"] if view else asked[:10]}
    if view is not None:
        context.update(_words(request.app.state.console, view, lang))
    return request.app.state.templates.TemplateResponse(
        request, "day_report.html", auth.page_context(session, user, "report", **context))


async def csv_download(request: Request) -> Response:
    found = auth.require(request, "report")
    if isinstance(found, Response):
        return found
    t = translator(auth.lang_of(request))
    try:
        view = await _view(request)
    except BadInput as exc:
        return _said(400, exc.said(t))
    except Unavailable as exc:
        return _said(exc.status, exc.said(t))
    site = request.app.state.console.runtime.config.site.id
    filename = f"piste-report-{site}-{view['day']}.csv"
    return Response(day_report.to_csv(view["report"]), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def report_routes() -> list[Route]:
    return [Route("/report", page), Route("/report.csv", csv_download)]
