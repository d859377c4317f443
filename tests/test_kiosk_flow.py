"""The kiosk's behaviour on its pure flow (firmware/kiosk/flow.py), in milliseconds: events in
(a touch on a named button, a key, a scan, the controller's answer, a printed slip, a timer
that came due), effects out (a command sent, a slip printed, words said, the LED, timers).

The timers are kept by the test's own clock (`Lobby.advance`), which fires them in order,
so a 15-minute lockout or a 45-second timeout takes no time. The controller's answers are
read by the shell's own reader (`wire.issue_answer`) from the dicts the wire carries.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core.feedback import RatingScale
from firmware.feedback.flow import FeedbackFlow
from firmware.feedback.kiosk_survey import SURVEY_STEPS
from firmware.feedback.texts import load_survey
from firmware.kiosk import flow as kf
from firmware.kiosk.flow import (
    CancelTimer,
    Hush,
    KioskFlow,
    Light,
    Louder,
    Now,
    Phase,
    Print,
    ReadScreen,
    Say,
    Send,
    SendSurvey,
    StartTimer,
    Target,
    Timer,
)
from firmware.kiosk.lockdown import hash_pin
from firmware.kiosk.pin_screen import pin_health
from firmware.kiosk.speech import said
from firmware.kiosk.texts import TEXTS, wait_words
from firmware.kiosk.wire import help_answer, issue_answer, ticket_slip
from firmware.site_config import load_site_config
from firmware.site_model import KioskConfig, SiteConfig
from mqtt_bridge.messages import Snapshot, Ticket
from mqtt_bridge.topics import ISSUE
from tests.helpers import DEMO_SITE
from ticket_printer.connection import PrintResult
from ticket_printer.status import PrinterState

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
CONFIG: SiteConfig = load_site_config(DEMO_SITE)
KIOSK = KioskConfig(idle_timeout_s=30.0, warning_s=15.0, tickets_per_minute=6,
                    technician_pin_hash=hash_pin("246813", rounds=1000))
SNAPSHOT = Snapshot.from_wire({"seq": 1, "tickets": []})
PRINTED = PrintResult(True, PrinterState.OK, "printed")


def ticket(number: str = "K001", service: str = "kela", **more: Any) -> dict[str, Any]:
    return {"number": number, "service": service, "issued_at": TUESDAY_10.isoformat(),
            "ahead": 2, "eta_minutes": 10, **more}


def refused(code: str, **details: Any) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": "from the controller", **details}}


class Lobby:
    """One kiosk flow, its clocks and the timers it asked for."""

    def __init__(self, kiosk: KioskConfig = KIOSK, *, survey: bool = False) -> None:
        data = None
        if survey:
            texts = load_survey(CONFIG.survey)
            data = kf.KioskSurveyData(texts, FeedbackFlow(texts, RatingScale(), touch=True,
                                                          words=False, idle_s=30.0))
        self.flow = KioskFlow(CONFIG, kiosk, "lobby-1", said=said, survey=data)
        self.wall, self.mono = TUESDAY_10, 1000.0
        self.timers: dict[Timer, float] = {}
        self.effects: list[kf.Effect] = []

    def now(self) -> Now:
        return Now(self.wall, self.mono)

    def on(self, event: kf.Event) -> list[kf.Effect]:
        effects = self.flow.on(event, self.now())
        for effect in effects:
            if isinstance(effect, StartTimer):
                self.timers[effect.name] = self.mono + effect.delay_s
            elif isinstance(effect, CancelTimer):
                self.timers.pop(effect.name, None)
        self.effects += effects
        return effects

    def advance(self, seconds: float) -> list[kf.Effect]:
        """Let `seconds` pass on both clocks, firing every timer that comes due on the way."""
        end, fired = self.mono + seconds, []
        while self.timers and min(self.timers.values()) <= end:
            name, due = min(self.timers.items(), key=lambda item: item[1])
            del self.timers[name]
            self._move_to(due)
            fired += self.on(kf.TimerDue(name))
        self._move_to(end)
        return fired

    def _move_to(self, mono: float) -> None:
        self.wall += timedelta(seconds=mono - self.mono)
        self.mono = mono

    def ready(self) -> Lobby:
        self.on(kf.Started())
        self.on(kf.LinkUp())
        self.on(kf.State(SNAPSHOT))
        assert self.flow.phase is Phase.START
        return self

    def touch(self, action: str | None, arg: str = "", service: str | None = None,
              label: str = "") -> list[kf.Effect]:
        button = None if action is None else Target(action, arg, service, label)
        return self.on(kf.Touch(button))

    def answer(self, answer: dict[str, Any] | None) -> list[kf.Effect]:
        flow = self.flow
        return self.on(issue_answer(answer, CONFIG, flow.lang, lambda: self.wall))

    def issue(self, service: str = "kela", number: str = "K001") -> list[kf.Effect]:
        self.touch("issue", service=service)
        return self.answer({"ok": True, "ticket": ticket(number, service)})

    def type(self, chars: str) -> None:
        for char in chars:
            self.touch("key", char)

    def speech_on(self) -> None:
        self.touch("speech")
        assert self.flow.speech


def sent(effects: list[kf.Effect]) -> list[Send]:
    return [e for e in effects if isinstance(e, Send)]


def spoken(effects: list[kf.Effect]) -> list[str]:
    return [e.words for e in effects if isinstance(e, Say)]


def printed(number: str, state: PrinterState = PrinterState.OK, ok: bool = True
            ) -> kf.Printed:
    return kf.Printed(number, PrintResult(ok, state, "the printer's words"))


def slip(number: str = "A001", service: str = "kela") -> Any:
    return ticket_slip(Ticket.from_wire(ticket(number, service)), CONFIG, "fi")


# -- the pure core: what it imports ------------------------------------------------------------


def test_the_flow_imports_no_hardware_or_network_library() -> None:
    code = ("import sys, firmware.kiosk.flow; print(sorted(m for m in ('pygame', 'gpiozero', "
            "'paho', 'escpos', 'serial') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_survey_steps_are_the_kiosk_surveys() -> None:
    assert kf.SURVEY_STEPS == SURVEY_STEPS


# -- starting and out of order -----------------------------------------------------------------


def test_a_kiosk_starts_without_issuing_and_is_out_of_order_after_the_grace(caplog) -> None:
    lobby = Lobby()
    effects = lobby.on(kf.Started())
    assert lobby.flow.phase is Phase.STARTING
    assert Light("fault") in effects  # no controller yet: the advisor sees it
    assert sent(lobby.touch("issue", service="kela")) == []  # nothing to touch yet
    lobby.advance(19.9)
    assert lobby.flow.phase is Phase.STARTING  # "starting", never an alarm, within the grace
    lobby.advance(0.2)
    assert lobby.flow.phase is Phase.ERROR
    assert "no queue state from the controller 20 s after start" in caplog.text
    lobby.on(kf.LinkUp())
    lobby.on(kf.State(SNAPSHOT))  # the controller came: the services
    assert lobby.flow.phase is Phase.START
    assert lobby.flow.led == "off"


def test_the_controllers_state_within_the_grace_goes_straight_to_the_services() -> None:
    lobby = Lobby().ready()
    lobby.advance(60)
    assert lobby.flow.phase is Phase.START and lobby.flow.led == "off"


def test_losing_the_link_puts_the_kiosk_out_of_order_but_a_ticket_on_screen_stays() -> None:
    lobby = Lobby().ready()
    assert Light("fault") in lobby.on(kf.LinkDown())
    assert lobby.flow.phase is Phase.ERROR
    lobby.on(kf.LinkUp())
    lobby.on(kf.State(SNAPSHOT))
    lobby.issue()
    lobby.on(kf.LinkDown())
    assert lobby.flow.phase is Phase.TICKET and lobby.flow.ticket.number == "K001"
    lobby.touch(None)  # the next customer: the kiosk says it is out of order
    assert lobby.flow.phase is Phase.ERROR and lobby.flow.ticket is None


# -- issuing -------------------------------------------------------------------------------------


def test_one_touch_is_one_ticket_and_taps_while_it_comes_are_ignored() -> None:
    lobby = Lobby().ready()
    first = lobby.touch("issue", service="kela")
    assert sent(first) == [Send(ISSUE, {"service": "kela", "lang": "fi", "appointment": None,
                                        "device": "lobby-1"})]
    assert lobby.flow.phase is Phase.ISSUING
    for _ in range(30):  # a shaky double tap, and more
        assert sent(lobby.touch("issue", service="kela")) == []
        assert sent(lobby.touch("issue", service="vero")) == []
        lobby.touch(None)
    assert lobby.flow.phase is Phase.ISSUING
    effects = lobby.answer({"ok": True, "ticket": ticket()})
    assert lobby.flow.phase is Phase.TICKET
    shown = lobby.flow.ticket
    assert (shown.number, shown.service_name, shown.printing) == ("K001", "Kela", True)
    assert [e.slip.number for e in effects if isinstance(e, Print)] == ["K001"]
    lobby.on(printed("K001"))
    assert (lobby.flow.ticket.printed, lobby.flow.ticket.printing) == (True, False)


EVENTS = st.one_of(
    st.builds(lambda s: kf.Touch(Target("issue", service_id=s)), st.sampled_from(["kela", "vero"])),
    st.just(kf.Touch(None)),
    st.just(kf.Touch(Target("appointment"))),
    st.just(kf.Touch(Target("done"))),
    st.builds(lambda c: kf.Touch(Target("key", c)), st.sampled_from("AB12")),
    st.just(kf.Touch(Target("ok"))),
    st.builds(kf.Scan, st.text("AB12CD34-", min_size=4, max_size=10)),
    st.builds(lambda k: kf.Key(k, targets=(Target("issue", service_id="kela", label="Kela"),)),
              st.sampled_from(["up", "down", "select"])),
    st.just(kf.Touch(Target("survey"))), st.just(kf.Touch(Target("lang", "en"))),
    st.just(kf.Touch(Target("cancel"))), st.just(kf.Chord()), st.just(kf.Typed("1")),
    st.just(kf.LinkDown()), st.just(kf.LinkUp()), st.just(kf.State(SNAPSHOT)),
    st.sampled_from([kf.TimerDue(t) for t in Timer]),
)
ANSWERS = st.sampled_from([None, {"ok": True, "ticket": ticket()}, refused("rate_limited"),
                           refused("unknown_appointment"), {"ok": True, "ticket": {}}])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(EVENTS, ANSWERS.map(lambda a: ("answer", a))), max_size=40))
def test_no_sequence_of_events_sends_a_second_issue_before_the_first_is_answered(
        steps: list[Any]) -> None:
    lobby = Lobby().ready()
    waiting = False
    for step in steps:
        if isinstance(step, tuple):
            effects = lobby.answer(step[1])
            waiting = False
        else:
            effects = lobby.on(step)
        issues = [s for s in sent(effects) if s.command == ISSUE]
        assert len(issues) <= 1
        if issues:
            assert not waiting, "a second issue while the first had no answer"
            waiting = True
        assert lobby.flow.awaiting == waiting


def test_the_ticket_cap_is_friendly_and_passes() -> None:
    lobby = Lobby(dataclasses.replace(KIOSK, tickets_per_minute=2)).ready()
    for number in ("K001", "K002"):
        lobby.issue(number=number)
        lobby.touch("done")
    effects = lobby.touch("issue", service="kela")
    assert sent(effects) == [] and lobby.flow.phase is Phase.LIMIT
    lobby.touch(None)  # a touch anywhere: back to the start
    assert lobby.flow.phase is Phase.START
    lobby.advance(61)  # a minute later the cap has room again
    assert sent(lobby.touch("issue", service="kela"))


def test_no_answer_or_an_unreadable_one_puts_the_kiosk_out_of_order(caplog) -> None:
    lobby = Lobby().ready()
    lobby.touch("issue", service="kela")
    lobby.answer(None)
    assert lobby.flow.phase is Phase.ERROR
    assert "no answer from the controller to an issue" in caplog.text
    lobby.touch(None)  # the next customer may try again
    lobby.touch("issue", service="kela")
    lobby.answer({"ok": True, "ticket": {"number": "K001"}})
    assert lobby.flow.phase is Phase.ERROR
    assert "unreadable ticket in the controller's answer" in caplog.text


# -- the printer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [PrinterState.PAPER_OUT, PrinterState.COVER_OPEN,
                                   PrinterState.OFFLINE])
def test_a_printer_fault_never_loses_the_customers_place(state, caplog) -> None:
    caplog.set_level(logging.INFO)
    lobby = Lobby().ready()
    lobby.touch("lang", "en")
    lobby.issue(service="vero", number="V001")
    effects = lobby.on(printed("V001", state, ok=False))
    shown = lobby.flow.ticket
    assert (shown.number, shown.printed, shown.printing) == ("V001", False, False)
    assert lobby.flow.phase is Phase.TICKET  # the number stays on screen, valid
    assert kf.HealthChanged() in effects and Light("fault") in effects
    assert lobby.flow.printouts.health()["last_unprinted"] == "V001"
    assert "ticket V001 stays valid although its slip was not printed" in caplog.text
    # The next slip prints: the fault is over, said at once, and the LED goes out.
    lobby.touch("done")
    effects = lobby.issue(number="K001") + lobby.on(printed("K001"))
    assert kf.HealthChanged() in effects and Light("off") in effects


def test_paper_running_low_is_reported_once_and_blinks() -> None:
    lobby = Lobby().ready()
    lobby.issue()
    effects = lobby.on(printed("K001", PrinterState.PAPER_LOW))
    assert kf.HealthChanged() in effects and Light("warning") in effects
    assert lobby.flow.ticket.printed
    lobby.touch("done")
    lobby.issue(number="K002")
    assert kf.HealthChanged() not in lobby.on(printed("K002", PrinterState.PAPER_LOW))


def test_a_console_print_job_prints_without_disturbing_the_customer() -> None:
    lobby = Lobby().ready()
    lobby.touch("appointment")
    lobby.type("AB1")
    effects = lobby.on(kf.PrintJob(slip("A001")))
    assert [e.slip.number for e in effects if isinstance(e, Print)] == ["A001"]
    effects = lobby.on(printed("A001", PrinterState.PAPER_OUT, ok=False))
    assert (lobby.flow.phase, lobby.flow.code, lobby.flow.ticket) == (Phase.CODE, "AB1", None)
    assert kf.HealthChanged() in effects and Light("fault") in effects
    assert lobby.flow.printouts.unprinted == ["A001"]


# -- languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_customers_language_goes_with_the_ticket_and_not_to_the_next(lang) -> None:
    lobby = Lobby().ready()
    lobby.touch("lang", lang)
    assert lobby.flow.lang == lang
    assert sent(lobby.touch("issue", service="kela"))[0].body["lang"] == lang
    lobby.answer({"ok": True, "ticket": ticket()})
    lobby.touch("done")
    assert (lobby.flow.lang, lobby.flow.phase) == ("fi", Phase.START)
    lobby.touch("lang", "xx")  # not a language of the site: nothing changes
    assert lobby.flow.lang == "fi"


# -- appointments --------------------------------------------------------------------------------


def test_an_appointment_code_is_typed_sent_once_and_forgotten() -> None:
    lobby = Lobby().ready()
    lobby.touch("appointment")
    assert lobby.flow.phase is Phase.CODE
    lobby.type("AB1")
    assert sent(lobby.touch("ok")) == []  # under four characters: not sent
    lobby.type("X")
    lobby.touch("erase")
    lobby.type("2CD34" + "Z" * 40)  # the keypad stops at the longest code a list can hold
    assert lobby.flow.code == ("AB12CD34" + "Z" * 40)[:kf.CODE_MAX]
    lobby.flow.code = "AB12CD34"
    assert sent(lobby.touch("ok")) == [Send(ISSUE, {
        "service": None, "lang": "fi", "appointment": "AB12CD34", "device": "lobby-1"})]
    assert lobby.flow.code == ""  # the code leaves the kiosk's memory at once
    lobby.answer({"ok": True, "ticket": ticket(appointment_at="2026-12-01T10:30:00+02:00")})
    assert lobby.flow.ticket.appointment_at == "10.30"


def test_a_scanned_code_checks_in_from_the_start_or_the_keypad_only() -> None:
    lobby = Lobby().ready()
    assert sent(lobby.on(kf.Scan("AB12CD34")))[0].body["appointment"] == "AB12CD34"
    lobby.answer({"ok": True, "ticket": ticket(again=True)})
    assert lobby.flow.ticket.again
    assert sent(lobby.on(kf.Scan("AB12CD34"))) == []  # on the ticket screen: ignored
    lobby.touch("done")
    lobby.touch("appointment")
    lobby.type("ZZ")
    assert sent(lobby.on(kf.Scan("LATER123")))[0].body["appointment"] == "LATER123"


def test_a_refusal_says_what_concerns_the_customer_and_its_wait_counts_down() -> None:
    lobby = Lobby().ready()
    lobby.on(kf.Scan("ZZ99ZZ99"))
    lobby.answer(refused("unknown_appointment", code_typed="ZZ99ZZ99"))
    assert (lobby.flow.phase, lobby.flow.notice) == (Phase.REFUSED, "unknown")
    assert "ZZ99" not in repr(vars(lobby.flow))  # nothing of the code is kept
    lobby.touch("back")
    lobby.on(kf.Scan("AB12CD34"))
    lobby.answer(refused("too_many_attempts", retry_after_s=40))
    assert (lobby.flow.notice, lobby.flow.retry_after_s) == ("attempts", 40)
    lobby.advance(30)  # the wait on screen counts down, so it stays true
    assert lobby.flow.retry_after_s == 10
    shown = []
    for _ in range(12):
        lobby.advance(1)
        shown.append(lobby.flow.retry_after_s)
    assert shown[:9] == [9, 8, 7, 6, 5, 4, 3, 2, 1] and Timer.COUNTDOWN not in lobby.timers
    for lang in ("fi", "sv", "en"):  # "1 seconds" is never on screen
        words = [wait_words(lang, s) for s in shown[:9]]
        assert not any(re.search(r"\b1 (seconds|sekunder|sekuntia)\b", w) for w in words)


@pytest.mark.parametrize(("error", "notice", "wait"), [
    ({"code": "rate_limited", "retry_after_s": 25}, "busy", 25),
    ({"code": "too_many_attempts", "retry_after_s": "soon"}, "attempts", None),
    ({"code": "too_many_attempts", "retry_after_s": 10 ** 9}, "attempts", None),
    ({"code": "forbidden"}, "forbidden", None),
    ({"code": "service_closed", "next_open": "2026-12-02T08:00:00+02:00"}, "closed", None),
    ({"code": "something_new"}, "other", None),
])
def test_every_refusal_of_the_controller_is_told_plainly(error, notice, wait) -> None:
    lobby = Lobby().ready()
    lobby.touch("issue", service="kela")
    lobby.answer({"ok": False, "error": error})
    assert (lobby.flow.phase, lobby.flow.notice, lobby.flow.retry_after_s) == (
        Phase.REFUSED, notice, wait)
    assert (Timer.COUNTDOWN in lobby.timers) == (wait is not None)
    if notice == "closed":
        assert lobby.flow.notice_time  # when it opens, in words


# -- time ----------------------------------------------------------------------------------------


def test_a_screen_left_alone_warns_first_and_can_be_extended() -> None:
    lobby = Lobby().ready()
    assert Timer.IDLE not in lobby.timers  # the start screen as it should be: no timeout
    lobby.touch("appointment")
    lobby.type("A")
    lobby.advance(29.9)
    assert lobby.flow.seconds_left is None
    lobby.advance(0.2)
    assert lobby.flow.seconds_left == 15
    lobby.advance(5)
    assert lobby.flow.seconds_left == 10  # counting down, each second redrawn
    lobby.touch("more")  # more time: only the warning goes, the code typed is kept
    assert (lobby.flow.phase, lobby.flow.code, lobby.flow.seconds_left) == (
        Phase.CODE, "A", None)
    lobby.advance(30 + 14.9)
    assert lobby.flow.seconds_left == 1
    lobby.advance(0.2)
    assert (lobby.flow.phase, lobby.flow.code, lobby.flow.seconds_left) == (
        Phase.START, "", None)
    assert not lobby.timers  # nothing of the customer is left, nothing to time out


def test_settings_time_out_too_but_a_ticket_on_its_way_does_not() -> None:
    lobby = Lobby().ready()
    lobby.touch("large")
    lobby.touch("lang", "sv")
    lobby.advance(45.1)
    assert (lobby.flow.phase, lobby.flow.lang, lobby.flow.large) == (Phase.START, "fi", False)
    lobby.touch("issue", service="kela")
    lobby.advance(120)  # no warning over "issuing": the answer decides
    assert (lobby.flow.phase, lobby.flow.seconds_left) == (Phase.ISSUING, None)


def test_the_start_lists_page_is_turned_and_the_next_customer_starts_on_the_first() -> None:
    lobby = Lobby().ready()
    lobby.on(kf.TurnPage(+1, pages=3))
    lobby.on(kf.TurnPage(+1, pages=3))
    lobby.on(kf.TurnPage(+1, pages=3))
    assert lobby.flow.list_page == 2  # the last page: no further
    lobby.advance(45.1)  # a page turned is a customer's: it times out
    assert lobby.flow.list_page == 0
    lobby.on(kf.TurnPage(-1, pages=3))
    assert lobby.flow.list_page == 0


def test_a_page_button_turns_the_list_and_the_keys_ring_stays_on_the_page_turn() -> None:
    lobby = Lobby().ready()
    effects = lobby.touch("page", "1/2")
    assert lobby.flow.list_page == 1 and kf.Redraw() in effects
    assert not any(isinstance(e, kf.FocusPageTurn) for e in effects)  # no ring: no move
    lobby.touch("page", "7/2")  # a page past the last shows the last
    assert lobby.flow.list_page == 1
    lobby.touch("page", "x/2")  # nothing a layout makes: nothing happens
    assert lobby.flow.list_page == 1
    lobby.flow.focus = 3  # the keys' ring is up: it must follow the page turn
    lobby.flow.speech = True
    effects = lobby.touch("page", "0/2")
    assert lobby.flow.list_page == 0
    assert kf.FocusPageTurn(forward=False) in effects
    lobby.on(kf.FocusOn(5))  # where the shell found the page turn on the new page
    assert lobby.flow.focus == 5
    assert any(isinstance(e, kf.ReadScreen) for e in effects)  # the new page is read aloud
    lobby.touch("issue", service="kela")
    lobby.touch("page", "1/2")  # a ticket on its way: the list stays
    assert lobby.flow.list_page == 0


# -- the technician's PIN --------------------------------------------------------------------


def type_pin(lobby: Lobby, pin: str) -> list[kf.Effect]:
    for digit in pin:
        lobby.on(kf.Typed(digit))
    return lobby.touch("ok")


def test_wrong_pins_slow_the_next_try_and_then_lock_the_pin_screen(caplog) -> None:
    lobby = Lobby().ready()
    lobby.on(kf.Chord())
    assert lobby.flow.phase is Phase.PIN
    assert kf.HealthChanged() in type_pin(lobby, "111111")
    assert lobby.flow.message == "Väärä PIN-koodi. Seuraavan voi antaa hetken kuluttua."
    assert kf.Leave("technician exit") not in type_pin(lobby, "246813")  # within the second
    for wait in (1, 2, 4, 8):  # each wrong PIN doubles the wait
        lobby.advance(wait)
        type_pin(lobby, "111111")
    assert lobby.flow.message == ("Liian monta väärää PIN-koodia. Seuraavan voi antaa 15 "
                                  "minuutin kuluttua.")
    # The service team sees the tries in the kiosk's health, as counts only.
    assert pin_health(lobby.flow.pin_guard, lobby.mono) == {
        "failed": 5, "lockouts": 1, "locked": True}
    lobby.advance(14 * 60)
    assert lobby.flow.phase is Phase.START  # the PIN screen left alone timed out as any
    lobby.on(kf.Chord())  # leaving the PIN screen did not end the lockout
    assert kf.Leave("technician exit") not in type_pin(lobby, "246813")
    assert lobby.flow.message == ("Liian monta väärää PIN-koodia. Seuraavan voi antaa 60 "
                                  "sekunnin kuluttua.")
    lobby.advance(20)  # the note counts down with the lockout
    assert lobby.flow.message == ("Liian monta väärää PIN-koodia. Seuraavan voi antaa 40 "
                                  "sekunnin kuluttua.")
    lobby.touch("cancel")
    assert lobby.flow.phase is Phase.START
    lobby.advance(40)
    lobby.on(kf.Chord())
    assert lobby.flow.message == ""  # the lockout is over
    assert kf.Leave("technician exit") in type_pin(lobby, "246813")
    assert "wrong technician PIN" in caplog.text
    assert "no PIN is checked for 15 minutes" in caplog.text
    assert "111111" not in caplog.text and "246813" not in caplog.text


def test_a_short_pin_is_not_a_wrong_try_and_digits_elsewhere_do_nothing() -> None:
    lobby = Lobby().ready()
    lobby.on(kf.Typed("5"))  # a keyboard's digit outside the PIN screen
    assert lobby.flow.code == ""
    lobby.on(kf.Chord())
    lobby.speech_on()
    effects = type_pin(lobby, "2468")
    assert lobby.flow.message == "PIN-koodissa on vähintään 6 numeroa."
    assert lobby.flow.pin_guard.failures == 0 and kf.HealthChanged() not in effects
    assert "2468" not in " ".join(spoken(lobby.effects))  # a PIN is echoed as dots
    assert "•" in spoken(lobby.effects)


# -- speech ----------------------------------------------------------------------------------


TOOLBAR = (Target("lang", "fi", label="Suomi"), Target("lang", "sv", label="Svenska"),
           Target("lang", "en", label="English"), Target("issue", "", "kela", "Kela"))


def test_keys_and_speech_take_a_customer_through_in_english() -> None:
    lobby = Lobby().ready()
    assert ReadScreen() in lobby.on(kf.Key("help"))  # speech starts; the screen is read
    for _ in range(3):
        effects = lobby.on(kf.Key("down", targets=TOOLBAR))  # Suomi, Svenska, English
    assert spoken(effects) == ["English"] and lobby.flow.focus == 2
    effects = lobby.on(kf.Key("select", targets=TOOLBAR))
    assert Say("English, selected", "en") in effects and ReadScreen(False) in effects
    assert Louder("en") in lobby.on(kf.Key("help", held=True))  # louder, and it says so
    lobby.on(kf.Key("down", targets=TOOLBAR))
    effects = lobby.on(kf.Key("select", targets=TOOLBAR))  # Kela
    assert sent(effects)[0].body == {"service": "kela", "lang": "en", "appointment": None,
                                     "device": "lobby-1"}
    assert ReadScreen() not in effects  # "issuing" is not read: the number comes at once
    assert ReadScreen() in lobby.answer({"ok": True, "ticket": ticket()})
    assert ReadScreen() in lobby.on(printed("K001"))  # "take your ticket" now
    effects = lobby.touch("done")  # the next customer starts afresh, in silence
    assert Hush() in effects and not lobby.flow.speech and lobby.flow.lang == "fi"
    assert spoken(effects) == [] and ReadScreen() not in effects


def test_speech_is_turned_on_and_off_and_says_so() -> None:
    lobby = Lobby().ready()
    effects = lobby.touch("speech")
    assert spoken(effects) == [TEXTS["fi"]["speech_on"]] and ReadScreen(False) in effects
    assert spoken(lobby.touch("large")) == [TEXTS["fi"]["large_on"]]
    assert spoken(lobby.touch("appointment", label="Ajanvaraus")) == []
    assert ReadScreen() in lobby.effects[-3:] or ReadScreen() in lobby.effects
    assert spoken(lobby.touch("key", "A")) == ["A"]  # a code's key is echoed
    effects = lobby.touch("speech")
    assert spoken(effects) == [TEXTS["fi"]["speech_off"]]
    assert not lobby.flow.speech
    assert spoken(lobby.touch("key", "B")) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(EVENTS, max_size=30))
def test_a_kiosk_whose_speech_was_never_asked_for_says_nothing(events: list[Any]) -> None:
    lobby = Lobby().ready()
    for event in events:
        effects = lobby.on(event)
        assert not [e for e in effects if isinstance(e, Say | ReadScreen | Louder)]


# -- the yearly survey -----------------------------------------------------------------------


def test_the_survey_is_offered_in_its_month_and_sent_when_left() -> None:
    lobby = Lobby(survey=True).ready()
    assert lobby.flow.survey_open(TUESDAY_10)
    lobby.touch("lang", "en")
    lobby.touch("survey")
    assert lobby.flow.phase is Phase.SURVEY
    assert lobby.flow.survey.flow.lang == "en"
    lobby.touch("yes")
    lobby.touch("no")
    lobby.touch("score", "9")
    lobby.touch("next")
    lobby.advance(45.1)  # walked away: what was rated still counts
    answers = [e.submission for e in lobby.effects if isinstance(e, SendSurvey)]
    assert [a.command for a in answers] == ["survey/answer"]
    assert answers[0].body["lang"] == "en" and 9 in answers[0].body["ratings"].values()
    assert (lobby.flow.phase, lobby.flow.lang) == (Phase.START, "fi")


def test_no_survey_outside_its_month() -> None:
    lobby = Lobby(survey=True)
    lobby.wall = datetime(2027, 1, 5, 10, 0, tzinfo=TUESDAY_10.tzinfo)
    lobby.ready()
    lobby.touch("survey")
    assert lobby.flow.phase is Phase.START


# -- what the customer reads in the flow's waiting phases (the screen draws the phase) ------


def test_starting_is_no_alarm_and_the_other_waits_say_so_in_words() -> None:
    from firmware.kiosk.screen import layout_kiosk_texts
    from firmware.screenshots.samples import kiosk

    def texts(phase: Phase, **more: Any) -> list[str]:
        view = dataclasses.replace(kiosk(phase.value), **more)
        return [t.text for t in layout_kiosk_texts(view, (1920, 1080))]

    for lang in ("fi", "sv", "en"):
        assert TEXTS[lang]["starting"] in texts(Phase.STARTING)
        assert TEXTS[lang]["error"] not in texts(Phase.STARTING)
        assert TEXTS[lang]["error"] in texts(Phase.ERROR)
    assert TEXTS["fi"]["limit"] in " ".join(texts(Phase.LIMIT))
    lobby = Lobby().ready()
    lobby.touch("appointment")
    lobby.advance(30.1)
    assert TEXTS["fi"]["warning"] in texts(lobby.flow.phase,
                                           seconds_left=lobby.flow.seconds_left)


def test_the_next_customer_finds_the_start_as_the_first_did() -> None:
    lobby = Lobby().ready()
    lobby.on(kf.Key("help", held=True))  # speech on and louder
    lobby.touch("speech")  # ... and off again: the volume is still raised
    lobby.touch("lang", "en")
    lobby.issue()
    lobby.on(printed("K001"))
    effects = lobby.on(kf.NextCustomer())
    assert Hush() in effects  # the speaker's volume goes back too
    flow = lobby.flow
    assert (flow.phase, flow.lang, flow.ticket, flow.speech, flow.focus) == (
        Phase.START, "fi", None, False, None)
    assert sent(lobby.on(kf.NextCustomer())) == []
    assert Timer.IDLE not in lobby.timers and Timer.TICK not in lobby.timers


# -- help: the service advisor is asked to come ------------------------------------------------


HELD_FOR_HELP = kf.Key("help", held=True, held_s=kf.HELP_HOLD_S)


def asked(effects: list[kf.Effect]) -> int:
    return sum(isinstance(e, kf.AskForHelp) for e in effects)


def help_words(lobby: Lobby) -> str:
    """The help screen's words, as the screen lays them out and speech reads them."""
    from firmware.kiosk.screen import KioskView, help_parts

    flow = lobby.flow
    view = KioskView("", (), flow.phase.value, None, "", flow.lang, help=flow.help_note.value)
    return " ".join(part for part in help_parts(view) if part)


def test_holding_help_two_seconds_asks_the_advisor_and_the_screen_says_they_come() -> None:
    lobby = Lobby().ready()
    effects = lobby.on(kf.Key("help", held=True, held_s=1.0))  # held on: louder first
    assert Louder("fi") in effects and not asked(effects)
    effects = lobby.on(HELD_FOR_HELP)
    assert asked(effects) == 1 and not sent(effects)  # the shell sends help/request
    assert lobby.flow.phase is Phase.HELP and ReadScreen() in effects  # spoken: speech is on
    assert help_words(lobby) == TEXTS["fi"]["help_asking"]
    effects = lobby.on(help_answer({"ok": True}))
    assert ReadScreen() in effects
    assert help_words(lobby) == f"{TEXTS['fi']['help_told']} {TEXTS['fi']['help_hint']}"
    lobby.touch("back")
    assert lobby.flow.phase is Phase.START


def test_a_short_press_of_help_still_only_starts_speech() -> None:
    lobby = Lobby().ready()
    effects = lobby.on(kf.Key("help"))
    assert ReadScreen() in effects and not asked(effects) and lobby.flow.phase is Phase.START


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_start_screens_button_asks_in_the_customers_language_silently(lang: str) -> None:
    lobby = Lobby().ready()
    lobby.touch("lang", lang)
    effects = lobby.touch("help")
    assert asked(effects) == 1 and lobby.flow.phase is Phase.HELP
    assert not [e for e in effects if isinstance(e, Say | ReadScreen)]  # speech is off
    lobby.on(help_answer({"ok": True}))
    assert help_words(lobby).startswith(TEXTS[lang]["help_told"])


def test_a_second_request_within_a_minute_is_not_sent_and_the_screen_says_so() -> None:
    lobby = Lobby().ready()
    assert asked(lobby.touch("help")) == 1
    lobby.on(help_answer({"ok": True}))
    lobby.touch("back")
    lobby.advance(59)
    effects = lobby.touch("help")  # the next customer too: the kiosk asked already
    assert not asked(effects) and lobby.flow.phase is Phase.HELP
    assert help_words(lobby).startswith(TEXTS["fi"]["help_again"])
    lobby.touch(None)  # a touch beside the buttons leaves it too
    lobby.advance(1)
    assert asked(lobby.touch("help")) == 1  # a minute on: asked again


@pytest.mark.parametrize("answer", [None, refused("forbidden"), {"ok": False}, {"ok": "yes"}])
def test_no_answer_or_a_refusal_says_to_ask_at_the_service_desk(answer: Any) -> None:
    lobby = Lobby().ready()
    lobby.on(HELD_FOR_HELP)
    lobby.on(help_answer(answer))
    assert help_words(lobby) == TEXTS["fi"]["help_desk"]
    lobby.touch("back")
    lobby.advance(10)
    effects = lobby.on(HELD_FOR_HELP)  # not sent again within the minute, and not "told"
    assert not asked(effects) and help_words(lobby) == TEXTS["fi"]["help_desk"]


def test_without_the_link_nothing_is_sent_and_the_desk_is_named() -> None:
    lobby = Lobby().ready()
    lobby.on(kf.LinkDown())
    effects = lobby.on(HELD_FOR_HELP)
    assert not asked(effects) and help_words(lobby) == TEXTS["fi"]["help_desk"]
    lobby.on(kf.LinkUp())
    lobby.touch("back")
    assert asked(lobby.touch("help")) == 1  # nothing was sent: this one goes at once


def test_help_from_the_ticket_screen_goes_back_to_the_number() -> None:
    lobby = Lobby().ready()
    lobby.issue()
    lobby.on(printed("K001", ok=False, state=PrinterState.PAPER_OUT))  # the number is all
    lobby.on(HELD_FOR_HELP)
    lobby.on(help_answer({"ok": True}))
    lobby.touch("back")
    assert lobby.flow.phase is Phase.TICKET and lobby.flow.ticket.number == "K001"


def test_help_waits_for_a_ticket_on_its_way_and_leaves_the_technician_alone() -> None:
    lobby = Lobby().ready()
    lobby.touch("issue", service="kela")
    assert not asked(lobby.on(HELD_FOR_HELP)) and lobby.flow.phase is Phase.ISSUING
    lobby.answer({"ok": True, "ticket": ticket()})
    lobby.on(kf.Chord())
    assert not asked(lobby.on(HELD_FOR_HELP)) and lobby.flow.phase is Phase.PIN


HELP_EVENTS = st.one_of(
    EVENTS, st.just(HELD_FOR_HELP), st.just(kf.Touch(Target("help"))),
    st.just(kf.Touch(Target("back"))), st.just(kf.Key("help", held=True, held_s=1.0)),
    st.sampled_from([None, {"ok": True}, refused("forbidden")]).map(help_answer),
    st.floats(min_value=0.5, max_value=45).map(lambda s: ("wait", s)))


@settings(max_examples=200, deadline=None)
@given(st.lists(HELP_EVENTS, max_size=40))
def test_a_request_for_help_is_sent_at_most_once_a_minute(events: list[Any]) -> None:
    lobby = Lobby().ready()
    sent_at: list[float] = []
    for event in events:
        effects = lobby.advance(event[1]) if isinstance(event, tuple) else lobby.on(event)
        sent_at += [lobby.mono] * asked(effects)
        if asked(effects):
            assert lobby.flow.phase is Phase.HELP  # the customer sees it was asked
    assert all(b - a >= kf.HELP_AGAIN_S for a, b in itertools.pairwise(sent_at))
