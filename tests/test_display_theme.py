"""Every text on every screen is at least 7:1 against what is under it (WCAG AAA)."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest

from display_driver import theme
from display_driver.fonts import BOLD, REGULAR, font
from firmware.display.lobby_screen import layout_lobby
from firmware.kiosk.screen import layout_kiosk_texts
from firmware.screenshots.samples import kiosk_samples, lobby_busy, lobby_quiet


def test_contrast_ratio_matches_the_wcag_formula() -> None:
    assert theme.contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert theme.contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert theme.contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert theme.contrast_ratio((10, 20, 30), (10, 20, 30)) == pytest.approx(1.0)


@pytest.mark.parametrize("pair", theme.TEXT_PAIRS)
def test_every_declared_pair_is_aaa(pair: tuple[theme.Colour, theme.Colour]) -> None:
    assert theme.contrast_ratio(*pair) >= theme.MIN_CONTRAST


def every_text_item():
    for size in ((1920, 1080), (1080, 1920)):
        for view in (lobby_busy(), lobby_quiet()):
            yield from layout_lobby(view, size)
        for kview in kiosk_samples().values():
            yield from layout_kiosk_texts(kview, size)


def test_every_text_drawn_uses_a_declared_aaa_pair() -> None:
    for item in every_text_item():
        assert (item.fg, item.bg) in theme.TEXT_PAIRS, item
        assert theme.contrast_ratio(item.fg, item.bg) >= 7.0, item


def test_bundled_fonts_have_the_nordic_letters() -> None:
    assert REGULAR.is_file() and BOLD.is_file()
    assert (REGULAR.parent / "LICENSE-DejaVu.txt").is_file()
    assert font(40) is font(40) and font(40) is not font(40, bold=True)
    for face in (font(40), font(40, bold=True)):
        metrics = face.metrics("äöåÄÖÅ→·")
        assert all(m is not None for m in metrics)
