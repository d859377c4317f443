"""The feedback device on a screen too short for everything at the readable size (issue 22
point 4). The words step: the whole note comes first with "write" and "skip", then the
keyboard. The survey month: where the invitation would push the faces' names below the
floor, the rate screen leaves it out and the thanks screen carries it. On a screen with room,
one page and the invitation on the rate screen, as before."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import dataclasses
from datetime import datetime, timedelta

import pytest

from display_driver.layout import focusable, hit_test
from firmware.core.feedback import RatingScale
from firmware.core.survey import LANGS, shipped_survey
from firmware.feedback.flow import FeedbackFlow
from firmware.feedback.screen import (
    CALM,
    EXTRA_TEXTS,
    HIGH_CONTRAST,
    FeedbackLayout,
    FeedbackView,
    feedback_text_px,
    layout_feedback,
)
from firmware.site_model import FeedbackConfig

SURVEY = shipped_survey()
SMALL, SMALL_IN = (1280, 800), 10.1  # the screenshots' 10.1" panel
FULL_HD, FULL_HD_IN = (1920, 1080), 15.6
PANELS = ((SMALL, SMALL_IN), (FULL_HD, FULL_HD_IN), ((1080, 1920), FULL_HD_IN))
INVITATION = SURVEY.feedback["survey_invite"]


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


# --- the survey's invitation ------------------------------------------------------------------


def invitations(layout: FeedbackLayout) -> list[str]:
    """The words on the screen's survey buttons (what is drawn in them, not their labels)."""
    return [" ".join(t.text for t in layout.plan.texts if b.rect.contains(t.rect))
            for b in layout.buttons if b.action == "survey"]


@pytest.mark.parametrize("large", [False, True])
def test_where_the_invitation_would_shrink_the_faces_names_the_thanks_screen_carries_it(
        large: bool) -> None:
    """Finnish on the 10.1" panel: 'Vastaa vuosittaiseen asiakaskyselyymme' takes two lines
    at 59 px, which left the faces' names 46 px."""
    rate = at_floor(FeedbackView("rate", "fi", survey_open=True, large=large), SMALL, SMALL_IN)
    layout = layout_feedback(rate, SMALL, SURVEY)
    assert invitations(layout) == []
    assert " ".join(t.text for t in layout.plan.texts if t.role == "face") == " ".join(
        SURVEY.faces[face]["fi"] for face in RatingScale(4).faces)  # every name, whole
    assert min(t.size for t in layout.plan.texts) >= rate.text_px == 59

    for masked, after in ((False, ["words", "done"]), (True, ["done"])):
        thanks = dataclasses.replace(rate, step="thanks", masked=masked)
        shown = layout_feedback(thanks, SMALL, SURVEY)
        assert invitations(shown) == [INVITATION["fi"]]
        assert min(t.size for t in shown.plan.texts) >= 59
        assert shown.plan.texts[0].text == SURVEY.feedback["thanks"]["fi"]  # thanks first
        # The keys reach it (first: the focus moves top to bottom) and the ring goes round it.
        order = focusable(shown.buttons)
        assert [b.action for b in order] == ["survey", *after]
        invite = order[0]
        assert invite.label == INVITATION["fi"] and invite.rect.height >= rate.min_target_px
        assert all(invite.rect.bottom < b.rect.top for b in order[1:])
        ringed = layout_feedback(dataclasses.replace(thanks, focus=0), SMALL, SURVEY)
        focus = (HIGH_CONTRAST if large else CALM).focus
        [ring] = [box for box in ringed.plan.boxes if box.colour == focus and box.width > 0]
        assert ring.rect.contains(invite.rect)


@pytest.mark.parametrize(("size", "diagonal"), PANELS)
def test_the_invitation_is_on_one_screen_and_on_rate_only_where_the_names_keep_the_floor(
        size: tuple[int, int], diagonal: float) -> None:
    for lang in LANGS:
        for scale in (3, 4, 5):
            for large in (False, True):
                rate = at_floor(FeedbackView("rate", lang, scale=scale, survey_open=True,
                                             large=large), size, diagonal)
                on_rate = layout_feedback(rate, size, SURVEY)
                on_thanks = layout_feedback(dataclasses.replace(rate, step="thanks"), size,
                                            SURVEY)
                where = f"{size} {lang} {scale} faces large={large}"
                assert invitations(on_rate) + invitations(on_thanks) == [INVITATION[lang]], where
                names = [t.size for t in on_rate.plan.texts if t.role == "face"]
                if invitations(on_rate):
                    assert min(names) >= rate.text_px, where
                else:  # moved only where it took the names' room
                    assert size == SMALL, where
                # Outside the survey month neither screen invites.
                for step in ("rate", "thanks"):
                    closed = dataclasses.replace(rate, step=step, survey_open=False)
                    assert invitations(layout_feedback(closed, size, SURVEY)) == [], where
    if size != SMALL:  # where there is room, the rate screen as before
        full = at_floor(FeedbackView("rate", "fi", survey_open=True), size, diagonal)
        assert invitations(layout_feedback(full, size, SURVEY)) == [INVITATION["fi"]]


def test_touching_the_invitation_on_thanks_starts_the_survey_and_keeps_the_vote() -> None:
    now = datetime(2026, 12, 1, 10, 0)  # the survey month
    flow = FeedbackFlow(SURVEY, RatingScale(4))
    flow.survey_open = True

    def touch(action: str, arg: str = "") -> None:
        """A finger on the centre of the button, on the screen the flow shows now."""
        view = at_floor(FeedbackView(flow.step, flow.lang, scale=flow.scale.steps,
                                     survey_open=flow.survey_open, masked=flow.masked,
                                     screening=flow.screening, statement=flow.statement,
                                     progress=flow.position, selected=flow.progress.selected),
                        SMALL, SMALL_IN)
        buttons = layout_feedback(view, SMALL, SURVEY).buttons
        wanted = next((b for b in buttons if (b.action, b.arg) == (action, arg)), None)
        assert wanted is not None, f"no {action} {arg} on the {flow.step} screen"
        button = hit_test(buttons, wanted.rect.center)
        assert button is not None
        flow.act(button.action, button.arg, now)

    with pytest.raises(AssertionError, match="no survey"):
        touch("survey")  # not on this panel's rate screen in Finnish
    touch("rate", "2")
    assert flow.step == "thanks" and flow.take_ready() == []  # words may still follow
    touch("survey")
    assert flow.step == "screening"
    [vote] = flow.take_ready()  # the vote is finished, not lost to the survey
    assert vote.command == "feedback/give" and vote.body["rating"] == 2
    touch("no")
    touch("no")
    touch("score", "9")
    touch("next")
    while flow.step == "statement":
        touch("dont_know")
    assert flow.step == "survey_done"
    [answer] = flow.take_ready()  # the survey's answer, and the vote not sent again
    assert answer.command == "survey/answer" and answer.body["ratings"]["1"] == 9
