"""Sends the ledger's outbox to the broker and forgets a message only once it is delivered.

paho queues QoS 1 publishes made while offline only in memory, so durability is ours: the
outbox rows live in SQLite (written with the ledger change they report), are published while
the link is up, and are deleted when the broker's PUBACK arrives (`Delivered`). After a
reconnect everything not yet acknowledged is sent again; a receiver may then see an event
twice and ignores it by its id, as the contract says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from firmware.controller.ledger import Ledger

log = logging.getLogger(__name__)

BATCH = 200  # rows per pump; the rest go on the next turn of the loop


class OutboxPump:
    def __init__(self, ledger: Ledger, publish: Callable[..., Any],
                 connected: Callable[[], bool]) -> None:
        self.ledger = ledger
        self._publish = publish
        self._connected = connected
        self._in_flight: dict[int, int] = {}  # paho message id -> outbox row id
        self._sent_rows: set[int] = set()
        # The pump runs on every turn of the loop; it reads the table only when something
        # was added since, or rows are left over (a backlog, a reconnect).
        self._seen_writes = -1
        self._more = True

    def pump(self) -> int:
        """Publish rows not yet in flight; returns how many were handed to paho."""
        if not self._connected():
            return 0
        if self.ledger.outbox_writes == self._seen_writes and not self._more:
            return 0
        self._seen_writes = self.ledger.outbox_writes
        rows = self.ledger.outbox_pending(BATCH + len(self._sent_rows))
        sent = 0
        for row_id, topic, payload, retain in rows:
            if row_id in self._sent_rows or sent >= BATCH:
                continue
            info = self._publish(topic, payload, qos=1, retain=retain)
            self._in_flight[info.mid] = row_id
            self._sent_rows.add(row_id)
            sent += 1
        self._more = sent >= BATCH  # the rest on the next turn
        return sent

    def delivered(self, mid: int) -> None:
        row_id = self._in_flight.pop(mid, None)
        if row_id is not None:
            self.ledger.outbox_done(row_id)
            self._sent_rows.discard(row_id)

    def link_lost(self) -> None:
        """Unacknowledged rows are sent again once the link is back."""
        if self._in_flight:
            log.info("%d outbox messages unacknowledged; they go again after reconnect",
                     len(self._in_flight))
        self._in_flight.clear()
        self._sent_rows.clear()
        self._more = True

    @property
    def backlog(self) -> int:
        return len(self.ledger.outbox_pending(BATCH))
