"""The feedback device's words step on a screen too short for the note and the keyboard
together at the readable size (issue 22 point 4): the whole note comes first with "write"
and "skip", then the keyboard. On a screen with room for both, one page as before."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import dataclasses
from datetime import datetime, timedelta

import pytest

from firmware.core.feedback import RatingScale
from firmware.core.survey import LANGS, shipped_survey
from firmware.feedback.flow import FeedbackFlow
from firmware.feedback.screen import (
    EXTRA_TEXTS,
    FeedbackView,
    feedback_text_px,
    layout_feedback,
)
from firmware.site_model import FeedbackConfig

SURVEY = shipped_survey()
SMALL, SMALL_IN = (1280, 800), 10.1  # the screenshots' 10.1" panel
FULL_HD, FULL_HD_IN = (1920, 1080), 15.6


def at_floor(view: FeedbackView, size: tuple[int, int], diagonal: float) -> FeedbackView:
    floor = feedback_text_px(FeedbackConfig(screen_diagonal_in=diagonal), size)
    return dataclasses.replace(view, text_px=floor)


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("lang", LANGS)
def test_a_short_screen_shows_the_whole_note_first_then_the_keyboard(
        lang: str, large: bool) -> None:
    view = at_floor(FeedbackView("words", lang, large=large), SMALL, SMALL_IN)
    first = layout_feedback(view, SMALL, SURVEY)
    note = [t for t in first.plan.texts if t.role == "note"]
    assert " ".join(t.text for t in note) == SURVEY.feedback["note"][lang]
    assert min(t.size for t in first.plan.texts) >= view.text_px == 59
    assert [(b.action, b.label) for b in first.buttons] == [
        ("skip", SURVEY.feedback["skip"][lang]), ("write", EXTRA_TEXTS["write"][lang])]

    for then in (dataclasses.replace(view, writing=True),  # "write" pressed
                 dataclasses.replace(view, words="Hei")):  # (typing: the keyboard stays)
        keyboard = layout_feedback(then, SMALL, SURVEY)
        keys = {b.arg for b in keyboard.buttons if b.action == "key"}
        assert set("abcdefghijklmnopqrstuvwxyzåäö ") <= keys
        assert {b.action for b in keyboard.buttons} >= {"erase", "skip", "send"}
        assert not [t for t in keyboard.plan.texts if t.role == "note"]
        assert min(t.size for t in keyboard.plan.texts) >= view.text_px


def test_a_screen_with_room_keeps_the_note_above_the_keyboard() -> None:
    for lang in LANGS:
        view = at_floor(FeedbackView("words", lang), FULL_HD, FULL_HD_IN)
        layout = layout_feedback(view, FULL_HD, SURVEY)
        note = [t for t in layout.plan.texts if t.role == "note"]
        assert " ".join(t.text for t in note) == SURVEY.feedback["note"][lang]
        keys = [b for b in layout.buttons if b.action == "key"]
        assert len(keys) > 30 and max(t.rect.bottom for t in note) < min(
            b.rect.top for b in keys)
        assert "write" not in {b.action for b in layout.buttons}


def test_write_brings_the_keyboard_and_the_next_visit_starts_with_the_note() -> None:
    now = datetime(2026, 5, 12, 9, 0)
    flow = FeedbackFlow(SURVEY, RatingScale(4))
    flow.act("write", "", now)  # not on the words step: nothing happens
    assert not flow.writing
    for action, arg in (("rate", "2"), ("words", "")):
        flow.act(action, arg, now)
    assert flow.step == "words" and not flow.writing
    flow.act("write", "", now)
    flow.act("key", "a", now)
    assert flow.writing and flow.words == "a"
    flow.act("send", "", now)
    assert flow.step == "thanks"
    later = now + timedelta(minutes=5)  # the next customer
    for action, arg in (("done", ""), ("rate", "4"), ("words", "")):
        flow.act(action, arg, later)
    assert flow.step == "words" and not flow.writing and flow.words == ""
    flow.act("write", "", later)
    flow.leave()  # walked away from the keyboard
    assert flow.step == "rate" and not flow.writing
