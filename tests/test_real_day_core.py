"""A real day's queue in the pure core (issue 24): the language of service, customers who need
assistance, visits to several authorities, breaks, the call history and the day's end.

Plain examples for each rule, then hypothesis properties over random days driven through the
same rules the controller runs, with a clock that jumps.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core import calling, estimate, rules
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import Event, EventType
from firmware.core.queue import Outcome, QueueState, TicketStatus, fold
from firmware.site_config import ConfigError, parse_site_config
from firmware.site_model import Room, SiteConfig
from testkit.site_factory import MONDAY, TZ, at, small_site
from tests.test_site_config import small_config, to_toml

DAY = MONDAY.isoformat()
SERVICES = ["kela", "vero", "migri"]


def site(languages: tuple[tuple[str, ...], ...] = (("fi", "sv"), ("fi",), ("en", "fi")),
         **queue: Any) -> SiteConfig:
    """The small test site with rooms that serve in these languages and these queue rules."""
    base = small_site()
    rooms = tuple(dataclasses.replace(r, languages=langs)
                  for r, langs in zip(base.rooms, languages, strict=True))
    return dataclasses.replace(base, rooms=rooms,
                               rules=dataclasses.replace(base.rules, **queue))


class Day:
    """A day's state, changed only through the rules' decisions, as the controller does."""

    def __init__(self, config: SiteConfig, start: datetime | None = None) -> None:
        self.config = config
        self.state = QueueState(day=DAY)
        self.now = start or at(MONDAY, 8, 0)
        self.events: list[Event] = []
        self.counters: Counter[str] = Counter()

    def apply(self, decisions: list[rules.Decision] | rules.Decision) -> list[rules.Decision]:
        batch = decisions if isinstance(decisions, list) else [decisions]
        for decision in batch:
            event = Event(str(len(self.events) + 1), decision.type, self.now, DAY,
                          decision.data, len(self.events) + 1)
            self.check(event)
            self.state.apply(event)
            self.events.append(event)
        return batch

    def check(self, event: Event) -> None:
        """Invariants every event must keep; the properties extend it."""
        if event.type is EventType.TICKET_CALLED:
            room = self.config.room(event.data["room"])
            assert room is not None
            now = self.state.room_state(room.id, room.languages)
            assert now.serving, f"{event.data['number']} called to {room.id}, {now.state}"

    def issue(self, service: str, lang: str = "fi", *, assistance: bool = False,
              then: tuple[str, ...] = (), appointment_at: datetime | None = None) -> str:
        self.counters[service] += 1
        number = f"{service[0].upper()}{self.counters[service]:03d}"
        data: dict[str, Any] = {"number": number, "service": service,
                                "seq_no": self.counters[service], "counter": service,
                                "lang": lang, "device": "lobby-1"}
        if assistance:
            data["assistance"] = True
        if then:
            data["then"] = list(then)
        if appointment_at is not None:
            data["appointment_at"] = appointment_at.isoformat()
        self.apply(rules.Decision(EventType.TICKET_ISSUED, data))
        return number

    def call(self, room: str, services: list[str] | None = None) -> dict[str, Any] | None:
        decisions = self.apply(rules.call_next(self.state, self.config, room, services or [],
                                               f"c{len(self.events)}", self.now, by="clerk"))
        called = [d.data for d in decisions if d.type is EventType.TICKET_CALLED]
        return called[0] if called else None

    def later(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


# -- config ------------------------------------------------------------------------------------


def test_the_queue_rules_and_room_languages_have_defaults_and_are_read() -> None:
    data = small_config()
    plain = parse_site_config(to_toml(data), "site.toml")
    assert plain.rooms[0].languages == ("fi", "sv", "en")
    rules_ = plain.rules
    assert (rules_.language_preference, rules_.language_bound_minutes, rules_.assistance_first,
            rules_.assistance_every, rules_.next_leg_place,
            rules_.day_end_after_closing_minutes) == (True, 10, True, 3, "arrival", 30)
    data["rooms"][0]["languages"] = ["sv", "fi"]
    data["queue"] = {"language_preference": False, "next_leg_place": "priority",
                     "assistance_every": 1, "day_end_after_closing_minutes": 0}
    read = parse_site_config(to_toml(data), "site.toml")
    assert read.rooms[0].languages == ("sv", "fi")
    assert (read.rules.language_preference, read.rules.next_leg_place,
            read.rules.assistance_every) == (False, "priority", 1)


@pytest.mark.parametrize(("where", "value", "says"), [
    (("queue", "next_leg_place"), "front", 'one of "arrival", "end", "priority"'),
    (("queue", "next_leg_place"), "priorty", "did you mean 'priority'"),
    (("queue", "assistance_every"), 0, "a whole number of calls from 1 to 32"),
    (("queue", "language_bound_minutes"), -5, "a whole number of minutes of at least 0"),
    (("queue", "language_preference"), "yes", "true or false"),
    (("rooms", "languages"), ["fi", "de"], '"fi" (Finnish), "sv" (Swedish), "en" (English)'),
    (("rooms", "languages"), [], "at least one language"),
    (("rooms", "languages"), ["fi", "fi"], "'fi' is listed twice"),
    (("rooms", "languages"), "fi", "expected a list of languages"),
])
def test_a_wrong_queue_rule_or_room_language_is_named_in_plain_words(where, value, says) -> None:
    data = small_config()
    table, key = where
    if table == "queue":
        data["queue"] = {key: value}
    else:
        data["rooms"][0][key] = value
    with pytest.raises(ConfigError) as caught:
        parse_site_config(to_toml(data), "site.toml")
    found = {p.path: p.message for p in caught.value.problems}
    assert len(found) == 1
    (path, message), = found.items()
    assert path.startswith("queue" if table == "queue" else "rooms[0].languages"), path
    assert says in message, message


# -- old ledgers -------------------------------------------------------------------------------


def test_a_ledger_from_before_folds_as_before() -> None:
    """Events without the new fields: no languages on calls, no services on completions."""
    old = [
        Event("1", EventType.TICKET_ISSUED, at(MONDAY, 9, 0), DAY,
              {"number": "K001", "service": "kela", "seq_no": 1, "counter": "K", "lang": "sv"}, 1),
        Event("2", EventType.TICKET_ISSUED, at(MONDAY, 9, 1), DAY,
              {"number": "K002", "service": "kela", "seq_no": 2, "counter": "K"}, 2),
        Event("3", EventType.TICKET_CALLED, at(MONDAY, 9, 5), DAY,
              {"number": "K001", "room": "1", "service": "kela", "call_id": "a"}, 3),
        Event("4", EventType.TICKET_COMPLETED, at(MONDAY, 9, 15), DAY,
              {"number": "K001", "room": "1"}, 4),
        Event("5", EventType.TICKET_CANCELLED, at(MONDAY, 23, 59), DAY,
              {"number": "K002", "service": "kela", "reason": "expired"}, 5),
    ]
    state = fold(DAY, old)
    first, second = state.tickets["K001"], state.tickets["K002"]
    assert (first.outcome, first.legs, first.then, first.assistance) == (
        Outcome.SERVED, 1, [], False)
    assert second.outcome is Outcome.EXPIRED and second.lang == "fi"
    assert [c.lang for c in state.recent] == ["sv"]  # from the ticket: announced in Swedish
    assert state.durations["kela"][0] == 10.0
    assert state.room_state("1", ("fi",)) == state.room_state("1", ("fi",))
    assert state.room_state("1", ("fi",)).serving and state.rooms == {}


# -- the language of service ---------------------------------------------------------------------


def test_a_room_prefers_its_language_within_the_bound() -> None:
    day = Day(site(language_bound_minutes=10))
    english = day.issue("kela", "en")
    day.later(1)
    swedish = day.issue("kela", "sv")
    day.issue("kela", "sv")
    day.later(1)
    first = day.call("1")  # room 1 serves fi and sv
    assert first is not None and first["number"] == swedish
    assert (first["by_language"], first["passed_over"], first["lang"]) == (True, [english], "sv")
    assert day.state.tickets[english].passed_since == day.now
    day.later(9)
    second = day.call("1")  # 9 minutes: the other Swedish customer still goes first
    assert second is not None and second["number"] != english
    assert "passed_over" not in second  # the bound runs from the first time it was passed
    day.issue("kela", "sv")
    day.later(1)
    owed = day.call("1")  # 10 minutes: the English customer is owed the next call
    assert owed is not None and owed["number"] == english
    assert "by_language" not in owed and day.state.tickets[english].passed_since is None


def test_a_site_that_is_not_bilingual_calls_in_plain_order() -> None:
    day = Day(site(language_preference=False))
    english = day.issue("kela", "en")
    day.issue("kela", "sv")
    called = day.call("1")
    assert called is not None and called["number"] == english and "by_language" not in called


def test_a_clerks_session_languages_change_the_rooms_preference() -> None:
    day = Day(site())
    assert day.apply(rules.room_languages(day.state, day.config, "1", ["en"]))
    assert rules.room_languages(day.state, day.config, "1", ["en"]) == []  # no change
    day.issue("kela", "fi")
    english = day.issue("kela", "en")
    called = day.call("1")
    assert called is not None and called["number"] == english and called["by_language"]
    for wrong, says in ((["de"], "no language 'de'"), ([], "at least one language")):
        with pytest.raises(Refusal) as refused:
            rules.room_languages(day.state, day.config, "1", wrong)
        assert refused.value.code is ErrorCode.BAD_REQUEST and says in refused.value.message


# -- assistance ----------------------------------------------------------------------------------


def test_assistance_goes_first_at_most_every_third_call_of_a_room() -> None:
    day = Day(site(assistance_every=3, language_preference=False))
    plain = [day.issue("kela") for _ in range(4)]
    day.later(1)
    helped = [day.issue("kela", assistance=True) for _ in range(2)]
    order = []
    for _ in range(6):
        called = day.call("1")
        assert called is not None
        order.append((called["number"], called.get("by_assistance", False),
                      called.get("assistance", False)))
    assert order == [(helped[0], True, True), (plain[0], False, False),
                     (plain[1], False, False), (helped[1], True, True),
                     (plain[2], False, False), (plain[3], False, False)]


def test_marking_a_ticket_for_assistance_is_recorded_once() -> None:
    day = Day(site())
    number = day.issue("kela")
    assert day.apply(rules.assist(day.state, number, True))
    assert day.state.tickets[number].assistance
    assert rules.assist(day.state, number, True) == []
    with pytest.raises(Refusal):
        rules.assist(day.state, "K999", True)


# -- visits to several authorities ---------------------------------------------------------------


@pytest.mark.parametrize("place", ["arrival", "end", "priority"])
def test_a_visit_continues_to_its_next_authority_with_the_same_number(place) -> None:
    day = Day(site(next_leg_place=place, language_preference=False))
    visit = day.issue("kela", then=("vero",))
    day.later(2)
    walk_in = day.issue("vero")
    day.later(1)
    assert day.call("1")["number"] == visit  # type: ignore[index]
    day.later(10)
    done = day.apply(rules.complete_and_continue(day.state, day.config, "1"))
    assert [d.type for d in done] == [EventType.TICKET_COMPLETED, EventType.TICKET_CONTINUED]
    assert done[0].data["service"] == "kela"
    assert done[1].data == {"number": visit, "from_service": "kela", "to_service": "vero",
                            "place": place, "leg": 2, "then": []}
    ticket = day.state.tickets[visit]
    assert (ticket.status, ticket.service, ticket.legs) == (TicketStatus.WAITING, "vero", 2)
    first = day.call("2", ["vero"])
    # By arrival (before the walk-in came) or at raised priority it goes first; at the end not.
    assert first is not None and first["number"] == (walk_in if place == "end" else visit)


def test_the_clerk_sends_a_customer_on_now_before_the_planned_authorities() -> None:
    day = Day(site())
    visit = day.issue("kela", then=("migri",))
    day.apply(rules.add_service(day.state, day.config, visit, "vero"))
    assert day.state.tickets[visit].then == ["migri", "vero"]
    day.call("1")
    done = day.apply(rules.complete_and_continue(day.state, day.config, "1", then="vero"))
    assert done[1].data["to_service"] == "vero" and done[1].data["then"] == ["migri"]
    with pytest.raises(Refusal) as twice:
        rules.add_service(day.state, day.config, visit, "migri")
    assert "already in this visit" in twice.value.message


def test_calling_the_next_customer_continues_the_previous_visit() -> None:
    day = Day(site())
    visit = day.issue("kela", then=("vero",))
    day.issue("kela")
    day.call("1")
    day.later(5)
    day.call("1")
    ticket = day.state.tickets[visit]
    assert (ticket.service, ticket.legs, ticket.status) == ("vero", 2, TicketStatus.WAITING)
    kinds = [e.type for e in day.events[-3:]]
    assert kinds == [EventType.TICKET_COMPLETED, EventType.TICKET_CONTINUED,
                     EventType.TICKET_CALLED]


# -- breaks ----------------------------------------------------------------------------------


def test_a_paused_room_is_not_called_to_and_comes_back_when_its_clerk_calls() -> None:
    day = Day(site())
    number = day.issue("kela")
    held = day.issue("kela")
    day.call("1")
    day.later(3)
    paused = day.apply(rules.room_state(day.state, day.config, "1", "paused", "lunch", "clerk"))
    # Going on a break finishes with the customer in the room.
    assert [d.type for d in paused] == [EventType.TICKET_COMPLETED, EventType.ROOM_STATE]
    assert day.state.tickets[number].outcome is Outcome.SERVED
    assert day.state.room_state("1", ("fi",)).since == day.now
    assert rules.room_state(day.state, day.config, "1", "paused", "lunch", "clerk") == []
    with pytest.raises(Refusal) as refused:
        rules.call_ticket(day.state, day.config, "1", held, "x")
    assert refused.value.message == ("room 1 is paused (at lunch); nobody can be called there "
                                     "until it serves again")
    # The forecast does not count on the room: nobody serves kela while room 2 is idle.
    assert "1" not in estimate.forecast(day.state, day.config, day.now).rooms
    day.later(30)
    back = day.call("1")
    assert back is not None and back["number"] == held
    assert day.events[-2].type is EventType.ROOM_STATE
    assert day.events[-2].data == {"room": "1", "state": "serving", "reason": None,
                                   "by": "clerk"}


def test_a_room_state_is_checked() -> None:
    day = Day(site())
    for state, reason, says in (("asleep", None, "serving, paused or closed"),
                                ("paused", "coffee", "not a reason for a pause")):
        with pytest.raises(Refusal) as refused:
            rules.room_state(day.state, day.config, "1", state, reason, "clerk")
        assert says in refused.value.message
    with pytest.raises(Refusal) as unknown:
        rules.room_state(day.state, day.config, "9", "closed", None, "clerk")
    assert unknown.value.code is ErrorCode.UNKNOWN_ROOM
    assert rules.room_state(day.state, day.config, "1", "serving", None, "clerk") == []


# -- the history, reprints, help, the day's end -------------------------------------------------


def test_recent_calls_are_newest_first_and_a_recall_is_a_new_entry() -> None:
    day = Day(site(language_preference=False))
    numbers = [day.issue("kela", lang) for lang in ("fi", "sv", "en") * 4]
    for _ in range(9):
        day.call("1")
        day.later(1)
    day.apply(rules.recall(day.state, day.config, "1", "again"))
    recent = list(day.state.recent)
    assert len(recent) == 8
    assert [c.ticket for c in recent[:3]] == [numbers[8], numbers[8], numbers[7]]
    assert recent[0].lang == "en" and recent[0].call_id == "again"


def test_a_copy_of_an_open_ticket_only() -> None:
    day = Day(site())
    number = day.issue("kela")
    day.apply(rules.reprint(day.state, day.config, number, "lobby-1"))
    assert day.state.tickets[number].copies == 1
    with pytest.raises(Refusal) as not_kiosk:
        rules.reprint(day.state, day.config, number, "room-1")
    assert "not a kiosk" in not_kiosk.value.message
    day.apply(rules.cancel(day.state, number))
    with pytest.raises(Refusal) as closed:
        rules.reprint(day.state, day.config, number, "lobby-1")
    assert closed.value.message == (f"{number} is closed; only a ticket still in the queue can "
                                    "be printed again")


def test_help_is_asked_once_until_answered() -> None:
    day = Day(site())
    day.apply(rules.help_requested(day.state, day.config, "lobby-1"))
    assert day.state.help_wanted == {"lobby-1": day.now}
    assert rules.help_requested(day.state, day.config, "lobby-1") == []
    day.apply(rules.help_answered(day.state, "lobby-1", "advisor"))
    assert day.state.help_wanted == {}
    with pytest.raises(Refusal):
        rules.help_answered(day.state, "lobby-1", "advisor")


def test_the_day_ends_after_closing_time_and_closes_open_tickets() -> None:
    config = site(day_end_after_closing_minutes=30)
    assert rules.day_end_at(config, MONDAY) == at(MONDAY, 16, 45)
    assert rules.day_end_at(config, "2026-12-05") is None  # a Saturday: no hours
    late = dataclasses.replace(config, rules=dataclasses.replace(
        config.rules, day_end_after_closing_minutes=600))
    assert rules.day_end_at(late, MONDAY) == datetime.combine(
        date(2026, 12, 1), datetime.min.time(), tzinfo=TZ)
    day = Day(config)
    waiting, called, gone = day.issue("kela"), day.issue("kela"), day.issue("vero")
    day.call("2", ["vero"])
    day.apply(rules.no_show(day.state, config, "2"))
    day.call("1")
    closing = day.apply(rules.close_at_day_end(day.state))
    assert {d.data["number"] for d in closing} == {waiting, called}
    assert all(d.data["reason"] == "closed" for d in closing)
    assert day.state.tickets[waiting].outcome is Outcome.CLOSED
    assert day.state.tickets[gone].outcome is Outcome.NO_SHOW


# -- properties over random days -------------------------------------------------------------


class CheckedDay(Day):
    """A day that checks the properties at every decision and keeps its own model of each
    visit's remaining authorities."""

    def __init__(self, config: SiteConfig) -> None:
        super().__init__(config)
        self.plans: dict[str, list[str]] = {}
        self.room_calls: dict[str, list[bool]] = {}  # per room: by_assistance of each call

    def check(self, event: Event) -> None:
        super().check(event)
        d = event.data
        if event.type is EventType.TICKET_CALLED:
            self.room_calls.setdefault(d["room"], []).append(d.get("by_assistance", False))
            every = self.config.rules.assistance_every
            recent = self.room_calls[d["room"]][-every:]
            assert sum(recent) <= 1, f"room {d['room']}: {recent}"
        elif event.type is EventType.TICKET_ISSUED:
            self.plans[d["number"]] = list(d.get("then", ()))
        elif event.type is EventType.TICKET_LEG_ADDED:
            self.plans[d["number"]].append(d["service"])
        elif event.type is EventType.TICKET_CONTINUED:
            plan = self.plans[d["number"]]
            assert d["to_service"] in plan or d["to_service"] not in self.state.tickets[
                d["number"]].then
            if d["to_service"] in plan:
                plan.remove(d["to_service"])
            assert d["then"] == plan
            assert d["leg"] == self.state.tickets[d["number"]].legs + 1

    def completed(self, decisions: list[rules.Decision], then: str | None) -> None:
        """A completion continues to the clerk's choice, else to the first planned."""
        done = [d.data for d in decisions if d.type is EventType.TICKET_COMPLETED]
        onward = {d.data["number"]: d.data["to_service"] for d in decisions
                  if d.type is EventType.TICKET_CONTINUED}
        for data in done:
            plan = self.plans[data["number"]]
            expected = then if then is not None else (plan[0] if plan else None)
            assert onward.get(data["number"]) == expected

    def call_checked(self, room_id: str, services: list[str]) -> None:
        """call_next, with the language bound checked on the state it decides from."""
        room = self.config.room(room_id)
        assert room is not None
        wanted = services or list(room.services)
        bound = timedelta(minutes=self.config.rules.language_bound_minutes)
        owed = {n: t.passed_since for n, t in self.state.tickets.items()
                if t.status is TicketStatus.WAITING and t.service in wanted
                and t.passed_since is not None and self.now - t.passed_since >= bound}
        decisions = rules.call_next(self.state, self.config, room_id, services,
                                    f"c{len(self.events)}", self.now, by="clerk")
        self.completed([d for d in decisions if d.type is not EventType.TICKET_CALLED], None)
        called = [d.data for d in decisions if d.type is EventType.TICKET_CALLED]
        if owed:
            assert called, "nobody called while a passed-over ticket waited"
            chosen = self.state.tickets[called[0]["number"]]
            due = chosen.appointment_at is not None
            assert due or chosen.passed_since == min(owed.values()), (
                f"{chosen.number} called while {sorted(owed)} were owed")
        self.apply(decisions)


ACTIONS = ["walk_in"] * 6 + ["appointment", "call", "call", "call", "call",
           "call_ticket", "complete", "no_show", "reinstate", "recall", "transfer", "add",
           "assist", "pause", "resume", "resume", "languages", "cancel", "wait"]


@st.composite
def configs(draw: st.DrawFn) -> SiteConfig:
    langs = st.lists(st.sampled_from(["fi", "sv", "en"]), min_size=1, max_size=2, unique=True)
    return site(tuple(tuple(draw(langs)) for _ in range(3)),
                language_preference=draw(st.sampled_from([True, True, True, False])),
                language_bound_minutes=draw(st.integers(0, 30)),
                assistance_first=draw(st.booleans()),
                assistance_every=draw(st.integers(1, 4)),
                next_leg_place=draw(st.sampled_from(["arrival", "end", "priority"])),
                appointment_priority_minutes=draw(st.integers(0, 15)))


def play(draw: st.DrawFn, day: CheckedDay, steps: int) -> None:
    """Random commands through the rules; a refused one changes nothing."""
    config = day.config
    for _ in range(steps):
        day.later(draw(st.sampled_from([0, 0, 0, 1, 2, 5, 11, 30, 60])))
        action = draw(st.sampled_from(ACTIONS))
        room = draw(st.sampled_from([r.id for r in config.rooms]))
        service = draw(st.sampled_from(SERVICES))
        open_ = sorted(t.number for t in day.state.open_tickets())
        try:
            if action in ("walk_in", "appointment"):
                others = [s for s in SERVICES if s != service]
                then = tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True)))
                booked = (day.now + timedelta(minutes=draw(st.integers(-15, 60)))
                          if action == "appointment" else None)
                day.issue(service, draw(st.sampled_from(["fi", "sv", "en"])),
                          assistance=draw(st.integers(0, 2)) == 0, then=then,
                          appointment_at=booked)
            elif action == "call":
                day.call_checked(room, draw(st.sampled_from([[], [], [service]])))
            elif action == "call_ticket":
                waiting = sorted(n for n, t in day.state.tickets.items()
                                 if t.status is TicketStatus.WAITING)
                if waiting:
                    decisions = rules.call_ticket(day.state, config, room,
                                                  draw(st.sampled_from(waiting)), "t")
                    day.completed(decisions[:-1], None)
                    day.apply(decisions)
            elif action == "complete":
                then = draw(st.sampled_from([None, None, service]))
                decisions = rules.complete_and_continue(day.state, config, room, then)
                day.completed(decisions, then)
                day.apply(decisions)
            elif action == "no_show":
                day.apply(rules.no_show(day.state, config, room))
            elif action == "reinstate":
                gone = sorted(n for n, t in day.state.tickets.items()
                              if t.status is TicketStatus.NO_SHOW)
                if gone:
                    day.apply(rules.reinstate(day.state, config, draw(st.sampled_from(gone)),
                                              day.now))
            elif action == "recall":
                day.apply(rules.recall(day.state, config, room, "r"))
            elif action == "transfer" and open_:
                day.apply(rules.transfer(day.state, config, service, room_id=None,
                                         number=draw(st.sampled_from(open_))))
            elif action == "add" and open_:
                day.apply(rules.add_service(day.state, config, draw(st.sampled_from(open_)),
                                            service))
            elif action == "assist" and open_:
                day.apply(rules.assist(day.state, draw(st.sampled_from(open_)),
                                       draw(st.booleans())))
            elif action == "pause":
                decisions = rules.room_state(
                    day.state, config, room, draw(st.sampled_from(["paused", "closed"])),
                    draw(st.sampled_from(["break", "lunch", None])), "clerk")
                day.completed([d for d in decisions if d.type is not EventType.ROOM_STATE],
                              None)
                day.apply(decisions)
            elif action == "resume":
                day.apply(rules.room_state(day.state, config, room, "serving", None, "clerk"))
            elif action == "languages":
                langs = draw(st.lists(st.sampled_from(["fi", "sv", "en"]), min_size=1,
                                      max_size=3, unique=True))
                day.apply(rules.room_languages(day.state, config, room, langs))
            elif action == "cancel" and open_:
                day.apply(rules.cancel(day.state, draw(st.sampled_from(open_))))
        except Refusal:
            pass


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_days_keep_the_bounds_the_breaks_and_every_leg(data) -> None:
    """Language costs nobody more than the bound (an owed ticket is called at the next call
    of a room that serves it); assistance goes first at most once in any N calls of a room;
    a paused or closed room is never called to (Day.check); and a visit keeps its number and
    loses no authority: it ends served with every planned one done, or ends otherwise."""
    day = CheckedDay(data.draw(configs()))
    play(data.draw, day, data.draw(st.integers(5, 80)))
    for ticket in day.state.tickets.values():
        if ticket.is_open:
            assert ticket.then == day.plans[ticket.number]
    day.apply(rules.close_at_day_end(day.state))
    continued = Counter(e.data["number"] for e in day.events
                        if e.type is EventType.TICKET_CONTINUED)
    for number, ticket in day.state.tickets.items():
        assert not ticket.is_open
        assert ticket.legs == 1 + continued[number]
        if ticket.outcome is Outcome.SERVED:
            assert ticket.then == [] and day.plans[number] == [], number
        else:
            assert ticket.outcome in (Outcome.NO_SHOW, Outcome.CANCELLED, Outcome.CLOSED)
    # The live state is the fold of its events (a controller's restart).
    again = fold(DAY, day.events)
    assert again.waiting == day.state.waiting and again.priority == day.state.priority
    assert again.rooms == day.state.rooms and list(again.recent) == list(day.state.recent)


def test_a_room_with_one_language_and_a_stream_of_its_own_still_calls_the_other() -> None:
    """The issue's bound in the worst case: a Finnish-only room and a Swedish customer among
    Finnish ones who keep coming."""
    day = CheckedDay(site(((("fi",)), ("fi",), ("fi",)), language_bound_minutes=10))
    swedish = day.issue("kela", "sv")
    waited = None
    for minute in range(0, 60, 4):
        day.issue("kela", "fi")
        day.call_checked("1", [])
        if day.state.tickets[swedish].status is TicketStatus.CALLED:
            waited = minute
            break
        day.later(4)
    assert waited is not None and waited <= 12  # the first call at or after 10 minutes


def test_choice_is_what_call_next_records() -> None:
    day = Day(site())
    day.issue("kela", "en")
    day.issue("kela", "sv")
    choice = calling.next_ticket(day.state, day.config, ["kela"], day.now, room="1")
    assert choice == calling.Choice("K002", by_language=True, by_assistance=False,
                                    passed_over=("K001",))
    # Without a room there is no language to prefer.
    plain = calling.next_ticket(day.state, day.config, ["kela"], day.now)
    assert plain is not None and plain.number == "K001"


def test_rooms_config_languages_are_the_default_of_the_rooms_state() -> None:
    config = site()
    room = config.room("3")
    assert isinstance(room, Room) and room.languages == ("en", "fi")
    state = QueueState(day=DAY)
    assert state.room_state("3", room.languages).languages == ("en", "fi")


def test_the_forecast_counts_a_paused_room_from_its_usual_return() -> None:
    """Unknown until a pause of the same reason has ended today; then as long as those."""
    day = Day(site(language_preference=False))
    day.apply(rules.room_state(day.state, day.config, "2", "closed", None, "clerk"))
    day.apply(rules.room_state(day.state, day.config, "1", "paused", "lunch", "clerk"))
    day.later(30)
    day.apply(rules.room_state(day.state, day.config, "1", "serving", None, "clerk"))
    number = day.issue("kela")
    day.apply(rules.room_state(day.state, day.config, "1", "paused", "lunch", "clerk"))
    day.later(10)
    assert estimate.back_in(day.state, "1", day.now) == 20.0
    assert estimate.back_in(day.state, "2", day.now) is None  # closed: not coming back today
    plan = estimate.forecast(day.state, day.config, day.now)
    assert plan.calls == {number: 20.0} and "2" not in plan.rooms
    day.apply(rules.room_state(day.state, day.config, "1", "paused", "break", "clerk"))
    assert number not in estimate.forecast(day.state, day.config, day.now).calls  # unknown
