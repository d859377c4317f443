"""The feedback role: the device by the exit that asks "How was your visit today?".

- Input: a touch screen (faces, optional words, the yearly survey in its month) and/or face
  keys with LEDs (one press, one vote). Both feed the same `FeedbackFlow`; the help key of
  the screen reads it aloud (espeak-ng), as on the kiosk.
- Output: each finished answer is written to `feedback-pending.json` in the data directory,
  then sent to the controller (`feedback/give`, `survey/answer`) with its own request id.
  Only the controller's answer removes it, so a controller or broker that is away, or a power
  cut here, loses nothing: what is pending is sent again on reconnect and every half minute.
- Nothing personal: the words are masked before they are written or sent, and the
  controller masks them again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from firmware.core.feedback import RatingScale
from firmware.feedback.flow import FeedbackFlow
from firmware.feedback.keys import FaceKeys
from firmware.feedback.sender import AnswerSender
from firmware.feedback.texts import load_survey
from firmware.kiosk.keys import KeyPress, PhysicalKeys, focus_step
from firmware.runtime import Role, Runtime
from mqtt_bridge.link import Incoming
from mqtt_bridge.requester import Requester

log = logging.getLogger(__name__)

TICK_S = 1.0  # idle timeouts and the survey month are checked this often
RETRY_S = 30.0  # unconfirmed answers are sent again this often (and on every reconnect)


class FeedbackRole(Role):
    name = "feedback"

    def __init__(self, frames_dir: Path | None = None, *, pin_factory: Any = None,
                 speaker: Any = None) -> None:
        self.frames_dir = frames_dir
        self._pin_factory = pin_factory
        self._speaker = speaker
        self.screen: Any = None
        self.buttons: list[Any] = []
        self.focus: int | None = None
        self.dirty = True
        self.target_px = 88
        self.text_px = 0  # set with the screen: the legibility floor of its panel

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        cfg = runtime.device.feedback
        self.survey = load_survey(runtime.config.survey)
        self.flow = FeedbackFlow(self.survey, RatingScale(cfg.scale), touch=cfg.touch,
                                 words=cfg.words, idle_s=cfg.idle_timeout_s)
        self.keys = FaceKeys(cfg.keys, cfg.leds,
                             lambda face: runtime.post(lambda: self.on_face_key(face)),
                             pin_factory=self._pin_factory)
        # up/down/select/help move a focus ring through the screen, as on the kiosk.
        self.nav = PhysicalKeys(cfg, lambda press: runtime.post(lambda: self.on_key(press)),
                                pin_factory=self._pin_factory)
        if cfg.touch:
            self._open_screen()
        from firmware.kiosk.speech import KioskVoice  # the kiosk's voice: same rules here

        self.voice = KioskVoice(70, self._speaker)
        self.requester = Requester(runtime.site, runtime.device.id, runtime.link.publish,
                                   runtime.call_later)
        runtime.link.subscribe(self.requester.reply_topic)
        self.sender = AnswerSender(self.requester, runtime.data_dir / "feedback-pending.json")
        self._survey_month()
        runtime.call_later(TICK_S, self._tick)
        runtime.call_later(RETRY_S, self._retry)

    def _open_screen(self) -> None:
        from display_driver.layout import min_target_px
        from firmware.feedback.screen import feedback_text_px
        from firmware.screen import Screen

        device = self.runtime.device
        size = (device.screen.width, device.screen.height)
        self.screen = Screen(f"feedback-{device.id}", size, fullscreen=device.screen.fullscreen,
                             frames_dir=self.frames_dir)
        self.target_px = max(min_target_px(device.feedback.screen_diagonal_in, size), 48)
        self.text_px = feedback_text_px(device.feedback, size)

    def stop(self) -> None:
        self.keys.close()
        self.nav.close()
        self.voice.reset()
        if self.screen is not None:
            self.screen.close()

    # -- input -------------------------------------------------------------------------------

    def on_face_key(self, face: int) -> None:
        """A face key was pressed: a vote at once (its LED says it was counted)."""
        counted = self.flow.gate.accepted
        self.flow.act("face", str(face), self.runtime.clock.now())
        if self.flow.gate.accepted > counted:
            self.keys.counted(face)
        self._after_action()

    def on_screen_event(self, event: Any) -> None:
        from display_driver.layout import hit_test
        from firmware.screen import touch_position

        if self.screen is None or not self.screen.owns(event):
            return
        pos = touch_position(event, self.screen.size)
        button = hit_test(self.buttons, pos) if pos is not None else None
        if button is None:
            return
        self.activate(button.action, button.arg)

    def on_key(self, press: KeyPress) -> None:
        """up/down move the focus ring, select presses the focused button, help reads."""
        from display_driver.layout import focusable

        if press.key == "help":
            self.activate("help")
            return
        targets = focusable(self.buttons)
        if not targets:
            return
        if press.key not in ("up", "down", "select"):
            return
        self.focus, pressed = focus_step(self.focus, len(targets), press.key)
        if pressed:
            self.activate(targets[self.focus].action, targets[self.focus].arg)
            return
        self.dirty = True
        self.voice.say(targets[self.focus].label, self.flow.lang)

    def activate(self, action: str, arg: str = "") -> None:
        """A button of the screen (a touch, or a key standing in for one)."""
        if action == "help":
            self.voice.enabled = True
            self.voice.say(self.spoken_screen(), self.flow.lang)
            return
        step = self.flow.step
        self.flow.act(action, arg, self.runtime.clock.now())
        if self.flow.step != step:
            self.focus = None
            if self.flow.step == "rate":
                self.voice.reset()  # "done": the next customer starts with speech off
            elif self.voice.enabled:
                self.voice.say(self.spoken_screen(), self.flow.lang)
        self._after_action()

    def _after_action(self) -> None:
        for submission in self.flow.take_ready():
            self.sender.send(submission)
        self.dirty = True

    # -- the controller ----------------------------------------------------------------------

    def on_message(self, message: Incoming) -> None:
        self.requester.on_message(message)

    def on_link_up(self) -> None:
        self.sender.resend()

    def _retry(self) -> None:
        self.runtime.call_later(RETRY_S, self._retry)
        if self.runtime.link.connected:
            self.on_link_up()

    def _tick(self) -> None:
        self.runtime.call_later(TICK_S, self._tick)
        changed = self._survey_month()
        if self.flow.tick(self.runtime.clock.now()):
            self.voice.reset()  # the next customer starts with speech off
            self.focus = None
            changed = True
        if changed:
            self._after_action()

    def _survey_month(self) -> bool:
        is_open = self.runtime.config.survey.is_open(self.runtime.clock.now().date())
        changed = is_open != self.flow.survey_open
        self.flow.survey_open = is_open
        return changed

    # -- output ------------------------------------------------------------------------------

    def view(self) -> Any:
        from firmware.feedback.screen import FeedbackView, feedback_text

        flow = self.flow
        notice = feedback_text(self.survey, flow.lang, flow.notice) if flow.notice else ""
        return FeedbackView(
            step=flow.step, lang=flow.lang, scale=flow.scale.steps,
            survey_open=flow.survey_open, words=flow.words, writing=flow.writing,
            masked=flow.masked,
            screening=flow.screening, statement=flow.statement, progress=flow.position,
            selected=flow.progress.selected, focus=self.focus, large=flow.large,
            notice=notice, min_target_px=self.target_px, text_px=self.text_px,
            site_name=self.runtime.config.site.name.get(flow.lang))

    def render(self) -> None:
        if self.screen is None or not self.dirty:
            return
        from firmware.feedback.screen import render_feedback

        self.buttons = render_feedback(self.screen.surface, self.view(), self.survey)
        self.screen.present()
        self.dirty = False

    def spoken_screen(self) -> str:
        from firmware.feedback.screen import layout_feedback
        from firmware.feedback.speech import spoken

        if self.screen is None:
            return spoken(self.flow, self.survey)
        # Read what is on the screen: whether the survey's invitation is there depends on
        # the panel's room (the layout decides), so it is measured, not guessed.
        shown = layout_feedback(self.view(), self.screen.size, self.survey).buttons
        return spoken(self.flow, self.survey,
                      invite=any(button.action == "survey" for button in shown))

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"feedback": {
            "unsent": len(self.sender), "refused": self.sender.refused,
            "survey_open": self.flow.survey_open}}
        problem = self.keys.problem or self.nav.problem
        if problem:
            report["keys"] = {"state": "error", "error": problem}
        if self.screen is not None:
            report["display"] = {"screen": self.screen.problem or "ok"}
        if self.voice.problem:
            report["speech"] = {"state": "error", "error": self.voice.problem}
        return report
