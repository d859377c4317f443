"""Hypothesis drives random days of issue / call / complete / restart through the controller
and checks the invariants a lobby relies on after every step."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core.queue import TicketStatus, fold
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, at, small_site

CONFIG = small_site()
ROOMS = [r.id for r in CONFIG.rooms]


class QueueDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        self.clock = ManualClock(at(MONDAY, 9, 0))
        self.controller = Controller(CONFIG, Ledger(self.dir / "l.sqlite"), self.clock)
        self.counter = 0
        self.waiting_before_call: set[str] = set()

    def teardown(self) -> None:
        self.controller.ledger.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _send(self, name: str, **body: object) -> dict:
        self.counter += 1
        defaults = {"lang": "fi", "device": "k", "appointment": None} if name == topics.ISSUE \
            else {}
        if name == topics.CALL:
            defaults = {"services": []}
        return self.controller.handle(
            Command(name, f"r{self.counter}", {**defaults, **body})).response

    @rule(service=st.sampled_from(["kela", "vero", "migri"]))
    def issue(self, service: str) -> None:
        answer = self._send(topics.ISSUE, service=service)
        assert answer["ok"] or answer["error"]["code"] == "service_closed"

    @rule(room=st.sampled_from(ROOMS))
    def call(self, room: str) -> None:
        state = self.controller.state
        waiting = {n for n, t in state.tickets.items() if t.status is TicketStatus.WAITING}
        answer = self._send(topics.CALL, room=room)
        assert answer["ok"]
        if answer["ticket"] is not None:
            assert answer["ticket"]["number"] in waiting  # a called ticket was waiting

    @rule(room=st.sampled_from(ROOMS))
    def complete(self, room: str) -> None:
        answer = self._send(topics.COMPLETE, room=room)
        assert answer["ok"] or answer["error"]["code"] == "no_ticket"

    @rule(room=st.sampled_from(ROOMS))
    def recall(self, room: str) -> None:
        before = self.controller.state.serving.get(room)
        answer = self._send(topics.RECALL, room=room)
        if before is None:
            assert answer["error"]["code"] == "no_ticket"
        else:  # the same ticket, called again under a new call id
            assert answer["ticket"]["number"] == before.ticket
            assert answer["ticket"]["call_id"] != before.call_id

    @rule(room=st.sampled_from(ROOMS))
    def no_show(self, room: str) -> None:
        answer = self._send(topics.NO_SHOW, room=room)
        assert answer["ok"] or answer["error"]["code"] == "no_ticket"

    @rule(data=st.data())
    def reinstate(self, data: st.DataObject) -> None:
        numbers = sorted(self.controller.state.tickets) or ["K001"]
        number = data.draw(st.sampled_from(numbers))
        answer = self._send(topics.REINSTATE, ticket=number)
        assert answer["ok"] or answer["error"]["code"] == "no_ticket"

    @rule(data=st.data(), to=st.sampled_from(["kela", "vero", "migri"]))
    def transfer(self, data: st.DataObject, to: str) -> None:
        numbers = sorted(self.controller.state.tickets) or ["K001"]
        number = data.draw(st.sampled_from(numbers))
        before = self.controller.state.tickets.get(number)
        issued_at = before.issued_at if before else None
        answer = self._send(topics.TRANSFER, ticket=number, to_service=to)
        if answer["ok"]:  # same number, same place by original issue time
            ticket = self.controller.state.tickets[number]
            assert ticket.service == to and ticket.issued_at == issued_at

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        numbers = sorted(self.controller.state.tickets) or ["K001"]
        answer = self._send(topics.CANCEL, ticket=data.draw(st.sampled_from(numbers)))
        assert answer["ok"] or answer["error"]["code"] == "no_ticket"

    @rule(minutes=st.integers(1, 90))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def retry_last_request(self) -> None:
        before = self.controller.snapshot()
        if self.counter:
            previous = self.controller.ledger.answered(f"r{self.counter}")
            again = self.controller.handle(Command(topics.ISSUE, f"r{self.counter}", {
                "service": "kela", "lang": "fi", "device": "k", "appointment": None}))
            assert again.response == previous and not again.events
        assert self.controller.snapshot() == before

    @precondition(lambda self: self.counter > 0)
    @rule()
    def restart(self) -> None:
        before = self.controller.snapshot()
        self.controller.ledger.close()
        self.controller = Controller(CONFIG, Ledger(self.dir / "l.sqlite"), self.clock)
        assert self.controller.snapshot() == before

    @invariant()
    def no_number_is_open_twice(self) -> None:
        state = self.controller.state
        open_numbers = [n for n, t in state.tickets.items() if t.status is not TicketStatus.DONE]
        assert len(open_numbers) == len(set(open_numbers))
        rooms = [c.ticket for c in state.serving.values()]
        assert len(rooms) == len(set(rooms))  # a ticket is in at most one room

    @invariant()
    def live_state_equals_the_fold_of_the_ledger(self) -> None:
        state = self.controller.state
        rebuilt = fold(state.day, self.controller.ledger.events_of_day(state.day))
        assert rebuilt.waiting == state.waiting
        assert rebuilt.serving == state.serving
        assert {n: t.status for n, t in rebuilt.tickets.items()} == \
               {n: t.status for n, t in state.tickets.items()}


TestQueueDay = QueueDay.TestCase
TestQueueDay.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
