"""The room-door screen: the called number very large, calm texts otherwise, in fi/sv/en."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from datetime import datetime
from zoneinfo import ZoneInfo

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from display_driver import theme
from display_driver.layout import TextItem
from display_driver.png import offscreen_surface
from firmware.room.screen import RoomView, layout_room, render_room

NOW = datetime(2026, 12, 1, 10, 5, tzinfo=ZoneInfo("Europe/Helsinki"))
SIZES = ((800, 480), (480, 800), (1920, 1080))


def role(items: list[TextItem], name: str) -> list[TextItem]:
    return [i for i in items if i.role == name]


def test_called_number_fills_the_screen_on_the_accent() -> None:
    view = RoomView("Huone 3", "K042", "called", now=NOW)
    items = layout_room(view, (800, 480))
    number = role(items, "number")[0]
    assert number.text == "K042"
    assert number.size == max(i.size for i in items)
    assert number.rect.height >= 480 * 0.3  # glyphs a third of the screen high
    assert role(items, "room")[0].text == "Huone 3"
    assert role(items, "time")[0].text == "10.05"
    assert "Tervetuloa sisään" in role(items, "come-in")[0].text
    surface = offscreen_surface(800, 480)
    render_room(surface, view)
    r = number.rect
    assert tuple(surface.get_at((r.left - 6, r.centery)))[:3] == theme.ACCENT
    dark = sum(tuple(surface.get_at((x, r.centery)))[:3] == theme.ON_ACCENT
               for x in range(r.left, r.right))
    assert dark > 10  # the number's own strokes are drawn across its middle


@pytest.mark.parametrize("lang,first", [("fi", "Odota"), ("sv", "Vänta"), ("en", "Please")])
def test_free_asks_calmly_to_wait_in_three_languages_own_first(lang: str, first: str) -> None:
    items = role(layout_room(RoomView("Huone 3", None, "free", lang=lang), (800, 480)), "free")
    assert len(items) >= 3 and items[0].text.startswith(first)  # a long one wraps
    tops = [i.rect.top for i in items]
    assert tops == sorted(set(tops))
    said = " ".join(i.text for i in items)
    assert all(t in said for t in ("numerosi", "nummer ropas", "number is"))
    assert not any(i.text == "K042" for i in items)


def test_called_without_a_number_is_not_an_empty_band() -> None:
    items = layout_room(RoomView("Huone 3", None, "called"), (800, 480))
    assert not role(items, "number") and role(items, "unknown")


def test_closed_and_unknown_and_a_message() -> None:
    closed = layout_room(RoomView("Huone 3", None, "closed", "Avataan klo 12"), (800, 480))
    assert role(closed, "closed")[0].text == "Huone on suljettu"
    assert role(closed, "message")[0].text == "Avataan klo 12"
    weird = layout_room(RoomView("Huone 3", "K1", "nonsense"), (800, 480))
    assert role(weird, "unknown")[0].text.startswith("Tietoja päivitetään")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_paused_room_says_on_a_break_with_its_last_call(lang: str) -> None:
    from firmware.room.screen import ON_A_BREAK

    items = layout_room(RoomView("Huone 3", "K041", "paused", lang=lang), (800, 480))
    lines = [t.text for t in role(items, "paused")]
    assert lines[0] == ON_A_BREAK == "Tauko · Paus · On a break"
    assert len(lines) == 4 and all("K041" in line for line in lines[1:])
    assert lines[1].startswith({"fi": "Viimeksi", "sv": "Senast", "en": "Last"}[lang])
    assert not role(items, "number")  # no accent band: nobody is being called in
    quiet = layout_room(RoomView("Huone 3", None, "paused"), (800, 480))
    assert [t.text for t in role(quiet, "paused")] == [ON_A_BREAK]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.none() | st.text(max_size=12),
       st.sampled_from(["called", "free", "closed", "paused", "unknown", "x"]),
       st.text(max_size=80),
       st.sampled_from(["fi", "sv", "en", "de"]), st.sampled_from(SIZES))
def test_every_view_stays_on_screen_with_aaa_contrast(name, number, state, message, lang,
                                                      size) -> None:
    items = layout_room(RoomView(name, number, state, message, lang, NOW), size)
    screen = pygame.Rect((0, 0), size)
    for item in items:
        assert screen.contains(item.rect), item
        assert (item.fg, item.bg) in theme.TEXT_PAIRS
        assert theme.contrast_ratio(item.fg, item.bg) >= theme.MIN_CONTRAST
