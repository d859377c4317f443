"""`piste stats --report feedback|survey`: what customers said, as CSV or JSON.

- `survey`: per statement of the yearly survey, how many rated it, the mean and how many
  gave each value 4-10, over the site's survey month (or `--from`/`--to`).
- `feedback`: the continuous ratings per service day and hour, with a total row per day,
  over `--day` or `--from`/`--to`.
- `words`: the words customers added to their ratings (masked as stored), for whoever
  handles feedback, over `--day` or `--from`/`--to`.

Every CSV row carries the site's id and the period, so the files of many sites can simply be
put one after another for the national comparison. The customers' words are not reported
in the figures: `words` lists them on their own, for whoever handles feedback.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from firmware.controller.ledger import Ledger
from firmware.core.events import EventType
from firmware.core.feedback_stats import (
    FEEDBACK_COLUMNS,
    SURVEY_COLUMNS,
    feedback_by_day_hour,
    survey_answer_count,
    survey_summary,
    to_csv_rows,
)
from firmware.site_model import SiteConfig

REPORTS = ("queue", "feedback", "survey", "words")
WORDS_COLUMNS = ["day", "time", "device", "lang", "rating", "scale", "words"]
MAX_DAYS = 400  # a year and a little: longer asks are surely a typo


class PeriodError(ValueError):
    """The period asked for cannot be reported; the message says why, for the technician."""


def period(config: SiteConfig, report: str, day: str | None, first: str | None,
           last: str | None, latest: str | None) -> tuple[str, str]:
    """The first and last day a report covers, from the command line and the config."""
    try:
        start = date.fromisoformat(first) if first else None
        end = date.fromisoformat(last) if last else None
        single = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise PeriodError(f"a date such as 2026-12-01 was expected ({exc})") from None
    if start is None and end is None:
        if single is not None:
            start = end = single
        elif report == "survey" and config.survey.start and config.survey.end:
            start, end = config.survey.start, config.survey.end
        else:
            start = end = date.fromisoformat(latest) if latest else date.today()
    start = start or end
    end = end or start
    assert start is not None and end is not None
    if end < start:
        raise PeriodError(f"--to {end} is before --from {start}")
    if end - start > timedelta(days=MAX_DAYS):
        raise PeriodError(f"at most {MAX_DAYS} days at a time, not {(end - start).days + 1}")
    return start.isoformat(), end.isoformat()


def write_report(config: SiteConfig, ledger: Ledger, report: str, first: str, last: str,
                 fmt: str, out: TextIO = sys.stdout) -> None:
    site = config.site.id
    if report == "survey":
        events = ledger.events_between([EventType.SURVEY_ANSWERED], first, last)
        summary = survey_summary(events)
        if fmt == "json":
            _json(out, {"site": site, "from": first, "to": last,
                        "answers": survey_answer_count(events),
                        "statements": [s.as_dict() for s in summary]})
        else:
            _csv(out, site, first, last, SURVEY_COLUMNS, to_csv_rows(summary))
        return
    events = ledger.events_between([EventType.FEEDBACK_GIVEN], first, last)
    if report == "words":
        _words(config, events, site, first, last, fmt, out)
        return
    rows = feedback_by_day_hour(events, ZoneInfo(config.site.timezone))
    if fmt == "json":
        _json(out, {"site": site, "from": first, "to": last,
                    "rows": [r.as_dict() for r in rows]})
    else:
        _csv(out, site, first, last, FEEDBACK_COLUMNS, to_csv_rows(rows))


def _words(config: SiteConfig, events: list[Any], site: str, first: str, last: str,
           fmt: str, out: TextIO) -> None:
    """The customers' own words, for whoever handles feedback: masked as stored, with the
    rating they came with and when (to the minute), nothing else."""
    tz = ZoneInfo(config.site.timezone)
    rows = [{"day": e.day, "time": e.at.astimezone(tz).strftime("%H:%M"),
             "device": e.data.get("device", ""), "lang": e.data.get("lang", ""),
             "rating": e.data.get("rating"), "scale": e.data.get("scale"),
             "words": e.data["words"]}
            for e in events if isinstance(e.data.get("words"), str) and e.data["words"]]
    if fmt == "json":
        _json(out, {"site": site, "from": first, "to": last, "words": rows})
    else:
        _csv(out, site, first, last, WORDS_COLUMNS, rows)


def _json(out: TextIO, data: dict[str, Any]) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _csv(out: TextIO, site: str, first: str, last: str, columns: list[str],
         rows: list[dict[str, Any]]) -> None:
    writer = csv.DictWriter(out, fieldnames=["site", "from", "to", *columns],
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"site": site, "from": first, "to": last, **row})
