"""Appointments: imported from CSV, checked in with a code, called first when due."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware.appointment_store import AppointmentStore, parse_csv
from firmware.clock import ManualClock
from firmware.controller import Controller
from firmware.ledger import Ledger
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from tests.site_factory import MONDAY, at, small_site

CSV = """time,service,code
2026-11-30 10:30,kela,AB12-CD34
2026-11-30 11:00,vero,ZZ99ZZ99
"""


@pytest.fixture
def setup(tmp_path):
    config = small_site()
    ledger = Ledger(tmp_path / "ledger.sqlite")
    rows, problems = parse_csv(CSV, config)
    assert problems == []
    AppointmentStore(ledger).replace_days(rows)
    clock = ManualClock(at(MONDAY, 9, 0))
    return Controller(config, ledger, clock), clock, ledger


def check_in(controller: Controller, code: str, rid: str) -> dict:
    return controller.handle(Command(topics.ISSUE, rid, {
        "service": None, "lang": "fi", "device": "k", "appointment": code})).response


def test_codes_are_stored_only_as_salted_hashes(setup) -> None:
    _, _, ledger = setup
    dump = "\n".join(str(row) for row in ledger.db.execute("SELECT * FROM appointments"))
    assert "AB12" not in dump and "ZZ99" not in dump
    salts = [r[0] for r in ledger.db.execute("SELECT salt FROM appointments")]
    assert len(set(salts)) == 2


def test_too_early_then_in_time_then_again(setup) -> None:
    controller, clock, _ = setup
    early = check_in(controller, "ab12cd34", "a")
    assert early["error"]["code"] == "appointment_too_early"
    assert "09:30" in early["error"]["message"]  # check-in opens an hour before
    clock.set(at(MONDAY, 10, 0))
    ok = check_in(controller, "AB12 CD34", "b")  # spaces and case do not matter
    assert ok["ok"] and ok["ticket"]["appointment"] is True
    assert ok["ticket"]["number"].startswith("K")
    again = check_in(controller, "AB12-CD34", "c")
    assert again["ticket"]["number"] == ok["ticket"]["number"] and again["ticket"]["again"]


def test_unknown_and_too_late_codes_get_clear_answers(setup) -> None:
    controller, clock, _ = setup
    clock.set(at(MONDAY, 11, 30))
    assert check_in(controller, "NOPE1234", "a")["error"]["code"] == "unknown_appointment"
    late = check_in(controller, "AB12CD34", "b")
    assert late["error"]["code"] == "appointment_too_late"
    assert "advisor" in late["error"]["message"]


def test_a_due_appointment_is_called_before_walk_ins(setup) -> None:
    controller, clock, _ = setup
    clock.set(at(MONDAY, 10, 0))
    walk_in = controller.handle(Command(topics.ISSUE, "w", {
        "service": "kela", "lang": "fi", "device": "k", "appointment": None})).response
    booked = check_in(controller, "AB12CD34", "b")
    call = lambda rid: controller.handle(  # noqa: E731
        Command(topics.CALL, rid, {"room": "1", "services": []})).response
    # 10:05: the 10:30 appointment is not due yet (due from 10:25): the walk-in goes first.
    clock.set(at(MONDAY, 10, 5))
    assert call("c1")["ticket"]["number"] == walk_in["ticket"]["number"]
    controller.handle(Command(topics.ISSUE, "w2", {
        "service": "kela", "lang": "fi", "device": "k", "appointment": None}))
    clock.set(at(MONDAY, 10, 26))
    assert call("c2")["ticket"]["number"] == booked["ticket"]["number"]


def test_csv_errors_name_the_line_and_nothing_is_imported() -> None:
    text = "time,service,code\n2026-11-30 25:00,kela,AAAA1111\n2026-11-30 10:00,tax,BBBB2222\n" \
           "2026-11-30 10:00,kela,x\n"
    rows, problems = parse_csv(text, small_site())
    assert rows == []
    assert [p.line for p in problems] == [2, 3, 4]
    assert "no service 'tax'" in str(problems[1])


@given(st.text(max_size=400))
def test_any_text_is_parsed_or_refused_line_by_line(text: str) -> None:
    rows, problems = parse_csv(text, small_site())
    assert all(p.line >= 1 and p.message for p in problems)
    assert all(service in {"kela", "vero", "migri"} for _, service, _ in rows)
