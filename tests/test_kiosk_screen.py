"""The kiosk touch screen: buttons for open authorities only, big and apart; every phase."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import dataclasses
from datetime import datetime, timedelta
from itertools import combinations

import pygame
import pytest

from display_driver.layout import hit_test
from display_driver.png import offscreen_surface
from firmware.kiosk.screen import (
    TEXTS,
    KioskService,
    KioskTicket,
    KioskView,
    layout_kiosk_texts,
    opening_text,
    render_kiosk,
)
from firmware.screenshots.samples import KIOSK_SERVICES, NOW, kiosk, kiosk_samples
from firmware.site_model import LANGS

SIZES = ((1920, 1080), (1080, 1920))


def start_buttons(size=(1920, 1080), services=KIOSK_SERVICES):
    view = KioskView("Suomi-piste Kallio", services, "start", None, "", now=NOW)
    return render_kiosk(offscreen_surface(*size), view)


@pytest.mark.parametrize("size", SIZES)
def test_one_enabled_button_per_open_service(size) -> None:
    buttons = [b for b in start_buttons(size) if b.action == "issue"]
    enabled = [b.service_id for b in buttons if b.enabled]
    disabled = [b.service_id for b in buttons if not b.enabled]
    assert enabled == [s.id for s in KIOSK_SERVICES if s.open] == ["kela", "vero"]
    assert disabled == ["migri", "te"]


@pytest.mark.parametrize("size", SIZES)
def test_hit_test(size) -> None:
    buttons = start_buttons(size)
    kela = next(b for b in buttons if b.service_id == "kela")
    migri = next(b for b in buttons if b.service_id == "migri")
    assert hit_test(buttons, kela.rect.center) is kela
    assert hit_test(buttons, migri.rect.center) is None  # closed: a touch does nothing
    assert hit_test(buttons, (0, 0)) is None


@pytest.mark.parametrize("size", SIZES)
def test_buttons_are_big_apart_and_on_screen(size) -> None:
    many = tuple(KioskService(f"s{i}", f"Palvelu {i}", i % 2 == 0, None) for i in range(9))
    for services in (KIOSK_SERVICES, many):
        buttons = start_buttons(size, services)
        assert len([b for b in buttons if b.action == "issue"]) == len(services)
        screen = pygame.Rect((0, 0), size)
        for b in buttons:
            assert b.rect.height >= 85 and b.rect.width >= 170
            if b.action == "issue":
                assert b.rect.width >= 300
            assert screen.contains(b.rect)
        for a, b in combinations(buttons, 2):
            assert not a.rect.inflate(16, 16).colliderect(b.rect), (a.rect, b.rect)


def test_start_screen_texts() -> None:
    texts = [i.text for i in layout_kiosk_texts(kiosk("start"), (1920, 1080))]
    assert "Valitse palvelu" in texts
    assert "Palveluneuvoja auttaa mielellään" in texts
    assert "Avautuu tänään 12.00" in texts  # migri, later today
    assert "Avautuu ke 9.00" in texts  # tomorrow is a Wednesday


def test_opening_text() -> None:
    tue_9 = datetime(2026, 12, 1, 9, 0, tzinfo=NOW.tzinfo)
    assert opening_text(tue_9, "fi") == "Avautuu ti 9.00"
    assert opening_text(tue_9, "sv") == "Öppnar tis 9.00"
    assert opening_text(tue_9, "en") == "Opens Tue 9.00"
    far = tue_9 + timedelta(days=14)
    assert opening_text(far, "fi", NOW) == "Avautuu ti 15.12. 9.00"


def test_every_language_has_every_text() -> None:
    assert set(TEXTS) == set(LANGS)
    for lang in LANGS:
        assert set(TEXTS[lang]) == set(TEXTS["fi"]), lang


@pytest.mark.parametrize("size", SIZES)
def test_every_phase_renders_inside_the_screen(size) -> None:
    screen = pygame.Rect((0, 0), size)
    for name, view in kiosk_samples().items():
        buttons = render_kiosk(offscreen_surface(*size), view)
        for item in layout_kiosk_texts(view, size):
            assert screen.contains(item.rect), (name, item.text, item.rect)
        if view.phase in ("issuing", "error"):
            assert buttons == []  # nothing to press while waiting or broken


def test_ticket_phase_shows_the_number_very_large() -> None:
    view = kiosk("ticket", KioskTicket("K043", "Kela", 6, 25))
    items = {i.role: i for i in layout_kiosk_texts(view, (1920, 1080))}
    assert items["number"].text == "K043" and items["number"].size >= 150
    assert items["number"].size == max(i.size for i in items.values())
    assert items["service"].text == "Kela"
    assert items["ahead"].text == "Ennen sinua jonossa: 6"
    assert items["eta"].text == "Arvioitu odotus 17–36 min"  # as on the slip and display
    assert items["take"].text == "Ota lippu tulostimesta"
    buttons = render_kiosk(offscreen_surface(1920, 1080), view)
    assert [b.action for b in buttons] == ["done"]


def test_unprinted_ticket_still_shows_its_number() -> None:
    view = kiosk("ticket", KioskTicket("V018", "Verohallinto", 0, None, printed=False))
    items = {i.role: i for i in layout_kiosk_texts(view, (1920, 1080))}
    assert items["number"].text == "V018"
    unprinted = " ".join(i.text for i in layout_kiosk_texts(view, (1920, 1080))
                         if i.role == "not-printed")
    assert "muista se" in unprinted and "Numerosi on voimassa" in unprinted
    assert items["ahead"].text == "Olet seuraavana vuorossa"
    assert "take" not in items and "eta" not in items


def test_error_speaks_three_languages() -> None:
    texts = [i.text for i in layout_kiosk_texts(kiosk("error", message="Tulostin"), (1920, 1080))]
    for lang in LANGS:
        assert TEXTS[lang]["error"] in texts and TEXTS[lang]["error_hint"] in texts
    assert "Tulostin" in texts


def test_ticket_phase_without_a_ticket_fails_visibly() -> None:
    texts = [i.text for i in layout_kiosk_texts(kiosk("ticket"), (1920, 1080))]
    assert TEXTS["fi"]["error"] in texts


def nine_services() -> tuple[KioskService, ...]:
    names = ("Kela", "Verohallinto", "Maahanmuuttovirasto", "Digi- ja väestötietovirasto",
             "Ulosottolaitos", "Maanmittauslaitos", "Oikeusaputoimisto",
             "Talous- ja velkaneuvonta", "Etäpalvelu")
    tomorrow = NOW + timedelta(days=1)  # every third closed, with its opening time
    return tuple(KioskService(f"s{i}", name, i % 3 != 1, None if i % 3 != 1 else tomorrow)
                 for i, name in enumerate(names))


@pytest.mark.parametrize("size", SIZES)
def test_the_list_turns_pages_only_below_the_readable_floor(size) -> None:
    from firmware.kiosk.screen import layout_kiosk

    view = KioskView("Suomi-piste Kallio", nine_services(), "start", None, "", now=NOW)
    assert layout_kiosk(view, size).pages == 1  # no floor (a picture of no device): one page
    paged = dataclasses.replace(view, text_px=46)
    first = layout_kiosk(paged, size)
    assert first.pages == 2 and first.page == 0
    # A page past the last (the language or the text size changed) shows the last one.
    last = layout_kiosk(dataclasses.replace(paged, page=7), size)
    assert last.page == 1
    turns = [(b.label, b.enabled, b.arg) for b in last.buttons if b.action == "page"]
    assert turns == [("Edellinen sivu", True, "0/2"), ("Seuraava sivu", False, "2/2")]


def test_speech_reads_the_page_on_screen_and_how_to_turn_it() -> None:
    from firmware.kiosk.screen import layout_kiosk
    from firmware.kiosk.speech import screen_text

    view = KioskView("Suomi-piste Kallio", nine_services(), "start", None, "", now=NOW,
                     text_px=46, page=1, lang="en")
    layout = layout_kiosk(view, (1920, 1080))
    said = screen_text(view, layout.buttons)
    shown = [s.name for s in nine_services()
             if s.id in {b.service_id for b in layout.buttons if b.action == "issue"}]
    assert "Page 2/2." in said and "Previous page." in said and "Next page" not in said
    assert "Etäpalvelu" in said and "Kela" not in said
    assert all(name in said for name in shown)
