"""`piste appointments import`: the day's appointment list from CSV, all or nothing."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from firmware.cli.common import load_config_or_exit
from firmware.controller.appointment_store import AppointmentStore, parse_csv
from firmware.controller.ledger import (
    Ledger,
    LedgerLocked,
    LedgerUnavailable,
    is_lock_error,
)


def import_appointments_main(file: Path, config_path: Path, data_dir: Path) -> int:
    config = load_config_or_exit(config_path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{file}: cannot read it as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    rows, problems = parse_csv(text, config)
    if problems:
        print(f"{file}: {len(problems)} problems; nothing was imported", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    try:
        ledger = Ledger(data_dir / "ledger.sqlite")
    except LedgerUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        count = AppointmentStore(ledger).replace_days(rows)
    except sqlite3.OperationalError as exc:
        if not is_lock_error(exc):
            raise
        # The controller runs beside us and writes the same file: all or nothing, so none.
        print(LedgerLocked(ledger.path), file=sys.stderr)
        return 2
    finally:
        ledger.close()
    days = sorted({when.date().isoformat() for when, _, _ in rows})
    print(f"imported {count} appointments for {', '.join(days) or 'no day'} "
          "(codes stored as salted hashes only)")
    return 0
