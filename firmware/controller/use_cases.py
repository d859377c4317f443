"""The controller's use cases: a command in, events into the ledger, an answer out.

No network here: the controller role feeds it parsed commands and publishes what it returns.
Order of work for every command: answer a repeated request_id from the ledger; decide with
the pure rules; commit events and answer together; only then change the in-memory state.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from firmware.clock import Clock
from firmware.controller import snapshot
from firmware.controller.appointment_store import AppointmentStore
from firmware.controller.ledger import Ledger
from firmware.controller.phone_store import PhoneRow, PhoneStore
from firmware.core import calling, day_report, estimate, rules, service_hours
from firmware.core.appointments import Appointment, check_in
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import Event, EventType
from firmware.core.queue import QueueState, fold
from firmware.core.queue import Ticket as QueueTicket
from firmware.core.queue import TicketStatus as QueueStatus
from firmware.core.ticket_rate import TicketRate
from firmware.site_model import SiteConfig
from mqtt_bridge import clients, messages, topics
from mqtt_bridge.messages import PhoneLink, RecordedAnswer, RoomAnswer, Ticket, TicketAnswer
from mqtt_bridge.payloads import Command

log = logging.getLogger(__name__)

CALL_EVENTS = (EventType.TICKET_CALLED, EventType.TICKET_RECALLED)
# Wrong appointment codes one kiosk may try in a minute: plenty for a customer who mistypes,
# and with codes of 8 or more characters far too few to guess one.
CODE_TRIES_PER_MINUTE = 5
# Ratings and survey answers a device may send a minute: a child drumming on the face keys
# must not decide the month's figures (the device also counts a double tap as one vote).
FEEDBACK_PER_MINUTE = 12
SURVEY_LATE_DAYS = 31  # an answer kept on a device counts if it arrives within a month


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
        events_topic: str | None = None,
        clock_sure: Callable[[], bool | None] = lambda: True,
        strict: bool = False,
    ) -> None:
        self.config = config
        self.events_topic = events_topic  # with it, every event also goes to the outbox
        self.ledger = ledger
        self.clock = clock
        self.new_id = new_id
        # False while the wall clock is not synchronised yet (a Pi without a real-time clock
        # that booted offline): events made then are marked so the statistics can tell.
        self.clock_sure = clock_sure
        self.appointments = AppointmentStore(ledger)
        # The tickets' phone secrets, where the site lets customers follow on a phone (the
        # table is made only then); the row of a ticket being issued waits in `_phone_row`
        # for the issue's transaction.
        self.phones = PhoneStore(ledger) if config.phone.enabled else None
        self._phone_row: PhoneRow | None = None
        # Strict (the broker checks logins): only the site's own clients may command. On an
        # open development broker anyone may publish anything, so a stranger is let through.
        self.strict = strict
        self.clients = clients.site_clients(config)
        self._issue_rates: dict[str, TicketRate] = {}  # per kiosk; in memory, as on screen
        self._code_tries: dict[str, TicketRate] = {}  # wrong appointment codes per client
        self._feedback_rates: dict[str, TicketRate] = {}  # votes and answers per device
        self.pending_events: list[Event] = []  # appended outside a command (day's end)
        now = clock.now()
        today = self._service_day(now)
        self._expire_earlier_day(today, now)
        self.state = self._rebuild(today)

    def _service_day(self, now: datetime) -> str:
        """Today, by the clock, but never a day before the ledger's last one.

        A clock that jumps back (no real-time clock, no network yet) must not start a fresh
        numbering while today's tickets are still in the queue.
        """
        by_clock = service_hours.service_day(self.config.site, now)
        latest = self.ledger.latest_day_before("9999-12-31")
        return max(by_clock, latest) if latest else by_clock

    def _rebuild(self, day: str) -> QueueState:
        """The day's queue from the ledger: the same after a restart as before it."""
        state = fold(day, self.ledger.events_of_day(day))
        state.seq = max(state.seq, self.ledger.last_seq)
        return state

    def _expire_earlier_day(self, today: str, now: datetime) -> None:
        """Tickets a previous day left open end as `expired` (e.g. after a night's power cut)."""
        last_day = self.ledger.latest_day_before(today)
        if last_day is None:
            return
        self._expire(fold(last_day, self.ledger.events_of_day(last_day)), now)

    def _expire(self, state: QueueState, now: datetime) -> None:
        """A day left behind: its open tickets expire, and if nobody closed it (the
        controller was off at its end, or it had no closing time), its report is made now,
        as at its end, so the service team gets every day that had customers."""
        expired = [Event(self.new_id(), d.type, now, state.day, d.data)
                   for d in rules.expire_open(state)]
        closed: list[Event] = []
        if state.day_closed is None and state.tickets:
            end = min(now, day_report.day_end(self.config, state.day))
            report = day_report.build([*self.ledger.events_of_day(state.day), *expired],
                                      self.config, state.day, end)
            closed.append(Event(self.new_id(), EventType.DAY_CLOSED, now, state.day,
                                {"report": report}))
        if expired or closed:
            self.pending_events += self.ledger.append([*expired, *closed],
                                                       outbox_topic=self.events_topic)
            log.info("the day %s was left open: %d tickets expired%s", state.day,
                     len(expired), ", its report appended" if closed else "")

    def _roll_day(self, now: datetime) -> None:
        day = service_hours.service_day(self.config.site, now)
        if day < self.state.day:
            return  # the clock went back: stay on the day we are in
        if day != self.state.day:
            log.info("service day changed from %s to %s", self.state.day, day)
            self._expire(self.state, now)
            self.state = self._rebuild(day)

    def record(self, event_type: EventType, data: dict[str, Any]) -> list[Event]:
        """Append an event that no command asked for (a device fault, say)."""
        now = self.clock.now()
        self._roll_day(now)
        event = Event(self.new_id(), event_type, now, self.state.day, self._marked(data))
        stored = self.ledger.append([event], outbox_topic=self.events_topic)
        for e in stored:
            self.state.apply(e)
        return stored

    def record_once(self, event_id: str, event_type: EventType, data: dict[str, Any],
                    at: datetime) -> Event | None:
        """Append an event that happened at `at` (another device's time: an alarm while the
        controller was down), under an id made from what it records, unless the ledger
        already has that id: a retained message delivered again records nothing. None when
        it was there already.

        Its service day is the one of `at`, never after today's (a sender's clock running
        ahead must not start tomorrow's numbering). It is not applied to the queue: nothing
        in the queue's state, nor its `seq` that the lobby's snapshot carries, changes, so
        no public screen can tell that it happened."""
        now = self.clock.now()
        self._roll_day(now)
        if self.ledger.has_event(event_id):
            return None
        day = min(service_hours.service_day(self.config.site, at), self.state.day)
        # Not marked `clock_unsure` by our clock: the time is the sender's, not ours.
        event = Event(event_id, event_type, at, day, data)
        return self.ledger.append([event], outbox_topic=self.events_topic)[0]

    def _marked(self, data: dict[str, Any]) -> dict[str, Any]:
        return data if self.clock_sure() is not False else {**data, "clock_unsure": True}

    def day_end_due(self) -> datetime | None:
        """When today ends (closing time plus the site's minutes), None if it has no
        closing time (it then ends at midnight, as before) or was closed already."""
        if self.state.day_closed is not None:
            return None
        return rules.day_end_at(self.config, self.state.day)

    def close_day(self) -> list[Event]:
        """At the day's end: every open ticket closed (reason `closed`), then `day.closed`
        with the day report, in one transaction. Nothing before the end or once done."""
        now = self.clock.now()
        self._roll_day(now)
        end = self.day_end_due()
        if end is None or now < end:
            return []
        day = self.state.day
        closing = [Event(self.new_id(), d.type, now, day, self._marked(d.data))
                   for d in rules.close_at_day_end(self.state)]
        report = day_report.build([*self.ledger.events_of_day(day), *closing], self.config,
                                  day, now)
        closed = Event(self.new_id(), EventType.DAY_CLOSED, now, day,
                       self._marked({"report": report}))
        stored = self.ledger.append([*closing, closed], outbox_topic=self.events_topic)
        for event in stored:
            self.state.apply(event)
        log.info("the day %s ended at %s: %d open tickets closed, the day report appended",
                 day, _time(now), len(closing))
        return stored

    def take_pending_events(self) -> list[Event]:
        events, self.pending_events = self.pending_events, []
        return events

    def snapshot(self) -> dict[str, Any]:
        """The retained `queue/state` as it goes on the wire."""
        return self.snapshot_message().to_wire()

    def snapshot_message(self) -> messages.Snapshot:
        return self.snapshot_and_forecast()[0]

    def snapshot_and_forecast(self) -> tuple[messages.Snapshot, estimate.Forecast]:
        """The snapshot and the forecast it was made from (the phones' figures use the same
        one, so a phone and the lobby display never disagree)."""
        now = self.clock.now()
        self._roll_day(now)
        plan = estimate.forecast(self.state, self.config, now)
        return snapshot.build(self.state, self.config, now, plan), plan

    def handle(self, command: Command) -> Outcome:
        previous = self.ledger.answered(command.request_id)
        if previous is not None:
            log.info("request %s repeated; answering as before", command.request_id)
            return Outcome(previous)
        now = self.clock.now()
        self._roll_day(now)
        self._phone_row = None
        try:
            sender = self.authorize(command)
            decisions, response = self._decide(command, sender, now)
        except Refusal as refusal:
            log.info("refused %s from %s: %s", command.name, command.client or "a stranger",
                     refusal.message)
            response = refused(refusal).to_wire()
            self.ledger.remember_quiet(command.request_id, command.name, response, now,
                                       self.state.day)
            return Outcome(response)
        if not decisions:  # an empty call, a second check-in: kept only for retries
            self.ledger.remember_quiet(command.request_id, command.name, response, now,
                                       self.state.day)
            return Outcome(response)
        events = [Event(self.new_id(), d.type, now, self.state.day, self._marked(d.data))
                  for d in decisions]
        phone, self._phone_row = self._phone_row, None
        with self.ledger.writing():  # the ticket and its phone secrets, kept or lost together
            stored = self.ledger.append(events, (command.request_id, command.name, response),
                                        now, outbox_topic=self.events_topic)
            if phone is not None and self.phones is not None:
                self.phones.insert(phone)
        if phone is not None and self.phones is not None:
            self.phones.remember(phone)
        for event in stored:
            self.state.apply(event)
        return Outcome(response, stored)

    def authorize(self, command: Command) -> clients.Client | None:
        """The client that asks, if it may (None: a stranger on an open broker)."""
        client = self.clients.get(command.client or "")
        if client is None:
            if self.strict:
                raise Refusal(ErrorCode.FORBIDDEN, f"'{command.client}' is not a client of "
                              "this site; send commands on cmd/{command}/{client} with the "
                              "site's own login")
            return None
        why = clients.refusal(client, command)
        if why is not None:
            raise Refusal(ErrorCode.FORBIDDEN, why)
        return client

    def refusal_counts(self) -> dict[str, int]:
        return self.ledger.refusal_counts(self.state.day)

    # -- per command ------------------------------------------------------------------------

    def _decide(
        self, command: Command, sender: clients.Client | None, now: datetime
    ) -> tuple[list[rules.Decision], dict[str, Any]]:
        body, state, config = command.body, self.state, self.config
        name = command.name
        if name == topics.ISSUE:
            if sender is not None:  # the kiosk the broker vouches for, not what it says
                body = {**body, "device": sender.name}
            return self._issue(body, sender, now)
        if name in (topics.FEEDBACK, topics.SURVEY):
            return self._feedback(command, sender, now)
        by = sender.name if sender is not None else command.client
        staff = sender is None or sender.staff  # a stranger: an open development broker
        if name == topics.CALL:
            call_id = self.new_id()
            if body.get("ticket"):
                decisions = rules.call_ticket(state, config, body["room"], body["ticket"], call_id)
            else:
                decisions = rules.call_next(state, config, body["room"], body["services"],
                                            call_id, now, by=by)
            return decisions, self._answer_call(decisions, now, staff)
        if name == topics.RECALL:
            decision = rules.recall(state, config, body["room"], self.new_id())
            return [decision], self._answer_call([decision], now, staff)
        if name == topics.COMPLETE:
            decisions = rules.complete_and_continue(state, config, body["room"], body.get("then"))
            return decisions, TicketAnswer(self._ticket_after(decisions, staff)).to_wire()
        if name in (topics.ROOM_STATE, topics.ROOM_LANGUAGES):
            return self._room(command, by)
        if name in (topics.HELP_REQUEST, topics.HELP_ANSWER):
            return self._help(command, sender, by)
        if name == topics.ASSIST:
            decisions = rules.assist(state, body["ticket"], body["assistance"])
            return decisions, TicketAnswer(self._ticket_after(decisions, staff, body["ticket"])
                                           ).to_wire()
        if name == topics.ADD_SERVICE:
            decision = rules.add_service(state, config, body["ticket"], body["service"])
            return [decision], TicketAnswer(self._ticket_after([decision], staff)).to_wire()
        if name == topics.REPRINT:
            decision = rules.reprint(state, config, body["ticket"], body["device"])
            return [decision], TicketAnswer(self._reprinted(body["ticket"], now, staff),
                                            self._phone_link(body["ticket"], "missing")
                                            ).to_wire()
        if name == topics.NO_SHOW:
            decision = rules.no_show(state, config, body["room"])
        elif name == topics.REINSTATE:
            decision = rules.reinstate(state, config, body["ticket"], now)
        elif name == topics.TRANSFER:
            decision = rules.transfer(state, config, body["to_service"],
                                      room_id=body.get("room"), number=body.get("ticket"))
        elif name == topics.CANCEL:
            decision = rules.cancel(state, body["ticket"])
        else:
            raise Refusal(ErrorCode.BAD_REQUEST, f"command '{name}' is not handled here")
        return [decision], TicketAnswer(self._ticket_after([decision], staff)).to_wire()

    def _room(self, command: Command, by: str | None
              ) -> tuple[list[rules.Decision], dict[str, Any]]:
        """A room paused, closed or serving again, or the languages its clerk serves; the
        answer is the room as it will be (the same when nothing changes)."""
        body, room_id = command.body, command.body["room"]
        if command.name == topics.ROOM_STATE:
            decisions = rules.room_state(self.state, self.config, room_id, body["state"],
                                         body["reason"], by)
        else:
            decisions = rules.room_languages(self.state, self.config, room_id,
                                             body["languages"])
        after = fold_ahead(self.state, decisions, self.clock.now())
        return decisions, RoomAnswer(snapshot.room_row(after, self.config, room_id)).to_wire()

    def _help(self, command: Command, sender: clients.Client | None, by: str | None
              ) -> tuple[list[rules.Decision], dict[str, Any]]:
        """A kiosk's help key asks for the advisor (the device is the one the broker vouches
        for); an advisor's answer clears it. The role raises and clears the alert."""
        if command.name == topics.HELP_REQUEST:
            device = sender.name if sender is not None else command.client or "unknown"
            return rules.help_requested(self.state, self.config, device), \
                RecordedAnswer().to_wire()
        decision = rules.help_answered(self.state, command.body["device"], by)
        return [decision], RecordedAnswer().to_wire()

    def _reprinted(self, number: str, now: datetime, staff: bool) -> Ticket:
        """A reprinted ticket with where it stands now: who is ahead and the estimate."""
        ticket = self.state.tickets[number]
        plan = estimate.forecast(self.state, self.config, now)
        if ticket.status is QueueStatus.CALLED:
            ahead, wait = 0, 0.0
        else:
            ahead = plan.ahead_of(number)
            if ahead is None:  # no room serves it now: those before it in its line
                ahead = sum(1 for t in self.state.tickets.values()
                            if t.service == ticket.service and t.status is QueueStatus.WAITING
                            and t.issued_at < ticket.issued_at)
            wait = plan.calls.get(number)
        return replace(queued(ticket, staff), ahead=ahead,
                       eta_minutes=round(wait) if wait is not None else None,
                       eta_range=estimate.eta_range(wait))

    def _issue(self, body: dict[str, Any], sender: clients.Client | None,
               now: datetime) -> tuple[list[rules.Decision], dict[str, Any]]:
        rate = self._issue_rate(sender)
        if rate is not None and not rate.allows(now.timestamp()):
            raise Refusal(ErrorCode.RATE_LIMITED, "many numbers were just taken at this kiosk; "
                          "please wait a moment", retry_after_s=_seconds(rate, now))
        appointment = None
        if body.get("appointment"):
            appointment = self._check_in(body["appointment"], sender, now)
            earlier = next((t for t in self.state.tickets.values()
                            if t.appointment_id == appointment.id), None)
            if earlier is not None:
                # Checked in twice (a lost slip, say): the same number again, nothing new.
                again = replace(queued(earlier), again=True)
                return [], TicketAnswer(again, self._phone_link(earlier.number)).to_wire()
        service_id = appointment.service if appointment else body["service"]
        # A walk-in's forecast serves both the closing-time check and the slip's figures.
        plan = estimate.forecast(self.state, self.config, now) if appointment is None else None
        decision = rules.issue(self.state, self.config, service_id, body["lang"],
                               body["device"], now,
                               appointment_at=appointment.at if appointment else None, plan=plan,
                               assistance=body.get("assistance", False),
                               then=body.get("then", []))
        if appointment is not None:
            decision.data["appointment_id"] = appointment.id
        if rate is not None:
            rate.record(now.timestamp())
        joining = calling.Candidate.new_ticket(
            decision.data["number"], service_id, now, appointment.at if appointment else None,
            lang=body["lang"], assistance=bool(body.get("assistance", False)))
        ahead, wait = estimate.for_new_ticket(self.state, self.config, joining, now, plan)
        ticket = Ticket(
            number=decision.data["number"], service=service_id, issued_at=_time(now),
            ahead=ahead, eta_minutes=round(wait) if wait is not None else None,
            eta_range=estimate.eta_range(wait), appointment=appointment is not None,
            appointment_at=_time(appointment.at) if appointment is not None else None,
            lang=body["lang"], then=tuple(body.get("then", ())),
            assistance=body.get("assistance", False) if sender is None or sender.staff
            else None)
        return [decision], TicketAnswer(ticket, self._phone_link(ticket.number, "new")
                                        ).to_wire()

    def _phone_link(self, number: str, make: str = "no") -> PhoneLink | None:
        """The QR code's address and the short code of a ticket, where the site has phones
        on. `make`: "no", the ticket's own or None (a second check-in); "missing", its own or
        fresh ones when it has none (a reprint of a ticket issued before phones were on);
        "new", fresh ones (a new ticket: a number given again today gets new secrets). A
        fresh row is written with the command's events by `handle`."""
        if self.phones is None:
            return None
        row = None if make == "new" else self.phones.latest(self.state.day, number)
        if row is None:
            if make == "no":
                return None
            row = self._phone_row = PhoneRow.new(self.state.day, number)
        return PhoneLink(self.config.phone.base_url + row.token, row.code)

    def _feedback(self, command: Command, sender: clients.Client | None, now: datetime
                  ) -> tuple[list[rules.Decision], dict[str, Any]]:
        """A rating or a survey answer becomes an event; nothing personal is in it (the
        words were masked by the parser, whatever the device did)."""
        data = dict(command.body)
        if sender is not None:  # the device the broker vouches for, not what it says
            data["device"] = sender.name
        event = EventType.FEEDBACK_GIVEN
        if command.name == topics.SURVEY:
            event = EventType.SURVEY_ANSWERED
            if not self._survey_takes(data.get("answered_day")):
                raise Refusal(ErrorCode.SURVEY_CLOSED, "the customer survey is not open today")
        if sender is not None and sender.console:
            # Paper forms typed in by the advisor: a pile of them is no drumming child.
            return [rules.Decision(event, data)], RecordedAnswer().to_wire()
        rate = self._feedback_rates.setdefault(data["device"], TicketRate(FEEDBACK_PER_MINUTE))
        if not rate.allows(now.timestamp()):
            raise Refusal(ErrorCode.RATE_LIMITED, "many answers came from this device just "
                          "now; please wait a moment", retry_after_s=_seconds(rate, now))
        rate.record(now.timestamp())
        return [rules.Decision(event, data)], RecordedAnswer().to_wire()

    def _survey_takes(self, answered_day: str | None) -> bool:
        """Whether an answer counts: given in the survey month, and, if a device kept it
        while the controller was away, not in the future nor more than a month ago."""
        today = date.fromisoformat(self.state.day)
        day = date.fromisoformat(answered_day) if answered_day else today
        late = (today - day).days
        return self.config.survey.is_open(day) and 0 <= late <= SURVEY_LATE_DAYS

    def _issue_rate(self, sender: clients.Client | None) -> TicketRate | None:
        """The ticket cap of a kiosk, the same as on its screen (a stranger has none)."""
        if sender is None or not sender.kiosk:
            return None
        if sender.name not in self._issue_rates:
            device = self.config.device(sender.name)
            per_minute = device.kiosk.tickets_per_minute if device else 6
            self._issue_rates[sender.name] = TicketRate(per_minute)
        return self._issue_rates[sender.name]

    def _check_in(self, code: str, sender: clients.Client | None,
                  now: datetime) -> Appointment:
        """An appointment by its code, with wrong codes counted per client: guessing stops."""
        tries = self._code_tries.setdefault(sender.name if sender else "",
                                            TicketRate(CODE_TRIES_PER_MINUTE))
        if not tries.allows(now.timestamp()):
            raise Refusal(ErrorCode.TOO_MANY_ATTEMPTS, "too many wrong codes were tried here; "
                          "please wait a moment or ask the service advisor",
                          retry_after_s=_seconds(tries, now))
        try:
            return check_in(self.appointments.for_day(self.state.day), code, now,
                            self.config.rules)
        except Refusal:
            tries.record(now.timestamp())
            raise

    def _answer_call(self, decisions: list[rules.Decision], now: datetime,
                     staff: bool) -> dict[str, Any]:
        called = next((d for d in decisions if d.type in CALL_EVENTS), None)
        if called is None:
            return TicketAnswer(None).to_wire()
        ticket = self.state.tickets[called.data["number"]]
        return TicketAnswer(Ticket(
            number=ticket.number, service=ticket.service, issued_at=_time(ticket.issued_at),
            room=called.data["room"], call_id=called.data["call_id"], called_at=_time(now),
            calls=ticket.calls + 1, **_day_fields(ticket, staff))).to_wire()

    def _ticket_after(self, decisions: list[rules.Decision], staff: bool,
                      number: str | None = None) -> Ticket:
        """The ticket as it will be once the decisions' events are applied (on a copy of
        the ticket: the state changes only after the ledger took them)."""
        number = number or decisions[0].data["number"]
        after = fold_ahead(self.state, decisions, self.clock.now()).tickets[number]
        return queued(after, staff)


def fold_ahead(state: QueueState, decisions: list[rules.Decision], now: datetime
               ) -> QueueState:
    """The state as it will be after the decisions, on a copy (the answer is made before
    the ledger takes the events, and the live state changes only after it did)."""
    if not decisions:
        return state
    # Not a deep copy (tens of milliseconds with hundreds waiting): every container one
    # level down, and the tickets the decisions name; the rest is shared and not changed.
    # The day's tickets are many and the decisions name a few: the dict is copied as a whole
    # (in C) and only the named tickets are copied one by one.
    ahead = copy.copy(state)
    for part in dataclasses.fields(state):
        if part.name == "tickets":
            continue
        value = getattr(state, part.name)
        if isinstance(value, dict):
            value = {key: _copied(item) for key, item in value.items()}
        setattr(ahead, part.name, _copied(value))
    named = {d.data.get("number") for d in decisions}
    named.update(n for d in decisions for n in d.data.get("passed_over", ()))
    ahead.tickets = state.tickets.copy()
    for number in named & ahead.tickets.keys():
        ahead.tickets[number] = copy.copy(state.tickets[number])
    for decision in decisions:
        ahead.apply(Event("pending", decision.type, now, state.day, decision.data))
    return ahead


def _copied(value: Any) -> Any:
    return copy.copy(value) if isinstance(value, list | deque | dict | set) else value


def _day_fields(ticket: QueueTicket, staff: bool) -> dict[str, Any]:
    """What a real day adds to a ticket's answer: its language, the authorities after this
    one, which of them it is at (from the second on) and, to staff only, assistance."""
    return {"lang": ticket.lang, "then": tuple(ticket.then),
            "leg": ticket.legs if ticket.legs > 1 else None,
            "assistance": ticket.assistance if staff else None}


def queued(ticket: QueueTicket, staff: bool = False) -> Ticket:
    """A ticket of the queue as an answer tells of it: where it is and whether it came
    with an appointment."""
    return Ticket(number=ticket.number, service=ticket.service,
                  issued_at=_time(ticket.issued_at), status=str(ticket.status),
                  room=ticket.room, call_id=ticket.call_id,
                  appointment=ticket.appointment_at is not None, **_day_fields(ticket, staff))


def refused(refusal: Refusal) -> messages.Refusal:
    """The answer to a refused command."""
    return messages.Refusal(str(refusal.code), refusal.message, **refusal.details)


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _seconds(rate: TicketRate, now: datetime) -> int:
    return max(1, round(rate.wait_s(now.timestamp())))
