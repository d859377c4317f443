"""The append-only ledger in SQLite: the truth from which the queue is rebuilt.

Every event is committed (WAL, synchronous=FULL: a committed ticket survives a power cut)
before anyone is told about it. The answer to each command is stored in the same
transaction under its `request_id`, so a command retried by a client — even across a
controller restart — gets the first answer again and changes nothing.

Answers that changed nothing (refusals, a call to an empty queue) are kept apart and only
the last QUIET_KEPT of them: a client that floods the controller with refused commands
must not fill the SD card. Refusals are still counted, per day and code.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from firmware.core.events import Event, EventType

QUIET_KEPT = 5000  # answers without events kept for retries; far more than minutes of retries
# How long a write waits for another writer of the same file (`piste appointments import`
# beside the controller, a technician's sqlite3 shell) before it gives up: far longer than
# any of our transactions, short enough that a command's answer is not lost to a timeout.
BUSY_TIMEOUT_S = 10.0
_LOCK_CODES = {"SQLITE_BUSY", "SQLITE_LOCKED"}
TABLES = {"events", "outbox", "room_reports", "requests", "quiet_requests", "refusals"}


class LedgerUnavailable(Exception):
    """The ledger cannot be used now: damaged (LedgerUnreadable) or locked (LedgerLocked)."""


class LedgerUnreadable(LedgerUnavailable):
    """The ledger file is there but SQLite cannot read it (a damaged SD card, a wrong file)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path} is not a readable piste ledger ({reason}). Nothing was changed. Keep the "
            "file for recovery, move it aside and start again, or restore it from a backup.")


class LedgerLocked(LedgerUnavailable):
    """Another process holds the ledger's lock: the file is fine, it is only busy."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is locked by another process. The file is fine and nothing was "
            "changed. Another program is writing it, perhaps a second "
            "piste or a sqlite3 shell: let it finish or stop it (`piste status`, "
            "`systemctl status piste`), then try again.")


def is_lock_error(exc: BaseException) -> bool:
    """Whether SQLite said busy/locked (another connection's lock), not damage."""
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorname", "") in _LOCK_CODES
        or "database is locked" in str(exc))


class Ledger:
    def __init__(self, path: Path | str, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # The timeout is SQLite's busy_timeout: a lock held elsewhere is waited for.
        self.db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=busy_timeout_s))
        self.outbox_writes = 0
        try:
            self.db.execute("PRAGMA schema_version").fetchone()  # reads the header: fails fast
            self._use_wal(busy_timeout_s)
            self.db.execute("PRAGMA synchronous=FULL")
            self._create_tables()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if is_lock_error(exc):
                raise LedgerLocked(self.path) from None
            raise LedgerUnreadable(self.path, str(exc)) from None

    def _use_wal(self, wait_s: float) -> None:
        """Switch a new file to WAL. Two processes that make the file at once (the controller
        starting, `piste stats` beside it) both try; SQLite refuses the loser at once, not
        after its busy timeout, so wait here until the other one has switched it."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.db.enable_wal()  # a file already in WAL: a read, nothing to switch
                return
            except sqlite3.OperationalError as exc:
                if not is_lock_error(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _create_tables(self) -> None:
        if set(self.db.table_names()) >= TABLES:
            return  # the usual case, and a reader's (`piste stats`): nothing to write
        # Made under the write lock, checked again inside it: two processes that open a new
        # ledger at once (the controller starting, `piste stats` or an import beside it)
        # would otherwise both see a table missing and the second fail to create it.
        with self.writing():
            self._create_missing()

    def _create_missing(self) -> None:
        if "events" not in self.db.table_names():
            self.db["events"].create(
                {"seq": int, "id": str, "type": str, "at": str, "day": str, "data": str},
                pk="seq",
            )
            self.db["events"].create_index(["id"], unique=True)
            self.db["events"].create_index(["day", "seq"])
        if "outbox" not in self.db.table_names():
            # Store and forward: what must reach the broker, written in the same transaction
            # as the ledger change it reports, deleted only when the broker acknowledged it.
            self.db["outbox"].create(
                {"id": int, "topic": str, "payload": bytes, "retain": int}, pk="id"
            )
        if "room_reports" not in self.db.table_names():
            # A day's room utilisation and walking times, kept when its raw occupancy
            # changes are pruned (aggregates only: about rooms, never people).
            self.db["room_reports"].create({"day": str, "report": str}, pk="day")
        if "requests" not in self.db.table_names():
            self.db["requests"].create(
                {"request_id": str, "command": str, "response": str, "at": str},
                pk="request_id",
            )
        if "quiet_requests" not in self.db.table_names():
            # Ever-growing ids, so the oldest go with one range delete on the primary key.
            self.db.execute("CREATE TABLE quiet_requests (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " request_id TEXT UNIQUE, command TEXT, response TEXT, at TEXT)")
        if "refusals" not in self.db.table_names():
            self.db["refusals"].create({"day": str, "code": str, "count": int},
                                       pk=("day", "code"))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction that takes the write lock first (`BEGIN IMMEDIATE`).

        A deferred `BEGIN` (sqlite-utils' `atomic`) reads first, as `append` does for the
        last seq, and must then upgrade to a writer: if another connection writes at that
        moment, SQLite answers "database is locked" at once, without the busy timeout
        (waiting could deadlock two readers that both want to write). Taking the lock up
        front makes a second writer (`piste appointments import`, a sqlite3 shell) a short
        wait instead of a failed command.
        """
        if self.db.conn.in_transaction:  # nested: part of the outer transaction
            with self.db.atomic():
                yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    @property
    def last_seq(self) -> int:
        row = self.db.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def answered(self, request_id: str) -> dict[str, Any] | None:
        """The stored answer to a request already handled, or None."""
        for table in ("requests", "quiet_requests"):
            row = self.db.execute(
                f"SELECT response FROM {table} WHERE request_id = ?", [request_id]
            ).fetchone()
            if row:
                return json.loads(row[0])
        return None

    def remember_quiet(self, request_id: str, command: str, response: dict[str, Any],
                       at: datetime, day: str) -> None:
        """Keep an answer that changed nothing, for retries; count it if it is a refusal."""
        with self.writing():
            cursor = self.db.execute(
                "INSERT OR REPLACE INTO quiet_requests (request_id, command, response, at) "
                "VALUES (?, ?, ?, ?)",
                [request_id, command, json.dumps(response, ensure_ascii=False),
                 at.isoformat(timespec="seconds")])
            self.db.execute("DELETE FROM quiet_requests WHERE id <= ?",
                            [int(cursor.lastrowid or 0) - QUIET_KEPT])
            error = response.get("error")
            if not response.get("ok") and isinstance(error, dict):
                self._count_refusal(day, str(error.get("code")))

    def count_refusal(self, day: str, code: str) -> None:
        """Count a refusal that left no answer to keep (a forbidden reply topic, say)."""
        with self.writing():
            self._count_refusal(day, code)

    def _count_refusal(self, day: str, code: str) -> None:
        self.db.execute("INSERT INTO refusals (day, code, count) VALUES (?, ?, 1) "
                        "ON CONFLICT (day, code) DO UPDATE SET count = count + 1", [day, code])

    def refusal_counts(self, day: str) -> dict[str, int]:
        rows = self.db.execute("SELECT code, count FROM refusals WHERE day = ? ORDER BY code",
                               [day])
        return {code: count for code, count in rows.fetchall()}

    def append(
        self,
        events: list[Event],
        request: tuple[str, str, dict[str, Any]] | None = None,
        at: datetime | None = None,
        outbox_topic: str | None = None,
    ) -> list[Event]:
        """Commit events (numbered from the last seq) and the request's answer atomically.

        `request` is (request_id, command, response). With `outbox_topic`, each event's
        wire form is put in the outbox for that topic in the same transaction. Returns the
        events with their seq.
        """
        stored: list[Event] = []
        with self.writing():
            seq = self.last_seq
            for event in events:
                seq += 1
                numbered = Event(event.id, event.type, event.at, event.day, event.data, seq)
                self.db["events"].insert(_row(numbered))
                if outbox_topic is not None:
                    self._to_outbox(outbox_topic, _wire(numbered))
                stored.append(numbered)
            if request is not None:
                request_id, command, response = request
                self.db["requests"].insert(
                    {
                        "request_id": request_id,
                        "command": command,
                        "response": json.dumps(response, ensure_ascii=False),
                        "at": (at or datetime.now()).isoformat(timespec="seconds"),
                    }
                )
        return stored

    def _to_outbox(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.outbox_writes += 1  # lets the pump skip its query when nothing was added
        self.db.execute("INSERT INTO outbox (topic, payload, retain) VALUES (?, ?, ?)",
                        [topic, payload, int(retain)])

    def outbox_add(self, topic: str, payload: bytes, retain: bool = False) -> None:
        with self.writing():
            self._to_outbox(topic, payload, retain)

    def outbox_pending(self, limit: int = 200) -> list[tuple[int, str, bytes, bool]]:
        rows = self.db.execute(
            "SELECT id, topic, payload, retain FROM outbox ORDER BY id LIMIT ?", [limit])
        return [(r[0], r[1], bytes(r[2]), bool(r[3])) for r in rows.fetchall()]

    def outbox_done(self, row_id: int) -> None:
        with self.writing():
            self.db.execute("DELETE FROM outbox WHERE id = ?", [row_id])

    def store_room_report(self, day: str, report: dict[str, Any]) -> None:
        with self.writing():
            self.db["room_reports"].upsert(
                {"day": day, "report": json.dumps(report, ensure_ascii=False)}, pk="day")

    def room_report(self, day: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT report FROM room_reports WHERE day = ?", [day]).fetchone()
        return json.loads(row[0]) if row else None

    def has_event(self, event_id: str) -> bool:
        """Whether an event with this id is in the ledger (its id is indexed)."""
        row = self.db.execute("SELECT 1 FROM events WHERE id = ?", [event_id]).fetchone()
        return row is not None

    def latest_day_before(self, day: str) -> str | None:
        row = self.db.execute("SELECT MAX(day) FROM events WHERE day < ?", [day]).fetchone()
        return row[0] if row and row[0] else None

    def events_of_day(self, day: str) -> list[Event]:
        rows = self.db.execute(
            "SELECT seq, id, type, at, day, data FROM events WHERE day = ? ORDER BY seq", [day]
        )
        return [_event(row) for row in rows.fetchall()]

    def events_between(self, types: Sequence[str], first_day: str, last_day: str
                       ) -> list[Event]:
        """Events of these types from `first_day` to `last_day` (both included), in order:
        a month of survey answers without reading every ticket of the month."""
        marks = ", ".join("?" * len(types))
        rows = self.db.execute(
            f"SELECT seq, id, type, at, day, data FROM events WHERE type IN ({marks}) "
            "AND day BETWEEN ? AND ? ORDER BY seq", [*types, first_day, last_day])
        return [_event(row) for row in rows.fetchall()]

    def events_from(self, from_seq: int, limit: int = 10_000) -> Iterator[Event]:
        rows = self.db.execute(
            "SELECT seq, id, type, at, day, data FROM events WHERE seq >= ? ORDER BY seq LIMIT ?",
            [from_seq, limit],
        )
        for row in rows.fetchall():
            yield _event(row)


def _wire(event: Event) -> bytes:
    return json.dumps(event.to_wire(), ensure_ascii=False, separators=(",", ":")).encode()


def _row(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "id": event.id,
        "type": str(event.type),
        "at": event.at.isoformat(),
        "day": event.day,
        "data": json.dumps(event.data, ensure_ascii=False),
    }


def _event(row: tuple[Any, ...]) -> Event:
    seq, event_id, event_type, at, day, data = row
    return Event(
        id=event_id,
        type=EventType(event_type),
        at=datetime.fromisoformat(at),
        day=day,
        data=json.loads(data),
        seq=seq,
    )
