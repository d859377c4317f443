"""The feedback role: the device by the exit that asks "How was your visit today?".

What the device does is decided in `FeedbackFlow` (flow.py), which is pure and tested alone
(tests/test_feedback_flow.py). This shell only translates: a touch becomes the name of the
button under the finger (hit-testing on the layout drawn), a face key, a navigation key (with
the buttons its focus ring goes round), a timer or the link become the flow's events, and the
flow's effects are carried out here: the answer to the sender, a face key's LED, words to
the speaker, timers on the runtime's loop, a redraw, `health`.

- Input: a touch screen (faces, optional words, the yearly survey in its month) and/or face
  keys with LEDs (one press, one vote); up/down/select/help keys move a focus ring through
  the screen and read it aloud (espeak-ng), as on the kiosk.
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
from firmware.feedback import flow as ff
from firmware.feedback.flow import FeedbackFlow
from firmware.feedback.keys import FaceKeys
from firmware.feedback.sender import AnswerSender
from firmware.feedback.texts import load_survey
from firmware.kiosk.keys import KeyPress, PhysicalKeys
from firmware.runtime import Role, Runtime
from mqtt_bridge.link import Incoming
from mqtt_bridge.requester import Requester

log = logging.getLogger(__name__)


def target(button: Any) -> ff.Target:
    """The flow's name for a button drawn on the screen."""
    return ff.Target(button.action, button.arg or "", getattr(button, "label", ""))


class FeedbackRole(Role):
    name = "feedback"

    def __init__(self, frames_dir: Path | None = None, *, pin_factory: Any = None,
                 speaker: Any = None) -> None:
        self.frames_dir = frames_dir
        self._pin_factory = pin_factory
        self._speaker = speaker
        self.screen: Any = None
        self.buttons: list[Any] = []
        self.dirty = True
        self.target_px = 88
        self.text_px = 0  # set with the screen: the legibility floor of its panel

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        cfg = runtime.device.feedback
        self.survey = load_survey(runtime.config.survey)
        self.flow = FeedbackFlow(self.survey, RatingScale(cfg.scale), touch=cfg.touch,
                                 words=cfg.words, idle_s=cfg.idle_timeout_s,
                                 month=runtime.config.survey)
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
        self.feed(ff.Started())

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

    @property
    def focus(self) -> int | None:
        """The focus ring's place among the screen's focusable buttons (the flow's state)."""
        return self.flow.focus

    # -- the flow ----------------------------------------------------------------------------

    def feed(self, event: ff.Event) -> None:
        self.carry_out(self.flow.on(event, self.runtime.clock.now()))

    def carry_out(self, effects: list[ff.Effect]) -> None:
        for effect in effects:
            match effect:
                case ff.Send(submission):
                    self.sender.send(submission)
                case ff.Resend():
                    self.sender.resend()
                case ff.ReadScreen(lang):
                    self.voice.enabled = True  # the flow says when: speech is on
                    self.voice.say(self.spoken_screen(), lang)
                case ff.Say(words, lang):
                    self.voice.enabled = True
                    self.voice.say(words, lang)
                case ff.Hush():
                    self.voice.reset()
                case ff.Light(face):
                    self.keys.counted(face)
                case ff.StartTimer(name, delay_s):
                    self.runtime.call_later(delay_s, lambda n=name: self.feed(ff.TimerDue(n)))
                case ff.Redraw():
                    self.dirty = True
                case ff.HealthChanged():
                    self.runtime.publish_health()

    # -- input -------------------------------------------------------------------------------

    def on_face_key(self, face: int) -> None:
        """A face key was pressed: a vote at once (its LED says it was counted)."""
        self.feed(ff.FaceKey(face))

    def on_screen_event(self, event: Any) -> None:
        from display_driver.layout import hit_test
        from firmware.screen import touch_position

        if self.screen is None or not self.screen.owns(event):
            return
        pos = touch_position(event, self.screen.size)
        button = hit_test(self.buttons, pos) if pos is not None else None
        self.feed(ff.Touch(None if button is None else target(button)))

    def on_key(self, press: KeyPress) -> None:
        """A navigation key, with the buttons its focus ring goes round on the screen now."""
        from display_driver.layout import focusable

        self.feed(ff.Key(press.key, tuple(target(b) for b in focusable(self.buttons))))

    def activate(self, action: str, arg: str = "") -> None:
        """A button of the screen (a touch, or a key standing in for one)."""
        self.feed(ff.Touch(ff.Target(action, arg)))

    # -- the controller ----------------------------------------------------------------------

    def on_message(self, message: Incoming) -> None:
        self.requester.on_message(message)

    def on_link_up(self) -> None:
        self.feed(ff.LinkUp())

    def on_link_down(self) -> None:
        self.feed(ff.LinkDown())

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
            selected=flow.progress.selected, focus=self.flow.focus, large=flow.large,
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
