"""The feedback device with its controller, on the in-memory broker and the jumping clock
(testkit/jumping.py): gpiozero MockFactory pins for the face keys, their LEDs and the
navigation keys, the touch screen drawn with the SDL dummy driver and touched through pygame
events at the buttons' own places, and a speaker that hears what the device says
(testkit/voice.py; espeak-ng itself is tested in tests/test_speech.py). The kiosk that offers
the survey is the lobby's, with its controller (testkit/lobby_kiosk.py)."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest
from gpiozero.pins.mock import MockFactory

from display_driver.layout import focusable
from firmware.cli.stats import stats_main
from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.feedback.role import FeedbackRole
from firmware.site_model import SiteConfig
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.lobby_kiosk import LobbyKiosk
from testkit.pins import event_pins
from testkit.voice import HeardSpeaker
from tests.conftest import DEMO_SITE
from tests.helpers import demo_config

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # survey month
KEYS, LEDS = (5, 6, 13, 19), (12, 16, 20, 21)  # as in the demo site's exit-1
NAV = {"up": 22, "down": 23, "select": 24, "help": 25}  # the demo exit-1's navigation keys


def stored(data_dir: Path, kind: str) -> list[dict[str, Any]]:
    """The events of one type in the controller's ledger, as a second reader sees them."""
    ledger = Ledger(data_dir / "ledger.sqlite")
    try:
        return [e.to_wire() for e in ledger.events_between([kind], "2026-01-01", "2027-12-31")]
    finally:
        ledger.close()


class Exit:
    """The exit device (feedback) and, unless told otherwise, the lobby's controller, on a
    site whose loops run on the test's thread."""

    def __init__(self, site: JumpingSite, config: SiteConfig, data_dir: Path,
                 pins: MockFactory | None = None, *, controller: bool = True) -> None:
        self.site = site
        self.config = config
        self.data_dir = data_dir
        self.pins = pins or event_pins()
        if controller:
            self.start_controller()
        self.role = FeedbackRole(pin_factory=self.pins, speaker=HeardSpeaker())
        site.device(config, "exit-1", [self.role], data_dir / "exit")
        self.role.render()

    def start_controller(self) -> None:
        self.site.device(self.config, "lobby-1", [ControllerRole()], self.data_dir)

    def press(self, pin: int) -> None:
        """A key pressed and let go (pull-up keys: pressed is low; taken on release)."""
        self.pins.pin(pin).drive_low()
        self.pins.pin(pin).drive_high()
        self.site.settle()

    def key(self, name: str) -> None:
        self.press(NAV[name])

    def tap(self, action: str, arg: str = "") -> None:
        """A finger on the button's centre, as SDL reports it; fails if no such button."""
        role = self.role
        button = next((b for b in role.buttons if b.action == action and b.arg == arg
                       and getattr(b, "enabled", True)), None)
        assert button is not None, f"no {action} {arg} button on the {role.flow.step} step"
        role.on_screen_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1,
                                                pos=button.rect.center))
        role.render()
        self.site.settle()

    def choose(self, action: str, arg: str = "") -> None:
        """Move the focus ring to a button with up/down and press select, as a customer who
        cannot use the touch screen would."""
        role = self.role

        def state() -> tuple[object, ...]:
            flow = role.flow
            return flow.step, flow.screening, flow.position, flow.progress.selected, flow.lang

        for _ in range(40):
            targets = focusable(role.buttons)
            wanted = next((i for i, b in enumerate(targets)
                           if (b.action, b.arg) == (action, arg)), None)
            assert wanted is not None, f"no {action} {arg} to focus"
            if role.focus == wanted:
                before = state()
                self.key("select")
                assert state() != before or (action == "lang" and before[-1] == arg), (
                    f"{action} {arg} not done")
                return
            self.key("down" if role.focus is None or role.focus < wanted else "up")
        raise AssertionError(f"could not reach {action} {arg}")

    def spoken(self) -> list[tuple[str, str]]:
        return self.role.voice.spoken

    def answers(self, kind: str) -> list[dict[str, Any]]:
        """Run the site until the controller has stored an answer of `kind`."""
        return self.site.run_until(lambda: stored(self.data_dir, kind), within_s=10,
                                   what=f"a {kind} in the ledger")


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    return demo_config(None, tmp_path)


def jumping(memory_broker: MemoryBroker) -> JumpingSite:
    return JumpingSite(ManualClock(TUESDAY_10), memory_broker)


def test_a_face_key_is_one_vote_in_the_ledger_and_its_led_says_counted(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path) -> None:
    with jumping(memory_broker) as site:
        exit_ = Exit(site, config, tmp_path)
        exit_.press(KEYS[3])  # very happy
        exit_.press(KEYS[3])  # pressed again to be sure: the same customer, one vote
        # Lit for a moment (gpiozero's blink thread): the customer sees the press counted.
        exit_.pins.pin(LEDS[3]).wait_states(any, timeout=2, what="the key's LED lit")
        assert not any(s.state for s in exit_.pins.pin(LEDS[0]).states)
        votes = exit_.answers("feedback.given")
        assert [(v["rating"], v["scale"], v["device"]) for v in votes] == [(4, 4, "exit-1")]
        site.run_until(lambda: len(exit_.role.sender) == 0, within_s=5,
                       what="the answer confirmed and forgotten on the device")
        assert len(stored(tmp_path, "feedback.given")) == 1


def test_a_vote_given_while_the_controller_is_away_arrives_when_it_is_back(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path) -> None:
    with jumping(memory_broker) as site:
        exit_ = Exit(site, config, tmp_path, controller=False)
        exit_.press(KEYS[0])
        # Kept on the device's disk before anything is sent: a power cut loses nothing.
        pending = tmp_path / "exit" / "feedback-pending.json"
        assert json.loads(pending.read_text())
        site.run_for(5)  # nobody answers
        assert stored(tmp_path, "feedback.given") == [] and json.loads(pending.read_text())
        exit_.start_controller()
        exit_.role.on_link_up()  # as after a reconnect
        votes = site.run_until(lambda: stored(tmp_path, "feedback.given"), within_s=60,
                               what="the vote after the controller came back")
        assert [v["rating"] for v in votes] == [1]
        site.run_until(lambda: json.loads(pending.read_text()) == [], within_s=5,
                       what="the file emptied")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_whole_survey_by_touch_in_each_language_survives_a_controller_restart(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path, lang: str) -> None:
    with jumping(memory_broker) as site:
        exit_ = Exit(site, config, tmp_path)
        role = exit_.role
        exit_.tap("lang", lang)
        exit_.tap("survey")
        exit_.tap("yes")  # used self-service: statement 17 is asked
        exit_.tap("no")  # dropped off no documents: 18 is not
        asked = role.flow.position[1]
        assert asked == 17
        for n in range(1, asked + 1):
            if n == 5:
                exit_.tap("dont_know")
                continue
            exit_.tap("score", str(4 + n % 7))
            exit_.tap("next")
        assert role.flow.step == "survey_done"
        answers = exit_.answers("survey.answered")
    assert len(answers) == 1
    answer = answers[0]
    assert answer["lang"] == lang and answer["self_service"] and not answer["documents"]
    assert answer["ratings"]["5"] is None and answer["ratings"]["7"] == 4 + 7 % 7
    assert "18" not in answer["ratings"] and len(answer["ratings"]) == 17
    # A new controller on the same SD card: `piste stats` still reports the answer.
    with jumping(memory_broker) as site:
        site.device(config, "lobby-1", [ControllerRole()], tmp_path)
    out = _stats(config, tmp_path, "survey")
    rows = {int(r["statement"]): r for r in out["statements"]}
    assert out["answers"] == 1 and 5 not in rows and rows[7]["count"] == 1
    assert rows[7]["mean"] == 4 + 7 % 7


def test_words_with_a_phone_number_are_masked_and_the_customer_is_told(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path) -> None:
    with jumping(memory_broker) as site:
        exit_ = Exit(site, config, tmp_path)
        role = exit_.role
        exit_.tap("rate", "2")
        exit_.tap("words")
        for c in "soita 0401234567":
            role.activate("key", c)
        role.render()
        exit_.tap("send")
        assert (role.flow.step, role.view().masked) == ("thanks", True)
        votes = exit_.answers("feedback.given")
    assert votes[0]["rating"] == 2 and votes[0]["masked"] is True
    assert "0401234567" not in votes[0]["words"] and votes[0]["words"].startswith("soita")


def _stats(config: SiteConfig, data_dir: Path, report: str) -> dict[str, Any]:
    """`piste stats --report ... --format json` on the demo site's file (its survey month)."""
    out = io.StringIO()
    assert stats_main(DEMO_SITE, data_dir, None, "json", out, report=report) == 0
    return json.loads(out.getvalue())


def test_a_kiosk_offers_the_survey_in_its_month_and_goes_back_to_its_start(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path) -> None:
    with jumping(memory_broker) as site:
        kiosk = LobbyKiosk(site, config, tmp_path).ready()
        kiosk.touch("lang", "sv")
        assert kiosk.role.lang == "sv"
        kiosk.touch("survey")
        assert kiosk.phase == "survey"  # the survey on the kiosk
        flow = kiosk.role.survey.flow
        kiosk.touch("yes")  # used self-service
        assert flow.screening == "documents"  # question 2
        kiosk.touch("yes")  # and dropped off documents: all 18 statements
        assert flow.step == "statement"
        asked = flow.position[1]
        assert asked == 18
        for n in range(1, asked + 1):
            kiosk.touch("score", "8")
            assert flow.progress.selected == 8  # chosen
            kiosk.touch("next")
            assert flow.position[0] > n or flow.step == "survey_done"  # moved on
        assert kiosk.role.survey.flow.step == "survey_done"  # the thank-you step
        kiosk.touch("done")
        assert kiosk.phase == "start"  # the kiosk's start screen again
        answers = site.run_until(lambda: stored(tmp_path, "survey.answered"), within_s=10,
                                 what="the answer in the ledger")
    assert [(a["device"], a["lang"], len(a["ratings"])) for a in answers] == [
        ("lobby-1", "sv", 18)]
    assert set(answers[0]["ratings"].values()) == {8}


def test_outside_the_survey_month_the_kiosk_has_no_survey_button(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path) -> None:
    january = ManualClock(datetime(2027, 1, 5, 10, 0, tzinfo=TUESDAY_10.tzinfo))
    with JumpingSite(january, memory_broker) as site:
        kiosk = LobbyKiosk(site, config, tmp_path).ready()
        assert kiosk.role.view().survey_label == ""
        assert kiosk.role.button_at("survey") is None
        assert kiosk.role.button_at("lang", "sv") is not None  # the start screen is drawn


QUESTION = {"fi": "Millainen oli käyntisi tänään?", "sv": "Hur var ditt besök i dag?",
            "en": "How was your visit today?"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_whole_survey_by_keys_alone_with_speech(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path, lang: str) -> None:
    with jumping(memory_broker) as site:
        exit_ = Exit(site, config, tmp_path)
        role = exit_.role
        exit_.choose("lang", lang)
        assert role.flow.lang == lang
        exit_.key("help")  # the screen read aloud in the chosen language
        assert (QUESTION[lang], lang) in [(text.split(" 1:")[0], said)
                                          for text, said in exit_.spoken()]
        exit_.choose("survey")
        exit_.choose("no")
        exit_.choose("no")
        for n in range(1, 17):
            exit_.choose("score", "10" if n % 2 else "6")
            exit_.choose("next")
        assert role.flow.step == "survey_done"
        answers = exit_.answers("survey.answered")
    ratings = answers[0]["ratings"]
    assert answers[0]["lang"] == lang and len(ratings) == 16
    assert ratings["1"] == 10 and ratings["2"] == 6


def test_on_a_short_panel_the_thanks_screen_invites_to_the_survey_by_keys_and_speech(
        config: SiteConfig, memory_broker: MemoryBroker, tmp_path: Path) -> None:
    """The exit device on a 10.1" 1280x800 panel in the survey month, in Finnish: the
    invitation would push the faces' names below the floor, so the rate screen leaves it out
    and the thanks screen has it; the keys reach it, speech reads it, and the vote given
    before it is kept."""
    exit_cfg = config.device("exit-1")
    assert exit_cfg is not None
    small = dataclasses.replace(
        exit_cfg, screen=dataclasses.replace(exit_cfg.screen, width=1280, height=800),
        feedback=dataclasses.replace(exit_cfg.feedback, screen_diagonal_in=10.1))
    config = dataclasses.replace(config, devices=tuple(
        small if d.id == "exit-1" else d for d in config.devices))
    invitation = "Vastaa vuosittaiseen asiakaskyselyymme"
    with jumping(memory_broker) as site:
        exit_ = Exit(site, config, tmp_path)
        role = exit_.role
        assert (role.flow.survey_open, role.text_px) == (True, 59)
        assert "survey" not in [b.action for b in focusable(role.buttons)]
        exit_.key("help")
        assert exit_.spoken(), "the rate screen spoken"
        assert invitation not in exit_.spoken()[-1][0]  # not on this screen: not read
        exit_.choose("rate", "2")
        assert role.flow.step == "thanks"
        exit_.key("help")
        assert any(invitation in text for text, _ in exit_.spoken()), (
            "the invitation read on the thanks screen")
        exit_.choose("survey")
        assert role.flow.step == "screening"
        votes = exit_.answers("feedback.given")
    assert [(v["rating"], v["device"]) for v in votes] == [(2, "exit-1")]
