"""Readable from the back row: every ticket number >= 1 degree of arc, every text >= 7:1."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import dataclasses

import pytest

from display_driver import theme
from display_driver.layout import TextItem
from firmware.display.lobby_screen import LobbyView, layout_lobby
from firmware.display.readability import letter_height_mm, needed_letter_mm
from firmware.screenshots.display import SIZES, display_config, views
from firmware.site_config import load_site_config
from tests.conftest import DEMO_SITE


@pytest.mark.parametrize("label", list(SIZES))
def test_numbers_reach_one_degree_and_every_text_is_aaa(label: str) -> None:
    config = load_site_config(DEMO_SITE)
    display = display_config(config)
    size = SIZES[label]
    for name, view in views(config, size).items():
        items = layout_lobby(view, size)
        tickets = [i for i in items if i.role.startswith("ticket")]
        if name in ("busy", "slide"):
            assert tickets, name
        for item in tickets:
            assert letter_height_mm(item.size, display, size) >= needed_letter_mm(display), item
        for item in items:
            assert (item.fg, item.bg) in theme.TEXT_PAIRS, item
            assert theme.contrast_ratio(item.fg, item.bg) >= theme.MIN_CONTRAST


def test_every_authority_is_on_the_landscape_screen() -> None:
    config = load_site_config(DEMO_SITE)
    view = views(config, SIZES["landscape"])["busy"]

    def page(number: int, base: LobbyView = view) -> list[TextItem]:
        return layout_lobby(dataclasses.replace(base, service_page=number), SIZES["landscape"])

    marks = [i.text for i in page(0) if i.role == "page"]
    assert marks and marks[0].endswith("/" + marks[0].split("/")[1])
    count = int(marks[0].split("/")[1])
    names = " ".join(i.text for p in range(count) for i in page(p) if i.role == "service")
    assert names == " ".join(s.name.fi for s in config.services)  # all nine, in site order
    assert marks[0] == f"Sivu · Sida · Page 1/{count}"  # said in words, not a bare "1/3"
    assert [i.text for i in page(count) if i.role == "page"] == marks  # turns over
    many = dataclasses.replace(view, services=view.services * 3)
    many_count = int(next(i.text for i in page(0, many) if i.role == "page").split("/")[1])
    assert many_count > count  # three times the rows turn over more pages, all of them shown
    shown = " ".join(i.text for p in range(many_count) for i in page(p, many)
                     if i.role == "service")
    assert shown == " ".join([s.name.fi for s in config.services] * 3)
