"""The kiosk counts in words the way each language does: "1 second", "2 seconds";
"1 sekund", "2 sekunder"; "1 sekunnin", "2 sekunnin" (firmware/core/plural.py)."""

from __future__ import annotations

import dataclasses

import pytest

from firmware.kiosk.screen import KioskTicket, layout_kiosk_texts, refusal_text
from firmware.kiosk.speech import said, screen_text
from firmware.kiosk.texts import text, wait_words
from firmware.screenshots.samples import kiosk

ONE_AND_TWO = {
    # key, values: (said for one, said for two) per language
    ("warning_hint", "n"): {
        "fi": ("Näyttö palaa alkuun 1 sekunnin kuluttua.",
               "Näyttö palaa alkuun 2 sekunnin kuluttua."),
        "sv": ("Skärmen går tillbaka till början om 1 sekund.",
               "Skärmen går tillbaka till början om 2 sekunder."),
        "en": ("The screen goes back to the start in 1 second.",
               "The screen goes back to the start in 2 seconds."),
    },
    ("pin_short", "n"): {
        "fi": ("PIN-koodissa on vähintään 1 numero.", "PIN-koodissa on vähintään 2 numeroa."),
        "sv": ("PIN-koden har minst 1 siffra.", "PIN-koden har minst 2 siffror."),
        "en": ("A PIN has at least 1 digit.", "A PIN has at least 2 digits."),
    },
    ("wait_minutes", "n"): {
        "fi": ("1 minuutin kuluttua", "2 minuutin kuluttua"),
        "sv": ("om 1 minut", "om 2 minuter"),
        "en": ("in 1 minute", "in 2 minutes"),
    },
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("key", list(ONE_AND_TWO))
def test_one_and_two_take_their_own_forms(key: tuple[str, str], lang: str) -> None:
    name, value = key
    one, two = ONE_AND_TWO[key][lang]
    assert text(lang, name, **{value: 1}) == one
    assert text(lang, name, **{value: 2}) == two


def test_the_refusal_says_one_minute_and_several_minutes() -> None:
    view = dataclasses.replace(kiosk("refused"), notice="unknown", checkin_minutes=(1, 15))
    assert "1 minute before" in refusal_text(dataclasses.replace(view, lang="en"))
    assert "15 minutes after" in refusal_text(dataclasses.replace(view, lang="en"))
    sv = refusal_text(dataclasses.replace(view, lang="sv"))
    assert "1 minut före" in sv and "15 minuter efter" in sv
    fi = refusal_text(dataclasses.replace(view, lang="fi"))
    assert "1 minuutti ennen" in fi and "15 minuuttia sen jälkeen" in fi


def test_waits_are_counted_and_a_second_is_a_moment() -> None:
    assert wait_words("en", 2) == "in 2 seconds"
    assert wait_words("sv", 2) == "om 2 sekunder"
    assert wait_words("en", 1) == "in a moment"  # never "in 1 seconds"
    assert wait_words("en", 91) == "in 2 minutes"


@pytest.mark.parametrize("lang, one, two", [
    ("fi", "Kirjoitettu 1 merkki.", "Kirjoitettu 2 merkkiä."),
    ("sv", "1 tecken skrivet.", "2 tecken skrivna."),
    ("en", "1 character typed.", "2 characters typed."),
])
def test_speech_counts_the_typed_characters(lang: str, one: str, two: str) -> None:
    assert said(lang, "typed", n=1) == one
    assert said(lang, "typed", n=2) == two


def test_the_last_second_of_more_time_is_shown_and_said_in_the_singular() -> None:
    view = dataclasses.replace(kiosk("ticket", KioskTicket("K043", "Kela", 6, 25)),
                               lang="en", seconds_left=1)
    shown = [t.text for t in layout_kiosk_texts(view, (1920, 1080))]
    assert "The screen goes back to the start in 1 second." in shown
    assert "in 1 second." in screen_text(view, [])
