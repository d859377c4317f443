"""The contract's payloads as types (mqtt_bridge.messages): each reads back what it writes,
what it writes is what docs/mqtt-api.yaml allows (checked by the wire spy's own checker, on
the channel the message travels), and any JSON at all is read or refused with MessageError,
never with another exception. The command fields' one table agrees with the document, and
the controller's answers keep the bytes they have always had."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from mqtt_bridge import messages, topics
from mqtt_bridge.messages import (
    AlarmAnswer,
    AlarmEscalated,
    AlarmRaised,
    Alert,
    Event,
    HelpWanted,
    LastCall,
    MessageError,
    RecentCall,
    RecordedAnswer,
    Refusal,
    ReplayAnswer,
    RoomAnswer,
    RoomRow,
    ServiceState,
    Serving,
    Snapshot,
    Ticket,
    TicketAnswer,
    Words,
)
from mqtt_bridge.payloads import (
    COMMAND_FIELDS,
    BadRequest,
    Command,
    command_body,
    command_fields,
    parse_command,
)
from testkit.site_factory import MONDAY, at, small_site
from tests import wire_contract
from tests.test_payloads import command_like, json_values

SITE = "hki"

# -- what valid values look like ------------------------------------------------------------

ids = st.from_regex(r"[a-z0-9-]{1,32}", fullmatch=True)
uuids = st.uuids().map(str)
numbers = st.from_regex(r"[A-Z]?[0-9]{3}", fullmatch=True)
counts = st.integers(0, 10_000)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                     timezones=st.sampled_from([datetime.now().astimezone().tzinfo]),
                     ).map(lambda t: t.isoformat(timespec="seconds"))
days = st.dates().map(lambda d: d.isoformat())
spans = st.none() | st.tuples(counts, counts)
texts = st.text(min_size=1, max_size=30)
langs = st.sampled_from(["fi", "sv", "en"])
# What a real day adds to a ticket: its language, assistance (to staff), further authorities.
day_fields = {"lang": st.none() | langs, "assistance": st.none() | st.booleans(),
              "then": st.lists(ids, max_size=3).map(tuple), "leg": st.none() | st.integers(2, 9)}

new_tickets = st.builds(
    Ticket, number=numbers, service=ids, issued_at=times, ahead=counts,
    eta_minutes=st.none() | counts, eta_range=spans, appointment=st.booleans(),
    appointment_at=st.none() | times, **day_fields)
queued_tickets = st.builds(
    Ticket, number=numbers, service=ids, issued_at=times,
    status=st.sampled_from(["waiting", "called", "no_show", "done"]), room=st.none() | ids,
    call_id=st.none() | uuids, appointment=st.booleans(), again=st.booleans(), **day_fields)
called_tickets = st.builds(
    Ticket, number=numbers, service=ids, issued_at=times, room=ids, call_id=uuids,
    called_at=times, calls=st.integers(1, 50), **day_fields)
tickets = new_tickets | queued_tickets | called_tickets

refusal_codes = st.sampled_from(["bad_request", "unknown_service", "service_closed",
                                 "no_ticket", "forbidden", "rate_limited", "internal"])
refusals = st.builds(Refusal, code=refusal_codes, message=texts,
                     retry_after_s=st.none() | st.integers(1, 3600),
                     next_open=st.none() | times).map(
    lambda r: r if r.code == Refusal.CLOSED else Refusal(r.code, r.message, r.retry_after_s))
answers = st.builds(TicketAnswer, st.none() | tickets) | refusals

service_states = st.builds(ServiceState, id=ids, waiting=counts, eta_minutes=st.none() | counts,
                           eta_range=spans, open=st.booleans(), next_open=st.none() | times)
servings = st.builds(Serving, ticket=numbers, room=ids, call_id=uuids, called_at=times,
                     service=st.none() | ids, lang=st.none() | langs)
room_rows = st.builds(RoomRow, id=ids, state=st.sampled_from(["serving", "paused", "closed"]),
                      reason=st.none() | st.sampled_from(["break", "lunch", "back_office",
                                                          "meeting"]),
                      since=st.none() | times, languages=st.lists(langs, max_size=3).map(tuple))
recent_calls = st.builds(RecentCall, ticket=numbers, room=ids, call_id=uuids, at=times,
                         lang=langs, service=st.none() | ids)
snapshots = st.builds(
    Snapshot, seq=counts, day=days, at=st.none() | times,
    services=st.lists(service_states, max_size=4, unique_by=lambda s: s.id).map(tuple),
    serving=st.lists(servings, max_size=4).map(tuple),
    last_call=st.none() | st.builds(LastCall, ticket=numbers, room=ids, call_id=uuids, at=times,
                                    lang=st.none() | langs),
    recent=st.lists(recent_calls, max_size=8).map(tuple),
    rooms=st.lists(room_rows, max_size=4).map(tuple),
    help_wanted=st.lists(st.builds(HelpWanted, ids, times), max_size=3).map(tuple))

event_types = st.sampled_from(["ticket.issued", "ticket.called", "ticket.completed",
                               "room.idle", "device.fault",
                               "ticket.leg_added", "ticket.assistance", "ticket.reprinted",
                               "room.languages", "help.requested"])
events = st.builds(Event, id=uuids, seq=st.integers(1, 2**40), type=event_types, at=times,
                   day=days, data=st.fixed_dictionaries({}, optional={
                       "number": numbers, "service": ids, "room": st.none() | ids,
                       "call_id": uuids, "lang": langs, "assistance": st.booleans(),
                       "then": st.lists(ids, max_size=3), "by_language": st.just(True),
                       "passed_over": st.lists(numbers, max_size=3), "leg": st.integers(2, 9),
                       "place": st.sampled_from(["arrival", "end", "priority"]),
                       "state": st.sampled_from(["serving", "paused", "closed"]),
                       "reason": st.sampled_from([None, "expired", "closed", "lunch"]),
                       "languages": st.lists(langs, max_size=3), "device": ids, "by": ids}))

# The events whose fields the document requires, as the controller writes them.
REAL_DAY_EVENTS = {
    "room.state": {"room": "2", "state": "paused", "reason": "lunch", "by": "clerk-2"},
    "ticket.continued": {"number": "K001", "from_service": "kela", "to_service": "vero",
                         "place": "arrival", "leg": 2, "then": []},
    "help.answered": {"device": "lobby-1", "by": "web-1"},
    "day.closed": {"report": {"day": "2026-11-30", "closed_at": "2026-11-30T16:45:00+02:00"}},
}


# The silent alarm's events (issue 26), as the controller records them: room and times only.
ALARM_ID = "0123456789abcdef0123456789abcdef"
ALARM_EVENTS = {
    "alarm.raised": {"alarm": ALARM_ID, "room": "3", "drill": False, "source": "key"},
    "alarm.acknowledged": {"alarm": ALARM_ID, "room": "3", "drill": False, "after_s": 12.4},
    "alarm.escalated": {"alarm": ALARM_ID, "room": "3", "drill": True, "relay": False},
    "alarm.cleared": {"alarm": ALARM_ID, "room": "3", "drill": False},
}


@pytest.mark.parametrize("kind", sorted({**REAL_DAY_EVENTS, **ALARM_EVENTS}))
def test_a_real_days_events_fit_and_miss_no_field(kind: str) -> None:
    data = {**REAL_DAY_EVENTS, **ALARM_EVENTS}[kind]
    event = Event("00000000-0000-4000-8000-000000000001", 7, kind, "2026-11-30T10:00:00+02:00",
                  "2026-11-30", data)
    fits(topics.queue_events(SITE), event)
    for missing in data:
        short = Event(event.id, 7, kind, event.at, event.day,
                      {k: v for k, v in data.items() if k != missing})
        assert not wire_contract.check(topics.queue_events(SITE), wire(short)).ok, missing
    odd = Event(event.id, 7, kind, event.at, event.day, {**data, "state": "asleep"})
    assert wire_contract.check(topics.queue_events(SITE), wire(odd)).ok == (kind != "room.state")


words = st.builds(Words, texts, texts, texts)
alert_details = {
    "congestion": st.fixed_dictionaries({"service": ids, "waiting": counts,
                                         "eta_minutes": st.none() | counts}),
    "printer": st.fixed_dictionaries({"device": ids, "printer": st.sampled_from(
        ["ok", "paper_out"]), "detail": st.text(max_size=20)}),
    "device_offline": st.fixed_dictionaries({"device": ids, "roles": st.lists(
        st.sampled_from(["kiosk", "display", "room"]), max_size=3), "offline_since": times}),
    "duplicate_controller": st.fixed_dictionaries({"device": ids, "serving": ids}),
    "help_wanted": st.fixed_dictionaries({"device": ids}, optional={"by": ids}),
}
alerts = st.sampled_from(sorted(alert_details)).flatmap(lambda kind: st.builds(
    Alert, id=uuids, at=times, kind=st.just(kind),
    severity=st.sampled_from(["info", "warning", "critical"]), message=words,
    state=st.sampled_from(["raised", "cleared"]), details=alert_details[kind]))


def wire(message: Any) -> bytes:
    return json.dumps(message.to_wire()).encode()


def test_an_alarm_learned_late_has_no_source_and_an_alarm_event_names_nobody() -> None:
    late = Event("00000000-0000-4000-8000-000000000002", 8, "alarm.raised",
                 "2026-11-30T10:00:00.125+02:00", "2026-11-30",
                 {**ALARM_EVENTS["alarm.raised"], "source": None})
    fits(topics.queue_events(SITE), late)
    for bad in ({"source": "guard"}, {"alarm": "not-an-id"}, {"after_s": -1.0},
                {"drill": "no"}, {"room": "A/1"}):
        event = Event(late.id, 8, "alarm.acknowledged", late.at, late.day,
                      {**ALARM_EVENTS["alarm.acknowledged"], **bad})
        assert not wire_contract.check(topics.queue_events(SITE), wire(event)).ok, bad


# -- the silent alarm's three retained messages (issue 26) -----------------------------------

alarm_ids = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
# As firmware.core.alarm.moment writes them: with the offset, to the millisecond.
alarm_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                           timezones=st.sampled_from([datetime.now().astimezone().tzinfo]),
                           ).map(lambda t: t.isoformat(timespec="milliseconds"))
staff_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                      max_size=64)
alarm_raises = st.builds(AlarmRaised, alarm=alarm_ids, room=ids, at=alarm_times,
                         source=st.sampled_from(["key", "console"]), drill=st.booleans())
alarm_answers = st.builds(
    AlarmAnswer, alarm=alarm_ids, room=ids, state=st.sampled_from(["acknowledged", "cleared"]),
    at=alarm_times, by=staff_names, raised_at=alarm_times,
    acknowledged_at=st.none() | alarm_times, drill=st.booleans())
alarm_escalations = st.builds(AlarmEscalated, alarm=alarm_ids, room=ids, at=alarm_times,
                              raised_at=alarm_times, device=ids, relay=st.booleans(),
                              drill=st.booleans())
ALARM_TOPICS = {AlarmRaised: topics.alarm_raised, AlarmAnswer: topics.alarm_answer,
                AlarmEscalated: topics.alarm_escalated}


@settings(max_examples=150)
@given(alarm_raises | alarm_answers | alarm_escalations)
def test_an_alarm_message_reads_back_and_fits_its_retained_channel(message: Any) -> None:
    kind = type(message)
    assert kind.from_wire(message.to_wire()) == message
    assert kind.from_payload(wire(message)) == message
    fits(ALARM_TOPICS[kind](SITE, message.room), message, retained=True)
    for other in set(ALARM_TOPICS.values()) - {ALARM_TOPICS[kind]}:  # on its own channel only
        assert not wire_contract.check(other(SITE, message.room), wire(message), True).ok


def test_an_empty_retained_payload_removes_a_raise_and_nothing_else_is_empty() -> None:
    assert wire_contract.check(topics.alarm_raised(SITE, "1"), b"", retained=True).ok
    assert not wire_contract.check(topics.alarm_raised(SITE, "1"), b"", retained=False).ok
    assert wire_contract.channel_for(topics.alarm_filter(SITE, "1")[:-2] + "/other") is None


def fits(topic: str, message: Any, retained: bool = False) -> None:
    verdict = wire_contract.check(topic, wire(message), retained)
    assert verdict.ok, verdict.error


# -- each reads back what it writes, and writes what the contract allows ---------------------


@settings(max_examples=150)
@given(tickets)
def test_a_ticket_reads_back_and_fits_an_answer(ticket: Ticket) -> None:
    assert Ticket.from_wire(ticket.to_wire()) == ticket
    fits(topics.reply(SITE, "kiosk-1"), TicketAnswer(ticket))


@settings(max_examples=150)
@given(answers)
def test_an_answer_or_a_refusal_reads_back_and_fits_the_reply_topic(answer: Any) -> None:
    assert messages.ticket_answer(answer.to_wire()) == answer
    assert type(answer).from_wire(answer.to_wire()) == answer
    fits(topics.reply(SITE, "clerk-5"), answer)


@given(st.integers(0, 10**6), st.integers(-1, 10**6))
def test_the_other_answers_read_back_and_fit(replayed: int, last: int) -> None:
    for answer in (RecordedAnswer(), ReplayAnswer(replayed, last)):
        assert type(answer).from_wire(answer.to_wire()) == answer
        fits(topics.reply(SITE, "collector"), answer)


@given(called_tickets, langs)
def test_a_reprints_print_job_fits_the_kiosks_channel(ticket: Ticket, lang: str) -> None:
    job = {"request_id": "r1", "lang": lang, "copy": True,
           "ticket": Ticket.from_wire(ticket.to_wire()).to_wire()}
    verdict = wire_contract.check(topics.kiosk_print(SITE, "lobby-1"), json.dumps(job).encode())
    assert verdict.ok, verdict.error


@given(room_rows, refusals)
def test_a_room_answer_or_a_refusal_reads_back_and_fits(row: RoomRow, refusal: Refusal) -> None:
    answer = RoomAnswer(row)
    assert RoomAnswer.from_wire(answer.to_wire()) == answer
    assert messages.room_answer(answer.to_wire()) == answer
    assert messages.room_answer(refusal.to_wire()) == refusal
    fits(topics.reply(SITE, "clerk-5"), answer)
    with pytest.raises(MessageError, match="'state'"):
        RoomAnswer.from_wire({"ok": True, "room": {**row.to_wire(), "state": "asleep"}})


@settings(max_examples=150)
@given(snapshots)
def test_a_snapshot_reads_back_and_fits_queue_state(snapshot: Snapshot) -> None:
    assert Snapshot.from_wire(snapshot.to_wire()) == snapshot
    assert Snapshot.from_payload(wire(snapshot)) == snapshot
    fits(topics.queue_state(SITE), snapshot, retained=True)


@settings(max_examples=100)
@given(events)
def test_an_event_reads_back_and_fits_queue_events(event: Event) -> None:
    assert Event.from_wire(event.to_wire()) == event
    fits(topics.queue_events(SITE), event)


@settings(max_examples=100)
@given(alerts)
def test_an_alert_reads_back_and_fits_its_kind(alert: Alert) -> None:
    assert Alert.from_wire(alert.to_wire()) == alert
    fits(topics.alert(SITE, alert.kind), alert)


# -- any JSON: read, or refused with the one error -----------------------------------------

READERS = [Ticket.from_wire, TicketAnswer.from_wire, Refusal.from_wire, messages.ticket_answer,
           RecordedAnswer.from_wire, ReplayAnswer.from_wire, Snapshot.from_wire,
           Event.from_wire, Alert.from_wire]
ticket_shaped = st.fixed_dictionaries({}, optional={
    key: json_values | st.sampled_from(["K042", "kela", "2026-12-01T09:00:00+02:00", 3, None])
    for key in ("number", "service", "issued_at", "ahead", "eta_minutes", "eta_range",
                "status", "room", "call_id", "called_at", "calls", "appointment", "again")})
answer_shaped = st.fixed_dictionaries({}, optional={
    "ok": st.booleans() | json_values, "ticket": ticket_shaped | json_values,
    "error": st.fixed_dictionaries({}, optional={
        "code": st.just("rate_limited") | json_values, "message": json_values,
        "retry_after_s": json_values, "next_open": json_values}) | json_values,
    "recorded": st.booleans(), "replayed": json_values, "last_seq": json_values})


@settings(max_examples=300)
@given(st.sampled_from(READERS), json_values | ticket_shaped | answer_shaped)
def test_any_json_is_read_or_refused_with_the_one_error(read: Any, value: Any) -> None:
    with contextlib.suppress(MessageError):
        read(value)


@settings(max_examples=200)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_are_a_snapshot_or_the_one_error(payload: bytes) -> None:
    try:
        snapshot = Snapshot.from_payload(payload)
    except MessageError:
        return
    assert all(isinstance(row.ticket, str) for row in snapshot.serving)


def test_a_snapshot_is_read_row_by_row_and_an_unreadable_authority_is_closed() -> None:
    snapshot = Snapshot.from_wire({
        "services": [{"id": "kela", "waiting": "many", "open": "yes"}, {"waiting": 3},
                     {"id": "vero", "waiting": 2, "open": True}, "junk"],
        "serving": [{"ticket": "K001", "room": "1"}, {"ticket": "K002", "room": "2",
                                                      "call_id": "c2"}],
        "last_call": {"call_id": 5}})
    assert snapshot.seq is None and snapshot.day is None and snapshot.last_call is None
    assert snapshot.service("kela") == ServiceState("kela", waiting=0, open=False)
    assert snapshot.open_services() == {"vero"}
    assert [row.ticket for row in snapshot.serving] == ["K002"]
    with pytest.raises(MessageError, match="JSON object"):
        Snapshot.from_wire(["not", "a", "state"])
    with pytest.raises(MessageError, match="not JSON"):
        Snapshot.from_payload(b"{")


def test_a_strict_reader_names_the_field() -> None:
    with pytest.raises(MessageError, match="'number'"):
        Ticket.from_wire({"service": "kela"})
    with pytest.raises(MessageError, match="'ahead'"):
        Ticket.from_wire({"number": "K001", "service": "kela", "ahead": -1})
    with pytest.raises(MessageError, match="'message'"):
        Alert.from_wire({"id": "a", "at": "t", "kind": "printer", "severity": "info",
                         "message": {"fi": "vain suomeksi"}})


def test_call_ids_come_newest_last_with_the_last_call_at_the_end() -> None:
    snapshot = Snapshot(1, "2026-12-01", serving=(Serving("K002", "2", "b"),
                                                  Serving("K001", "1", "a")),
                        last_call=LastCall("K002", "2", "b"))
    assert snapshot.call_ids() == ["a", "b", "b"]


# -- one table of each command's fields ------------------------------------------------------


def _request_fields(channel: dict[str, Any]) -> set[str]:
    doc = wire_contract._document()
    (message,) = channel["messages"].values()
    schema = wire_contract._resolve(doc, wire_contract._resolve(doc, message["$ref"])[
        "payload"]["$ref"])
    return set(schema["properties"]) - {"request_id"}


def test_the_command_fields_are_the_documents() -> None:
    doc = wire_contract._document()
    by_address = {c["address"]: c for c in doc["channels"].values()}
    for name, fields in COMMAND_FIELDS.items():
        channel = by_address[f"piste/v1/{{site}}/cmd/{name}/{{client}}"]
        assert set(fields) == _request_fields(channel), name
    assert set(COMMAND_FIELDS) == set(topics.COMMANDS)


# A rating's or a survey answer's `device` is read for an open broker's stranger only (the
# controller puts the broker's name for it otherwise); the document leaves it out.
READ_FOR_STRANGERS = {topics.FEEDBACK: {"device"}, topics.SURVEY: {"device"}}


@settings(max_examples=300)
@given(st.sampled_from(topics.COMMANDS), command_like, st.dictionaries(
    st.sampled_from(sorted({f for fs in COMMAND_FIELDS.values() for f in fs})), json_values))
def test_the_parser_reads_no_field_outside_the_table(name: str, body: dict, more: dict) -> None:
    try:
        command = parse_command(name, json.dumps({**more, **body}).encode())
    except BadRequest:
        return
    assert set(command.body) <= set(COMMAND_FIELDS[name]) | READ_FOR_STRANGERS.get(name, set())


def test_a_client_sends_only_the_commands_fields() -> None:
    assert command_body(topics.CALL, {"room": "1", "services": [], "request_id": "r"})
    assert command_fields(topics.ISSUE, "service", "lang") == ("service", "lang")
    with pytest.raises(ValueError, match="no field rooms"):
        command_body(topics.CALL, {"rooms": "1"})


# -- the controller's answers keep their bytes -----------------------------------------------


def _controller(tmp_path: Any) -> tuple[Controller, ManualClock]:
    clock = ManualClock(at(MONDAY, 9, 0))
    return Controller(small_site(), Ledger(tmp_path / "ledger.sqlite"), clock,
                      new_id=iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(99)
                                  ).__next__), clock


def test_the_answers_have_the_fields_in_the_order_they_always_had(tmp_path: Any) -> None:
    controller, clock = _controller(tmp_path)
    issue = {"lang": "fi", "device": "lobby-1", "appointment": None, "service": "kela"}
    issued = controller.handle(Command(topics.ISSUE, "i1", issue)).response
    # A real day's fields come after the ones every client has always read. No sender on
    # an open broker: it may be staff, so it hears of assistance.
    assert list(issued["ticket"]) == ["number", "service", "issued_at", "ahead",
                                      "eta_minutes", "eta_range", "appointment", "lang",
                                      "assistance"]
    clock.advance(minutes=2)
    called = controller.handle(Command(topics.CALL, "c1", {"room": "1", "services": []}))
    assert list(called.response["ticket"]) == ["number", "service", "issued_at", "room",
                                               "call_id", "called_at", "calls", "lang",
                                               "assistance"]
    done = controller.handle(Command(topics.COMPLETE, "d1", {"room": "1"})).response
    assert done["ticket"] == {"number": "K001", "service": "kela",
                              "issued_at": at(MONDAY, 9, 0).isoformat(), "status": "done",
                              "room": "1", "call_id": called.response["ticket"]["call_id"],
                              "appointment": False, "lang": "fi", "assistance": False}
    empty = controller.handle(Command(topics.CALL, "c2", {"room": "1", "services": []}))
    assert empty.response == {"ok": True, "ticket": None}
    refused = controller.handle(Command(topics.CANCEL, "x1", {"ticket": "K999"})).response
    assert list(refused) == ["ok", "error"] and list(refused["error"]) == ["code", "message"]


def test_the_snapshot_has_the_fields_in_the_order_they_always_had(tmp_path: Any) -> None:
    controller, clock = _controller(tmp_path)
    issue = {"lang": "fi", "device": "lobby-1", "appointment": None, "service": "kela"}
    controller.handle(Command(topics.ISSUE, "i1", issue))
    clock.advance(minutes=1)
    controller.handle(Command(topics.CALL, "c1", {"room": "1", "services": []}))
    snapshot = controller.snapshot()
    assert list(snapshot) == ["seq", "day", "at", "services", "serving", "last_call",
                              "recent", "rooms", "help_wanted"]  # a real day's: at the end
    assert list(snapshot["services"][0]) == ["id", "waiting", "eta_minutes", "eta_range",
                                             "open", "next_open"]
    assert list(snapshot["serving"][0]) == ["ticket", "room", "service", "called_at",
                                            "call_id", "lang"]
    assert list(snapshot["last_call"]) == ["ticket", "room", "call_id", "at", "lang"]
    assert Snapshot.from_wire(snapshot) == controller.snapshot_message()


# -- topics are parsed, not sliced -----------------------------------------------------------


@given(ids, ids)
def test_the_parsers_read_back_what_the_builders_write(site: str, name: str) -> None:
    assert topics.parse(topics.queue_state(site)) == (site, ("queue", "state"))
    assert topics.device_of_status(site, topics.device_status(site, name)) == name
    assert topics.device_of_health(site, topics.device_health(site, name)) == name
    assert topics.device_of_status(site, topics.device_health(site, name)) is None
    assert topics.room_of_occupancy(site, topics.room_occupancy(site, name)) == name
    assert topics.levels(site + "x", topics.queue_state(site)) is None


@given(st.text(max_size=60) | st.lists(st.sampled_from(
    ["piste", "v1", "hki", "device", "room", "+", "#", "", "status", "occupancy", "a/b"]),
    max_size=7).map("/".join))
def test_any_topic_is_parsed_or_none(topic: str) -> None:
    parsed = topics.parse(topic)
    assert parsed is None or topic == "/".join((topics.PREFIX, parsed[0], *parsed[1]))
    for read in (topics.device_of_status, topics.device_of_health, topics.room_of_occupancy):
        found = read(SITE, topic)
        assert found is None or topics.ID_PATTERN.fullmatch(found)


def test_the_ledgers_events_go_out_as_the_event_message_says(tmp_path: Any) -> None:
    """The ledger writes an event's wire form (firmware.core.events.Event.to_wire, in the
    pure core, which imports no mqtt_bridge); the message type reads it back unchanged."""
    controller, _ = _controller(tmp_path)
    issue = {"lang": "fi", "device": "lobby-1", "appointment": None, "service": "kela"}
    controller.handle(Command(topics.ISSUE, "i1", issue))
    controller.handle(Command(topics.CALL, "c1", {"room": "1", "services": []}))
    for stored in controller.ledger.events_from(0):
        wire_form = stored.to_wire()
        assert Event.from_wire(wire_form).to_wire() == wire_form
        assert list(Event.from_wire(wire_form).to_wire()) == list(wire_form)
        fits(topics.queue_events(SITE), Event.from_wire(wire_form))
