"""The pages of a real day (issue 24) in a real headless Chromium: what the clerk and the
advisor see of the rooms' states, the session languages, the called ticket's language,
"needs assistance" and next authorities, and a kiosk asking for help; what the browser posts
when they use them, by keyboard; and axe-core finds nothing with all of it on screen.

The pages draw from the live view the console pushes. Here a view with the snapshot's new
parts is handed to the page as the stream would (the same "lobby" event), in the same
script that reads the page, so a real push in between cannot change what is read. What the
browser posts is recorded on its way to the server; the server's side of each body is in
tests/test_console_day.py, the whole path to the controller in tests/test_console_day_live.py.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from firmware.clock import ManualClock
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.test_web_a11y import axe_source, axe_violations
from tests.web_site import browser, console_site, log_in

pytestmark = pytest.mark.slow

# The page's own view, with a real day's parts: room 1 paused for lunch serving K001 (in
# Swedish, needing assistance, then the Tax Administration), kiosk-1 asking for help.
DAY = {
    "state": "paused", "reason": "lunch", "state_since": "2026-11-30T10:30:00+02:00",
    "languages": ["fi", "sv"],
    "serving": {"number": "K001", "called_at": "2026-11-30T10:20:00+02:00", "service": "kela",
                "lang": "sv", "assistance": True, "then": ["vero"]},
}
HELP = [{"device": "kiosk-1", "since": "2026-11-30T10:59:00+02:00"}]

# Records what the page posts to /api/act (and still posts it).
RECORD = """
    window.sent = [];
    const post = window.fetch.bind(window);
    window.fetch = (url, options) => {
      if (url === "/api/act") window.sent.push(JSON.parse(options.body));
      return post(url, options);
    };"""
# Hands the page a view as the stream does, and reads back the text of the elements asked
# for, in one step.
SHOW_AND_READ = r"""
    const [view, ids] = arguments;
    window.dispatchEvent(new CustomEvent("lobby", { detail: view }));
    return Object.fromEntries(ids.map((id) => [
      id, document.querySelector(id).innerText.replace(/\s+/g, " ").trim()]));"""


@pytest.fixture
def site(memory_broker: Any, tmp_path: Path) -> Iterator[Any]:
    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 11, 0))) as running:
        yield running


def day_view(site: Any, room: dict[str, Any] | None = None,
             help_wanted: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The console's live view now, with room 1 and the kiosks asking for help as a real
    day's snapshot makes them."""
    view = copy.deepcopy(site.web_role().view())
    view["rooms"] = [{**r, **(DAY if room is None else room)} if r["id"] == "1" else r
                     for r in view["rooms"]]
    view["help_wanted"] = HELP if help_wanted is None else help_wanted
    return view


def show(page: Any, site: Any, ids: list[str], **parts: Any) -> dict[str, str]:
    return page.execute_script(SHOW_AND_READ, day_view(site, **parts), ids)


def open_page(page: Any, site: Any, name: str, path: str, lang: str = "en") -> None:
    log_in(page, site, name, path, lang)
    page.execute_script(RECORD)


def in_language(page: Any, site: Any, path: str, lang: str) -> None:
    page.get(f"{site.url}/lang/{lang}?next={path}")
    wait_for(lambda: "on" in page.find_element(By.ID, "live-state").get_attribute("class"),
             what=f"{path} in {lang}")
    page.execute_script(RECORD)


def sent(page: Any) -> list[dict[str, Any]]:
    return page.execute_script("return window.sent")


def test_the_clerk_sees_the_rooms_state_and_the_called_tickets_notes(site) -> None:
    with browser() as page:
        open_page(page, site, "clerk1", "/clerk")
        shown = show(page, site, ["#called", "#called-notes", "#room-state"])
        assert shown["#called"] == "K001"
        assert shown["#called-notes"] == \
            "Language: Swedish · Needs assistance · then: Tax Administration"
        assert shown["#room-state"].startswith("Paused: lunch · since ")
        # The switch follows the room's state; the languages follow the room's.
        assert page.find_element(By.ID, "state-pick").get_attribute("value") == "paused:lunch"
        boxes = {b.get_attribute("value"): b.is_selected()
                 for b in page.find_elements(By.CSS_SELECTOR, 'input[name="lang"]')}
        assert boxes == {"fi": True, "sv": True, "en": False}
        # In Finnish and Swedish too.
        for lang, words in (("fi", "Kieli: ruotsi · Tarvitsee apua · sitten: Verohallinto"),
                            ("sv", "Språk: svenska · Behöver hjälp · sedan: "
                                   "Skatteförvaltningen")):
            in_language(page, site, "/clerk", lang)
            assert show(page, site, ["#called-notes"]) == {"#called-notes": words}
        # Nobody called: no notes.
        assert show(page, site, ["#called-notes"], room={**DAY, "serving": None}) == {
            "#called-notes": ""}


def test_the_clerk_pauses_by_keyboard_and_no_stray_key_does(site) -> None:
    with browser() as page:
        open_page(page, site, "clerk1", "/clerk")
        # A letter on the page, or in the switch, sends nothing.
        page.find_element(By.TAG_NAME, "body").send_keys("p")
        assert sent(page) == []
        pick = page.find_element(By.ID, "state-pick")
        pick.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)  # serving -> break -> lunch
        assert sent(page) == []
        pick.send_keys(Keys.TAB)
        page.switch_to.active_element.send_keys(Keys.ENTER)  # the switch's button
        wait_for(lambda: sent(page), what="the state change posted")
        assert sent(page) == [{"action": "room-state", "room": "1", "state": "paused",
                               "reason": "lunch"}]
        # The answer is said in the live region (whatever the controller said).
        wait_for(lambda: page.find_element(By.ID, "clerk-message").text, what="the answer")
        assert page.find_element(By.ID, "clerk-message").get_attribute("aria-live") == "polite"


def test_the_clerk_changes_languages_and_continues_a_visit(site) -> None:
    with browser() as page:
        open_page(page, site, "clerk1", "/clerk")
        english = page.find_element(By.CSS_SELECTOR, 'input[name="lang"][value="en"]')
        before = english.is_selected()
        english.send_keys(Keys.SPACE)
        wait_for(lambda: sent(page), what="the languages posted")
        chosen = [x for x in ("fi", "sv", "en") if x != "en" or not before]
        checked = [b.get_attribute("value") for b in page.find_elements(
            By.CSS_SELECTOR, 'input[name="lang"]') if b.get_attribute("value") in chosen]
        assert sent(page)[0] == {"action": "room-languages", "room": "1",
                                 "languages": checked}
        wait_for(lambda: page.find_element(By.ID, "clerk-message").text, what="the answer")
        page.find_element(By.CSS_SELECTOR, '#continue-to option[value="vero"]').click()
        page.find_element(By.CSS_SELECTOR, "#form-continue button").click()
        wait_for(lambda: len(sent(page)) == 2, what="complete and continue posted")
        assert sent(page)[1] == {"action": "complete", "room": "1", "then": "vero"}


def test_the_advisor_sees_help_wanted_and_the_rooms_states(site) -> None:
    with browser() as page:
        open_page(page, site, "advisor", "/advisor")
        shown = show(page, site, ["#help", '#rooms tr[data-room="1"]'])
        assert shown["#help"].startswith("Help wanted at kiosk-1 since ")
        assert "On my way" in shown["#help"]
        room = shown['#rooms tr[data-room="1"]']
        assert "Paused: lunch · since " in room and "K001 · Needs assistance" in room
        assert "Finnish, Swedish" in room
        button = page.find_element(By.CSS_SELECTOR, '#help li[data-device="kiosk-1"] button')
        assert button.get_attribute("aria-label") == "On my way to kiosk-1"
        button.send_keys(Keys.ENTER)
        wait_for(lambda: sent(page), what="the answer to the help request")
        assert sent(page) == [{"action": "help-answer", "device": "kiosk-1"}]
        wait_for(lambda: page.find_element(By.ID, "help-message").text, what="said")
        assert show(page, site, ["#help"], help_wanted=[]) == {
            "#help": "Nobody is asking for help."}


def test_the_advisor_issues_marks_adds_and_reprints(site) -> None:
    with browser() as page:
        open_page(page, site, "advisor", "/advisor")
        page.find_element(By.CSS_SELECTOR, '#issue-lang option[value="sv"]').click()
        page.find_element(By.CSS_SELECTOR, '#issue-then-1 option[value="vero"]').click()
        page.find_element(By.ID, "issue-assist").send_keys(Keys.SPACE)
        page.find_element(By.CSS_SELECTOR, "#form-issue button").click()
        wait_for(lambda: sent(page), what="the issue posted")
        assert sent(page)[0] == {"action": "issue", "service": "kela", "lang": "sv",
                                 "print_on": "", "assistance": True, "then": ["vero"]}
        wait_for(lambda: page.find_element(By.ID, "issue-message").text, what="said")
        number = page.find_element(By.ID, "ticket-number")
        for what, extra, body in (
                ("assist-on", {}, {"action": "assist", "ticket": "K001", "assistance": True}),
                ("assist-off", {}, {"action": "assist", "ticket": "K001",
                                    "assistance": False}),
                ("add-service", {"ticket-service": "migri"},
                 {"action": "add-service", "ticket": "K001", "service": "migri"}),
                ("reprint", {}, {"action": "reprint", "ticket": "K001", "device": "kiosk-1"})):
            count = len(sent(page))
            number.clear()
            number.send_keys("k001")
            page.find_element(By.CSS_SELECTOR, f'#ticket-action option[value="{what}"]').click()
            for select, value in extra.items():
                page.find_element(By.CSS_SELECTOR, f'#{select} option[value="{value}"]').click()
            number.send_keys(Keys.ENTER)  # Enter in the number sends the form
            wait_for(lambda count=count: len(sent(page)) > count, what=what)
            assert sent(page)[-1] == body
            wait_for(lambda: page.find_element(By.ID, "ticket-message").text, what="said")


def test_axe_finds_nothing_on_a_real_days_pages(site) -> None:
    source = axe_source()
    found: dict[str, list[str]] = {}
    with browser() as page:
        page.set_script_timeout(30)
        for name, path in (("clerk1", "/clerk"), ("advisor", "/advisor")):
            open_page(page, site, name, path)
            for lang in ("fi", "sv", "en"):
                in_language(page, site, path, lang)
                show(page, site, ["main"])
                found[f"{path} {lang}"] = axe_violations(page, source)
            page.find_element(By.CSS_SELECTOR, ".logout button").click()
            wait_for(lambda: "/login" in page.current_url, what="the log-out")
    bad = [f"{where}: {v}" for where, there in found.items() for v in there]
    assert bad == [], "\n".join(bad)
