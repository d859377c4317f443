"""Counted words in the CLI and the console: "1 day", "2 days"; "1 päivä", "2 päivää";
"1 dag", "2 dagar". Never "1 problems"."""

from __future__ import annotations

import dataclasses
import re
import string
from datetime import UTC, datetime

import pytest

from firmware.core.congestion import CongestionChange
from firmware.core.plural import FORMATTER, counted
from firmware.site_config import load_site_config
from firmware.site_config.summary import summarize
from firmware.web.texts import LANGS, TEXTS, translator
from tests.conftest import DEMO_SITE


@pytest.mark.parametrize(("n", "one", "other", "said"), [
    (1, "ongelma", "ongelmaa", "1 ongelma"), (2, "ongelmaa", "ongelmaa", "2 ongelmaa"),
    (0, "päivä", "päivää", "0 päivää"), (1, "dag", "dagar", "1 dag"),
    (2, "dag", "dagar", "2 dagar"), (0, "dag", "dagar", "0 dagar"),
    (1, "problem", "problems", "1 problem"), (21, "day", "days", "21 days"),
])
def test_one_is_singular_every_other_number_is_not(n: int, one: str, other: str,
                                                   said: str) -> None:
    assert counted(n, one, other) == said


def test_the_text_spec_picks_the_form() -> None:
    assert FORMATTER.format("{d:#päivä|päivää}, {n:>3}", d=1, n=7) == "1 päivä,   7"
    assert FORMATTER.format("{d:#päivä|päivää}", d=4) == "4 päivää"


def say(key: str, lang: str, **values: object) -> str:
    return translator(lang)(key, **values)


@pytest.mark.parametrize(("lang", "one_day", "two_days"), [
    ("fi", "1 päivänä saapui yhteensä 1 asiakas; vilkkain päivä oli 1.12. (1 saapunut).",
     "2 päivänä saapui yhteensä 2 asiakasta; vilkkain päivä oli 1.12. (2 saapunutta)."),
    ("sv", "1 ankomst under 1 dag; den livligaste var 1.12. med 1.",
     "2 ankomster under 2 dagar; den livligaste var 1.12. med 2."),
    ("en", "1 arrival on 1 day; the busiest was 1.12. with 1.",
     "2 arrivals on 2 days; the busiest was 1.12. with 2."),
])
def test_the_months_summary_in_each_language(lang: str, one_day: str, two_days: str) -> None:
    assert say("stats_daily_summary", lang, days=1, total=1, day="1.12.", busiest=1) == one_day
    assert say("stats_daily_summary", lang, days=2, total=2, day="1.12.", busiest=2) == two_days


def test_the_month_table_caption_and_the_walking_summary() -> None:
    assert say("stats_month_caption", "fi", month="2026-12", days=1) == \
        "2026-12 virastoittain: tietoja 1 päivältä"
    assert say("stats_month_caption", "sv", month="2026-12", days=1) == \
        "2026-12 per myndighet: 1 dag med data"
    assert say("stats_month_caption", "en", month="2026-12", days=3) == \
        "2026-12 per authority: 3 days with data"
    walking = {"median": 20, "p90": 30}
    assert say("stats_walking_summary", "en", calls=1, arrived=1, **walking).startswith(
        "Of 1 call, 1 customer was seen to arrive")
    assert say("stats_walking_summary", "sv", calls=2, arrived=1, **walking).startswith(
        "Av 2 kallelser sågs 1 kund komma fram")


# A number's placeholder followed by a plural noun that does not change with it.
FIXED_PLURALS = re.compile(r"\{\w+\} (days|dagar|päivää|customers|kunder|asiakasta|arrivals|"
                           r"ankomster|saapunutta|calls|kallelser|problems|ongelmaa|answers)\b")


def test_no_console_text_counts_with_a_fixed_plural() -> None:
    for key, words in TEXTS.items():
        for lang, text in zip(LANGS, words, strict=True):
            assert not FIXED_PLURALS.search(text), f"{key} ({lang}): {text}"


def test_every_counted_word_has_two_forms_that_differ_by_the_number() -> None:
    for key, words in TEXTS.items():
        for text in words:
            for _, name, spec, _ in string.Formatter().parse(text):
                if spec and spec.startswith("#"):
                    one, bar, other = spec[1:].partition("|")
                    assert bar and one and other, f"{key}: {{{name}:{spec}}}"


def test_the_congestion_alert_counts_one_customer_right() -> None:
    config = load_site_config(DEMO_SITE)
    change = CongestionChange(service="kela", raised=True, waiting=1, eta_minutes=5)
    message = change.payload(config, "a1", datetime(2026, 12, 1, tzinfo=UTC))["message"]
    assert "jonossa 1 asiakas," in message["fi"]
    assert "1 kund i kö" in message["sv"]
    assert "1 customer waiting" in message["en"]


def test_the_config_summary_counts_right() -> None:
    config = load_site_config(DEMO_SITE)
    one_room = dataclasses.replace(config, rooms=config.rooms[:1])
    text = summarize(one_room)
    assert re.search(r"^1 room:$", text, re.M), text
    assert re.search(rf"^{len(config.devices)} devices:$", text, re.M), text
