"""The feedback device's behaviour on its pure flow (firmware/feedback/flow.py), in
milliseconds: events in (a touch on a named button, a face key, a navigation key with the
buttons its focus ring goes round, a timer that came due, the link), effects out (an answer
sent, a face key's LED, words said, timers, a redraw, health).

The timers are kept by the test's own clock (`Exit.advance`), which fires them in order, so
a 20-second idle timeout or a half-minute retry takes no time. The survey's texts are the
shipped ones; the device's time is a Tuesday in the demo site's survey month.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core.feedback import RatingScale
from firmware.core.survey import shipped_survey
from firmware.feedback import flow as ff
from firmware.feedback.flow import (
    RETRY_S,
    TICK_S,
    FaceKey,
    FeedbackFlow,
    Hush,
    Key,
    Light,
    LinkDown,
    LinkUp,
    ReadScreen,
    Resend,
    Say,
    Send,
    StartTimer,
    Target,
    Timer,
    Touch,
)
from firmware.site_model import SurveyConfig

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
DECEMBER = SurveyConfig(start=date(2026, 12, 1), end=date(2026, 12, 31))
SURVEY = shipped_survey()
IDLE_S = 20.0
# The buttons a focus ring goes round, as the shell would hand them over.
RING = (Target("lang", "sv", "Svenska"), Target("rate", "1", "Very unhappy"),
        Target("rate", "4", "Very happy"))


class Exit:
    """The feedback device by the exit as the flow sees it, with a clock the test moves."""

    def __init__(self, *, touch: bool = True, words: bool = True,
                 month: SurveyConfig = DECEMBER, now: datetime = TUESDAY_10) -> None:
        self.flow = FeedbackFlow(SURVEY, RatingScale(4), touch=touch, words=words,
                                 idle_s=IDLE_S, month=month)
        self.now = now
        self.timers: dict[Timer, datetime] = {}
        self.effects: list[ff.Effect] = []  # everything the flow asked for, in order
        self.feed(ff.Started())

    def feed(self, event: ff.Event) -> list[ff.Effect]:
        effects = self.flow.on(event, self.now)
        for effect in effects:
            if isinstance(effect, StartTimer):
                self.timers[effect.name] = self.now + timedelta(seconds=effect.delay_s)
        self.effects += effects
        return effects

    def advance(self, seconds: float) -> None:
        """Time passes; the timers due in it fire in order, as the runtime's loop fires them."""
        end = self.now + timedelta(seconds=seconds)
        while (due := min(self.timers.items(), key=lambda t: t[1], default=None)) \
                and due[1] <= end:
            name, self.now = due
            del self.timers[name]
            self.feed(ff.TimerDue(name))
        self.now = end

    def touch(self, action: str, arg: str = "") -> list[ff.Effect]:
        return self.feed(Touch(Target(action, arg)))

    def tap(self, *steps: tuple[str, str]) -> None:
        for action, arg in steps:
            self.touch(action, arg)

    def sent(self, command: str | None = None) -> list[dict[str, Any]]:
        return [e.submission.body for e in self.effects if isinstance(e, Send)
                and command in (None, e.submission.command)]

    def votes(self) -> list[int]:
        return [body["rating"] for body in self.sent("feedback/give")]


def of(effects: list[ff.Effect], kind: type) -> list[Any]:
    return [e for e in effects if isinstance(e, kind)]


# -- one customer, one vote --------------------------------------------------------------------


def test_a_face_key_is_one_vote_sent_at_once_and_its_led_lights() -> None:
    exit_ = Exit(touch=False)
    effects = exit_.feed(FaceKey(4))
    assert exit_.votes() == [4] and of(effects, Light) == [Light(4)]
    assert isinstance(effects[0], Send)  # on disk before anything else happens
    # Pressed again to be sure: the same customer, no second vote and no second light.
    exit_.advance(1)
    assert of(exit_.feed(FaceKey(4)), Light) == [] and exit_.votes() == [4]
    exit_.advance(5)  # the next customer
    assert of(exit_.feed(FaceKey(1)), Light) == [Light(1)] and exit_.votes() == [4, 1]


def test_a_double_tap_on_the_screen_is_one_vote() -> None:
    exit_ = Exit()
    exit_.touch("rate", "3")
    exit_.advance(0.5)
    exit_.touch("rate", "3")
    exit_.touch("done")
    assert exit_.votes() == [3]


def test_more_than_the_cap_a_minute_is_refused_with_a_wait_on_the_screen() -> None:
    exit_ = Exit(touch=False)
    for _ in range(12):
        exit_.feed(FaceKey(2))
        exit_.advance(4)  # past the double-tap time: a new customer each time
    effects = exit_.feed(FaceKey(2))
    assert len(exit_.votes()) == 12 and of(effects, Light) == []
    assert exit_.flow.notice == "wait" and of(effects, ff.Redraw)
    exit_.advance(60)  # a minute later the keys count again
    exit_.feed(FaceKey(2))
    assert len(exit_.votes()) == 13


def test_a_vote_on_the_screen_waits_for_the_words_and_goes_with_done() -> None:
    exit_ = Exit()
    exit_.touch("rate", "2")
    assert exit_.flow.step == "thanks" and exit_.sent() == []  # words may still follow
    exit_.touch("done")
    assert exit_.votes() == [2] and exit_.flow.step == "rate"
    assert exit_.sent()[0]["scale"] == 4 and "words" not in exit_.sent()[0]


def test_without_the_words_step_a_touch_vote_is_sent_at_once() -> None:
    exit_ = Exit(words=False)
    exit_.touch("rate", "1")
    assert exit_.votes() == [1] and exit_.flow.step == "thanks"


# -- the words ---------------------------------------------------------------------------------


def test_words_are_masked_before_they_are_sent_and_the_customer_is_told() -> None:
    exit_ = Exit()
    exit_.tap(("lang", "en"), ("rate", "2"), ("words", ""))
    for char in "call 0401234567":
        exit_.touch("key", char)
    assert exit_.sent() == []
    exit_.touch("send")
    [body] = exit_.sent()
    assert body["masked"] is True and body["lang"] == "en" and body["rating"] == 2
    assert "0401234567" not in body["words"] and body["words"].startswith("call")
    assert exit_.flow.step == "thanks" and exit_.flow.masked


def test_skipping_the_words_sends_the_vote_without_them() -> None:
    exit_ = Exit()
    exit_.tap(("rate", "4"), ("words", ""), ("key", "x"), ("skip", ""))
    assert [(b["rating"], b.get("words"), b["masked"]) for b in exit_.sent()] == [
        (4, None, False)]


# -- the survey --------------------------------------------------------------------------------


def test_the_screening_decides_which_statements_are_asked() -> None:
    for answers, asked in [(("no", "no"), 16), (("yes", "no"), 17), (("yes", "yes"), 18)]:
        exit_ = Exit()
        exit_.tap(("survey", ""), (answers[0], ""), (answers[1], ""))
        assert exit_.flow.step == "statement" and exit_.flow.position == (1, asked)


def test_the_survey_with_a_skip_and_a_back_sends_one_answer_at_the_end() -> None:
    exit_ = Exit()
    exit_.tap(("rate", "3"), ("survey", ""))
    assert exit_.votes() == [3]  # the vote given before the survey is not lost to it
    exit_.tap(("no", ""), ("back", ""))
    assert (exit_.flow.step, exit_.flow.screening) == ("screening", "self_service")
    exit_.tap(("no", ""), ("no", ""), ("score", "9"), ("next", ""), ("dont_know", ""))
    exit_.touch("back")  # back to statement 2, shown unrated as it was skipped
    assert exit_.flow.position == (2, 16) and exit_.flow.progress.selected is None
    exit_.touch("back")  # statement 1 shows the 9 given
    assert exit_.flow.progress.selected == 9
    exit_.touch("next")
    exit_.touch("skip")
    for _ in range(14):
        exit_.tap(("score", "7"), ("next", ""))
    assert exit_.flow.step == "survey_done"
    [answer] = exit_.sent("survey/answer")
    assert answer["ratings"]["1"] == 9 and answer["ratings"]["2"] is None
    assert answer["ratings"]["16"] == 7 and len(answer["ratings"]) == 16
    assert answer["answered_day"] == "2026-12-01" and not answer["self_service"]
    exit_.touch("done")
    assert len(exit_.sent("survey/answer")) == 1 and exit_.flow.step == "rate"


def test_a_survey_with_nothing_rated_sends_nothing() -> None:
    exit_ = Exit()
    exit_.tap(("survey", ""), ("yes", ""), ("yes", ""))
    for _ in range(18):
        exit_.touch("dont_know")
    assert exit_.flow.step == "survey_done" and exit_.sent() == []


def test_outside_the_survey_month_there_is_no_survey() -> None:
    exit_ = Exit(now=datetime(2027, 1, 5, 10, 0, tzinfo=TUESDAY_10.tzinfo))
    assert not exit_.flow.survey_open
    exit_.touch("survey")
    assert exit_.flow.step == "rate"


def test_the_survey_month_opens_at_midnight_and_health_hears_of_it() -> None:
    exit_ = Exit(now=datetime(2026, 11, 30, 23, 59, 30, tzinfo=TUESDAY_10.tzinfo))
    assert not exit_.flow.survey_open and not of(exit_.effects, ff.HealthChanged)
    exit_.advance(40)
    assert exit_.flow.survey_open
    assert len(of(exit_.effects, ff.HealthChanged)) == 1


# -- left alone ----------------------------------------------------------------------------------


def test_a_vote_left_on_the_screen_is_sent_when_the_customer_walks_away() -> None:
    exit_ = Exit()
    exit_.tap(("lang", "sv"), ("rate", "4"))
    exit_.advance(IDLE_S - TICK_S)
    assert exit_.sent() == [] and exit_.flow.step == "thanks"
    exit_.advance(2 * TICK_S)
    assert exit_.votes() == [4] and exit_.sent()[0]["lang"] == "sv"
    assert (exit_.flow.step, exit_.flow.lang) == ("rate", "fi")  # the next one starts afresh


def test_a_survey_left_half_done_sends_what_was_rated() -> None:
    exit_ = Exit()
    exit_.tap(("survey", ""), ("no", ""), ("no", ""), ("score", "5"), ("next", ""))
    exit_.advance(IDLE_S + TICK_S)
    [answer] = exit_.sent("survey/answer")
    assert answer["ratings"] == {"1": 5} and exit_.flow.step == "rate"


def test_words_typed_and_left_or_backed_out_of_are_not_sent() -> None:
    exit_ = Exit()
    exit_.tap(("rate", "1"), ("words", ""), *[("key", c) for c in "mail a@b.fi"])
    exit_.advance(IDLE_S + TICK_S)
    exit_.advance(5)
    exit_.tap(("rate", "2"), ("words", ""), ("key", "x"), ("back", ""), ("done", ""))
    # "send" was never touched: the words were not given, only the votes.
    assert exit_.votes() == [1, 2] and [b.get("words") for b in exit_.sent()] == [None, None]


def test_the_next_customer_gets_nothing_of_the_last_ones_words() -> None:
    exit_ = Exit()
    exit_.tap(("rate", "2"), ("words", ""), *[("key", c) for c in "040 1234567"], ("send", ""))
    assert exit_.flow.masked  # "something was removed" on the thanks screen
    exit_.advance(5)
    exit_.tap(("rate", "4"))  # the next customer while the thanks is still up
    assert not exit_.flow.masked and exit_.flow.words == ""
    exit_.touch("done")
    assert [(b["rating"], "words" in b, b["masked"]) for b in exit_.sent()] == [
        (2, True, True), (4, False, False)]


def test_a_language_or_the_ring_left_on_the_rate_screen_is_reset_for_the_next_one() -> None:
    exit_ = Exit()
    exit_.feed(Key("help"))
    exit_.feed(Key("down", RING))
    exit_.touch("lang", "en")
    exit_.advance(IDLE_S + TICK_S)
    flow = exit_.flow
    assert (flow.lang, flow.focus, flow.speech, flow.step) == ("fi", None, False, "rate")
    assert exit_.sent() == []


def test_the_idle_timer_keeps_ticking_and_an_untouched_screen_stays_as_it_is() -> None:
    exit_ = Exit()
    exit_.advance(3600)
    assert exit_.sent() == [] and exit_.flow.step == "rate"
    assert Timer.TICK in exit_.timers and Timer.RETRY in exit_.timers


# -- keys, the focus ring and speech -----------------------------------------------------------

def test_the_focus_ring_moves_with_up_and_down_and_select_presses() -> None:
    exit_ = Exit()
    exit_.feed(Key("select", RING))  # a first select only puts the ring on the first button
    assert exit_.flow.focus == 0 and exit_.flow.lang == "fi"
    exit_.feed(Key("down", RING))
    exit_.feed(Key("down", RING))
    assert exit_.flow.focus == 2
    exit_.feed(Key("down", RING))  # round the ring
    assert exit_.flow.focus == 0
    exit_.feed(Key("up", RING))
    effects = exit_.feed(Key("select", RING))
    assert exit_.flow.step == "thanks" and exit_.flow.focus is None  # a new screen
    assert of(effects, ff.Redraw) == [ff.Redraw()]
    exit_.feed(Key("down", ()))  # nothing to focus: nothing happens
    assert exit_.flow.focus is None


def test_speech_is_off_until_help_and_then_reads_each_new_screen() -> None:
    exit_ = Exit()
    assert of(exit_.feed(Key("down", RING)), Say) == []  # no speech yet: a silent ring
    assert of(exit_.feed(Key("help")), ReadScreen) == [ReadScreen("fi")]
    assert of(exit_.feed(Key("down", RING)), Say) == [Say("Very unhappy", "fi")]
    exit_.feed(Key("up", RING))
    assert of(exit_.feed(Key("select", RING)), ReadScreen) == []  # the language: same screen
    assert exit_.flow.lang == "sv"
    assert of(exit_.touch("rate", "3"), ReadScreen) == [ReadScreen("sv")]  # a new screen
    effects = exit_.touch("done")  # the next customer starts with speech off
    assert of(effects, Hush) == [Hush()] and of(effects, ReadScreen) == []
    assert of(exit_.feed(Key("down", RING)), Say) == []


def test_speech_left_on_is_hushed_when_the_screen_times_out() -> None:
    exit_ = Exit()
    exit_.feed(Key("help"))
    exit_.touch("rate", "2")
    exit_.advance(IDLE_S + TICK_S)
    assert of(exit_.effects, Hush) == [Hush()] and not exit_.flow.speech


def test_a_face_key_while_the_screen_is_in_use_starts_the_screen_over() -> None:
    exit_ = Exit()
    exit_.feed(Key("help"))
    exit_.tap(("survey", ""), ("no", ""))
    exit_.feed(Key("down", RING))
    exit_.advance(5)
    effects = exit_.feed(FaceKey(3))
    assert exit_.votes() == [3] and of(effects, Light) == [Light(3)]
    assert (exit_.flow.step, exit_.flow.focus, exit_.flow.speech) == ("rate", None, False)


def test_a_touch_beside_every_button_does_nothing() -> None:
    exit_ = Exit()
    assert exit_.feed(Touch(None)) == []


# -- the link ------------------------------------------------------------------------------------


def test_answers_are_sent_again_on_reconnect_and_every_half_minute_while_online() -> None:
    exit_ = Exit()
    assert of(exit_.effects, StartTimer) == [StartTimer(Timer.TICK, TICK_S),
                                            StartTimer(Timer.RETRY, RETRY_S)]
    exit_.advance(RETRY_S)
    assert of(exit_.effects, Resend) == []  # offline: nothing to send to
    assert of(exit_.feed(LinkUp()), Resend) == [Resend()]
    exit_.advance(RETRY_S)
    assert len(of(exit_.effects, Resend)) == 2
    exit_.feed(LinkDown())
    exit_.advance(3 * RETRY_S)
    assert len(of(exit_.effects, Resend)) == 2
    assert exit_.timers[Timer.RETRY] > exit_.now  # still re-armed for when it is back


# -- properties over any sequence ----------------------------------------------------------------

ACTIONS = st.sampled_from([
    ("rate", "1"), ("rate", "4"), ("rate", "9"), ("words", ""), ("write", ""), ("key", "a"),
    ("key", "5"), ("erase", ""), ("send", ""), ("skip", ""), ("done", ""), ("lang", "en"),
    ("large", ""), ("survey", ""), ("yes", ""), ("no", ""), ("score", "8"), ("next", ""),
    ("dont_know", ""), ("back", ""), ("help", "")])
TOUCHES = ACTIONS.map(lambda a: Touch(Target(*a)))
EVENTS = st.one_of(  # mostly touches: the paths worth finding are long ones on the screen
    TOUCHES, TOUCHES, TOUCHES, TOUCHES, TOUCHES,
    st.integers(1, 4).map(FaceKey),
    st.sampled_from(["up", "down", "select", "help"]).map(lambda k: Key(k, RING)),
    st.sampled_from([LinkUp(), LinkDown()]),
    st.floats(0.1, 30.0).map(lambda s: ("wait", s)))


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENTS, max_size=60), st.booleans(), st.booleans())
def test_every_accepted_vote_is_sent_exactly_once_and_speech_waits_for_help(
        events: list[Any], touch: bool, words: bool) -> None:
    exit_ = Exit(touch=touch, words=words)
    speech = False
    for event in events:
        if isinstance(event, tuple):
            exit_.advance(event[1])
            continue
        effects = exit_.feed(event)
        asked = isinstance(event, Key | Touch) and (
            (isinstance(event, Key) and event.key == "help")
            or (isinstance(event, Touch) and event.target.action == "help"))
        spoken = of(effects, Say) + of(effects, ReadScreen)
        assert not spoken or speech or asked  # nobody hears the device unless they asked
        speech = (speech or asked) and not of(effects, Hush)
    exit_.advance(IDLE_S + 2 * TICK_S)  # the last customer walks away
    ids = [body["request_id"] for body in exit_.sent()]
    assert len(ids) == len(set(ids))  # a retry after an outage is never counted twice
    assert len(exit_.votes()) == exit_.flow.gate.accepted  # and no accepted vote is lost
    flow = exit_.flow  # and the next customer finds the device as the first one did
    assert (flow.step, flow.focus, flow.speech, flow.lang) == ("rate", None, False, "fi")
