"""A locked ledger is named as locked, a damaged one as damaged; readers do not wait for the
writer. Real SQLite files and a second real connection holding the lock."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from firmware.cli.stats import stats_main
from firmware.controller.ledger import Ledger, LedgerLocked, LedgerUnreadable
from firmware.core.events import Event, EventType
from tests.conftest import DEMO_SITE
from tests.test_feedback_device import TUESDAY_10


def test_a_damaged_file_is_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(LedgerUnreadable) as caught:
        Ledger(path)
    said = str(caught.value)
    assert "is not a readable piste ledger" in said and "move it aside" in said
    assert "locked" not in said


def test_a_file_another_process_holds_is_called_locked_and_never_damaged(
        tmp_path: Path) -> None:
    # A sqlite3 shell (or anything) holding an exclusive transaction on the file.
    path = tmp_path / "ledger.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LedgerLocked) as caught:
            Ledger(path, busy_timeout_s=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    said = str(caught.value)
    assert f"{path} is locked by another process (it waited 0.2 s)" in said
    assert "The file is fine and nothing was changed" in said
    assert "not a readable" not in said and "move it aside" not in said
    Ledger(path).close()  # and once the other lets go, it opens


def test_the_statistics_read_while_the_controller_holds_its_write_lock(
        tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.append([Event("e1", EventType.TICKET_ISSUED, TUESDAY_10, "2026-12-01",
                         {"number": "A001", "service": "kela", "lang": "fi",
                          "device": "lobby-1"})])
    ledger.db.execute("BEGIN IMMEDIATE")  # the controller in the middle of a write
    try:
        out = io.StringIO()
        # A reader that had to wait would give up after the busy timeout and say "locked".
        assert stats_main(DEMO_SITE, tmp_path, "2026-12-01", "json", out) == 0
        assert '"day": "2026-12-01"' in out.getvalue()
    finally:
        ledger.db.execute("ROLLBACK")
        ledger.close()
