"""One calling policy: what a room calls, what the forecast tells and who is ahead agree.

The forecast plays the caller's own policy forward, so replaying its steps through
`rules.call_next` (the function the controller runs when a clerk calls) must give the same
tickets, and a new ticket's "people ahead" and wait must be what that replay shows.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.appointment_store import AppointmentStore, parse_csv
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core import calling, estimate, rules
from firmware.core.errors import Refusal
from firmware.core.events import Event, EventType
from firmware.core.queue import QueueState, TicketStatus
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, at, small_site

SERVICES = ["kela", "vero", "migri"]
DAY = MONDAY.isoformat()


def one_kela_room() -> SiteConfig:
    config = small_site()
    return dataclasses.replace(config, rooms=config.rooms[:1])


def test_the_issues_example_the_caller_and_the_forecast_agree(tmp_path) -> None:
    """One Kela room at 10:00; walk-in K001 from 09:50; K002 booked for 11:00 and checked in
    early. The caller calls K001, and the forecast must say so too (it used to tell K002
    "0 min" and K001 "12 min")."""
    config = one_kela_room()
    ledger = Ledger(tmp_path / "ledger.sqlite")
    rows, problems = parse_csv("time,service,code\n2026-11-30 11:00,kela,AB12CD34\n", config)
    assert problems == []
    AppointmentStore(ledger).replace_days(rows)
    clock = ManualClock(at(MONDAY, 9, 50))
    controller = Controller(config, ledger, clock)
    issue = {"lang": "fi", "device": "k"}
    walk_in = controller.handle(Command(topics.ISSUE, "w", {
        **issue, "service": "kela", "appointment": None})).response["ticket"]
    clock.set(at(MONDAY, 10, 0))
    booked = controller.handle(Command(topics.ISSUE, "b", {
        **issue, "service": None, "appointment": "AB12CD34"})).response["ticket"]
    assert (walk_in["number"], booked["number"]) == ("K001", "K002")
    # K001 is served 10:00-10:12; K002 is called when it is due, at 10:55 (5 min margin).
    assert (booked["ahead"], booked["eta_minutes"]) == (1, 55)

    plan = estimate.forecast(controller.state, config, clock.now())
    assert plan.calls == {"K001": 0.0, "K002": 55.0}
    # Someone taking a number now is called when K001 is done, before the appointment: the
    # lobby display says so.
    assert plan.newcomer("kela") == 12.0
    shown = {row["id"]: row for row in controller.snapshot()["services"]}["kela"]
    assert (shown["waiting"], shown["eta_minutes"]) == (2, 12)

    called = controller.handle(Command(topics.CALL, "c", {"room": "1", "services": []}))
    assert called.response["ticket"]["number"] == "K001"


def test_an_appointment_checked_in_early_waits_for_its_time_in_an_empty_queue() -> None:
    config = one_kela_room()
    state = QueueState(day=DAY)
    state.apply(Event("1", EventType.TICKET_ISSUED, at(MONDAY, 10, 0), DAY, {
        "number": "K001", "service": "kela", "seq_no": 1, "counter": "K",
        "appointment_at": at(MONDAY, 10, 30).isoformat()}))
    now = at(MONDAY, 10, 0)
    assert calling.next_ticket(state, config, ["kela"], now) is None
    assert calling.next_ticket(state, config, ["kela"], at(MONDAY, 10, 25)) == calling.Choice(
        "K001", by_language=False, by_assistance=False, passed_over=())
    plan = estimate.forecast(state, config, now)
    assert plan.calls == {"K001": 25.0} and plan.idle_at == {"1": 0.0}


# -- the property ----------------------------------------------------------------------------


def _apply(state: QueueState, decisions: list[rules.Decision], when: datetime) -> None:
    for decision in decisions:
        seq = state.seq + 1
        state.apply(Event(str(seq), decision.type, when, DAY, decision.data, seq))


LANGS = ["fi", "sv", "en"]


@st.composite
def days(draw: st.DrawFn) -> tuple[SiteConfig, QueueState, datetime]:
    """A morning of issues (in three languages, some needing assistance, some visiting
    several authorities), appointments, calls, completions (some sending the customer on),
    transfers, no-shows, breaks and clerks' languages, made by the same rules the controller
    runs, and a moment after it."""
    base = small_site()
    languages = st.lists(st.sampled_from(LANGS), min_size=1, max_size=3, unique=True)
    rooms = tuple(dataclasses.replace(r, languages=tuple(draw(languages))) for r in base.rooms)
    config = dataclasses.replace(base, rooms=rooms, rules=dataclasses.replace(
        base.rules, appointment_priority_minutes=draw(st.integers(0, 30)),
        language_preference=draw(st.booleans()),
        language_bound_minutes=draw(st.integers(0, 20)),
        assistance_first=draw(st.booleans()), assistance_every=draw(st.integers(1, 4)),
        next_leg_place=draw(st.sampled_from(["arrival", "end", "priority"]))))
    state = QueueState(day=DAY)
    when = at(MONDAY, 8, 0)
    count: dict[str, int] = {}
    for step in range(draw(st.integers(0, 30))):
        when += timedelta(minutes=draw(st.integers(0, 12)))
        action = draw(st.sampled_from(
            ["walk_in", "walk_in", "walk_in", "appointment", "appointment", "call", "call",
             "complete", "transfer", "no_show", "reinstate", "pause", "languages", "add"]))
        service = draw(st.sampled_from(SERVICES))
        room = draw(st.sampled_from(config.rooms))
        open_ = sorted(t.number for t in state.open_tickets())
        try:
            if action in ("walk_in", "appointment"):
                count[service] = count.get(service, 0) + 1
                data = {"number": f"{service[0].upper()}{count[service]:03d}",
                        "service": service, "seq_no": count[service], "counter": service,
                        "lang": draw(st.sampled_from(LANGS))}
                if draw(st.integers(0, 3)) == 0:
                    data["assistance"] = True
                then = draw(st.lists(st.sampled_from([s for s in SERVICES if s != service]),
                                     max_size=2, unique=True))
                if then:
                    data["then"] = then
                if action == "appointment":
                    booked = when + timedelta(minutes=draw(st.integers(-15, 90)))
                    data["appointment_at"] = booked.isoformat()
                _apply(state, [rules.Decision(EventType.TICKET_ISSUED, data)], when)
            elif action == "call":
                wanted = draw(st.lists(st.sampled_from(SERVICES), max_size=3, unique=True))
                _apply(state, rules.call_next(state, config, room.id, wanted, f"c{step}", when),
                       when)
            elif action == "complete":
                then = draw(st.sampled_from([None, None, service]))
                _apply(state, rules.complete_and_continue(state, config, room.id, then), when)
            elif action == "no_show":
                _apply(state, [rules.no_show(state, config, room.id)], when)
            elif action == "reinstate":
                gone = sorted(n for n, t in state.tickets.items()
                              if t.status is TicketStatus.NO_SHOW)
                if gone:
                    _apply(state, [rules.reinstate(state, config, draw(st.sampled_from(gone)),
                                                   when)], when)
            elif action == "pause":
                _apply(state, rules.room_state(
                    state, config, room.id, draw(st.sampled_from(["paused", "serving", "closed"])),
                    draw(st.sampled_from([None, "lunch"])), "clerk"), when)
            elif action == "languages":
                _apply(state, rules.room_languages(state, config, room.id, draw(languages)),
                       when)
            elif action == "add" and open_:
                _apply(state, [rules.add_service(state, config, draw(st.sampled_from(open_)),
                                                 service)], when)
            elif open_:
                number = draw(st.sampled_from(open_))
                _apply(state, [rules.transfer(state, config, service, room_id=None,
                                              number=number)], when)
        except Refusal:
            pass  # a command the controller would refuse changes nothing
    return config, state, when + timedelta(minutes=draw(st.integers(1, 40)))


def replay(state: QueueState, config: SiteConfig, plan: estimate.Forecast,
           now: datetime) -> list[tuple[str, str]]:
    """Ask the caller at each step of the forecast, on a copy of the state that the calls
    change as the controller's would; every answer must be the forecast's. Returns the
    called (number, service) in order."""
    state = copy.deepcopy(state)
    called: list[tuple[str, str]] = []
    for step in plan.steps:
        moment = plan.moment(step)
        decisions = rules.call_next(state, config, step.room, list(plan.rooms[step.room]),
                                    f"r{len(called)}", moment)
        calls = [d.data for d in decisions if d.type is EventType.TICKET_CALLED]
        picked = calls[0]["number"] if calls else None
        assert picked == step.number, f"{step.room} at {moment}: caller {picked}"
        if calls:
            called.append((calls[0]["number"], calls[0]["service"]))
        _apply(state, decisions, moment)
    return called


def ahead_in(called: list[tuple[str, str]], number: str) -> int:
    """People called before this ticket (its first call) for the same service."""
    position = [n for n, _ in called].index(number)
    service = called[position][1]
    return sum(1 for _, s in called[:position] if s == service)


@settings(max_examples=150, deadline=None)
@given(days())
def test_the_forecast_calls_whom_the_caller_would_call(day) -> None:
    config, state, now = day
    plan = estimate.forecast(state, config, now)
    called = replay(state, config, plan, now)
    # Each room's first call (and every later one) is the caller's pick, and everyone waiting
    # for a service some working room calls for is forecast (visits going on to another
    # authority are forecast there too, with the same number).
    served = {s for services in plan.rooms.values() for s in services}
    waiting = {n for n, t in state.tickets.items()
               if t.status is TicketStatus.WAITING and t.service in served}
    assert waiting <= {n for n, _ in called} == set(plan.calls)
    assert not any(step.room not in plan.rooms for step in plan.steps)
    # A paused room is asked only from when it is expected back (its reason's usual length
    # today), a closed one never.
    for room_id, room in state.rooms.items():
        if not room.serving:
            back = estimate.back_in(state, room_id, now)
            assert (room_id in plan.rooms) == (back is not None)
            assert all(step.at >= back for step in plan.steps if step.room == room_id)
    once = Counter(n for n, _ in called)
    for number in plan.calls:
        if once[number] == 1:
            assert plan.ahead_of(number) == ahead_in(called, number)


@settings(max_examples=150, deadline=None)
@given(days(), st.sampled_from(SERVICES), st.one_of(st.none(), st.integers(-15, 90)))
def test_a_new_tickets_people_ahead_and_wait_are_the_callers_order(day, service,
                                                                     booked_in) -> None:
    config, state, now = day
    appointment_at = None if booked_in is None else now + timedelta(minutes=booked_in)
    joining = calling.Candidate.new_ticket("X001", service, now, appointment_at)
    ahead, wait = estimate.for_new_ticket(state, config, joining, now)

    after = copy.deepcopy(state)
    data = {"number": "X001", "service": service, "seq_no": 1, "counter": "X"}
    if appointment_at is not None:
        data["appointment_at"] = appointment_at.isoformat()
    _apply(after, [rules.Decision(EventType.TICKET_ISSUED, data)], now)
    plan = estimate.forecast(after, config, now)
    called = replay(after, config, plan, now)
    if "X001" in plan.calls:
        assert (ahead, wait) == (ahead_in(called, "X001"), plan.calls["X001"])
    else:  # no room works for the service now: the order is unknown
        assert (ahead, wait) == (state.waiting_count(service), None)
    if appointment_at is None and estimate.last_in_every_order(state, config, joining, now):
        # The lobby's figure for someone taking a number is the slip's (unless a room
        # prefers the newcomer's language: then the slip knows better).
        served = any(service in r.services for r in config.rooms)
        shown = estimate.forecast(state, config, now).newcomer(service) if served else None
        assert shown == wait
