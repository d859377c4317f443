"""The tickets' phone secrets in the controller's own database: (day, number, token, code).

A table of its own beside the ledger's (never an event: events go to the central
statistics, and a token must never leave the controller's disk but as its key). A row is
made in the same transaction as the ticket's issue, so the answer that carries the token
and the ticket itself are kept or lost together; a restarted controller finds the same
tokens and publishes the same keys. Each row also says when its ticket was seen done and
whether its public message was removed, so a restart neither shows a finished ticket
again nor forgets to remove one.
"""

from __future__ import annotations

from dataclasses import dataclass

from firmware.controller.ledger import Ledger
from firmware.core.phone_tokens import key_of, new_code, new_token

TABLE = "phone_tickets"


@dataclass
class PhoneRow:
    day: str
    number: str
    token: str
    code: str
    done_at: str | None = None  # when its ticket was first seen done (the removal counts)
    id: int | None = None  # the table's row id: a later row of a reused number wins

    @property
    def key(self) -> str:
        return key_of(self.token)

    @property
    def code_key(self) -> str:
        return key_of(self.code)

    @classmethod
    def new(cls, day: str, number: str) -> PhoneRow:
        return cls(day, number, new_token(), new_code())


class PhoneStore:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.db = ledger.db
        if TABLE not in self.db.table_names():
            with ledger.writing():  # checked again under the lock: another opener may be first
                if TABLE not in self.db.table_names():
                    self.db.execute(
                        f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        "day TEXT NOT NULL, number TEXT NOT NULL, token TEXT NOT NULL, "
                        "code TEXT NOT NULL, done_at TEXT, removed INTEGER NOT NULL DEFAULT 0)")
                    self.db.execute(f"CREATE INDEX {TABLE}_day ON {TABLE} (day, number)")
        # Rows whose public message may still be on the broker: what the publisher looks at.
        self.active: dict[str, PhoneRow] = {}
        rows = self.db.execute(f"SELECT id, day, number, token, code, done_at FROM {TABLE} "
                               "WHERE removed = 0 ORDER BY id")
        for row_id, day, number, token, code, done_at in rows.fetchall():
            row = PhoneRow(day, number, token, code, done_at, row_id)
            self.active[row.key] = row

    def insert(self, row: PhoneRow) -> None:
        """Write a new row; inside the issue's transaction (see `remember`)."""
        with self._ledger.writing():
            cursor = self.db.execute(
                f"INSERT INTO {TABLE} (day, number, token, code) VALUES (?, ?, ?, ?)",
                [row.day, row.number, row.token, row.code])
            row.id = cursor.lastrowid

    def remember(self, row: PhoneRow) -> None:
        """A row whose transaction was committed: the publisher may show it now."""
        self.active[row.key] = row

    def latest(self, day: str, number: str) -> PhoneRow | None:
        """The newest row of a ticket of the day (a reprint carries its token again)."""
        found = self.db.execute(
            f"SELECT id, token, code, done_at FROM {TABLE} WHERE day = ? AND number = ? "
            "ORDER BY id DESC LIMIT 1", [day, number]).fetchone()
        if found is None:
            return None
        row_id, token, code, done_at = found
        return PhoneRow(day, number, token, code, done_at, row_id)

    def mark_done(self, row: PhoneRow, at: str) -> None:
        with self._ledger.writing():
            self.db.execute(f"UPDATE {TABLE} SET done_at = ? WHERE id = ?", [at, row.id])
        row.done_at = at

    def mark_removed(self, rows: list[PhoneRow]) -> None:
        """Their public messages were removed: never published again, also after a restart."""
        if not rows:
            return
        with self._ledger.writing():
            self.db.conn.executemany(f"UPDATE {TABLE} SET removed = 1 WHERE id = ?",
                                [[row.id] for row in rows])
        for row in rows:
            self.active.pop(row.key, None)

    def forget_before(self, day: str) -> None:
        """Earlier days' rows once their messages are gone: a token lives for its day."""
        with self._ledger.writing():
            self.db.execute(f"DELETE FROM {TABLE} WHERE day < ? AND removed = 1", [day])
