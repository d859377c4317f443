"""The feedback device's touch screen: every step in every language and palette renders on
every panel, readable (≥ 7:1), with big buttons apart from each other; the faces give the
right rating; the note, the masked notice, the survey's end labels and statements are where
they belong; `piste screenshot feedback` writes every picture."""

from __future__ import annotations

import argparse
import dataclasses
import os
from itertools import combinations

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame
import pytest

from display_driver import theme
from display_driver.layout import focusable, hit_test
from display_driver.png import offscreen_surface
from firmware.cli import screenshot as screenshot_cli
from firmware.core.feedback import RatingScale
from firmware.core.survey import LANGS, shipped_survey
from firmware.feedback.screen import (
    CALM,
    EXTRA_TEXTS,
    FACE_COLOURS,
    FACE_INK,
    HIGH_CONTRAST,
    LANG_NAMES,
    MIN_BUTTON_PX,
    STEPS,
    FeedbackView,
    layout_feedback,
    render_feedback,
)
from firmware.screenshots import feedback as feedback_shots
from tests.conftest import DEMO_SITE

SURVEY = shipped_survey()
# (screen size, diagonal in inches): the 15.6" landscape default, the same panel in
# portrait, and a small 10.1" 1280x800 panel.
PANELS = (((1920, 1080), 15.6), ((1080, 1920), 15.6), ((1280, 800), 10.1))
SIZES = tuple(size for size, _ in PANELS)
LONG_WORDS = ("Jonotin tänään tosi pitkään ja " * 12 + "x" * 70)[:500]


def px_for_12_mm(diagonal: float, size: tuple[int, int]) -> int:
    mm_per_px = diagonal * 25.4 / (size[0] ** 2 + size[1] ** 2) ** 0.5
    return max(MIN_BUTTON_PX, int(12.0 / mm_per_px) + 1)


def base_views(target: int = MIN_BUTTON_PX) -> list[FeedbackView]:
    rate = FeedbackView("rate", site_name="Suomi-piste Kallio", min_target_px=target)
    statement = dataclasses.replace(rate, step="statement", statement=7, progress=(7, 16))
    return [
        rate,
        dataclasses.replace(rate, scale=3),
        dataclasses.replace(rate, scale=5, survey_open=True),
        dataclasses.replace(rate, survey_open=True, notice="Ei lähetetty vielä; tallessa."),
        dataclasses.replace(rate, step="thanks"),
        dataclasses.replace(rate, step="thanks", masked=True),
        # In the survey month: where the rate screen had no room for it, the invitation.
        dataclasses.replace(rate, step="thanks", survey_open=True),
        dataclasses.replace(rate, step="thanks", survey_open=True, masked=True),
        dataclasses.replace(rate, step="words"),
        dataclasses.replace(rate, step="words", words="Hyvä palvelu, kiitos "),
        dataclasses.replace(rate, step="words", words=LONG_WORDS),
        dataclasses.replace(rate, step="screening"),
        dataclasses.replace(rate, step="screening", screening="documents"),
        statement,
        dataclasses.replace(statement, selected=10),
        # The longest statement of the template, in every language.
        dataclasses.replace(statement, statement=17, progress=(16, 17), selected=4),
        dataclasses.replace(rate, step="survey_done"),
        dataclasses.replace(rate, step="out_of_order"),
    ]


def every_view(target: int = MIN_BUTTON_PX) -> list[FeedbackView]:
    return [dataclasses.replace(v, lang=lang, large=large, focus=focus)
            for v in base_views(target) for lang in LANGS for large in (False, True)
            for focus in (None, 0)]


def texts(view: FeedbackView, size=(1920, 1080), role: str | None = None) -> list[str]:
    return [t.text for t in layout_feedback(view, size, SURVEY).plan.texts
            if role is None or t.role == role]


def joined(view: FeedbackView, role: str, size=(1920, 1080)) -> str:
    return " ".join(texts(view, size, role))


# --- every screen: readable, big, apart, on screen ------------------------------------------


def test_steps_are_the_ones_the_role_uses() -> None:
    assert STEPS == ("rate", "words", "thanks", "screening", "statement", "survey_done",
                     "out_of_order")


@pytest.mark.parametrize(("size", "diagonal"), PANELS)
def test_every_text_on_every_screen_is_at_least_7_to_1(size, diagonal) -> None:
    for view in every_view(px_for_12_mm(diagonal, size)):
        for item in layout_feedback(view, size, SURVEY).plan.texts:
            assert theme.contrast_ratio(item.fg, item.bg) >= 7.0, (view.step, item)


def test_both_palettes_are_used_and_their_pairs_pass() -> None:
    for palette in (CALM, HIGH_CONTRAST):
        for fg, bg in ((palette.text, palette.background), (palette.muted, palette.background),
                       (palette.text, palette.panel), (palette.on_button, palette.button),
                       (palette.on_closed, palette.closed)):
            assert theme.contrast_ratio(fg, bg) >= 7.0, (palette, fg, bg)
    plan = layout_feedback(FeedbackView("rate", large=True), (1920, 1080), SURVEY).plan
    assert plan.background == HIGH_CONTRAST.background


@pytest.mark.parametrize(("size", "diagonal"), PANELS)
def test_every_button_is_at_least_12_mm_apart_and_on_screen(size, diagonal) -> None:
    mm_per_px = diagonal * 25.4 / (size[0] ** 2 + size[1] ** 2) ** 0.5
    target = px_for_12_mm(diagonal, size)
    screen = pygame.Rect((0, 0), size)
    for view in every_view(target):
        layout = layout_feedback(view, size, SURVEY)
        for b in layout.buttons:
            assert min(b.rect.size) >= target, (view.step, b.label, b.rect)
            assert min(b.rect.size) * mm_per_px >= 12.0, (view.step, b.label, b.rect)
            assert screen.contains(b.rect), (view.step, b.label, b.rect)
        for a, b in combinations(layout.buttons, 2):
            assert not a.rect.colliderect(b.rect), (view.step, a.label, b.label)


@pytest.mark.parametrize("size", SIZES)
def test_texts_stay_on_screen_and_never_overlap(size) -> None:
    screen = pygame.Rect((0, 0), size)
    for view in every_view():
        items = layout_feedback(view, size, SURVEY).plan.texts
        for item in items:
            assert screen.contains(item.rect), (view.step, item.text, item.rect)
            assert item.size >= 14, (view.step, item.text, item.size)
        for a, b in combinations(items, 2):
            assert not a.rect.colliderect(b.rect), (view.step, view.lang, a.text, b.text)


@pytest.mark.parametrize("size", SIZES)
def test_a_buttons_label_is_inside_its_button(size) -> None:
    for view in every_view():
        layout = layout_feedback(view, size, SURVEY)
        for item in layout.plan.texts:
            holders = [b for b in layout.buttons if b.rect.colliderect(item.rect)]
            for button in holders:  # a text that touches a button is wholly inside it
                assert button.rect.contains(item.rect), (view.step, item.text, button.label)


@pytest.mark.parametrize("size", ((1920, 1080), (1080, 1920)))
@pytest.mark.parametrize("large", (False, True))
def test_the_background_a_text_claims_is_the_one_around_it(size, large) -> None:
    """The contrast test trusts each text's `bg`: check it against the drawn pixels."""
    for view in base_views():
        view = dataclasses.replace(view, large=large, lang="sv")
        surface = offscreen_surface(*size)
        render_feedback(surface, view, SURVEY)
        for item in layout_feedback(view, size, SURVEY).plan.texts:
            for x in (item.rect.left - 3, item.rect.right + 2):
                if 0 <= x < size[0]:
                    got = tuple(surface.get_at((x, item.rect.centery)))[:3]
                    assert got == item.bg, (view.step, item.text, got, item.bg)


# --- the rate step ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("steps", (3, 4, 5))
def test_touching_a_face_gives_its_rating(size, steps) -> None:
    scale = RatingScale(steps)
    for lang in LANGS:
        view = FeedbackView("rate", lang, scale=steps, survey_open=True)
        layout = layout_feedback(view, size, SURVEY)
        assert [f.value for f in layout.faces] == list(scale.values)
        assert [f.key for f in layout.faces] == list(scale.faces)
        for face in layout.faces:
            hit = hit_test(layout.buttons, face.centre)
            assert hit is not None and (hit.action, hit.arg) == ("rate", str(face.value))
            assert hit.label == SURVEY.faces[face.key][lang]
        assert hit_test(layout.buttons, (0, size[1] // 2)) is None


@pytest.mark.parametrize("size", SIZES)
def test_every_face_has_its_name_written_in_its_button(size) -> None:
    for lang in LANGS:
        for steps in (3, 4, 5):
            layout = layout_feedback(FeedbackView("rate", lang, scale=steps), size, SURVEY)
            labels = [t for t in layout.plan.texts if t.role == "face"]
            for face in layout.faces:
                button = next(b for b in layout.buttons if b.rect.collidepoint(face.centre))
                inside = " ".join(t.text for t in labels if button.rect.contains(t.rect))
                assert inside == SURVEY.faces[face.key][lang]
                # The name is beside or under the face, never on it.
                circle = pygame.Rect(0, 0, 2 * face.radius, 2 * face.radius)
                circle.center = face.centre
                assert button.rect.contains(circle)
                assert not any(circle.colliderect(t.rect) for t in labels)


def test_colour_never_carries_the_meaning_alone() -> None:
    layout = layout_feedback(FeedbackView("rate", scale=5), (1920, 1080), SURVEY)
    moods = [f.mood for f in layout.faces]
    assert moods == sorted(moods) and len(set(moods)) == 5  # a different mouth on each
    assert len({f.colour for f in layout.faces}) == 5
    for colour in FACE_COLOURS.values():
        # Eyes and mouth stand out from every face (non-text contrast, WCAG 1.4.11: 3:1),
        # and every face from the tile behind it in both palettes.
        assert theme.contrast_ratio(FACE_INK, colour) >= 3.0, colour
        for palette in (CALM, HIGH_CONTRAST):
            assert theme.contrast_ratio(colour, palette.panel) >= 3.0, (colour, palette)


def test_the_faces_are_drawn() -> None:
    surface = offscreen_surface(1920, 1080)
    render_feedback(surface, FeedbackView("rate"), SURVEY)
    for face in layout_feedback(FeedbackView("rate"), (1920, 1080), SURVEY).faces:
        assert tuple(surface.get_at(face.centre))[:3] == face.colour
        x, y = face.centre
        column = [tuple(surface.get_at((x, y + dy)))[:3]
                  for dy in range(round(face.radius * 0.15), round(face.radius * 0.55))]
        assert FACE_INK in column  # the middle of the mouth, below the centre


def test_rate_step_texts_and_buttons() -> None:
    for lang in LANGS:
        view = FeedbackView("rate", lang)
        assert texts(view, role="question") == [SURVEY.feedback["question"][lang]]
        buttons = layout_feedback(view, (1920, 1080), SURVEY).buttons
        langs = [b for b in buttons if b.action == "lang"]
        assert [(b.arg, b.label) for b in langs] == [(x, LANG_NAMES[x]) for x in LANGS]
        assert LANG_NAMES == {"fi": "Suomi", "sv": "Svenska", "en": "English"}
        actions = [b.action for b in buttons]
        assert "survey" not in actions
        assert actions.count("large") == 1 and actions.count("help") == 1
        with_survey = layout_feedback(dataclasses.replace(view, survey_open=True),
                                      (1920, 1080), SURVEY).buttons
        survey = [b for b in with_survey if b.action == "survey"]
        assert len(survey) == 1 and survey[0].label == SURVEY.feedback["survey_invite"][lang]
        faces = [b for b in with_survey if b.action == "rate"]
        assert survey[0].rect.width > 2 * faces[0].rect.width  # wide: it is a way in


def test_the_keys_move_top_to_bottom() -> None:
    view = FeedbackView("rate", survey_open=True)
    order = [(b.action, b.arg) for b in focusable(
        layout_feedback(view, (1920, 1080), SURVEY).buttons)]
    assert order == [("lang", "fi"), ("lang", "sv"), ("lang", "en"), ("rate", "1"),
                     ("rate", "2"), ("rate", "3"), ("rate", "4"), ("survey", ""),
                     ("large", ""), ("help", "")]


def test_the_focus_ring_goes_round_the_focused_button() -> None:
    for focus, large in ((3, False), (0, True), (13, False)):
        view = FeedbackView("rate", focus=focus, large=large)
        layout = layout_feedback(view, (1920, 1080), SURVEY)
        live = focusable(layout.buttons)
        palette = HIGH_CONTRAST if large else CALM
        rings = [box for box in layout.plan.boxes if box.colour == palette.focus]
        assert len(rings) == 1 and rings[0].width > 0
        assert rings[0].rect.contains(live[focus % len(live)].rect)
    plain = layout_feedback(FeedbackView("rate"), (1920, 1080), SURVEY)
    assert not [box for box in plain.plan.boxes if box.colour == CALM.focus]


def test_large_text_is_larger() -> None:
    def size_of(view: FeedbackView, role: str) -> int:
        return max(t.size for t in layout_feedback(view, (1920, 1080), SURVEY).plan.texts
                   if t.role == role)

    for view, role in ((FeedbackView("rate"), "question"),
                       (FeedbackView("statement", statement=7), "statement"),
                       (FeedbackView("words"), "note")):
        assert size_of(dataclasses.replace(view, large=True), role) >= 1.25 * size_of(view,
                                                                                      role)


def test_portrait_stacks_the_faces_and_keeps_them_big() -> None:
    layout = layout_feedback(FeedbackView("rate", survey_open=True), (1080, 1920), SURVEY)
    rects = [b.rect for b in layout.buttons if b.action == "rate"]
    assert [r.y for r in rects] == sorted(r.y for r in rects) and rects[0].y < rects[1].y
    assert min(f.radius for f in layout.faces) >= 70
    assert {b.action for b in layout.buttons} >= {"lang", "rate", "survey", "large", "help"}


# --- thanks, words ---------------------------------------------------------------------------


def test_the_masked_notice_appears_only_when_masked() -> None:
    for lang in LANGS:
        notice = SURVEY.feedback["masked_notice"][lang]
        masked = FeedbackView("thanks", lang, masked=True)
        assert joined(masked, "masked") == notice
        assert notice not in " ".join(texts(FeedbackView("thanks", lang)))
        for view in base_views():
            if not view.masked:
                view = dataclasses.replace(view, lang=lang)
                assert notice not in " ".join(texts(view)), view.step
        # After words were sent and masked, "tell us more" is not offered again.
        assert [b.action for b in layout_feedback(masked, (1920, 1080), SURVEY).buttons] == \
            ["done"]


def test_thanks_offers_words_and_done() -> None:
    for lang in LANGS:
        view = FeedbackView("thanks", lang)
        assert texts(view, role="thanks") == [SURVEY.feedback["thanks"][lang]]
        buttons = layout_feedback(view, (1920, 1080), SURVEY).buttons
        assert [(b.action, b.label) for b in buttons] == [
            ("words", EXTRA_TEXTS["tell_more"][lang]), ("done", EXTRA_TEXTS["done"][lang])]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("large", (False, True))
def test_the_note_is_on_the_words_screen_whole_and_first(size, large) -> None:
    for lang in LANGS:
        view = FeedbackView("words", lang, words="Hei", large=large)
        layout = layout_feedback(view, size, SURVEY)
        note = [t for t in layout.plan.texts if t.role == "note"]
        assert " ".join(t.text for t in note) == SURVEY.feedback["note"][lang]
        assert min(t.size for t in note) >= 22 * min(size) / 1080  # readable, not dust
        keys_top = min(b.rect.top for b in layout.buttons)
        assert max(t.rect.bottom for t in note) < keys_top  # above the keyboard


def test_the_keyboard() -> None:
    for size in SIZES:
        buttons = layout_feedback(FeedbackView("words"), size, SURVEY).buttons
        keys = [b.arg for b in buttons if b.action == "key"]
        assert {"å", "ä", "ö", " "} <= set(keys) and set("abcdefghijklmnopqrstuvwxyz") <= set(
            keys)
        assert not set("0123456789") & set(keys)  # no digits: no phone numbers, no hetu
        assert len(keys) == len(set(keys))
        actions = [b.action for b in buttons]
        assert actions[-3:] == ["erase", "skip", "send"]
    landscape = layout_feedback(FeedbackView("words"), (1920, 1080), SURVEY).buttons
    first_row = [b.arg for b in landscape if b.action == "key"][:11]
    assert "".join(first_row) == "qwertyuiopå"  # the Finnish keyboard where it fits


def test_the_words_are_shown_as_typed_the_newest_in_view() -> None:
    view = FeedbackView("words", words="Hyvä palvelu, kiitos ")
    assert joined(view, "typed").startswith("Hyvä palvelu, kiitos")
    assert texts(view, role="placeholder") == []
    long = dataclasses.replace(view, words=LONG_WORDS)
    for size in SIZES:
        shown = texts(long, size, "typed")
        # The end of what was typed (a long run cut between lines), and the cursor.
        assert "".join(shown).endswith("x" * 20 + "▏")
        assert all(t.size >= 40 for t in layout_feedback(long, size, SURVEY).plan.texts
                   if t.role == "typed" and size == (1920, 1080))  # scrolled, not shrunk
        assert shown[0].startswith("…")  # the beginning scrolled away, and it says so
    empty = texts(FeedbackView("words", "sv"), role="placeholder")
    assert empty == [EXTRA_TEXTS["write_here"]["sv"]]


# --- the survey ------------------------------------------------------------------------------


def test_screening_asks_yes_or_no() -> None:
    for lang in LANGS:
        for key in ("self_service", "documents"):
            view = FeedbackView("screening", lang, screening=key)
            assert joined(view, "screening") == SURVEY.screening[key][lang]
            buttons = layout_feedback(view, (1920, 1080), SURVEY).buttons
            assert [b.action for b in buttons] == ["yes", "no", "back"]
            assert buttons[0].label == SURVEY.feedback["yes"][lang]


def test_statement_7_in_finnish_with_its_progress_and_end_labels() -> None:
    view = FeedbackView("statement", "fi", statement=7, progress=(3, 16))
    assert joined(view, "statement") == SURVEY.statement(7).text("fi")
    assert joined(view, "statement") == "Vuoronumerolaitetta oli helppo käyttää."
    assert texts(view, role="progress") == ["3 / 16"]
    for lang in LANGS:
        view = dataclasses.replace(view, lang=lang)
        for size in SIZES:
            assert joined(view, "scale-4", size) == f"4 = {SURVEY.scale_labels[4][lang]}"
            assert joined(view, "scale-10", size) == f"10 = {SURVEY.scale_labels[10][lang]}"
            layout = layout_feedback(view, size, SURVEY)
            scores = {b.arg: b for b in layout.buttons if b.action == "score"}
            low = next(t for t in layout.plan.texts if t.role == "scale-4")
            high = next(t for t in layout.plan.texts if t.role == "scale-10")
            # Each end label sits under its end of the scale.
            assert low.rect.top > scores["4"].rect.bottom and low.rect.left <= scores[
                "4"].rect.centerx
            assert high.rect.top > scores["10"].rect.bottom and high.rect.right >= scores[
                "10"].rect.centerx


def test_every_statement_is_shown_whole_in_every_language() -> None:
    for statement in SURVEY.statements:
        for lang in LANGS:
            for size in SIZES:
                view = FeedbackView("statement", lang, statement=statement.number,
                                    large=True)
                assert joined(view, "statement", size) == statement.text(lang)


def test_scores_next_and_dont_know() -> None:
    view = FeedbackView("statement", "sv", statement=3, progress=(3, 16))
    layout = layout_feedback(view, (1920, 1080), SURVEY)
    scores = [b for b in layout.buttons if b.action == "score"]
    assert [b.arg for b in scores] == [str(n) for n in range(4, 11)]
    nxt = next(b for b in layout.buttons if b.action == "next")
    assert not nxt.enabled and hit_test(layout.buttons, nxt.rect.center) is None
    assert nxt not in focusable(layout.buttons)
    skip = next(b for b in layout.buttons if b.action == "dont_know")
    assert skip.label == SURVEY.feedback["survey_skip"]["sv"]
    assert hit_test(layout.buttons, skip.rect.center) is skip
    assert hit_test(layout.buttons, scores[2].rect.center).arg == "6"

    chosen = layout_feedback(dataclasses.replace(view, selected=9), (1920, 1080), SURVEY)
    nxt = next(b for b in chosen.buttons if b.action == "next")
    assert nxt.enabled and hit_test(chosen.buttons, nxt.rect.center) is nxt
    marked = [t.text for t in chosen.plan.texts if t.role == "score-chosen"]
    assert marked == ["✓ 9"]  # ticked, not only lighter


def test_survey_done_and_out_of_order() -> None:
    for lang in LANGS:
        done = FeedbackView("survey_done", lang)
        assert texts(done, role="survey-thanks") == [SURVEY.feedback["survey_thanks"][lang]]
        assert [b.action for b in layout_feedback(done, (1920, 1080), SURVEY).buttons] == \
            ["done"]
    broken = FeedbackView("out_of_order", "sv")
    shown = " ".join(texts(broken))
    for lang in LANGS:  # whatever the language was: all three at once
        assert EXTRA_TEXTS["out_of_order"][lang] in shown
        assert EXTRA_TEXTS["out_of_order_hint"][lang] in shown
    assert layout_feedback(broken, (1920, 1080), SURVEY).buttons == []


def test_a_view_that_cannot_be_drawn_fails_visibly() -> None:
    out = EXTRA_TEXTS["out_of_order"]["fi"]
    for view in (FeedbackView("statement"), FeedbackView("statement", statement=42),
                 FeedbackView("screening", screening="pets"), FeedbackView("rate", scale=7),
                 FeedbackView("dancing")):
        assert out in texts(view), view
    assert texts(FeedbackView("rate", lang="de"), role="question") == [
        SURVEY.feedback["question"]["fi"]]


def test_a_notice_is_shown_and_everything_still_fits() -> None:
    note = "Palautetta ei ole vielä lähetetty; se on tallessa."
    for step in ("rate", "thanks", "words", "screening", "survey_done"):
        view = FeedbackView(step, notice=note, survey_open=True)
        assert joined(view, "notice") == note


# --- the pictures ----------------------------------------------------------------------------


def test_screenshot_writes_every_screen_in_every_language(tmp_path) -> None:
    paths = feedback_shots.shoot_all(tmp_path, {"fi": "Piste", "sv": "Disk", "en": "Point"})
    names = {p.name for p in paths}
    for screen in ("rate", "rate-survey", "thanks", "thanks-masked", "words", "screening",
                   "statement", "survey-done", "large-text", "keys-focus", "rate-portrait",
                   "rate-small", "thanks-survey-small"):
        for lang in LANGS:
            assert f"{screen}-{lang}.png" in names, (screen, lang)
    assert "out-of-order.png" in names
    assert all(p.is_file() for p in paths)
    assert pygame.image.load(tmp_path / "rate-fi.png").get_size() == (1920, 1080)
    assert pygame.image.load(tmp_path / "rate-portrait-fi.png").get_size() == (1080, 1920)
    assert pygame.image.load(tmp_path / "thanks-survey-small-fi.png").get_size() == (1280, 800)


def test_piste_screenshot_feedback(tmp_path, capsys) -> None:
    parser = argparse.ArgumentParser()
    screenshot_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["screenshot", "feedback", "--config", str(DEMO_SITE), "--out",
                              str(tmp_path / "shots")])
    assert screenshot_cli.dispatch(args) == 0
    assert (tmp_path / "shots" / "rate-sv.png").is_file()
    assert "pictures" in capsys.readouterr().out
