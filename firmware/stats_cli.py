"""`piste stats`: a day's statistics from the controller's ledger, as CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from firmware.core.stats import COLUMNS, day_report
from firmware.ledger import Ledger


def stats_main(config_path: Path, data_dir: Path, day: str | None, fmt: str,
               out: TextIO = sys.stdout) -> int:
    from firmware.cli import load_config_or_exit

    config = load_config_or_exit(config_path)
    tz = ZoneInfo(config.site.timezone)
    try:
        wanted = date.fromisoformat(day).isoformat() if day else None
    except ValueError:
        print(f"--day '{day}' is not a date such as 2026-12-01", file=sys.stderr)
        return 2
    path = data_dir / "ledger.sqlite"
    if not path.exists():
        print(f"no ledger at {path}: is --data-dir the controller's data directory?",
              file=sys.stderr)
        return 2
    ledger = Ledger(path)
    try:
        wanted = wanted or ledger.latest_day_before("9999-12-31") or date.today().isoformat()
        rows = day_report(ledger.events_of_day(wanted), tz)
    finally:
        ledger.close()
    if fmt == "json":
        json.dump({"site": config.site.id, "day": wanted, "rows": rows}, out, indent=2,
                  ensure_ascii=False)
        out.write("\n")
    else:
        writer = csv.DictWriter(out, fieldnames=["day", *COLUMNS], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({"day": wanted, **row})
    return 0
