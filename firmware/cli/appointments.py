"""`piste appointments import`: the day's appointment list from CSV, all or nothing.

The list goes into the controller's ledger. It is written only where a controller already
keeps one (its data dir holds ledger.sqlite): an import on the wrong machine, or into a
mistyped --data-dir, is refused instead of starting a ledger nobody reads.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from firmware.cli.common import DEFAULT_DATA_DIR, load_config_or_exit
from firmware.controller.appointment_store import AppointmentStore, parse_csv
from firmware.controller.ledger import (
    Ledger,
    LedgerLocked,
    LedgerUnavailable,
    is_lock_error,
)
from firmware.core.plural import counted

LEDGER_FILE = "ledger.sqlite"


def read_listing(file: Path) -> str:
    """The CSV's text; OSError/ValueError with a plain sentence when it cannot be read."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{file} is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{file}: not UTF-8 text (byte {exc.start + 1} cannot be read); "
                         "save the list as UTF-8 CSV") from None
    except OSError as exc:
        raise ValueError(f"{file}: cannot read it ({exc.strerror or exc})") from None


def ledger_path(data_dir: Path, given: bool) -> Path:
    """Where the controller keeps its ledger; ValueError unless one is there already."""
    ledger = data_dir / LEDGER_FILE
    if ledger.is_file():
        return ledger
    where = "--data-dir " + str(data_dir) if given else f"{data_dir} (the default data dir)"
    raise ValueError(f"{where} holds no controller ledger ({LEDGER_FILE}): the list goes into "
                     "the ledger of the device with the controller role. Run this on that "
                     "device once its controller has started, or give its data dir with "
                     "--data-dir. Nothing was imported.")


def import_appointments_main(file: Path, config_path: Path, data_dir: Path | None) -> int:
    config = load_config_or_exit(config_path)
    try:
        text = read_listing(file)
        rows, problems = parse_csv(text, config)
        if not problems:
            ledger_file = ledger_path(data_dir or DEFAULT_DATA_DIR, data_dir is not None)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if problems:
        print(f"{file}: {counted(len(problems), 'problem', 'problems')}; nothing was imported",
              file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    try:
        ledger = Ledger(ledger_file)
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
    print(f"imported {counted(count, 'appointment', 'appointments')} for "
          f"{', '.join(days) or 'no day'} into {ledger_file} (codes stored as salted hashes "
          "only)")
    return 0
