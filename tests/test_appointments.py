"""Appointments: imported from CSV, checked in with a code, called first when due.

A code must not be guessable at the kiosk: codes are long, and a code that is unknown, not
open yet or already closed gets one and the same answer, byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.appointment_store import AppointmentStore, parse_csv
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller, refused
from firmware.core import appointments
from firmware.core.appointments import CODE_MIN, Appointment, hash_code
from firmware.core.errors import ErrorCode, Refusal
from firmware.site_model import QueueRules
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, at, small_site

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
    assert early["ok"] is False and early["error"]["code"] == "unknown_appointment"
    # The site's rule, not the appointment: check-in opens 60 minutes before, closes 15 after.
    assert "60 minutes before" in early["error"]["message"]
    assert "15 minutes after" in early["error"]["message"]
    assert "10:30" not in json.dumps(early) and "09:30" not in json.dumps(early)
    clock.set(at(MONDAY, 10, 0))
    ok = check_in(controller, "AB12 CD34", "b")  # spaces and case do not matter
    assert ok["ok"] and ok["ticket"]["appointment"] is True
    assert ok["ticket"]["number"].startswith("K")
    again = check_in(controller, "AB12-CD34", "c")
    assert again["ticket"]["number"] == ok["ticket"]["number"] and again["ticket"]["again"]


def test_unknown_too_early_and_too_late_are_the_same_answer_on_the_wire(setup) -> None:
    controller, clock, _ = setup
    clock.set(at(MONDAY, 9, 0))  # ZZ99ZZ99 is at 11:00: check-in opens at 10:00
    unknown = check_in(controller, "NOPE1234", "a")
    too_early = check_in(controller, "ZZ99ZZ99", "b")
    clock.set(at(MONDAY, 11, 30))  # AB12CD34 was at 10:30: check-in closed at 10:45
    too_late = check_in(controller, "AB12CD34", "c")
    unknown_later = check_in(controller, "NOPE5678", "d")
    # Same code, same message, same keys: the very same bytes.
    assert unknown == too_early == too_late == unknown_later
    assert unknown["error"]["code"] == "unknown_appointment"
    assert set(unknown["error"]) == {"code", "message"}
    assert "service advisor" in unknown["error"]["message"]


def test_a_short_code_left_from_an_old_list_does_not_check_in() -> None:
    # A list imported before codes had to be long: its codes are not guessable either.
    now = at(MONDAY, 10, 0)
    old = Appointment("a1", now, "kela", "00", hash_code("AB12", "00"))
    rules = QueueRules()
    with pytest.raises(Refusal) as refused:
        appointments.check_in([old], "AB12", now, rules)
    assert refused.value.code is ErrorCode.UNKNOWN_APPOINTMENT


@given(st.integers(min_value=-24 * 60, max_value=24 * 60),
       st.integers(min_value=0, max_value=240), st.integers(min_value=0, max_value=240))
def test_outside_its_window_a_code_gets_the_answer_an_unknown_code_gets(
        offset_min: int, early: int, late: int) -> None:
    rules = dataclasses.replace(QueueRules(), appointment_early_minutes=early,
                                appointment_late_minutes=late)
    when = at(MONDAY, 12, 0)
    booked = Appointment("a1", when, "kela", "00", hash_code("KNOWN123", "00"))
    now = when + timedelta(minutes=offset_min)

    def wire(code: str) -> dict | None:
        try:
            appointments.check_in([booked], code, now, rules)
        except Refusal as refusal:
            return refused(refusal).to_wire()
        return None

    answer = wire("KNOWN123")
    if -early <= offset_min <= late:
        assert answer is None  # checked in
    else:
        assert answer == wire("WRONG123") and answer is not None
        assert f"{early} minutes before" in answer["error"]["message"]


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


def test_short_codes_are_refused_at_import_and_say_why(tmp_path, capsys) -> None:
    from firmware.cli import main as cli
    from tests.conftest import DEMO_SITE

    listing = tmp_path / "list.csv"
    listing.write_text("time,service,code\n2026-12-01 10:00,kela,ABCD1234\n"
                       "2026-12-01 10:30,kela,AB-12 C\n"  # 5: dashes and spaces do not count
                       "2026-12-01 11:00,vero,ABCD-1234\n")
    assert cli.main(["appointments", "import", str(listing), "--config", str(DEMO_SITE),
                     "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "1 problem; nothing was imported" in err
    assert ("line 3: codes must be at least 8 letters or digits so they cannot be guessed; "
            "line 3 has 5") in err
    assert "AB-12" not in err and "AB12C" not in err  # the code is not echoed
    ledger = Ledger(tmp_path / "ledger.sqlite")
    assert AppointmentStore(ledger).for_day("2026-12-01") == []  # not even the good rows


def test_the_length_limits_of_a_code() -> None:
    def problems_for(code: str) -> list[str]:
        return [p.message for p in parse_csv(f"time,service,code\n2026-11-30 10:00,kela,{code}\n",
                                             small_site())[1]]

    assert problems_for("A" * CODE_MIN) == []
    assert problems_for("1234-5678-ABCD-EFGH") == []  # 16 with the dashes left out
    assert problems_for("A" * 17) == ["codes are at most 16 letters or digits (what the kiosk's "
                                      "keypad and scanner take); line 2 has 17"]
    assert "letters A-Z and digits only" in problems_for("ÄÄÄÄ1234")[0]
    assert problems_for("AB12CD3") == ["codes must be at least 8 letters or digits so they "
                                       "cannot be guessed; line 2 has 7"]


@given(st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789- ", max_size=24))
def test_a_code_is_imported_exactly_when_it_has_8_to_16_letters_or_digits(code: str) -> None:
    rows, problems = parse_csv(f"time,service,code\n2026-11-30 10:00,kela,{code}\n",
                               small_site())
    length = len(code.replace("-", "").replace(" ", ""))
    assert bool(rows) == (CODE_MIN <= length <= 16)
    assert bool(rows) != bool(problems)


@given(st.text(max_size=400))
def test_any_text_is_parsed_or_refused_line_by_line(text: str) -> None:
    rows, problems = parse_csv(text, small_site())
    assert all(p.line >= 1 and p.message for p in problems)
    assert all(service in {"kela", "vero", "migri"} for _, service, _ in rows)
    assert all(len(code) >= CODE_MIN for _, _, code in rows)
