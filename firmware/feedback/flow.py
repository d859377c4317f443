"""What the feedback device does, as plain data: `FeedbackFlow.on(event, now) -> effects`.

Pure: no pygame, no gpiozero, no broker. The shell (role.py) turns what happens on the
hardware into events (a touch on a named button, a face key, a navigation key with the
buttons its focus ring goes round, a timer that came due, the link going up or down) and
carries out the effects the flow answers with (send an answer, light a face key's LED, read
the screen aloud or say a button's name, hush, start a timer, redraw, report health). Which
button is under a finger is the shell's business (hit-testing on the layout drawn); the flow
only hears the button's name. The rules that protect the figures live here:

- One customer is one vote: a second face within the gate's double-tap time is the same
  vote; more than the cap a minute are refused, with a "wait a moment" on the screen.
- A vote is sent when the customer is done with it: at once on a keys-only device; on the
  touch screen after "Done", after the optional words, or when nobody touches the screen for
  `idle_s` (people walk away; their vote still counts).
- Words are masked (identity code, e-mail, phone) before they leave this object, and the
  customer is told when something was removed.
- The survey: two yes/no questions decide whether statements 17 and 18 are asked; each
  statement can be rated 4-10 or skipped ("don't know"); the answer is sent at the end, and
  an answer with nothing rated is not sent at all.
- Speech: the help key turns it on and reads the screen; while it is on, each new screen is
  read and the focus ring says the name of the button it reaches; the next customer starts
  with it off.

The customer's path underneath (`act(action, arg, now)`, `leave()`, `take_ready()`) is also
what the kiosk's survey drives (firmware.feedback.kiosk_survey, firmware.kiosk.flow): the
kiosk has its own screens, keys and timers, so it uses only the path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from firmware.core.feedback import FeedbackGate, RatingScale, Verdict
from firmware.core.flow_kit import LinkDown, LinkUp, Redraw, redraw_last
from firmware.core.survey import DOCUMENTS, SELF_SERVICE, Survey, statements_for
from firmware.core.text_mask import MAX_WORDS_CHARS, mask_personal
from firmware.kiosk.keys import focus_step
from firmware.site_model import SurveyConfig

LANGS = ("fi", "sv", "en")
SCREENING = (SELF_SERVICE, DOCUMENTS)
TICK_S = 1.0  # idle timeouts and the survey month are checked this often
RETRY_S = 30.0  # unconfirmed answers are sent again this often (and on every reconnect)
FOCUS_KEYS = ("up", "down", "select")


class Timer(StrEnum):
    TICK = "tick"  # the idle timeout and the survey month
    RETRY = "retry"  # what the controller has not confirmed is sent again


@dataclass(frozen=True)
class Submission:
    """One thing for the controller: a command and its body, with a fixed request id, so a
    retry after an outage is never counted twice."""

    command: str  # "feedback/give" or "survey/answer" (mqtt_bridge.topics)
    body: dict[str, Any]


@dataclass
class _Survey:
    """One customer's survey in progress."""

    answers: dict[str, bool] = field(default_factory=dict)  # the screening questions
    numbers: tuple[int, ...] = ()  # the statements this customer is asked
    index: int = 0
    ratings: dict[int, int | None] = field(default_factory=dict)
    selected: int | None = None


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A button as the flow knows it: what it does, not where it is."""

    action: str  # rate, words, key, send, survey, yes, score, next, back, lang, help, ...
    arg: str = ""  # the face, the character, the score, the language
    label: str = ""  # what speech says when the button gets the focus


@dataclass(frozen=True)
class Started:
    """The role has started: the timers begin and the survey month is looked at."""


@dataclass(frozen=True)
class Touch:
    target: Target | None  # None: a touch beside every button


@dataclass(frozen=True)
class FaceKey:
    face: int  # 1 = the worst face


@dataclass(frozen=True)
class Key:
    """A navigation key released; `targets` are the buttons the focus ring goes round on the
    screen now, in order."""

    key: str  # up, down, select, help
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class TimerDue:
    name: Timer


Event = Started | Touch | FaceKey | Key | TimerDue | LinkUp | LinkDown


# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Keep the answer on disk, then send it to the controller."""

    submission: Submission


@dataclass(frozen=True)
class Resend:
    """Send again every answer kept on disk that the controller has not confirmed."""


@dataclass(frozen=True)
class ReadScreen:
    """Read the screen aloud as drawn: whether the survey's invitation is on it depends on
    the panel's room, which only the shell's layout knows."""

    lang: str


@dataclass(frozen=True)
class Say:
    words: str
    lang: str


@dataclass(frozen=True)
class Hush:
    """Speech off, the volume back to its start: the next customer starts without it."""


@dataclass(frozen=True)
class Light:
    """The face key's LED says "counted" for a moment."""

    face: int


@dataclass(frozen=True)
class StartTimer:
    name: Timer
    delay_s: float


@dataclass(frozen=True)
class HealthChanged:
    """Something `health` reports changed (the survey month began or ended)."""


Effect = Send | Resend | ReadScreen | Say | Hush | Light | StartTimer | Redraw | HealthChanged


class FeedbackFlow:
    """The feedback device's behaviour: `on(event, now)` for the device (role.py), over the
    customer's path (`act`, `leave`, `take_ready`), which the kiosk's survey drives alone."""

    def __init__(self, survey: Survey, scale: RatingScale, *, touch: bool = True,
                 words: bool = True, idle_s: float = 20.0,
                 gate: FeedbackGate | None = None, month: SurveyConfig | None = None) -> None:
        self.survey = survey
        self.scale = scale
        self.touch = touch
        self.words_offered = words and touch
        self.idle_s = idle_s
        self.gate = gate or FeedbackGate()
        # The site's survey dates: the flow opens the survey in its month. None: whoever
        # drives the path sets `survey_open` (the kiosk does).
        self.month = month
        self.survey_open = False
        self.lang = "fi"
        self.large = False
        self.step = "rate"
        self.rating: int | None = None  # the vote not sent yet
        self.words = ""
        # The words step on a screen too short for the note and the keyboard together shows
        # the note first; "write" (after reading it) brings the keyboard.
        self.writing = False
        self.masked = False
        self.notice = ""  # a key of the texts' feedback table ("wait"), shown on the screen
        self.screening = SELF_SERVICE
        self.progress = _Survey()
        self._ready: list[Submission] = []
        self._last_action: datetime | None = None
        self._today: datetime | None = None  # the device's time of the last action
        # The device around the path: the focus ring, speech, the link.
        self.focus: int | None = None
        self.speech = False
        self.link_up = False
        self._effects: list[Effect] = []

    # -- the device: the one entry ----------------------------------------------------------

    def on(self, event: Event, now: datetime) -> list[Effect]:
        """What the device does about `event` at the device's time `now`: the answers to
        send first (they go to disk before anything else happens), one redraw last."""
        self._effects = []
        match event:
            case Started():
                self._started(now)
            case Touch(target):
                self._touched(target, now)
            case FaceKey(face):
                self._face_key(face, now)
            case Key(key, targets):
                self._key(key, targets, now)
            case TimerDue(Timer.TICK):
                self._tick(now)
            case TimerDue(Timer.RETRY):
                self._emit(StartTimer(Timer.RETRY, RETRY_S))
                if self.link_up:
                    self._emit(Resend())
            case LinkUp():
                self.link_up = True
                self._emit(Resend())
            case LinkDown():
                self.link_up = False
        effects, self._effects = self._effects, []
        sends: list[Effect] = [Send(s) for s in self.take_ready()]
        return sends + redraw_last(effects)

    def _started(self, now: datetime) -> None:
        self._survey_month(now, report=False)  # the first health report says it anyway
        self._emit(Redraw())
        self._emit(StartTimer(Timer.TICK, TICK_S))
        self._emit(StartTimer(Timer.RETRY, RETRY_S))

    def _touched(self, target: Target | None, now: datetime) -> None:
        if target is None:
            return  # beside every button
        if target.action == "help":  # the screen read aloud; speech stays on for this one
            self.speech, self._last_action = True, now
            self._emit(ReadScreen(self.lang))
            return
        step = self.step
        self.act(target.action, target.arg, now)
        self._emit(Redraw())
        if self.step != step:
            self._new_screen()

    def _face_key(self, face: int, now: datetime) -> None:
        counted, step = self.gate.accepted, self.step
        self.act("face", str(face), now)
        if self.gate.accepted > counted:
            self._emit(Light(face))  # the customer sees that the press did something
        self._emit(Redraw())
        if self.step != step:
            self._new_screen()  # someone else's screen started over

    def _key(self, key: str, targets: tuple[Target, ...], now: datetime) -> None:
        """up/down move the focus ring, select presses the focused button, help reads."""
        if key == "help":
            self._touched(Target("help"), now)
            return
        if key not in FOCUS_KEYS or not targets:
            return
        self._last_action = now  # someone is at the keys: the ring times out as a touch
        self.focus, pressed = focus_step(self.focus, len(targets), key)
        if pressed:
            self._touched(targets[self.focus], now)
            return
        self._emit(Redraw())
        self._say(targets[self.focus].label)

    def _new_screen(self) -> None:
        """A new step: the ring starts again; the next customer starts with speech off, and
        a customer who listens hears the new screen."""
        self.focus = None
        if self.step == "rate":
            self._hush()
        elif self.speech:
            self._emit(ReadScreen(self.lang))

    def _tick(self, now: datetime) -> None:
        self._emit(StartTimer(Timer.TICK, TICK_S))
        if self._survey_month(now):
            self._emit(Redraw())
        if self.tick(now):  # left alone: the vote is sent, the next customer starts afresh
            self.focus = None
            self._hush()
            self._emit(Redraw())

    def _survey_month(self, now: datetime, *, report: bool = True) -> bool:
        if self.month is None:
            return False
        is_open = self.month.is_open(now.date())
        changed, self.survey_open = is_open != self.survey_open, is_open
        if changed and report:
            self._emit(HealthChanged())
        return changed

    def _say(self, words: str) -> None:
        if self.speech and words:
            self._emit(Say(words, self.lang))

    def _hush(self) -> None:
        if self.speech:
            self.speech = False
            self._emit(Hush())

    def _emit(self, effect: Effect) -> None:
        self._effects.append(effect)

    # -- what the role reads ---------------------------------------------------------------

    def take_ready(self) -> list[Submission]:
        ready, self._ready = self._ready, []
        return ready

    @property
    def statement(self) -> int | None:
        if self.step != "statement":
            return None
        return self.progress.numbers[self.progress.index]

    @property
    def position(self) -> tuple[int, int]:
        return self.progress.index + 1, len(self.progress.numbers)

    # -- input -----------------------------------------------------------------------------

    def act(self, action: str, arg: str, now: datetime) -> None:
        """One touch or key: `action` as the screen's buttons name them."""
        self._last_action = self._today = now
        handler = getattr(self, f"_on_{action}", None)
        if handler is not None:
            handler(arg, now)

    def tick(self, now: datetime) -> bool:
        """Nobody touched the screen for `idle_s`: finish what is open and start over.
        Returns True when the screen changed."""
        if self._last_action is None or self._at_rest():
            return False
        if (now - self._last_action).total_seconds() < self.idle_s:
            return False
        self.leave()
        return True

    def _at_rest(self) -> bool:
        """The rate screen as the next customer should find it: nothing to time out."""
        return (self.step == "rate" and not self.notice and self.lang == "fi"
                and not self.large and self.focus is None and not self.speech)

    def leave(self) -> None:
        """The customer has gone: what they gave is sent, and the next one starts afresh."""
        self._finish_vote()
        if self.step in ("screening", "statement"):
            self._finish_survey()  # what was rated before walking away still counts
        self._start_over()

    def _start_over(self) -> None:
        self.step, self.notice, self.words, self.masked = "rate", "", "", False
        self.writing = False
        self.lang, self.large = "fi", False
        self.progress = _Survey()

    # -- the rating --------------------------------------------------------------------------

    def _on_rate(self, arg: str, now: datetime) -> None:
        value = int(arg) if arg.isdigit() else 0
        if value not in self.scale or self.step not in ("rate", "thanks"):
            return
        verdict = self.gate.press(now)
        if verdict is Verdict.DUPLICATE:
            return  # the same customer pressing again to be sure: one vote
        if verdict is Verdict.FLOODED:
            self.notice = "wait"
            return
        self._finish_vote()  # a new customer while the last thanks was still on screen
        self.rating, self.notice = value, ""
        self.words, self.masked = "", False  # the last one's words and notice are not theirs
        if self.words_offered:
            self.step = "thanks"
        else:
            self._finish_vote()
            self.step = "thanks" if self.touch else "rate"

    def _on_face(self, arg: str, now: datetime) -> None:
        """A face key: a whole vote in one press, sent at once (no words with a key)."""
        value = int(arg) if arg.isdigit() else 0
        if value not in self.scale:
            return
        verdict = self.gate.press(now)
        if verdict is Verdict.DUPLICATE:
            return
        if verdict is Verdict.FLOODED:
            self.notice = "wait"
            return
        if self.step != "rate":
            # Someone else at the keys while the screen was in use: what the screen's
            # customer gave is sent (a survey half done too), and the screen starts over.
            self.leave()
        self.rating = value
        self._finish_vote()
        self.notice = "thanks"

    def _on_words(self, arg: str, now: datetime) -> None:
        if self.step == "thanks" and self.rating is not None and self.words_offered:
            self.step, self.words, self.writing = "words", "", False

    def _on_write(self, arg: str, now: datetime) -> None:
        if self.step == "words":
            self.writing = True

    def _on_key(self, arg: str, now: datetime) -> None:
        if self.step == "words" and len(arg) == 1 and len(self.words) < MAX_WORDS_CHARS:
            self.words += arg

    def _on_erase(self, arg: str, now: datetime) -> None:
        if self.step == "words":
            self.words = self.words[:-1]

    def _on_send(self, arg: str, now: datetime) -> None:
        if self.step != "words":
            return
        result = mask_personal(self.words)
        self.words, self.masked = result.text.strip(), result.masked
        self._finish_vote(self.words, self.masked)
        self.step = "thanks"

    def _on_skip(self, arg: str, now: datetime) -> None:
        if self.step == "words":
            self.words = ""
            self._finish_vote()
            self.step = "thanks"
        elif self.step == "statement":
            self._on_dont_know(arg, now)

    def _on_done(self, arg: str, now: datetime) -> None:
        self._finish_vote()
        self._start_over()

    def _finish_vote(self, words: str = "", masked: bool = False) -> None:
        """The vote goes out; words only with "send" (masked by then): words typed and left,
        or backed out of, were not given, and never go with the next customer's vote."""
        if self.rating is None:
            return
        body: dict[str, Any] = {"request_id": str(uuid.uuid4()), "lang": self.lang,
                                "rating": self.rating, "scale": self.scale.steps,
                                "masked": masked}
        if words:
            body["words"] = words
        self._ready.append(Submission("feedback/give", body))
        self.rating = None

    # -- settings ------------------------------------------------------------------------------

    def _on_lang(self, arg: str, now: datetime) -> None:
        if arg in LANGS:
            self.lang = arg

    def _on_large(self, arg: str, now: datetime) -> None:
        self.large = not self.large

    # -- the survey ----------------------------------------------------------------------------

    def _on_survey(self, arg: str, now: datetime) -> None:
        if self.survey_open and self.step in ("rate", "thanks"):
            self._finish_vote()
            self.progress = _Survey()
            self.step, self.screening = "screening", SELF_SERVICE

    def _on_yes(self, arg: str, now: datetime) -> None:
        self._screened(True)

    def _on_no(self, arg: str, now: datetime) -> None:
        self._screened(False)

    def _screened(self, answer: bool) -> None:
        if self.step != "screening":
            return
        self.progress.answers[self.screening] = answer
        if self.screening == SELF_SERVICE:
            self.screening = DOCUMENTS
            return
        asked = statements_for(self.survey, self.progress.answers[SELF_SERVICE], answer)
        self.progress.numbers = tuple(s.number for s in asked)
        self.progress.index = 0
        self.step = "statement"
        self._show_selection()

    def _on_score(self, arg: str, now: datetime) -> None:
        if self.step == "statement" and arg.isdigit() and 4 <= int(arg) <= 10:
            self.progress.selected = int(arg)

    def _on_next(self, arg: str, now: datetime) -> None:
        if self.step == "statement" and self.progress.selected is not None:
            self._answer(self.progress.selected)

    def _on_dont_know(self, arg: str, now: datetime) -> None:
        if self.step == "statement":
            self._answer(None)

    def _answer(self, rating: int | None) -> None:
        survey = self.progress
        survey.ratings[survey.numbers[survey.index]] = rating
        if survey.index + 1 < len(survey.numbers):
            survey.index += 1
            self._show_selection()
            return
        self._finish_survey()
        self.step = "survey_done"

    def _on_back(self, arg: str, now: datetime) -> None:
        survey = self.progress
        if self.step == "statement" and survey.index > 0:
            survey.index -= 1
            self._show_selection()
        elif self.step == "statement":
            self.step, self.screening = "screening", DOCUMENTS
        elif self.step == "screening" and self.screening == DOCUMENTS:
            self.screening = SELF_SERVICE
        elif self.step in ("screening", "words"):
            self.step = "rate" if self.rating is None else "thanks"

    def _show_selection(self) -> None:
        """Going back shows the rating given before; a new statement starts unrated."""
        survey = self.progress
        survey.selected = survey.ratings.get(survey.numbers[survey.index])

    def _finish_survey(self) -> None:
        survey = self.progress
        if not any(r is not None for r in survey.ratings.values()):
            return  # nothing rated: an empty answer is no answer
        day = self._today.date().isoformat() if self._today else None
        self._ready.append(Submission("survey/answer", {
            "request_id": str(uuid.uuid4()), "lang": self.lang, "answered_day": day,
            "self_service": survey.answers.get(SELF_SERVICE, False),
            "documents": survey.answers.get(DOCUMENTS, False),
            "ratings": {str(n): r for n, r in sorted(survey.ratings.items())}}))
        self.progress = _Survey()
