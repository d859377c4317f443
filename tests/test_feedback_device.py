"""The feedback device on real parts: a real broker and controller, gpiozero MockFactory pins
for the face keys and their LEDs, the touch screen drawn with the SDL dummy driver and
touched through pygame events at the buttons' own places."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest
from gpiozero.pins.mock import MockFactory

from firmware.cli.stats import stats_main
from firmware.clock import ShiftedClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.feedback.role import FeedbackRole
from firmware.runtime import Runtime
from firmware.site_model import SiteConfig
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, demo_config, wait_for

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # survey month
KEYS, LEDS = (5, 6, 13, 19), (12, 16, 20, 21)  # as in the demo site's exit-1


def run(config: SiteConfig, device_id: str, role: Any, data_dir: Path) -> RunningDevice:
    device = config.device(device_id)
    assert device is not None
    return RunningDevice(Runtime(config, device, ShiftedClock(TUESDAY_10), data_dir, [role],
                                 broker_host=config.broker.host,
                                 broker_port=config.broker.port, client_suffix="-t"))


def stored(data_dir: Path, kind: str) -> list[dict[str, Any]]:
    """The events of one type in the controller's ledger, as a second reader sees them."""
    ledger = Ledger(data_dir / "ledger.sqlite")
    try:
        return [e.to_wire() for e in ledger.events_between([kind], "2026-01-01", "2027-12-31")]
    finally:
        ledger.close()


def press(pins: MockFactory, pin: int) -> None:
    pins.pin(pin).drive_low()  # pull-up keys: pressed is low
    pins.pin(pin).drive_high()  # the vote is taken on release


def tap(device: RunningDevice, role: FeedbackRole, action: str, arg: str = "") -> None:
    """A finger on the button's centre, as SDL reports it; fails if no such button."""
    def touch() -> None:
        button = next((b for b in role.buttons if b.action == action and b.arg == arg
                       and getattr(b, "enabled", True)), None)
        assert button is not None, f"no {action} {arg} button on the {role.flow.step} step"
        role.on_screen_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1,
                                                pos=button.rect.center))
        role.render()
    device.on_loop(touch)


@pytest.fixture
def config(broker: Any, tmp_path: Path) -> SiteConfig:
    return demo_config(broker, tmp_path)


def test_a_face_key_is_one_vote_in_the_ledger_and_its_led_says_counted(
        config: SiteConfig, tmp_path: Path) -> None:
    pins = MockFactory()
    with run(config, "lobby-1", ControllerRole(), tmp_path), \
            run(config, "exit-1", FeedbackRole(pin_factory=pins), tmp_path / "exit") as exit_:
        wait_for(lambda: exit_.runtime.link.connected, what="the feedback device online")
        press(pins, KEYS[3])  # very happy
        press(pins, KEYS[3])  # pressed again to be sure: the same customer, one vote
        # Lit for a moment: the customer sees that the press was counted.
        wait_for(lambda: any(s.state for s in pins.pin(LEDS[3]).states), timeout=2,
                 what="the key's LED lit")
        assert not any(s.state for s in pins.pin(LEDS[0]).states)
        votes = wait_for(lambda: stored(tmp_path, "feedback.given"), what="the vote")
        assert [(v["rating"], v["scale"], v["device"]) for v in votes] == [(4, 4, "exit-1")]
        wait_for(lambda: exit_.on_loop(lambda: len(exit_.role("feedback").sender) == 0),
                 what="the answer confirmed and forgotten on the device")
        assert len(stored(tmp_path, "feedback.given")) == 1


def test_a_vote_given_while_the_controller_is_away_arrives_when_it_is_back(
        config: SiteConfig, tmp_path: Path) -> None:
    pins = MockFactory()
    with run(config, "exit-1", FeedbackRole(pin_factory=pins), tmp_path / "exit") as exit_:
        wait_for(lambda: exit_.runtime.link.connected, what="the feedback device online")
        press(pins, KEYS[0])
        # Kept on the device's disk before anything is sent: a power cut loses nothing.
        pending = tmp_path / "exit" / "feedback-pending.json"
        wait_for(lambda: pending.exists() and json.loads(pending.read_text()), what="kept")
        with run(config, "lobby-1", ControllerRole(), tmp_path) as lobby:
            wait_for(lambda: lobby.runtime.link.connected, what="the controller online")
            exit_.runtime.post(exit_.role("feedback").on_link_up)  # as after a reconnect
            votes = wait_for(lambda: stored(tmp_path, "feedback.given"), timeout=15,
                             what="the vote after the controller came back")
        assert [v["rating"] for v in votes] == [1]
        wait_for(lambda: json.loads(pending.read_text()) == [], what="the file emptied")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_whole_survey_by_touch_in_each_language_survives_a_controller_restart(
        config: SiteConfig, tmp_path: Path, lang: str) -> None:
    with run(config, "lobby-1", ControllerRole(), tmp_path), \
            run(config, "exit-1", FeedbackRole(pin_factory=MockFactory()),
                tmp_path / "exit") as exit_:
        role = exit_.role("feedback")
        wait_for(lambda: exit_.runtime.link.connected, what="online")
        exit_.on_loop(role.render)
        tap(exit_, role, "lang", lang)
        tap(exit_, role, "survey")
        tap(exit_, role, "yes")  # used self-service: statement 17 is asked
        tap(exit_, role, "no")  # dropped off no documents: 18 is not
        asked = exit_.on_loop(lambda: role.flow.position[1])
        assert asked == 17
        for n in range(1, asked + 1):
            if n == 5:
                tap(exit_, role, "dont_know")
                continue
            tap(exit_, role, "score", str(4 + n % 7))
            tap(exit_, role, "next")
        assert exit_.on_loop(lambda: role.flow.step) == "survey_done"
        answers = wait_for(lambda: stored(tmp_path, "survey.answered"), what="the answer")
    assert len(answers) == 1
    answer = answers[0]
    assert answer["lang"] == lang and answer["self_service"] and not answer["documents"]
    assert answer["ratings"]["5"] is None and answer["ratings"]["7"] == 4 + 7 % 7
    assert "18" not in answer["ratings"] and len(answer["ratings"]) == 17
    # A new controller on the same SD card: `piste stats` still reports the answer.
    with run(config, "lobby-1", ControllerRole(), tmp_path):
        pass
    out = _stats(config, tmp_path, "survey")
    rows = {int(r["statement"]): r for r in out["statements"]}
    assert out["answers"] == 1 and 5 not in rows and rows[7]["count"] == 1
    assert rows[7]["mean"] == 4 + 7 % 7


def test_words_with_a_phone_number_are_masked_and_the_customer_is_told(
        config: SiteConfig, tmp_path: Path) -> None:
    with run(config, "lobby-1", ControllerRole(), tmp_path), \
            run(config, "exit-1", FeedbackRole(pin_factory=MockFactory()),
                tmp_path / "exit") as exit_:
        role = exit_.role("feedback")
        wait_for(lambda: exit_.runtime.link.connected, what="online")
        exit_.on_loop(role.render)
        tap(exit_, role, "rate", "2")
        tap(exit_, role, "words")
        exit_.on_loop(lambda: [role.activate("key", c) for c in "soita 0401234567"])
        exit_.on_loop(role.render)
        tap(exit_, role, "send")
        assert exit_.on_loop(lambda: (role.flow.step, role.view().masked)) == ("thanks", True)
        votes = wait_for(lambda: stored(tmp_path, "feedback.given"), what="the vote")
    assert votes[0]["rating"] == 2 and votes[0]["masked"] is True
    assert "0401234567" not in votes[0]["words"] and votes[0]["words"].startswith("soita")


def _stats(config: SiteConfig, data_dir: Path, report: str) -> dict[str, Any]:
    """`piste stats --report ... --format json` on the demo site's file (its survey month)."""
    out = io.StringIO()
    assert stats_main(DEMO_SITE, data_dir, None, "json", out, report=report) == 0
    return json.loads(out.getvalue())


def test_a_kiosk_offers_the_survey_in_its_month_and_goes_back_to_its_start(
        broker: Any, tmp_path: Path) -> None:
    from tests.test_kiosk_device import Kiosk

    with Kiosk(broker, tmp_path) as kiosk:
        kiosk.ready()
        kiosk.touch("lang", "sv")
        wait_for(lambda: kiosk.loop(lambda: kiosk.role.lang) == "sv", what="Swedish")
        kiosk.touch("survey")
        wait_for(lambda: kiosk.phase() == "survey", what="the survey on the kiosk")
        flow = kiosk.role.survey.flow
        kiosk.touch("yes")  # used self-service
        wait_for(lambda: kiosk.loop(lambda: flow.screening) == "documents", what="question 2")
        kiosk.touch("yes")  # and dropped off documents: all 18 statements
        wait_for(lambda: kiosk.loop(lambda: flow.step) == "statement", what="statements")
        asked = kiosk.loop(lambda: flow.position[1])
        assert asked == 18
        for n in range(1, asked + 1):
            kiosk.touch("score", "8")
            wait_for(lambda: kiosk.loop(lambda: flow.progress.selected) == 8, what="chosen")
            kiosk.touch("next")
            wait_for(lambda n=n: kiosk.loop(lambda: flow.position[0] > n
                                            or flow.step == "survey_done"), what="moved on")
        wait_for(lambda: kiosk.loop(lambda: kiosk.role.survey.flow.step) == "survey_done",
                 what="the thank-you step")
        kiosk.touch("done")
        wait_for(lambda: kiosk.phase() == "start", what="the kiosk's start screen again")
        answers = wait_for(lambda: stored(tmp_path, "survey.answered"), what="the answer")
    assert [(a["device"], a["lang"], len(a["ratings"])) for a in answers] == [
        ("lobby-1", "sv", 18)]
    assert set(answers[0]["ratings"].values()) == {8}


def test_outside_the_survey_month_the_kiosk_has_no_survey_button(
        broker: Any, tmp_path: Path) -> None:
    from tests.test_kiosk_device import Kiosk

    with Kiosk(broker, tmp_path) as kiosk:
        kiosk.runtime.clock = ShiftedClock(datetime(2027, 1, 5, 10, 0, tzinfo=TUESDAY_10.tzinfo))
        kiosk.ready()
        kiosk.loop(lambda: setattr(kiosk.role, "dirty", True))
        assert kiosk.loop(lambda: kiosk.role.view().survey_label) == ""
        assert kiosk.loop(lambda: kiosk.role.button_at("survey")) is None


NAV = {"up": 22, "down": 23, "select": 24, "help": 25}  # the demo exit-1's navigation keys


def key(pins: MockFactory, name: str) -> None:
    press(pins, NAV[name])
    time.sleep(0.04)  # past the keys' 30 ms debounce


def choose(device: RunningDevice, role: FeedbackRole, pins: MockFactory, action: str,
           arg: str = "") -> None:
    """Move the focus ring to a button with up/down and press select, as a customer who
    cannot use the touch screen would."""
    from display_driver.layout import focusable

    def state() -> tuple[object, ...]:
        flow = role.flow
        return flow.step, flow.screening, flow.position, flow.progress.selected, flow.lang

    def where() -> tuple[int | None, int | None]:
        targets = focusable(role.buttons)
        wanted = next((i for i, b in enumerate(targets) if (b.action, b.arg) == (action, arg)),
                      None)
        return wanted, role.focus
    for _ in range(40):
        wanted, focus = device.on_loop(where)
        assert wanted is not None, f"no {action} {arg} to focus"
        if focus == wanted:
            before = device.on_loop(state)
            key(pins, "select")
            wait_for(lambda before=before: device.on_loop(state) != before
                     or (action == "lang" and before[-1] == arg),  # already that language
                     what=f"{action} {arg} done")
            return
        key(pins, "down" if focus is None or focus < wanted else "up")
    raise AssertionError(f"could not reach {action} {arg}")


QUESTION = {"fi": "Millainen oli käyntisi tänään?", "sv": "Hur var ditt besök i dag?",
            "en": "How was your visit today?"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_whole_survey_by_keys_alone_with_speech(config: SiteConfig, tmp_path: Path,
                                                    lang: str) -> None:
    pins = MockFactory()
    with run(config, "lobby-1", ControllerRole(), tmp_path), \
            run(config, "exit-1", FeedbackRole(pin_factory=pins), tmp_path / "exit") as exit_:
        role = exit_.role("feedback")
        wait_for(lambda: exit_.runtime.link.connected, what="online")
        exit_.on_loop(role.render)
        choose(exit_, role, pins, "lang", lang)
        assert exit_.on_loop(lambda: role.flow.lang) == lang
        key(pins, "help")  # the screen read aloud in the chosen language (espeak-ng)
        wait_for(lambda: (QUESTION[lang], lang) in [
            (text.split(" 1:")[0], said) for text, said in role.voice.spoken],
            what="the question spoken")
        choose(exit_, role, pins, "survey")
        choose(exit_, role, pins, "no")
        choose(exit_, role, pins, "no")
        for n in range(1, 17):
            choose(exit_, role, pins, "score", "10" if n % 2 else "6")
            choose(exit_, role, pins, "next")
        assert exit_.on_loop(lambda: role.flow.step) == "survey_done"
        answers = wait_for(lambda: stored(tmp_path, "survey.answered"), what="the answer")
    ratings = answers[0]["ratings"]
    assert answers[0]["lang"] == lang and len(ratings) == 16
    assert ratings["1"] == 10 and ratings["2"] == 6


def test_on_a_short_panel_the_thanks_screen_invites_to_the_survey_by_keys_and_speech(
        config: SiteConfig, tmp_path: Path) -> None:
    """The exit device on a 10.1" 1280x800 panel in the survey month, in Finnish: the
    invitation would push the faces' names below the floor, so the rate screen leaves it out
    and the thanks screen has it; the keys reach it, speech reads it, and the vote given
    before it is kept."""
    import dataclasses

    from display_driver.layout import focusable

    exit_cfg = config.device("exit-1")
    assert exit_cfg is not None
    small = dataclasses.replace(
        exit_cfg, screen=dataclasses.replace(exit_cfg.screen, width=1280, height=800),
        feedback=dataclasses.replace(exit_cfg.feedback, screen_diagonal_in=10.1))
    config = dataclasses.replace(config, devices=tuple(
        small if d.id == "exit-1" else d for d in config.devices))
    pins = MockFactory()
    invitation = "Vastaa vuosittaiseen asiakaskyselyymme"
    with run(config, "lobby-1", ControllerRole(), tmp_path), \
            run(config, "exit-1", FeedbackRole(pin_factory=pins), tmp_path / "exit") as exit_:
        role = exit_.role("feedback")
        wait_for(lambda: exit_.runtime.link.connected, what="online")
        exit_.on_loop(role.render)
        assert exit_.on_loop(lambda: (role.flow.survey_open, role.text_px)) == (True, 59)
        assert "survey" not in exit_.on_loop(lambda: [b.action for b in focusable(role.buttons)])
        key(pins, "help")
        wait_for(lambda: role.voice.spoken, what="the rate screen spoken")
        assert invitation not in role.voice.spoken[-1][0]  # not on this screen: not read
        choose(exit_, role, pins, "rate", "2")
        assert exit_.on_loop(lambda: role.flow.step) == "thanks"
        key(pins, "help")
        wait_for(lambda: any(invitation in text for text, _ in role.voice.spoken),
                 what="the invitation read on the thanks screen")
        choose(exit_, role, pins, "survey")
        assert exit_.on_loop(lambda: role.flow.step) == "screening"
        votes = wait_for(lambda: stored(tmp_path, "feedback.given"), what="the vote kept")
    assert [(v["rating"], v["device"]) for v in votes] == [(2, "exit-1")]
