"""The day's appointment list in the controller's database, imported from a CSV file.

`piste appointments import FILE.csv` reads rows `time,service,code` (time as
`2026-12-01 10:30` in the site's time zone), checks every row first and imports nothing if
any is wrong, so a half-imported list never meets a customer. Codes are stored only as
salted hashes, and must be at least CODE_MIN letters or digits (dashes and spaces do not
count) so that nobody can find one by trying codes at the kiosk.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from firmware.controller.ledger import Ledger
from firmware.core.appointments import (
    CODE_MAX,
    CODE_MIN,
    CODE_PATTERN,
    Appointment,
    hash_code,
    new_salt,
    normalize_code,
)
from firmware.site_model import SiteConfig

COLUMNS = ("time", "service", "code")
MAX_ROWS = 5000


@dataclass(frozen=True)
class CsvProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _check_row(row: list[str], line_no: int, config: SiteConfig, tz: ZoneInfo,
               rows: list[tuple[datetime, str, str]], problems: list[CsvProblem]) -> None:
    if not any(cell.strip() for cell in row):
        return
    if len(row) != len(COLUMNS):
        problems.append(CsvProblem(line_no, f"expected 3 fields, found {len(row)}"))
        return
    when_text, service, code = (cell.strip() for cell in row)
    try:
        when = datetime.fromisoformat(when_text.replace(" ", "T", 1))
    except ValueError:
        problems.append(CsvProblem(line_no, f"time '{when_text}' is not like 2026-12-01 10:30"))
        return
    when = when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)
    if config.service(service) is None:
        known = ", ".join(s.id for s in config.services)
        problems.append(CsvProblem(line_no, f"no service '{service}'; known: {known}"))
        return
    normalized = normalize_code(code)
    problem = _code_problem(normalized, line_no)
    if problem:
        problems.append(CsvProblem(line_no, problem))
        return
    rows.append((when, service, normalized))


def _code_problem(code: str, line_no: int) -> str:
    """Why a normalized code cannot be imported ("" if it can). The code itself is never
    in the message: the output may end up in a log or a ticket to the help desk."""
    if CODE_PATTERN.match(code):
        return ""
    if code and not (code.isascii() and code.isalnum()):
        return f"codes are letters A-Z and digits only (dashes and spaces are ignored); " \
               f"line {line_no} has other characters"
    if len(code) < CODE_MIN:
        return f"codes must be at least {CODE_MIN} letters or digits so they cannot be " \
               f"guessed; line {line_no} has {len(code)}"
    return f"codes are at most {CODE_MAX} letters or digits (what the kiosk's keypad and " \
           f"scanner take); line {line_no} has {len(code)}"


def parse_csv(text: str, config: SiteConfig) -> tuple[list[tuple[datetime, str, str]],
                                                      list[CsvProblem]]:
    """Rows as (time, service, normalized code), and every problem found."""
    tz = ZoneInfo(config.site.timezone)
    # newline="" lets the csv module see every kind of line end itself, as its docs ask.
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[datetime, str, str]] = []
    problems: list[CsvProblem] = []
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != list(COLUMNS):
            return [], [CsvProblem(1, f"the first line must be the header {','.join(COLUMNS)}")]
        for row in reader:
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(CsvProblem(reader.line_num, f"more than {MAX_ROWS} rows"))
                break
            _check_row(row, reader.line_num, config, tz, rows, problems)
    except csv.Error as exc:
        problems.append(CsvProblem(reader.line_num, f"not readable as CSV: {exc}"))
    return rows, problems


class AppointmentStore:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.db = ledger.db
        if "appointments" in self.db.table_names():
            return
        with ledger.writing():  # checked again under the lock: another opener may be first
            if "appointments" not in self.db.table_names():
                self.db["appointments"].create(
                    {"id": str, "day": str, "at": str, "service": str, "salt": str,
                     "code_hash": str}, pk="id")
                self.db["appointments"].create_index(["day"])

    def replace_days(self, rows: list[tuple[datetime, str, str]]) -> int:
        """Import rows; a day in the file replaces that day's earlier list."""
        days = sorted({when.date().isoformat() for when, _, _ in rows})
        with self._ledger.writing():
            for day in days:
                self.db.execute("DELETE FROM appointments WHERE day = ?", [day])
            for when, service, code in rows:
                salt = new_salt()
                self.db["appointments"].insert({
                    "id": str(uuid.uuid4()), "day": when.date().isoformat(),
                    "at": when.isoformat(), "service": service, "salt": salt,
                    "code_hash": hash_code(code, salt),
                })
        return len(rows)

    def for_day(self, day: str) -> list[Appointment]:
        if "appointments" not in self.db.table_names():
            return []
        rows = self.db.execute(
            "SELECT id, at, service, salt, code_hash FROM appointments WHERE day = ?", [day])
        return [Appointment(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4])
                for r in rows.fetchall()]
