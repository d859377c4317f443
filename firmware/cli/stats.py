"""`piste stats`: a day's statistics from the controller's ledger, as CSV or JSON.

(`--report feedback` and `--report survey` are in `firmware.cli.feedback_stats`.)

The first table (per authority and hour) is always there and always the same shape. When
the day has occupancy data from room units, two more follow: room utilisation per room and
hour, and walking times per authority (in CSV each after a blank line with its own header;
in JSON as `utilisation` and `walking`). A day with visits then has, the same way, its
languages, its legs (each visit to an authority counted), its visits, and the rooms' and
authorities' serving and paused time (`languages`, `legs`, `visits`, `room_time`,
`authority_time`; see firmware/core/stats.py).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from firmware.cli.common import load_config_or_exit
from firmware.cli.feedback_stats import PeriodError, period, write_report
from firmware.controller.ledger import Ledger, LedgerUnavailable
from firmware.controller.occupancy import room_reports
from firmware.core.stats import COLUMNS, EXTRA_TABLES, day_extras, day_report
from firmware.core.utilisation import (
    UTILISATION_COLUMNS,
    WALK_COLUMNS,
)
from firmware.site_model import SiteConfig


def stats_main(config_path: Path, data_dir: Path, day: str | None, fmt: str,
               out: TextIO = sys.stdout, report: str = "queue",
               first: str | None = None, last: str | None = None) -> int:
    config = load_config_or_exit(config_path)
    tz = ZoneInfo(config.site.timezone)
    try:
        wanted = date.fromisoformat(day).isoformat() if day else None
    except ValueError:
        print(f"--day '{day}' is not a date such as 2026-12-01", file=sys.stderr)
        return 2
    if report == "queue" and (first or last):
        print("--from and --to go with --report feedback or survey; the queue report is "
              "one --day", file=sys.stderr)
        return 2
    path = data_dir / "ledger.sqlite"
    if not path.exists():
        print(f"no ledger at {path}: is --data-dir the controller's data directory?",
              file=sys.stderr)
        return 2
    try:
        ledger = Ledger(path)
    except LedgerUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    if report != "queue":
        return _feedback_report(config, ledger, report, day, first, last, fmt, out)
    try:
        wanted = wanted or ledger.latest_day_before("9999-12-31") or date.today().isoformat()
        events = ledger.events_of_day(wanted)
        # A day whose raw occupancy changes were pruned has its room report kept instead.
        rooms = ledger.room_report(wanted) or room_reports(events, config, wanted)
    finally:
        ledger.close()
    rows = day_report(events, tz)
    extras = day_extras(events, config, wanted, datetime.now(tz))
    if fmt == "json":
        json.dump({"site": config.site.id, "day": wanted, "rows": rows, **rooms, **extras},
                  out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0
    _csv(out, wanted, COLUMNS, rows)
    tables = {**rooms, **extras}
    for name, columns in (("utilisation", UTILISATION_COLUMNS), ("walking", WALK_COLUMNS),
                          *EXTRA_TABLES):
        if name in tables:
            out.write("\n")
            _csv(out, wanted, columns, tables[name])
    return 0


def _feedback_report(config: SiteConfig, ledger: Ledger, report: str, day: str | None,
                     first: str | None, last: str | None, fmt: str, out: TextIO) -> int:
    try:
        start, end = period(config, report, day, first, last,
                            ledger.latest_day_before("9999-12-31"))
        write_report(config, ledger, report, start, end, fmt, out)
    except PeriodError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        ledger.close()
    return 0


def _csv(out: TextIO, day: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    writer = csv.DictWriter(out, fieldnames=["day", *columns], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"day": day, **row})


