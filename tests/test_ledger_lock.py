"""A locked ledger is named as locked, a damaged one as damaged; readers do not wait for the
writer. Real SQLite files and a second real connection holding the lock."""

from __future__ import annotations

import io
import sqlite3
import threading
from pathlib import Path

import pytest

from firmware.cli.stats import stats_main
from firmware.controller.appointment_store import AppointmentStore
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
    assert f"{path} is locked by another process. The file is fine" in said
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


def test_a_write_waits_for_another_writer_instead_of_failing_at_once(tmp_path: Path) -> None:
    """`append` reads the last seq and then writes. In a deferred transaction SQLite would
    answer "database is locked" at once while another connection writes (no busy wait for
    an upgrade); the ledger takes the write lock first and waits its turn."""
    ledger = Ledger(tmp_path / "ledger.sqlite")
    held, release = threading.Event(), threading.Event()

    def other_writer() -> None:  # `piste appointments import`, say, in the middle of a write
        other = sqlite3.connect(tmp_path / "ledger.sqlite", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO refusals (day, code, count) VALUES ('2026-12-01', 'x', 1)")
        held.set()
        release.wait(10)
        other.execute("COMMIT")
        other.close()

    writer = threading.Thread(target=other_writer)
    writer.start()
    try:
        assert held.wait(10)
        threading.Timer(0.3, release.set).start()  # the other commits while we wait
        stored = ledger.append([Event("e1", EventType.TICKET_ISSUED, TUESDAY_10, "2026-12-01",
                                      {"number": "A001", "service": "kela", "lang": "fi",
                                       "device": "lobby-1"})])
        assert [e.seq for e in stored] == [1]
        assert ledger.refusal_counts("2026-12-01") == {"x": 1}  # both writes are there
    finally:
        release.set()
        writer.join(10)
        ledger.close()


def test_processes_that_open_a_new_ledger_at_once_all_get_it(tmp_path: Path) -> None:
    """The controller starting while `piste stats` (or a test's reader) opens the same new
    file: each sees tables missing; only one may make them, the others wait and use them.
    (The race behind "not a readable piste ledger (database is locked)" and "(table ...
    already exists)" in the feedback device's tests.)"""
    problems: list[str] = []
    for attempt in range(20):
        path = tmp_path / f"new-{attempt}" / "ledger.sqlite"
        start = threading.Barrier(4)

        def open_it(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                ledger = Ledger(path)
                AppointmentStore(ledger)  # the controller makes its table too
                ledger.close()
            except Exception as exc:  # collected: the test names every one
                problems.append(str(exc))

        openers = [threading.Thread(target=open_it) for _ in range(4)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(30)
    assert problems == []
