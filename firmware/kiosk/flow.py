"""What the kiosk does, as plain data: `KioskFlow.on(event, now) -> effects`.

Pure: no pygame, gpiozero, paho or escpos. The shell (role.py) turns what happens on the
hardware into events (a touch on a named button, a key, a scanned code, the controller's
answer, a printed slip, a timer that came due, the controller's state, the link going up or
down, a print job from the staff console) and carries out the effects the flow answers with
(send a command, print a slip, say something, light the LED, start or cancel a timer,
redraw, report health, leave). Which button is under a finger is the shell's business
(hit-testing on the layout); the flow only hears the button's name.

The rules the customer meets live here:

- One touch is one ticket: while a ticket is on its way the phase is ISSUING and every other
  touch is ignored; a per-kiosk cap per minute asks the customer to wait a moment.
- A ticket the printer could not print is still valid: its number stays on screen with a
  note, the failure goes to `health` (the controller raises `alert/printer`) and the LED
  lights.
- A refusal is shown as it concerns the customer, never with details of the code typed; a
  wait on screen ("in 40 seconds") counts down so it stays true.
- A screen left alone warns first ("more time?") and then goes back to the start, with
  nothing of the customer left (language, large text, speech, typed code).
- The technician PIN is guarded (`lockdown.PinGuard`): wrong PINs slow the next try and then
  lock the PIN screen; counted in `health`, logged without the digits.
- Help: holding the help key `HELP_HOLD_S` (or the start screen's "Ask staff for help")
  asks the controller to tell the service advisor (`AskForHelp`); the screen says in the
  customer's language that the advisor was told and will come, or, when the controller does
  not answer or cannot be reached, to ask at the service desk. A request is sent at most
  once in `HELP_AGAIN_S` from this kiosk: another one within it says so and sends nothing.

Two clocks come with every event (`Now`): the device's wall clock (the ticket cap, the yearly
survey, a refusal's time of day) and monotonic seconds for waits, which a demo's fast clock
or a clock set by NTP must not shorten.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from firmware.core.appointments import CODE_MAX
from firmware.core.flow_kit import LinkDown, LinkUp, Redraw, redraw_last
from firmware.core.ticket_rate import TicketRate
from firmware.feedback.flow import FeedbackFlow, Submission
from firmware.feedback.speech import spoken as survey_spoken
from firmware.kiosk.keys import focus_step
from firmware.kiosk.lockdown import PIN_MAX, PinAnswer, PinGuard
from firmware.kiosk.pin_screen import check_pin, pin_note
from firmware.kiosk.printouts import News, Printouts
from firmware.kiosk.texts import LANG_NAMES, text
from firmware.site_model import LANGS, KioskConfig, SiteConfig
from mqtt_bridge.messages import Snapshot
from mqtt_bridge.topics import ISSUE

if TYPE_CHECKING:  # the shell's types, named here only for the reader and the type checker
    from firmware.core.survey import Survey
    from firmware.kiosk.screen import KioskTicket
    from ticket_printer.connection import PrintResult
    from ticket_printer.slip import TicketSlip

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")

# A kiosk says "starting" until the controller's first state arrives; after this long
# without it, it says "out of order" (the service advisor is then needed).
STARTING_GRACE_S = 20.0
# The survey's own steps (firmware.feedback.kiosk_survey.SURVEY_STEPS): while the customer is
# in one of these the kiosk shows the survey; any other step means it is over.
SURVEY_STEPS = ("screening", "statement", "survey_done")
# Holding the help key this long asks for the service advisor (a shorter hold: louder).
HELP_HOLD_S = 2.0
# One request for help reaches the advisor's page once: a second within this long from the
# same kiosk is not sent again (the advisor is coming already) and the screen says so.
HELP_AGAIN_S = 60.0


class Phase(StrEnum):
    """The kiosk's screens (a StrEnum: the screen, speech and `health` take the words)."""

    STARTING = "starting"  # no state from the controller yet: nothing can be issued
    START = "start"  # the authorities, languages and tools
    CODE = "code"  # the appointment keypad
    ISSUING = "issuing"  # a ticket is on its way: every touch waits
    TICKET = "ticket"
    REFUSED = "refused"
    LIMIT = "limit"  # the per-kiosk cap a minute
    ERROR = "error"  # out of order: the controller is away
    PIN = "pin"  # the technician's PIN screen
    SURVEY = "survey"  # the yearly survey, drawn by the feedback screen
    HELP = "help"  # the service advisor was asked for (or: ask at the desk)


class HelpNote(StrEnum):
    """What the help screen says (the texts' keys are "help_" + the value)."""

    ASKING = "asking"  # the request is on its way
    TOLD = "told"  # the controller has it: the advisor's page shows "help wanted"
    AGAIN = "again"  # asked within the minute already: not sent again
    DESK = "desk"  # no answer, a refusal or no link: ask at the service desk


class Timer(StrEnum):
    STARTING = "starting"  # the grace for the controller's first state
    IDLE = "idle"  # a screen left alone: the warning comes
    TICK = "tick"  # the warning counts down a second
    COUNTDOWN = "countdown"  # a wait on screen ("in 40 seconds") stays true


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Now:
    wall: datetime  # the device's clock (the demo's may run fast)
    mono: float  # real seconds, for waits


@dataclass(frozen=True)
class Target:
    """A button as the flow knows it: what it does, not where it is."""

    action: str  # issue, lang, appointment, large, speech, key, erase, ok, cancel, done, ...
    arg: str = ""  # the language, the key's character, the survey's answer
    service_id: str | None = None
    label: str = ""  # what speech says when the button gets the focus


@dataclass(frozen=True)
class Started:
    link_up: bool = False


@dataclass(frozen=True)
class Touch:
    target: Target | None  # None: a touch beside every button


@dataclass(frozen=True)
class Typed:
    """A digit from a keyboard on the PIN screen (no "more time?" check: as a keypad key)."""

    char: str


@dataclass(frozen=True)
class Key:
    """A physical key (or its keyboard stand-in) released; `targets` are the buttons the
    focus ring goes round on the screen now, in order."""

    key: str  # up, down, select, help
    held: bool = False
    targets: tuple[Target, ...] = ()
    held_s: float = 0.0  # how long help has been held when `held` (HELP_HOLD_S: ask for help)


@dataclass(frozen=True)
class Chord:
    """The technician's key chord: the PIN screen."""


@dataclass(frozen=True)
class Scan:
    code: str


@dataclass(frozen=True)
class Issued:
    ticket: KioskTicket  # what the screen shows
    slip: TicketSlip  # what the printer prints


@dataclass(frozen=True)
class Refused:
    notice: str  # which refusal (a key of the texts without "refused_")
    notice_time: str = ""
    retry_after_s: int | None = None


@dataclass(frozen=True)
class NoAnswer:
    """The controller did not answer an issue in time."""


@dataclass(frozen=True)
class Unreadable:
    """The controller's answer had a ticket the kiosk cannot read (the shell logged why)."""


@dataclass(frozen=True)
class HelpAnswer:
    """The controller's answer to a request for help: `told` (it recorded it) or not (no
    answer in time, or a refusal)."""

    told: bool


@dataclass(frozen=True)
class Printed:
    number: str
    result: PrintResult


@dataclass(frozen=True)
class TimerDue:
    name: Timer


@dataclass(frozen=True)
class State:
    snapshot: Snapshot


@dataclass(frozen=True)
class PrintJob:
    """A slip the advisor issued at the staff console (read strictly by remote_print)."""

    slip: TicketSlip


@dataclass(frozen=True)
class NextCustomer:
    """Back to the start screen as if the customer had pressed "Done" (the demo's customers
    and the bench leave this way)."""


@dataclass(frozen=True)
class TurnPage:
    """The start screen's list of authorities, one page on (+1) or back (-1); `pages` is how
    many the layout made."""

    step: int
    pages: int


@dataclass(frozen=True)
class FocusOn:
    """The keys' focus ring to the `index`-th focusable button of the screen now: where the
    shell found the page turn after `FocusPageTurn` (only the layout knows it)."""

    index: int


Event = (Started | Touch | Typed | Key | Chord | Scan | Issued | Refused | NoAnswer | Unreadable
         | Printed | TimerDue | State | LinkUp | LinkDown | PrintJob | NextCustomer | TurnPage
         | FocusOn | HelpAnswer)

# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    command: str  # mqtt_bridge.topics.ISSUE
    body: dict[str, Any]


@dataclass(frozen=True)
class AskForHelp:
    """Send `help/request` (body `{}`): the controller raises "help wanted at <kiosk>" on the
    advisor's page; its answer comes back as `HelpAnswer`."""


@dataclass(frozen=True)
class Print:
    slip: TicketSlip


@dataclass(frozen=True)
class Say:
    words: str
    lang: str
    interrupt: bool = True


@dataclass(frozen=True)
class ReadScreen:
    """Say what the screen shows now (built by the shell from the layout it draws)."""

    interrupt: bool = True


@dataclass(frozen=True)
class Louder:
    """One volume step up, and say the new volume in `lang` (the speaker keeps the volume)."""

    lang: str


@dataclass(frozen=True)
class Hush:
    """The next customer: speech stops and the volume goes back to the configured one."""


@dataclass(frozen=True)
class Light:
    state: str  # the status LED: "off", "warning" (blinking) or "fault" (steady)


@dataclass(frozen=True)
class StartTimer:
    name: Timer
    delay_s: float


@dataclass(frozen=True)
class CancelTimer:
    name: Timer


@dataclass(frozen=True)
class FocusPageTurn:
    """The list turned a page while the keys' focus ring was up: put the ring on the page
    turn of the new page (the same direction where it still leads on), which only the
    layout knows."""

    forward: bool


@dataclass(frozen=True)
class HealthChanged:
    """Report `health` now: the service team hears of it at once."""


@dataclass(frozen=True)
class SendSurvey:
    submission: Submission  # kept on disk by the shell's sender until confirmed


@dataclass(frozen=True)
class Leave:
    reason: str  # the technician's PIN opened the kiosk: the program stops


Effect = (Send | AskForHelp | Print | Say | ReadScreen | Louder | Hush | Light | StartTimer
          | CancelTimer | Redraw | FocusPageTurn | HealthChanged | SendSurvey | Leave)


@dataclass(frozen=True)
class KioskSurveyData:
    """The yearly survey on this kiosk: the texts and the feedback flow it runs on."""

    survey: Survey
    flow: FeedbackFlow


class KioskFlow:
    def __init__(self, site: SiteConfig, kiosk: KioskConfig, device_id: str, *,
                 lang: str = "fi", said: Callable[..., str],
                 survey: KioskSurveyData | None = None,
                 starting_grace_s: float = STARTING_GRACE_S) -> None:
        self.site = site
        self.kiosk = kiosk
        self.device_id = device_id
        self.default_lang = lang
        self._said = said  # speech.said: the spoken phrases (kept with the screen's reader)
        self.survey = survey
        self.starting_grace_s = starting_grace_s
        self.rate = TicketRate(kiosk.tickets_per_minute)
        self.printouts = Printouts()  # printed and unprinted numbers, the printer's state
        # Kept across customers: leaving the PIN screen or the start screen does not clear it.
        self.pin_guard = PinGuard()
        self.pin_answer: PinAnswer | None = None
        self.snapshot: Snapshot | None = None
        self.link_up = False
        self.awaiting = False  # an issue is on its way to the controller
        self.led: str | None = None  # the LED's state last lit
        # Until the controller's first state arrives nothing can be issued: the screen says
        # the kiosk is starting (not out of order, which would send customers away).
        self.phase = Phase.STARTING
        self.speech = False
        # Kept across customers: the minute between requests for help is the kiosk's.
        self.help_sent_at: float | None = None  # monotonic moment the last one was sent
        self.help_told = False  # the last one sent reached the controller
        self.help_awaiting = False
        self.help_note = HelpNote.ASKING
        self._effects: list[Effect] = []
        self._now = Now(datetime.min, 0.0)
        self._reset_customer()

    def _reset_customer(self) -> None:
        self.lang = self.default_lang
        self.large = False
        self.focus: int | None = None
        self.code = ""  # the appointment code or PIN being typed: gone when used
        self.ticket: KioskTicket | None = None
        self.message = ""  # the PIN screen's note
        self.notice = ""
        self.notice_time = ""
        self.retry_after_s: int | None = None
        self.retry_at: float | None = None  # monotonic moment the wait on screen ends
        self.seconds_left: int | None = None  # the "more time?" warning is up
        # The start screen's page of authorities (the layout pages a long list): every
        # customer starts on the first page.
        self.list_page = 0

    # -- the one entry ---------------------------------------------------------------------

    def on(self, event: Event, now: Now) -> list[Effect]:
        self._now, self._effects = now, []
        handler = getattr(self, f"_on_{type(event).__name__.lower()}")
        handler(event)
        effects, self._effects = self._effects, []
        return redraw_last(effects)

    def survey_open(self, now: datetime) -> bool:
        return self.survey is not None and self.site.survey.is_open(now.date())

    # -- the controller and the link ---------------------------------------------------------

    def _on_started(self, event: Started) -> None:
        self.link_up = event.link_up
        self._update_led()
        self._emit(StartTimer(Timer.STARTING, self.starting_grace_s))

    def _on_state(self, event: State) -> None:
        self.snapshot = event.snapshot
        if self.phase in (Phase.ERROR, Phase.STARTING) and not self.awaiting:
            self._set_phase(Phase.START)
        self._emit(Redraw())

    def _on_linkup(self, event: LinkUp) -> None:
        self.link_up = True
        self._update_led()

    def _on_linkdown(self, event: LinkDown) -> None:
        self.link_up = False
        if self.phase in (Phase.START, Phase.CODE, Phase.ISSUING, Phase.LIMIT, Phase.REFUSED):
            self._set_phase(Phase.ERROR)  # a ticket on screen stays: it is valid
        self._update_led()

    # -- touches, keys, scans ----------------------------------------------------------------

    def _on_touch(self, event: Touch) -> None:
        if self._activity():
            return  # the touch answered "more time?"
        if event.target is not None:
            self._activate(event.target)
        elif self.phase is Phase.HELP:
            self._leave_help()
        elif self.phase in (Phase.TICKET, Phase.ERROR, Phase.REFUSED, Phase.LIMIT) \
                and not self.awaiting:
            self._back_to_start()  # a touch anywhere: the next customer's turn

    def _on_typed(self, event: Typed) -> None:
        if self.phase is Phase.PIN and event.char.isdigit() and len(event.char) == 1:
            self._activate(Target("key", event.char))

    def _on_chord(self, event: Chord) -> None:
        self._set_phase(Phase.PIN)
        self.code = ""
        self.pin_answer = None
        self._pin_note()  # a lockout still running says so at once

    def _on_key(self, event: Key) -> None:
        if self._activity():
            return
        if event.key == "help":
            self.speech = True  # the help key is how speech starts
            if event.held and event.held_s >= HELP_HOLD_S:
                self._ask_help()
                return
            if event.held:
                self._emit(Louder(self.lang))
            else:
                self._read_screen()
            self._emit(Redraw())
            return
        if not event.targets or event.key not in ("up", "down", "select"):
            return
        self.focus, pressed = focus_step(self.focus, len(event.targets), event.key)
        if pressed:
            self._activate(event.targets[self.focus])
            return
        self._emit(Redraw())
        self._say(event.targets[self.focus].label)

    def _on_scan(self, event: Scan) -> None:
        """A code from the barcode reader: check in at once, from the start or the keypad."""
        self._activity()
        if self.phase in (Phase.START, Phase.CODE):
            self.code = event.code
            self._check_in()

    def _on_focuson(self, event: FocusOn) -> None:
        if self.focus is not None and event.index >= 0:
            self.focus = event.index
            self._emit(Redraw())

    def _on_turnpage(self, event: TurnPage) -> None:
        if self._activity() or self.phase is not Phase.START:
            return
        self._turn_to(self.list_page + event.step, event.pages)

    def _turn_to(self, page: int, pages: int) -> None:
        """The start screen's list to `page` (of `pages`, as the layout made them). With the
        keys, the focus ring stays on the page turn (the shell finds it on the new page), and
        speech reads the new page."""
        if self.phase is not Phase.START or pages < 1:
            return
        forward = page > self.list_page
        self.list_page = max(0, min(pages - 1, page))
        if self.focus is not None:
            self._emit(FocusPageTurn(forward))
        self._emit(Redraw())
        self._read_screen()

    def _activate(self, target: Target) -> None:
        action, arg = target.action, target.arg
        if self.phase is Phase.ISSUING:
            # Every touch waits for the answer: a second tap that lands on a button of the
            # screen before (the redraw has not happened yet) must not open another way to
            # a second ticket (the keypad, the survey, a new language).
            return
        if self.phase is Phase.HELP and action in ("back", "done", "cancel"):
            self._leave_help()
        elif action == "help":
            self._ask_help()
        elif self.phase is Phase.SURVEY or action == "survey":
            self._survey_action(action, arg)
        elif action == "issue" and target.service_id:
            self._issue(target.service_id)
        elif action in ("lang", "large", "speech"):
            self._setting(action, arg)
        elif action == "page" and arg.partition("/")[0].isdigit() \
                and arg.partition("/")[2].isdigit():
            self._turn_to(int(arg.partition("/")[0]), int(arg.partition("/")[2]))
        elif action == "appointment":
            self.code = ""
            self._set_phase(Phase.CODE)
        elif action in ("key", "erase", "ok"):
            self._keypad(action, arg)
        elif action in ("cancel", "done", "back"):
            self._back_to_start()

    def _setting(self, action: str, arg: str) -> None:
        """The customer's own settings: language, large text, speech."""
        if action == "lang" and arg in LANGS:
            self.lang = arg
            self._say(self._said(self.lang, "selected", label=LANG_NAMES[self.lang]))
            self._read_screen(interrupt=False)
        elif action == "large":
            self.large = not self.large
            self._say(text(self.lang, "large_on" if self.large else "large_off"))
        elif action == "speech" and self.speech:
            self._say(text(self.lang, "speech_off"))
            self.speech = False
        elif action == "speech":
            self.speech = True
            self._say(text(self.lang, "speech_on"))
            self._read_screen(interrupt=False)
        self._emit(Redraw())

    def _keypad(self, action: str, arg: str) -> None:
        if action == "key":
            limit = PIN_MAX if self.phase is Phase.PIN else CODE_MAX
            if len(self.code) < limit:
                self.code += arg
                self._emit(Redraw())
                # The key is echoed so a blind customer knows what was typed; a PIN is not.
                self._say("•" if self.phase is Phase.PIN else arg)
        elif action == "erase":
            self.code = self.code[:-1]
            self._emit(Redraw())
        elif self.phase is Phase.PIN:
            self._check_pin()
        elif len(self.code) >= 4:
            self._check_in()

    # -- issuing -----------------------------------------------------------------------------

    def _issue(self, service_id: str | None, appointment: str | None = None) -> None:
        if self.phase not in (Phase.START, Phase.CODE) or self.awaiting:
            return  # one touch is one ticket: ignore taps while one is on its way
        now_s = self._now.wall.timestamp()
        if not self.rate.allows(now_s):
            log.info("ticket cap reached (%d a minute)", self.rate.per_minute)
            self._set_phase(Phase.LIMIT)
            return
        self.rate.record(now_s)
        self._set_phase(Phase.ISSUING)
        self.awaiting = True
        self._emit(Send(ISSUE, {"service": service_id, "lang": self.lang,
                                "appointment": appointment, "device": self.device_id}))

    def _check_in(self) -> None:
        code, self.code = self.code, ""  # the code leaves the kiosk's memory at once
        self._issue(None, appointment=code)

    def _on_issued(self, event: Issued) -> None:
        if not self._answered():
            return
        self.ticket = event.ticket
        self._set_phase(Phase.TICKET)
        self._emit(Print(event.slip))

    def _on_refused(self, event: Refused) -> None:
        if not self._answered():
            return
        # Shown as it concerns the customer, never with details of the code that was typed.
        self.notice, self.notice_time = event.notice, event.notice_time
        wait = self.retry_after_s = event.retry_after_s
        self.retry_at = None if wait is None else self._now.mono + wait
        self._set_phase(Phase.REFUSED)
        self._arm_countdown()

    def _on_noanswer(self, event: NoAnswer) -> None:
        if self._answered():
            log.warning("no answer from the controller to an issue")
            self._set_phase(Phase.ERROR)

    def _on_unreadable(self, event: Unreadable) -> None:
        if self._answered():
            self._set_phase(Phase.ERROR)

    def _answered(self) -> bool:
        """An answer to the issue on its way (only one is ever asked for at a time)."""
        asked, self.awaiting = self.awaiting, False
        return asked

    # -- printing ----------------------------------------------------------------------------

    def _on_printjob(self, event: PrintJob) -> None:
        # Printed like our own, so a fault reaches `health` and the LED the same way; the
        # customer at the screen is not disturbed: their ticket and phase stay as they are.
        self._emit(Print(event.slip))

    def _on_printed(self, event: Printed) -> None:
        number, result = event.number, event.result
        news = self.printouts.record(number, result)
        if self.ticket is not None and self.ticket.number == number:
            self.ticket = dataclasses.replace(self.ticket, printed=result.ok, printing=False)
            self._emit(Redraw())
            self._read_screen()
        if news is not News.NONE:
            # Health only: the controller, the one writer of `alert/...`, turns a change of
            # the printer's state into `alert/printer` and a ledger entry (see device_faults);
            # the end of a fault is told at once too.
            self._emit(HealthChanged())
        if news is News.FAULT and not result.ok:
            log.info("ticket %s stays valid although its slip was not printed", number)
        self._update_led()

    def _update_led(self) -> None:
        reachable = self.link_up and self.phase not in (Phase.ERROR, Phase.STARTING)
        state = self.printouts.led(reachable)
        if state != self.led:
            self.led = state
            self._emit(Light(state))

    # -- help: the service advisor is asked to come ---------------------------------------

    def _ask_help(self) -> None:
        if self.phase in (Phase.ISSUING, Phase.PIN, Phase.SURVEY):
            return  # a ticket on its way, the technician, the survey: not now
        mono = self._now.mono
        if self.help_sent_at is not None and mono - self.help_sent_at < HELP_AGAIN_S:
            # The advisor's page shows the request already: one more would only repeat it.
            still = self.help_awaiting or self.help_told
            self.help_note = HelpNote.AGAIN if still else HelpNote.DESK
        elif not self.link_up or self.snapshot is None:
            self.help_note = HelpNote.DESK  # nobody would hear it: say where help is
        else:
            log.info("help requested at the kiosk")
            self.help_sent_at, self.help_told, self.help_awaiting = mono, False, True
            self.help_note = HelpNote.ASKING
            self._emit(AskForHelp())
        self._set_phase(Phase.HELP)

    def _on_helpanswer(self, event: HelpAnswer) -> None:
        if not self.help_awaiting:
            return
        self.help_awaiting, self.help_told = False, event.told
        if not event.told:
            log.warning("the request for help did not reach the controller")
        if self.phase is Phase.HELP and self.help_note is HelpNote.ASKING:
            self.help_note = HelpNote.TOLD if event.told else HelpNote.DESK
            self._emit(Redraw())
            self._read_screen()

    def _leave_help(self) -> None:
        """Back from the help screen: to the ticket the customer had on screen, if any (its
        number may be all they have when the slip did not print), else to the start."""
        if self.ticket is not None:
            self._set_phase(Phase.TICKET)
        else:
            self._back_to_start()

    # -- the technician ----------------------------------------------------------------------

    def _check_pin(self) -> None:
        pin, self.code = self.code, ""  # the digits go at once and are never logged
        answer = check_pin(self.pin_guard, pin, self.kiosk.technician_pin_hash, self._now.mono)
        self.pin_answer = answer
        if answer is PinAnswer.OK:
            self._emit(Leave("technician exit"))
            return
        if answer is PinAnswer.WRONG:
            self._emit(HealthChanged())  # the service team sees tries as they happen
        self._pin_note()

    def _pin_note(self) -> None:
        """The line under the PIN field: how long to wait, if the guard says so."""
        self.message = pin_note(self.pin_guard, self.pin_answer, self.lang, self._now.mono)
        self._emit(Redraw())
        self._arm_countdown()

    # -- phases --------------------------------------------------------------------------------

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self.focus = None if self.focus is None else 0
        self._emit(Redraw())
        if phase is not Phase.PIN:
            self.message = ""
        self._arm_idle()
        self._update_led()
        if phase is not Phase.ISSUING:
            self._read_screen()

    def _back_to_start(self) -> None:
        if self.phase is Phase.ISSUING:
            return
        if self.phase is Phase.SURVEY and self.survey is not None:
            self.survey.flow.leave()  # what was rated before leaving still counts
            self._send_survey()
        self._emit(CancelTimer(Timer.TICK))
        self.speech = False
        self._emit(Hush())  # the volume too: it may have been raised with speech since off
        self._reset_customer()
        ready = self.snapshot is not None and self.link_up
        self._set_phase(Phase.START if ready else
                        Phase.STARTING if self.snapshot is None else Phase.ERROR)

    def _on_nextcustomer(self, event: NextCustomer) -> None:
        self._back_to_start()

    # -- time ------------------------------------------------------------------------------------

    def _on_timerdue(self, event: TimerDue) -> None:
        {Timer.STARTING: self._started_too_long, Timer.IDLE: self._idle,
         Timer.TICK: self._tick, Timer.COUNTDOWN: self._count_down}[event.name]()

    def _started_too_long(self) -> None:
        """No state from the controller within the grace: now it is out of order."""
        if self.phase is Phase.STARTING:
            log.warning("no queue state from the controller %.0f s after start",
                        self.starting_grace_s)
            self._set_phase(Phase.ERROR)

    def _wait_left(self) -> float:
        """Seconds of the wait the current screen shows (0: none)."""
        if self.phase is Phase.PIN:
            return self.pin_guard.wait_s(self._now.mono)
        if self.phase is Phase.REFUSED and self.retry_at is not None:
            return max(0.0, self.retry_at - self._now.mono)
        return 0.0

    def _arm_countdown(self) -> None:
        # A screen that says "in 40 seconds" is redrawn as the seconds go, so it stays true.
        self._emit(CancelTimer(Timer.COUNTDOWN))
        left = self._wait_left()
        if left > 0:
            self._emit(StartTimer(Timer.COUNTDOWN, min(1.0, left)))

    def _count_down(self) -> None:
        if self.phase is Phase.PIN:
            self._pin_note()
        elif self.phase is Phase.REFUSED and self.retry_at is not None:
            self.retry_after_s = math.ceil(self._wait_left())
            self._emit(Redraw())
            self._arm_countdown()

    def _activity(self) -> bool:
        """Any touch or key: the customer is here. True if it only dismissed the warning."""
        warned = self.seconds_left is not None
        if warned:
            self.seconds_left = None
            self._emit(Redraw())
            self._emit(CancelTimer(Timer.TICK))
        self._arm_idle()
        return warned

    def _arm_idle(self) -> None:
        self._emit(CancelTimer(Timer.IDLE))
        if not self._at_rest():
            self._emit(StartTimer(Timer.IDLE, self.kiosk.idle_timeout_s))

    def _at_rest(self) -> bool:
        """The start screen as the next customer should find it: nothing to time out."""
        return (self.phase in (Phase.START, Phase.STARTING, Phase.ERROR, Phase.ISSUING)
                and self.lang == self.default_lang and not self.large
                and not self.speech and self.focus is None and self.list_page == 0)

    def _idle(self) -> None:
        if self.phase is Phase.ISSUING or self._at_rest():
            return
        self.seconds_left = max(1, round(self.kiosk.warning_s))
        self._emit(Redraw())
        self._read_screen()
        self._emit(StartTimer(Timer.TICK, 1.0))

    def _tick(self) -> None:
        if self.seconds_left is None:
            return
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self._back_to_start()
            return
        self._emit(Redraw())  # the countdown is the only animation
        self._emit(StartTimer(Timer.TICK, 1.0))

    # -- the yearly survey (the site's [survey] with kiosk = true) ------------------------------

    def _survey_action(self, action: str, arg: str) -> None:
        if self.survey is None:
            return
        flow, now = self.survey.flow, self._now.wall
        if self.phase is not Phase.SURVEY:
            if not self.survey_open(now):
                return
            flow.survey_open = True
            flow.lang, flow.large = self.lang, self.large
            flow.act("survey", "", now)
            self._set_phase(Phase.SURVEY)
            return
        step = flow.step
        flow.act(action, arg, now)
        self._send_survey()
        if flow.step not in SURVEY_STEPS:
            self._back_to_start()  # "back" from the first question, or "done"
            return
        self._emit(Redraw())
        if flow.step != step or flow.statement is not None:
            self.focus = None if self.focus is None else 0
            self._read_screen()

    def _send_survey(self) -> None:
        assert self.survey is not None
        for submission in self.survey.flow.take_ready():
            self._emit(SendSurvey(submission))

    # -- speech ----------------------------------------------------------------------------------

    def _say(self, words: str, interrupt: bool = True) -> None:
        if self.speech and words:
            self._emit(Say(words, self.lang, interrupt))

    def _read_screen(self, interrupt: bool = True) -> None:
        if not self.speech:
            return
        if self.phase is Phase.SURVEY and self.survey is not None:
            self._say(survey_spoken(self.survey.flow, self.survey.survey), interrupt)
            return
        self._emit(ReadScreen(interrupt))

    def _emit(self, effect: Effect) -> None:
        self._effects.append(effect)
