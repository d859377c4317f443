"""The controller's use cases: a command in, events into the ledger, an answer out.

No network here: the controller role feeds it parsed commands and publishes what it returns.
Order of work for every command: answer a repeated request_id from the ledger; decide with
the pure rules; commit events and answer together; only then change the in-memory state.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from firmware.clock import Clock
from firmware.core import rules, service_hours, snapshot
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import Event, EventType
from firmware.core.queue import QueueState, fold
from firmware.ledger import Ledger
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    response: dict[str, Any]
    events: list[Event] = field(default_factory=list)  # appended now: to be published

    @property
    def changed(self) -> bool:
        return bool(self.events)


def _new_id() -> str:
    return str(uuid.uuid4())


class Controller:
    def __init__(
        self,
        config: SiteConfig,
        ledger: Ledger,
        clock: Clock,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.clock = clock
        self.new_id = new_id
        self.state = self._rebuild(service_hours.service_day(config.site, clock.now()))

    def _rebuild(self, day: str) -> QueueState:
        """The day's queue from the ledger: the same after a restart as before it."""
        state = fold(day, self.ledger.events_of_day(day))
        state.seq = max(state.seq, self.ledger.last_seq)
        return state

    def _roll_day(self, now: datetime) -> None:
        day = service_hours.service_day(self.config.site, now)
        if day != self.state.day:
            log.info("service day changed from %s to %s", self.state.day, day)
            self.state = self._rebuild(day)

    def snapshot(self) -> dict[str, Any]:
        now = self.clock.now()
        self._roll_day(now)
        return snapshot.build(self.state, self.config, now)

    def handle(self, command: Command) -> Outcome:
        previous = self.ledger.answered(command.request_id)
        if previous is not None:
            log.info("request %s repeated; answering as before", command.request_id)
            return Outcome(previous)
        now = self.clock.now()
        self._roll_day(now)
        try:
            decisions, response = self._decide(command, now)
        except Refusal as refusal:
            log.info("refused %s: %s", command.name, refusal.message)
            response = refusal.to_wire()
            self.ledger.append([], (command.request_id, command.name, response), now)
            return Outcome(response)
        events = [
            Event(self.new_id(), d.type, now, self.state.day, d.data) for d in decisions
        ]
        stored = self.ledger.append(events, (command.request_id, command.name, response), now)
        for event in stored:
            self.state.apply(event)
        return Outcome(response, stored)

    # -- per command ------------------------------------------------------------------------

    def _decide(
        self, command: Command, now: datetime
    ) -> tuple[list[rules.Decision], dict[str, Any]]:
        body = command.body
        if command.name == topics.ISSUE:
            decision = rules.issue(
                self.state, self.config, body["service"], body["lang"], body["device"], now
            )
            service_id = body["service"]
            ahead = self.state.waiting_count(service_id)  # the new ticket joins at the end
            ticket = {
                "number": decision.data["number"],
                "service": service_id,
                "issued_at": now.isoformat(timespec="seconds"),
                "ahead": ahead,
                "eta_minutes": snapshot.eta_minutes(self.state, self.config, service_id, ahead),
            }
            return [decision], {"ok": True, "ticket": ticket}
        if command.name == topics.CALL:
            decisions = rules.call_next(
                self.state, self.config, body["room"], body["services"], self.new_id()
            )
            called = next((d for d in decisions if d.type is EventType.TICKET_CALLED), None)
            if called is None:
                return decisions, {"ok": True, "ticket": None}
            waiting = self.state.tickets[called.data["number"]]
            ticket = {
                "number": waiting.number,
                "service": waiting.service,
                "issued_at": waiting.issued_at.isoformat(timespec="seconds"),
                "room": body["room"],
                "call_id": called.data["call_id"],
                "called_at": now.isoformat(timespec="seconds"),
            }
            return decisions, {"ok": True, "ticket": ticket}
        if command.name == topics.COMPLETE:
            decision = rules.complete(self.state, self.config, body["room"])
            done = self.state.tickets[decision.data["number"]]
            return [decision], {"ok": True, "ticket": {**done.to_wire(), "status": "done"}}
        raise Refusal(
            ErrorCode.BAD_REQUEST, f"command '{command.name}' is not supported by this version"
        )
