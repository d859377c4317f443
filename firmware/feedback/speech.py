"""What the help key reads aloud on each step of the feedback screen, in its language."""

from __future__ import annotations

from firmware.core.survey import SCALE_MAX, SCALE_MIN, Survey
from firmware.feedback.flow import FeedbackFlow


def _text(survey: Survey, lang: str, key: str) -> str:
    texts = survey.feedback.get(key, {})
    return texts.get(lang) or texts.get("fi", "")


def spoken(flow: FeedbackFlow, survey: Survey, invite: bool | None = None) -> str:
    """What the screen of `flow`'s step says. `invite`: whether the screen shows the yearly
    survey's invitation (the layout decides: the rate screen, or where the faces need that
    room, the thanks screen); None: the rate screen in the survey month."""
    lang = flow.lang
    if invite is None:
        invite = flow.step == "rate" and flow.survey_open
    say = lambda key: _text(survey, lang, key)  # noqa: E731 - a short local helper
    if flow.step == "rate":
        faces = ", ".join(f"{i}: {survey.faces[face][lang]}"
                          for i, face in enumerate(flow.scale.faces, start=1))
        invitation = say("survey_invite") if invite else ""
        return " ".join(p for p in (say("question"), faces, invitation) if p)
    if flow.step == "thanks":
        masked = say("masked_notice") if flow.masked else ""
        invitation = say("survey_invite") if invite else ""
        return " ".join(p for p in (say("thanks"), masked, invitation) if p)
    if flow.step == "words":
        return f"{say('words_prompt')} {say('note')}"
    if flow.step == "screening":
        return survey.screening[flow.screening][lang]
    if flow.step == "statement" and flow.statement is not None:
        n, total = flow.position
        low, high = survey.scale_labels[SCALE_MIN][lang], survey.scale_labels[SCALE_MAX][lang]
        return (f"{n} / {total}. {survey.statement(flow.statement).text(lang)} "
                f"{SCALE_MIN}: {low}. {SCALE_MAX}: {high}.")
    if flow.step == "survey_done":
        return say("survey_thanks")
    return ""
