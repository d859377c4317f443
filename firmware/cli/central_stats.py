"""`piste stats --central --db URL`: national statistics from the central collector's store.

Per site, per authority and per month: customers, waits and service times (median, p90),
room utilisation, continuous feedback and the yearly survey (per site and for all sites
together), the languages, legs, visits and rooms' time, and the safety team's silent alarms
(alarms and drills apart, times to acknowledge), as CSV (the tables one after another, each
with its header) or JSON. The period is one `--month`
(default: this month) or `--from`/`--to`.
"""

from __future__ import annotations

import calendar
import json
import sys
from datetime import date
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from firmware.central.national import national_report
from firmware.central.store import CentralStore, StoreError

MAX_DAYS = 400


def month_days(month: str) -> tuple[str, str]:
    """("2026-12-01", "2026-12-31") for "2026-12"; ValueError with a plain message."""
    try:
        year, number = (int(part) for part in month.split("-"))
        last = calendar.monthrange(year, number)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise ValueError(f"--month '{month}' is not a month such as 2026-12") from None
    return date(year, number, 1).isoformat(), date(year, number, last).isoformat()


def period(month: str | None, first: str | None, last: str | None,
           today: date) -> tuple[str, str]:
    if month and (first or last):
        raise ValueError("give either --month or --from/--to, not both")
    if month or not (first or last):
        return month_days(month or today.strftime("%Y-%m"))
    try:
        start = date.fromisoformat(first or last or "")
        end = date.fromisoformat(last or first or "")
    except ValueError:
        raise ValueError("--from and --to take dates such as 2026-12-01") from None
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at a time")
    return start.isoformat(), end.isoformat()


def central_stats_main(db: str, month: str | None, first: str | None, last: str | None,
                       fmt: str, timezone: str = "Europe/Helsinki",
                       out: TextIO = sys.stdout) -> int:
    try:
        tz = ZoneInfo(timezone)
        start, end = period(month, first, last, date.today())
        store = CentralStore.open(db, read_only=True)
    except (ValueError, StoreError, ZoneInfoNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        report = national_report(store.events(first_day=start, last_day=end), start, end, tz)
    finally:
        store.close()
    if fmt == "json":
        json.dump(report.as_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        report.write_csv(out)
    if report.skipped:
        print(f"{report.skipped} stored rows could not be read and were passed over",
              file=sys.stderr)
    return 0
