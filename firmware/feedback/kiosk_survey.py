"""The yearly survey on a kiosk, when the site's `[survey]` says `kiosk = true`.

In the survey month the kiosk's start screen has a button for it; a customer who presses it
gets the same steps as on the feedback device (two yes/no questions, then the statements
4-10), drawn by the feedback screen on the kiosk's own surface, in the language the customer
chose, and the answer goes to the controller the same way: kept on disk until confirmed.
When the survey is done, or left alone, the kiosk goes back to its start screen.

Its texts are sized for where the kiosk's customer stands, not the feedback device's: the
kiosk's reading distance on the kiosk's panel (`kiosk_text_px`, issue 22).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from firmware.core.feedback import RatingScale
from firmware.core.survey import Survey
from firmware.feedback.flow import FeedbackFlow
from firmware.feedback.screen import FeedbackView
from firmware.feedback.sender import AnswerSender
from firmware.kiosk.screen import kiosk_text_px
from firmware.site_model import KioskConfig
from mqtt_bridge.requester import Requester

SURVEY_STEPS = ("screening", "statement", "survey_done")


class KioskSurvey:
    def __init__(self, survey: Survey, requester: Requester, data_dir: Path,
                 idle_s: float, kiosk: KioskConfig | None = None) -> None:
        self.survey = survey
        # The kiosk's reading distance and panel: the defaults are the usual kiosk's.
        self.kiosk = kiosk or KioskConfig()
        self.flow = FeedbackFlow(survey, RatingScale(), touch=True, words=False, idle_s=idle_s)
        self.sender = AnswerSender(requester, data_dir / "survey-pending.json")
        self.buttons: list[Any] = []

    @property
    def active(self) -> bool:
        return self.flow.step in SURVEY_STEPS

    def invite(self, lang: str) -> str:
        """The start screen's button text, in the customer's language."""
        texts = self.survey.feedback["survey_invite"]
        return texts.get(lang) or texts["fi"]

    def begin(self, lang: str, large: bool, now: datetime) -> None:
        self.flow.survey_open = True
        self.flow.lang, self.flow.large = lang, large
        self.flow.act("survey", "", now)

    def act(self, action: str, arg: str, now: datetime) -> None:
        """A survey button; "back" from the first question, or "done", ends it."""
        self.flow.act(action, arg, now)
        self._send_ready()

    def leave(self) -> None:
        """The kiosk times out or is left: what was rated is still sent."""
        self.flow.leave()
        self._send_ready()

    def spoken(self) -> str:
        from firmware.feedback.speech import spoken

        return spoken(self.flow, self.survey)

    def _send_ready(self) -> None:
        for submission in self.flow.take_ready():
            self.sender.send(submission)

    def view(self, size: tuple[int, int], target_px: int, text_px: int | None = None
             ) -> FeedbackView:
        """What the feedback screen draws for the survey's step on the kiosk's panel of
        `size`: every text at least `text_px`, by default the kiosk's floor for that panel."""
        flow = self.flow
        floor = kiosk_text_px(self.kiosk, size) if text_px is None else text_px
        return FeedbackView(step=flow.step, lang=flow.lang, screening=flow.screening,
                            statement=flow.statement, progress=flow.position,
                            selected=flow.progress.selected, large=flow.large,
                            min_target_px=target_px, text_px=floor)

    def render(self, surface: Any, target_px: int, text_px: int | None = None) -> list[Any]:
        from firmware.feedback.screen import render_feedback

        view = self.view(surface.get_size(), target_px, text_px)
        self.buttons = render_feedback(surface, view, self.survey)
        return self.buttons
