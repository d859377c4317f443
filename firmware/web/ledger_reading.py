"""The controller's ledger as the console's statistics and day report read it: read-only,
and anything missing or unreadable said in a sentence (`Unavailable`), never a traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from firmware.controller.ledger import Ledger
from firmware.web import stats_data
from firmware.web.stats_data import Say


class Unavailable(Exception):
    """The statistics asked for are not there; the message says why, `status` for JSON.

    Like BadInput it keeps its text's key, for `said` in the reader's language.
    """

    def __init__(self, key: str, status: int = 404, **values: object) -> None:
        super().__init__(stats_data.ENGLISH(key, **values))
        self.status, self.key, self.values = status, key, values

    def said(self, t: Say) -> str:
        return t(self.key, **self.values)


class ReadOnlyLedger(Ledger):
    """The controller's ledger opened for reading only, with the ledger's own read methods
    (so the events come back exactly as `piste stats` reads them).

    Not through `Ledger.__init__`: it turns WAL on, sets `synchronous` and creates missing
    tables, writes a reader must never make to the controller's file. In WAL mode a reader
    and the writer do not wait for each other.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.outbox_writes = 0
        self.db = sqlite_utils.Database(sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0))


@contextmanager
def reading(data_dir: Path) -> Iterator[ReadOnlyLedger]:
    path = Path(data_dir) / "ledger.sqlite"
    if not path.is_file():
        raise Unavailable("stats_no_ledger", path=path)
    try:
        ledger = ReadOnlyLedger(path)
    except sqlite3.Error as exc:
        raise Unavailable("stats_ledger_unopened", 503, path=path, error=exc) from None
    try:
        ledger.db.execute("SELECT seq FROM events LIMIT 1").fetchall()
        yield ledger
    except sqlite3.Error as exc:
        raise Unavailable("stats_ledger_unread", 503, path=path, error=exc) from None
    finally:
        ledger.close()
