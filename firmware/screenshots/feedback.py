"""`piste screenshot feedback --config FILE --out DIR`: a PNG of every feedback screen in
each language (`rate-fi.png`, `statement-sv.png`, ...), the large-text mode, the focus ring
of the physical keys, portrait, and a small 10.1" panel (there the survey month's thanks
screen too: where the rate screen has no room for the survey's invitation, it is there).

The texts are the shipped survey data file's. From the site config only the site's name is
taken: the feedback device's own config may not exist yet, and the pictures must not depend
on it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from display_driver.png import offscreen_surface, save_png
from firmware.core.plural import counted
from firmware.core.survey import LANGS, Survey, shipped_survey
from firmware.feedback.screen import FeedbackView, feedback_text_px, render_feedback
from firmware.site_model import FeedbackConfig, SiteConfig

LANDSCAPE = (1920, 1080)
PORTRAIT = (1080, 1920)
SMALL = (1280, 800)  # a 10.1" panel
DIAGONAL_IN = {LANDSCAPE: 15.6, PORTRAIT: 15.6, SMALL: 10.1}
SAMPLE_WORDS = "Ystävällinen palvelu, mutta jonotin pitkään "
STATEMENT = 7  # "the queue-number device was easy to use": a short one everybody had


def views(lang: str, site_name: str = "") -> dict[str, FeedbackView]:
    """Every feedback screen by its file name (without the language), in one language."""
    rate = FeedbackView("rate", lang, site_name=site_name)
    statement = FeedbackView("statement", lang, statement=STATEMENT, progress=(7, 16),
                             selected=8)
    return {
        "rate": rate,
        "rate-survey": dataclasses.replace(rate, survey_open=True),
        "rate-3-faces": dataclasses.replace(rate, scale=3),
        "rate-5-faces": dataclasses.replace(rate, scale=5, survey_open=True),
        "thanks": FeedbackView("thanks", lang),
        "thanks-masked": FeedbackView("thanks", lang, masked=True),
        "words": FeedbackView("words", lang, words=SAMPLE_WORDS),
        "words-empty": FeedbackView("words", lang),
        "screening": FeedbackView("screening", lang),
        "screening-documents": FeedbackView("screening", lang, screening="documents"),
        "statement": statement,
        "statement-unanswered": dataclasses.replace(statement, selected=None,
                                                    statement=17, progress=(16, 17)),
        "survey-done": FeedbackView("survey_done", lang),
        "large-text": dataclasses.replace(rate, survey_open=True, large=True, focus=1),
        "large-text-words": FeedbackView("words", lang, words=SAMPLE_WORDS, large=True),
        "large-text-statement": dataclasses.replace(statement, large=True),
        "keys-focus": dataclasses.replace(rate, survey_open=True, focus=3),
    }


def shoot_all(out: Path, site_name: dict[str, str] | None = None,
              survey: Survey | None = None) -> list[Path]:
    """Write every screen into `out`; returns the paths written."""
    survey = survey or shipped_survey()
    written: list[Path] = []

    def shoot(name: str, view: FeedbackView, size: tuple[int, int] = LANDSCAPE) -> None:
        surface = offscreen_surface(*size)
        # Drawn as the device draws it: every text at least the readable size for that panel
        # at the default reading distance.
        panel = FeedbackConfig(screen_diagonal_in=DIAGONAL_IN[size])
        view = dataclasses.replace(view, text_px=feedback_text_px(panel, size))
        render_feedback(surface, view, survey)
        path = out / f"{name}.png"
        save_png(surface, path)
        written.append(path)

    for lang in LANGS:
        name = (site_name or {}).get(lang, "")
        for key, view in views(lang, name).items():
            shoot(f"{key}-{lang}", view)
        shoot(f"rate-portrait-{lang}", views(lang, name)["rate-survey"], PORTRAIT)
        shoot(f"words-portrait-{lang}", views(lang)["words"], PORTRAIT)
        shoot(f"statement-portrait-{lang}", views(lang)["statement"], PORTRAIT)
        shoot(f"rate-small-{lang}", views(lang, name)["rate-survey"], SMALL)
        # Where the invitation would push the faces' names below the floor (Finnish here),
        # the thanks screen carries it instead of the rate screen.
        shoot(f"thanks-survey-small-{lang}",
              dataclasses.replace(views(lang)["thanks"], survey_open=True, site_name=name),
              SMALL)
        shoot(f"words-small-{lang}", views(lang)["words"], SMALL)
        # Too short for the note and the keyboard at the readable size: the note first.
        shoot(f"words-note-small-{lang}", views(lang)["words-empty"], SMALL)
    shoot("out-of-order", FeedbackView("out_of_order"))
    shoot("out-of-order-portrait", FeedbackView("out_of_order"), PORTRAIT)
    return written


def main(config: SiteConfig, out: Path) -> int:
    written = shoot_all(out, config.site.name.as_dict())
    print(f"wrote {counted(len(written), 'picture', 'pictures')} to {out}")
    return 0
