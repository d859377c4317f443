"""`piste screenshot kiosk` writes every kiosk screen in each language and the ticket."""

from __future__ import annotations

import pygame

from firmware.screenshots import kiosk
from firmware.site_config import load_site_config
from firmware.site_model import LANGS
from tests.conftest import DEMO_SITE

SCREENS = ("start", "start-page-2", "appointment", "issuing", "ticket", "not-printed",
           "refused-unknown", "refused-busy", "refused-attempts", "refused-forbidden", "limit",
           "more-time",
           "out-of-order", "large-text", "start-portrait", "technician-pin",
           "technician-pin-locked", "printed-ticket")


def test_every_screen_in_every_language(tmp_path) -> None:
    assert kiosk.main(load_site_config(DEMO_SITE), tmp_path) == 0
    for screen in SCREENS:
        for lang in LANGS:
            assert (tmp_path / f"{screen}-{lang}.png").is_file(), (screen, lang)
    assert pygame.image.load(tmp_path / "start-fi.png").get_size() == (1920, 1080)
    assert pygame.image.load(tmp_path / "start-portrait-fi.png").get_size() == (1080, 1920)
    # One refusal for every code that does not check in now: no "too early" screen is left.
    assert not list(tmp_path.glob("refused-early-*")) and not list(tmp_path.glob("refused-late*"))
