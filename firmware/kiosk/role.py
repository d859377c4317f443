"""The kiosk role: the shell around the kiosk's flow (flow.py) on the ticket dispenser's
hardware: touch screen, keys, scanner, speech, status LED and printer.

What the kiosk does is decided in `KioskFlow`, which is pure and tested alone
(tests/test_kiosk_flow.py). This shell only translates: a touch becomes the name of the
button under the finger (hit-testing on the layout drawn), a key, a scanned code, the
controller's answer (read by wire.py), a printed slip or a timer become the flow's events,
and the flow's effects are carried out here: the request to the controller, the slip to the
print worker, words to the speaker, the LED, timers on the runtime's loop, a redraw, `health`.

Everything here runs on the runtime's loop. gpiozero keys, the scanner thread and the print
worker post callables to the inbox. Other modules of one job each:

- wire.py: the controller's state and answers read into the kiosk's data (functions)
- pin_screen.py: the technician PIN tried through the guard, and its note (functions)
- printouts.py: which slips printed, the printer's state, its part of `health`
- remote_print.py: the console's print jobs read strictly, repeats and refusals counted
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from display_driver.layout import focusable, hit_test, min_target_px
from firmware.feedback.kiosk_survey import KioskSurvey
from firmware.feedback.texts import load_survey
from firmware.kiosk import flow as kf
from firmware.kiosk import lockdown as kiosk_lockdown
from firmware.kiosk.flow import STARTING_GRACE_S, KioskFlow, KioskSurveyData, Phase
from firmware.kiosk.keys import KeyPress, PhysicalKeys, StatusLed
from firmware.kiosk.pin_screen import pin_health
from firmware.kiosk.print_worker import PrintWorker
from firmware.kiosk.remote_print import PrintJob, RemotePrints
from firmware.kiosk.scanner import Scanned, ScannerReader
from firmware.kiosk.screen import (
    Button,
    KioskTicket,
    KioskView,
    kiosk_text_px,
    layout_kiosk,
    render_kiosk,
)
from firmware.kiosk.speech import KioskVoice, said, screen_text
from firmware.kiosk.wire import (
    HELP_REQUEST,
    help_answer,
    issue_answer,
    kiosk_services,
    ticket_slip,
)
from firmware.runtime import Role, Runtime
from firmware.screen import Screen, touch_position
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import MessageError, Snapshot
from mqtt_bridge.requester import Requester
from ticket_printer.connection import PrintResult, TicketPrinter, open_printer
from ticket_printer.slip import TicketSlip
from ticket_printer.status import PrinterState

# Importable from here as they always were: device.py, the tests, the bench and the
# screenshots take them from firmware.kiosk.role.
__all__ = ["KioskRole", "kiosk_services", "min_target_px"]

log = logging.getLogger(__name__)
# A USB keypad or keyboard can stand in for the four physical keys.
KEYBOARD = {"up": "up", "down": "down", "return": "select", "enter": "select",
            "space": "select", "f1": "help"}


def target(button: Any) -> kf.Target:
    """The flow's name for a button drawn on the screen: the kiosk's own, or the survey's
    (drawn by the feedback screen, whose buttons name no authority)."""
    return kf.Target(button.action, button.arg or "", getattr(button, "service_id", None),
                     getattr(button, "label", ""))


class KioskRole(Role):
    name = "kiosk"

    def __init__(self, frames_dir: Path | None = None, lang: str = "fi", *,
                 printer: TicketPrinter | None = None, pin_factory: Any = None,
                 speaker: Any = None, serial_for_url: Any = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 starting_grace_s: float = STARTING_GRACE_S) -> None:
        self.starting_grace_s = starting_grace_s
        # The hardware seams: tests and the bench pass the libraries' own doubles.
        self.frames_dir = frames_dir
        self.default_lang = lang
        self._printer = printer
        self._pin_factory = pin_factory
        self._speaker = speaker
        self._serial_for_url = serial_for_url
        # Real seconds, not the device clock: a demo's fast clock or a clock set by NTP must
        # not shorten a PIN lockout or a wait on screen.
        self._monotonic = monotonic
        self.remote = RemotePrints()  # print jobs from the staff console
        self.buttons: list[Button] = []
        self.dirty = True
        self.text_px = 0  # set with the screen: the legibility floor of its panel
        self.frames = 0  # frames drawn: an idle kiosk draws none
        self._timers: dict[kf.Timer, Any] = {}
        self.flow: KioskFlow | None = None  # made at start(), from the device's config

    # -- the flow's state, under the names the role has always had ---------------------------

    @property
    def phase(self) -> Phase:
        return Phase.STARTING if self.flow is None else self.flow.phase  # before start()

    @property
    def ticket(self) -> KioskTicket | None:
        return self.flow.ticket

    @property
    def lang(self) -> str:
        return self.flow.lang

    @property
    def code(self) -> str:
        return self.flow.code

    @property
    def page(self) -> int:
        return self.flow.list_page

    @property
    def focus(self) -> int | None:
        return self.flow.focus

    @property
    def seconds_left(self) -> int | None:
        return self.flow.seconds_left

    @property
    def pin_guard(self) -> kiosk_lockdown.PinGuard:
        return self.flow.pin_guard

    @property
    def printed(self) -> list[str]:
        return self.flow.printouts.printed

    @property
    def unprinted(self) -> list[str]:
        return self.flow.printouts.unprinted

    @property
    def printer_state(self) -> PrinterState:
        return self.flow.printouts.state

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        cfg = self.config = device.kiosk
        size = (device.screen.width, device.screen.height)
        self.screen = Screen(f"kiosk-{device.id}", size, fullscreen=device.screen.fullscreen,
                             frames_dir=self.frames_dir)
        self.lockdown = device.screen.fullscreen
        if self.lockdown:
            self._lock_window()
        self.target_px = max(min_target_px(cfg.screen_diagonal_in, self.screen.size), 48)
        self.text_px = kiosk_text_px(cfg, self.screen.size)  # the panel's legibility floor
        printer = self._printer or open_printer(device.printer, runtime.data_dir)
        self.worker = PrintWorker(printer, runtime.post)
        self.voice = KioskVoice(cfg.speech_volume, self._speaker)
        self.led = StatusLed(cfg.led_pin, pin_factory=self._pin_factory)
        self.keys = PhysicalKeys(cfg, lambda press: runtime.post(lambda: self.on_key(press)),
                                 pin_factory=self._pin_factory)
        self.scanner: ScannerReader | None = None
        if cfg.scanner_port:
            self.scanner = ScannerReader(
                cfg.scanner_port, lambda s: runtime.post(lambda: self.on_scan(s)),
                baudrate=cfg.scanner_baudrate, serial_for_url=self._serial_for_url)
            self.scanner.start()
        self.requester = Requester(runtime.site, device.id, runtime.link.publish,
                                   runtime.call_later)
        runtime.link.subscribe(topics.queue_state(runtime.site))
        runtime.link.subscribe(self.requester.reply_topic)
        self._print_topic = topics.kiosk_print(runtime.site, device.id)
        runtime.link.subscribe(self._print_topic)  # tickets the advisor issues for here
        self.survey: KioskSurvey | None = None
        if runtime.config.survey.kiosk and runtime.config.survey.start:
            self.survey = KioskSurvey(load_survey(runtime.config.survey), self.requester,
                                      runtime.data_dir, cfg.idle_timeout_s, kiosk=cfg)
        self.flow = KioskFlow(
            runtime.config, cfg, device.id, lang=self.default_lang, said=said,
            survey=KioskSurveyData(self.survey.survey, self.survey.flow) if self.survey
            else None, starting_grace_s=self.starting_grace_s)
        self.feed(kf.Started(link_up=runtime.link.connected))

    def _lock_window(self) -> None:
        import pygame

        # No way out but the technician chord: a window manager's close (Alt+F4) becomes
        # QUIT, which the runtime would obey; keep it out of the queue. SIGTERM from systemd
        # still stops the program (the CLI handles it). Grab the keyboard so Alt+Tab and the
        # like reach us, not the desktop.
        pygame.event.set_blocked(pygame.QUIT)
        if self.screen.window is not None:
            self.screen.window.grab_keyboard = True

    def stop(self) -> None:
        if self.lockdown:
            import pygame

            pygame.event.set_allowed(pygame.QUIT)  # the lock ends with the kiosk
        if self.scanner is not None:
            self.scanner.stop()
        self.keys.close()
        self.led.close()
        self.worker.stop()
        self.voice.reset()
        self.screen.close()

    # -- events in --------------------------------------------------------------------------

    def now(self) -> kf.Now:
        return kf.Now(self.runtime.clock.now(), self._monotonic())

    def feed(self, event: kf.Event) -> None:
        """Give the flow one event and carry out what it answers."""
        self.carry_out(self.flow.on(event, self.now()))

    def on_message(self, message: Incoming) -> None:
        if self.requester.on_message(message):
            return
        if message.topic == self._print_topic:
            self._print_job(message)
            return
        if message.topic == topics.queue_state(self.runtime.site):
            try:
                self.feed(kf.State(Snapshot.from_payload(message.payload)))
            except MessageError as e:
                log.warning("ignored a queue state that cannot be read: %s", e)

    def on_link_up(self) -> None:
        self.feed(kf.LinkUp())
        if self.survey is not None:
            self.survey.sender.resend()  # answers kept while the controller was away

    def on_link_down(self) -> None:
        self.feed(kf.LinkDown())

    def on_screen_event(self, event: Any) -> None:
        import pygame

        if not self.screen.owns(event):
            return
        if event.type in (pygame.KEYDOWN, pygame.KEYUP):
            self._keyboard(event)
            return
        pos = touch_position(event, self.screen.size)
        if pos is None:
            return
        button = hit_test(self.buttons, pos)
        self.feed(kf.Touch(None if button is None else target(button)))

    def _keyboard(self, event: Any) -> None:
        import pygame

        name = pygame.key.name(event.key).lower()
        if event.type == pygame.KEYDOWN:
            if kiosk_lockdown.is_chord(name, kiosk_lockdown.held_modifiers(event.mod)):
                self.feed(kf.Chord())
            return
        if name.isdigit() and len(name) == 1:
            self.feed(kf.Typed(name))
        elif name in KEYBOARD:
            self.on_key(KeyPress(KEYBOARD[name]))
        # every other key does nothing: no shortcut leaves the kiosk

    def on_key(self, press: KeyPress) -> None:
        """A physical key (or its keyboard stand-in): up, down, select, help."""
        targets = tuple(target(b) for b in focusable(self.buttons))
        self.feed(kf.Key(press.key, press.held, targets, press.held_s))

    def on_scan(self, scanned: Scanned) -> None:
        self.feed(kf.Scan(scanned.code))

    def _print_job(self, message: Incoming) -> None:
        def slip_for(job: PrintJob) -> TicketSlip:
            return ticket_slip(job.ticket, self.runtime.config, job.lang, copy=job.copy,
                               phone=job.phone)

        slip = self.remote.take(message.payload, message.retain, slip_for)
        if slip is not None:
            self.feed(kf.PrintJob(slip))

    def back_to_start(self) -> None:
        """The next customer's turn (the demo's customers leave this way)."""
        self.feed(kf.NextCustomer())

    # -- effects out ------------------------------------------------------------------------

    def carry_out(self, effects: list[kf.Effect]) -> None:
        for effect in effects:
            self._carry_out(effect)
        self.voice.enabled = self.flow.speech

    def _carry_out(self, effect: kf.Effect) -> None:
        match effect:
            case kf.Send(command, body):
                self.requester.request(command, body, lambda answer: self.feed(issue_answer(
                    answer, self.runtime.config, self.flow.lang, self.runtime.clock.now)))
            case kf.AskForHelp():
                self.requester.request(HELP_REQUEST, {},
                                       lambda answer: self.feed(help_answer(answer)))
            case kf.Print(slip):
                self.worker.submit(slip, lambda result, n=slip.number: self._printed(n, result))
            case kf.Say(words, lang, interrupt):
                self.voice.enabled = True  # the flow says when: "speech off" is said first
                self.voice.say(words, lang, interrupt=interrupt)
            case kf.ReadScreen(interrupt):
                self._read_screen(interrupt)
            case kf.Louder(lang):
                self.voice.enabled = True
                self.voice.say(said(lang, "volume", n=self.voice.step_volume()), lang)
            case kf.Hush():
                self.voice.reset()
            case kf.Light(state):
                self.led.show(state)
            case kf.StartTimer(name, delay_s):
                self._cancel_timer(name)
                self._timers[name] = self.runtime.call_later(
                    delay_s, lambda: self._timer_due(name))
            case kf.CancelTimer(name):
                self._cancel_timer(name)
            case kf.Redraw():
                self.dirty = True
            case kf.FocusPageTurn(forward):
                self._focus_page_turn(forward)
            case kf.HealthChanged():
                self.runtime.publish_health()
            case kf.SendSurvey(submission):
                assert self.survey is not None
                self.survey.sender.send(submission)
            case kf.Leave(reason):
                self.runtime.request_stop(reason)

    def _focus_page_turn(self, forward: bool) -> None:
        targets = focusable(layout_kiosk(self.view(), self.screen.size).buttons)
        turns = [i for i, b in enumerate(targets) if b.action == "page"]
        page = self.flow.list_page
        same = [i for i in turns if (int(targets[i].arg.partition("/")[0]) > page) == forward]
        self.feed(kf.FocusOn((same or turns or [0])[0]))  # only the layout knows where

    def _printed(self, number: str, result: PrintResult) -> None:
        self.feed(kf.Printed(number, result))

    def _timer_due(self, name: kf.Timer) -> None:
        self._timers.pop(name, None)
        self.feed(kf.TimerDue(name))

    def _cancel_timer(self, name: kf.Timer) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    def _read_screen(self, interrupt: bool) -> None:
        self.voice.enabled = True
        view = self.view()
        buttons = layout_kiosk(view, self.screen.size).buttons
        self.voice.say(screen_text(view, buttons), self.flow.lang, interrupt=interrupt)

    # -- drawing ----------------------------------------------------------------------------

    def view(self) -> KioskView:
        config, flow = self.runtime.config, self.flow
        now = self.runtime.clock.now()
        return KioskView(
            site_name=config.site.name.get(flow.lang),
            services=kiosk_services(flow.snapshot, config, flow.lang),
            phase=flow.phase.value, ticket=flow.ticket, message=flow.message, lang=flow.lang,
            now=now, focus=flow.focus, large=flow.large,
            speech=flow.speech, code=flow.code, notice=flow.notice,
            notice_time=flow.notice_time, seconds_left=flow.seconds_left,
            min_target_px=self.target_px, text_px=self.text_px, page=flow.list_page,
            checkin_minutes=(config.rules.appointment_early_minutes,
                             config.rules.appointment_late_minutes),
            retry_after_s=flow.retry_after_s, help=flow.help_note.value,
            survey_label=self.survey.invite(flow.lang)
            if self.survey is not None and flow.survey_open(now) else "")

    def render(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        if self.flow.phase is Phase.SURVEY and self.survey is not None:
            self.buttons = self.survey.render(self.screen.surface, self.target_px)
        else:
            self.buttons = render_kiosk(self.screen.surface, self.view())
        self.frames += 1
        self.screen.present()

    def button_center(self, service_id: str) -> tuple[int, int] | None:
        """Where a customer would touch for this authority (tests and the demo use it)."""
        return self.button_at("issue", service_id)

    def page_turn_center(self) -> tuple[int, int] | None:
        """Where a customer touches to see the list's next page (the first again after the
        last): None when the list has one page."""
        turns = [b for b in self.buttons if b.action == "page" and b.enabled]
        ahead = [b for b in turns if int(b.arg.partition("/")[0]) > self.flow.list_page]
        return (ahead or turns)[0].rect.center if turns else None

    def button_at(self, action: str, arg: str | None = None) -> tuple[int, int] | None:
        for button in self.buttons:
            if button.action == action and button.enabled and (
                    arg is None or arg in (getattr(button, "service_id", None), button.arg)):
                return button.rect.center
        return None

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "printer": self.flow.printouts.health(),
            "display": {"phase": self.flow.phase.value},
            "remote_print": self.remote.health(),
        }
        if self.survey is not None:
            report["survey"] = {"unsent": len(self.survey.sender),
                                "refused": self.survey.sender.refused}
        if self.scanner is not None:
            report["scanner"] = {"state": "error" if self.scanner.problem else "ok"}
        report["technician_pin"] = pin_health(self.flow.pin_guard, self._monotonic())
        return report
