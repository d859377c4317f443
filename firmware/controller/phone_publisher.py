"""The retained public messages of the tickets customers follow on their phones.

After each change of the queue (and at each recheck, every 20 s) the controller hands the
publisher the day's state and the forecast it made the snapshot from. Each ticket's message
goes out on `public/ticket/{key}` when any field but its time `at` changed since the last
one sent (kept per key); an empty retained payload removes it 30 minutes after the ticket
is done, at once when the day ends, and for an earlier day's tickets. A broker that came
back may have lost the retained messages: `forget_sent` makes the next turn send them all.
Tokens and codes never appear here but as their keys, and nothing is logged about a ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from firmware.controller.phone_store import PhoneRow, PhoneStore
from firmware.core import estimate
from firmware.core.phone_view import PhoneKeys, public_tickets
from firmware.core.queue import QueueState, TicketStatus
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import PublicAlive, PublicTicket
from mqtt_bridge.payloads import encode

log = logging.getLogger(__name__)

SHOWN_AFTER_DONE = timedelta(minutes=30)  # "done" stays on the phone this long
ALIVE_EVERY_S = 30.0  # the site's heartbeat; the pages call the lobby offline after 90 s

Publish = Callable[[str, bytes], None]  # retained, QoS 1


class PhonePublisher:
    def __init__(self, store: PhoneStore, config: SiteConfig, publish: Publish) -> None:
        self.store = store
        self.config = config
        self.site = config.site.id
        self._publish = publish
        self._sent: dict[str, PublicTicket] = {}  # by key, with `at` left out

    def forget_sent(self) -> None:
        """Send every message again on the next turn (the broker may have lost them)."""
        self._sent.clear()

    def alive(self, now: datetime) -> None:
        self._publish(topics.public_alive(self.site),
                      encode(PublicAlive(now.isoformat(timespec="seconds")).to_wire()))

    def update(self, state: QueueState, plan: estimate.Forecast, now: datetime) -> None:
        """Publish what changed, remove what is over."""
        gone: list[PhoneRow] = []
        shown: dict[str, PhoneKeys] = {}
        newest = self._newest_per_number(state.day)
        for key, row in list(self.store.active.items()):
            ticket = state.tickets.get(row.number) if row.day == state.day else None
            if ticket is None or newest.get(row.number) is not row \
                    or state.day_closed is not None:
                gone.append(row)  # another day, a number given again, or the day is over
                continue
            if ticket.status is TicketStatus.DONE:
                if row.done_at is None:
                    self.store.mark_done(row, now.isoformat(timespec="seconds"))
                assert row.done_at is not None
                if now - datetime.fromisoformat(row.done_at) >= SHOWN_AFTER_DONE:
                    gone.append(row)
                    continue
                sent = self._sent.get(key)
                if sent is not None and sent.status == "done":
                    continue  # told already; nothing about it changes any more
            shown[row.number] = PhoneKeys(key, row.code_key)
        for key, message in public_tickets(state, self.config, plan, now, shown).items():
            comparable = replace(message, at="")
            if self._sent.get(key) != comparable:
                self._publish(topics.public_ticket(self.site, key),
                              encode(message.to_wire()))
                self._sent[key] = comparable
        self._remove(gone, state.day)

    def _newest_per_number(self, day: str) -> dict[str, PhoneRow]:
        newest: dict[str, PhoneRow] = {}
        for row in self.store.active.values():
            if row.day == day:
                held = newest.get(row.number)
                if held is None or (row.id or 0) > (held.id or 0):
                    newest[row.number] = row
        return newest

    def _remove(self, rows: list[PhoneRow], today: str) -> None:
        for row in rows:
            self._publish(topics.public_ticket(self.site, row.key), b"")
            self._sent.pop(row.key, None)
        self.store.mark_removed(rows)
        if any(row.day < today for row in rows):
            self.store.forget_before(today)
        if rows:
            log.info("%d public ticket messages removed", len(rows))
