"""The console's words: every key in three languages, every key the pages use exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selenium.webdriver.common.by import By

from firmware.clock import ManualClock
from firmware.web.texts import LANGS, SCRIPT_KEYS, TEXTS, pick_lang, translator
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.web_site import browser, console_errors, console_site, log_in, shown_text

WEB = Path(__file__).resolve().parent.parent / "firmware" / "web"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_is_there_in_finnish_swedish_and_english() -> None:
    for key, words in TEXTS.items():
        assert len(words) == len(LANGS) and all(w.strip() for w in words), key
        assert fields(words[0]) == fields(words[1]) == fields(words[2]), key


def test_every_key_the_pages_use_exists() -> None:
    used: set[str] = set()
    for template in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", template.read_text()))
    for script in (WEB / "static").glob("*.js"):
        found = set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", script.read_text()))
        # `t("st_" + state)`: a family of keys, each of which the scripts get.
        for prefix in {k for k in found if k.endswith("_")}:
            assert any(k.startswith(prefix) for k in SCRIPT_KEYS), prefix
        found = {k for k in found if not k.endswith("_")}
        assert found <= set(SCRIPT_KEYS), f"{script.name}: {found - set(SCRIPT_KEYS)}"
        used |= found
    for prefix in {k for k in used if k.endswith("_")}:  # t("nav_" ~ name) in a template
        assert any(k.startswith(prefix) for k in TEXTS), prefix
    assert {k for k in used if not k.endswith("_")} - set(TEXTS) == set()
    assert set(SCRIPT_KEYS) <= set(TEXTS)


def test_the_language_is_the_staff_members_then_the_browsers_then_finnish() -> None:
    assert pick_lang("sv", "en-US,en") == "sv"
    assert pick_lang(None, "de-DE, sv-FI;q=0.8, en;q=0.5") == "sv"
    assert pick_lang("xx", "de") == "fi"
    assert translator("fi")("call_next") == "Kutsu seuraava"
    assert translator("en")("no such key") == "no such key"


@pytest.mark.slow
def test_a_clerk_works_in_finnish(memory_broker, tmp_path) -> None:
    from mqtt_bridge import topics

    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 9, 0))) as site, \
            browser() as page:
        with site.client() as kiosk:
            kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        page.get(site.url + "/lang/fi?next=/login")
        assert page.find_element(By.TAG_NAME, "h1").text == "Kirjaudu henkilöstön konsoliin"
        log_in_finnish = page.find_element(By.CSS_SELECTOR, "form button[type=submit]").text
        assert log_in_finnish == "Kirjaudu sisään"
        page.find_element(By.ID, "name").send_keys("clerk1")
        page.find_element(By.ID, "password").send_keys("correct horse battery")
        page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(lambda: shown_text(page, "#live-state") == "Ajantasalla",
                 what="the live stream, in Finnish")
        assert shown_text(page, "#now-h") == "Palvelussa nyt"
        page.find_element(By.ID, "btn-next").click()
        wait_for(lambda: (shown_text(page, "#clerk-message") or "").startswith(
            "Kutsuttu K001"), what="the answer in Finnish")
        page.find_element(By.CSS_SELECTOR, '.langs a[lang="sv"]').click()
        wait_for(lambda: shown_text(page, "#now-h") == "Betjänas nu",
                 what="the same page in Swedish")
        # The called number comes with the new page's live stream, a moment after the page.
        wait_for(lambda: shown_text(page, "#called") == "K001", what="K001 still called")
        assert console_errors(page) == []


def test_english_is_what_the_tests_log_in_with(memory_broker, tmp_path) -> None:
    # Debian's Chromium asks for en-US: the other tests read English words.
    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 9, 0))) as site, \
            browser() as page:
        log_in(page, site, "advisor")
        assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


def test_the_consoles_colours_keep_7_to_1(tmp_path) -> None:
    """Text on its background in the console's style sheet: WCAG AAA, as on the kiosk."""
    from display_driver.theme import contrast_ratio

    css = (WEB / "static" / "console.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", css))

    def rgb(value: str) -> tuple[int, int, int]:
        value = colours.get(value, value).lstrip("#")
        if len(value) == 3:
            value = "".join(c * 2 for c in value)
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)

    pairs = [("ink", "paper"), ("muted", "paper"), ("brand", "paper"),
             ("brand-ink", "brand"), ("ok", "paper"), ("warn", "paper"), ("bad", "paper"),
             ("ink", "soft"), ("muted", "soft"), ("bad", "#fde8e8"), ("ok", "#e6f4ea"),
             ("ok", "#fff"), ("bad", "#fff")]
    low = {f"{fg} on {bg}": round(contrast_ratio(rgb(fg), rgb(bg)), 2) for fg, bg in pairs
           if contrast_ratio(rgb(fg), rgb(bg)) < 7.0}
    assert low == {}


def test_the_focus_ring_stands_3_to_1_on_every_background_of_the_console() -> None:
    """WCAG 2.4.13/1.4.11: the ring is two rings (dark outside, white inside, 3 px each);
    on every background the style sheets paint, one of them keeps at least 3:1."""
    from display_driver.theme import contrast_ratio

    sheets = "".join((WEB / "static" / name).read_text() for name in ("console.css",
                                                                       "stats.css"))
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", sheets))

    def rgb(value: str) -> tuple[int, int, int]:
        value = colours.get(value, value).lstrip("#")
        if len(value) == 3:
            value = "".join(c * 2 for c in value)
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)

    ring = re.search(r":focus-visible \{([^}]*)\}", sheets)
    assert ring is not None
    assert re.search(r"outline: 3px solid var\(--focus\); outline-offset: 3px;", ring[1])
    assert "box-shadow: 0 0 0 3px var(--focus-halo)" in ring[1]  # fills the 3 px offset
    backgrounds = {m[1] or m[0] for m in re.findall(
        r"background(?:-color)?:\s*(?:var\(--([a-z-]+)\)|(#[0-9a-fA-F]{3,6}))", sheets)}
    assert {"paper", "brand", "soft", "#fde8e8", "#e6f4ea"} <= backgrounds
    weak = {bg: round(max(contrast_ratio(rgb("focus"), rgb(bg)),
                          contrast_ratio(rgb("focus-halo"), rgb(bg))), 2)
            for bg in backgrounds}
    assert {bg: ratio for bg, ratio in weak.items() if ratio < 3.0} == {}
    assert contrast_ratio(rgb("focus"), rgb("focus-halo")) >= 3.0


@settings(max_examples=500)
@given(st.text(max_size=40) | st.sampled_from(["//evil.example", "/\\evil.example",
                                                "/\\/evil.example", "/%2F/x", "/ok?x=//y"]))
def test_after_login_and_language_the_browser_stays_on_the_console(target: str) -> None:
    from urllib.parse import urljoin, urlsplit

    from firmware.web.auth import local_path

    if local_path(target):
        # A browser reads a backslash as a slash, and drops tabs and newlines.
        seen = target.replace("\\", "/")
        assert urlsplit(urljoin("https://console.example/", seen)).netloc == "console.example"
