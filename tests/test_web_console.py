"""The staff console in a real headless Chromium, against a real controller on the in-memory
broker (the broker is not what these tests are about; tests/test_web_live.py has it go away).

A clerk calls a number from the browser and the advisor's page and the queue display both
show it; a clerk cannot act for another room, whatever the browser sends; a logged-out
user sees nothing; the pages load with no script error under the content security policy.
"""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from firmware.clock import ManualClock
from mqtt_bridge import topics
from testkit.console_site import DeviceThread, device_runtime
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.web_site import (
    PASSWORD,
    browser,
    console_errors,
    console_site,
    http_get,
    log_in,
    shown_text,
)

pytestmark = pytest.mark.slow
# Kela's waiting count on the advisor's page (read with shown_text: the rows are redrawn).
KELA_WAITING = '#queues tr[data-service="kela"] td:nth-child(2)'


def issue(site, service: str = "kela", count: int = 1) -> list[str]:
    """Customers take numbers at a kiosk (a client of the broker, as a kiosk is)."""
    with site.client() as client:
        return [client.request(topics.ISSUE, {"service": service, "lang": "fi"})["ticket"]
                ["number"] for _ in range(count)]


def test_a_clerk_calls_and_the_advisor_and_the_display_show_it(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as clerk, \
            browser() as advisor:
        issue(site, "kela", 2)
        log_in(advisor, site, "advisor")
        assert advisor.current_url.endswith("/advisor")
        wait_for(lambda: shown_text(advisor, KELA_WAITING) == "2",
            what="two waiting for Kela on the advisor's page")
        log_in(clerk, site, "clerk1")
        assert clerk.current_url.endswith("/clerk")
        ActionChains(clerk).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("n") \
            .key_up(Keys.SHIFT).key_up(Keys.ALT).perform()  # the keyboard shortcut
        wait_for(lambda: clerk.find_element(By.ID, "called").text == "K001",
                 what="the clerk's called number")
        assert "Called K001" in clerk.find_element(By.ID, "clerk-message").text
        wait_for(lambda: shown_text(advisor, '#rooms tr[data-room="1"] td:nth-child(3)') == \
                 "K001",
            what="the advisor's room table")
        wait_for(lambda: shown_text(advisor, KELA_WAITING) == "1",
            what="one left waiting")
        display = site.display_role()
        wait_for(lambda: any(c.get("ticket") == "K001" and c.get("room") == "1"
                             for c in display.snapshot.get("serving", [])),
                 what="the queue display to show K001 in room 1")
        clerk.find_element(By.ID, "btn-complete").click()
        wait_for(lambda: clerk.find_element(By.ID, "called").text == "Nobody being served",
                 what="the room to be free")
        wait_for(lambda: clerk.find_element(By.ID, "called-detail").text.startswith(
            "Last served K001 at "), what="the number the clerk served last")
        assert console_errors(clerk) == [] and console_errors(advisor) == []


def test_a_clerk_cannot_act_for_another_room(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as clerk:
        issue(site, "kela", 1)
        log_in(clerk, site, "clerk1")
        # The page offers only room 1; a hand-made request for room 2 is refused on the server.
        answer = clerk.execute_async_script("""
            const done = arguments[arguments.length - 1];
            piste.act("call", {room: "2", services: ["kela"]}).then(done);""")
        assert answer["ok"] is False and "room 1, not room 2" in answer["message"]
        assert site.web_role().view()["rooms"][1]["serving"] is None
        for page in ("/advisor", "/stats", "/health"):
            clerk.get(site.url + page)
            assert "not for your login" in clerk.find_element(By.TAG_NAME, "h1").text
        # Nor may a clerk issue numbers: that is the advisor's.
        answer = clerk.execute_async_script("""
            const done = arguments[arguments.length - 1];
            piste.act("issue", {service: "kela", lang: "fi"}).then(done);""")
        assert answer["ok"] is False


def test_logged_out_sees_nothing(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site:
        issue(site, "kela", 1)
        for path in ("/", "/clerk", "/advisor", "/stats", "/health", "/stats/day.json",
                     "/stats/day.csv"):
            status, headers, body = http_get(site.url + path)
            assert status == 303 and headers["location"].startswith("/login"), path
            assert b"K001" not in body
        # A link to a day of the statistics survives the login.
        status, headers, _ = http_get(site.url + "/stats?day=2026-11-30")
        assert headers["location"] == "/login?next=/stats%3Fday%3D2026-11-30"
        status, _, body = http_get(site.url + "/live")
        assert status == 401 and b"K001" not in body
        with browser() as page:
            page.get(site.url + "/advisor")
            assert page.current_url.startswith(site.url + "/login")
            assert "K001" not in page.page_source
            page.find_element(By.ID, "name").send_keys("advisor")
            page.find_element(By.ID, "password").send_keys("wrong password!")
            page.find_element(By.ID, "password").send_keys(Keys.ENTER)
            wait_for(lambda: "Wrong name or password" in page.page_source, what="the refusal")
            log_in(page, site, "advisor", "/advisor")
            page.find_element(By.CSS_SELECTOR, ".logout button").click()
            wait_for(lambda: "/login" in page.current_url, what="the log-out")
            page.get(site.url + "/advisor")
            assert page.current_url.startswith(site.url + "/login")


def test_actions_need_the_pages_csrf_token(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as clerk:
        issue(site, "kela", 1)
        log_in(clerk, site, "clerk1")
        status = clerk.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch("/api/act", {method: "POST", headers: {"Content-Type": "application/json"},
                  body: JSON.stringify({action: "call", room: "1", services: ["kela"]})})
              .then(r => done(r.status));""")
        assert status == 403
        assert site.web_role().view()["rooms"][0]["serving"] is None


def test_the_advisor_issues_fixes_and_enters_a_paper_form(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as advisor:
        log_in(advisor, site, "advisor")
        advisor.find_element(By.CSS_SELECTOR, '#issue-service option[value="vero"]').click()
        advisor.find_element(By.CSS_SELECTOR, "#form-issue button").click()
        wait_for(lambda: advisor.find_element(By.ID, "issued").text == "V001",
                 what="the issued number")
        # A wrong choice: the customer wanted Kela.
        advisor.find_element(By.ID, "fix-number").send_keys("V001")
        advisor.find_element(By.CSS_SELECTOR, '#fix-to option[value="kela"]').click()
        advisor.find_element(By.CSS_SELECTOR, "#form-fix button").click()
        wait_for(lambda: "now waits for kela" in advisor.find_element(By.ID, "fix-message").text,
                 what="the transfer")
        wait_for(lambda: shown_text(advisor, KELA_WAITING) == "1",
            what="the customer in Kela's queue")
        advisor.find_element(By.CSS_SELECTOR, '#form-feedback input[value="3"]').click()
        advisor.find_element(By.ID, "fb-words").send_keys("Nopeaa palvelua, soita 040 123 4567")
        advisor.find_element(By.CSS_SELECTOR, "#form-feedback button").click()
        wait_for(lambda: "Recorded" in advisor.find_element(By.ID, "feedback-message").text,
                 what="the paper rating recorded")
    ledger = tmp_path / "lobby" / "ledger.sqlite"
    import sqlite3

    rows = sqlite3.connect(ledger).execute(
        "select data from events where type = 'feedback.given'").fetchall()
    data = json.loads(rows[-1][0])
    assert data["rating"] == 3 and data["device"] == "console"
    assert "040" not in data["words"]


def test_a_password_is_not_enough_after_the_user_is_removed(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as page:
        log_in(page, site, "tech")
        site.users_file.write_text(site.users_file.read_text().replace(
            'name = "tech"', 'name = "tech2"'))
        page.get(site.url + "/health")
        assert page.current_url.startswith(site.url + "/login")
        assert PASSWORD not in page.page_source


def test_the_advisors_number_is_printed_on_the_chosen_kiosk(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as advisor:
        kiosk = device_runtime(site.config, "kiosk-1", tmp_path / "lobby", clock, memory_broker)
        with DeviceThread(kiosk):
            wait_for(lambda: next(d for d in site.web_role().view()["devices"]
                                  if d["id"] == "kiosk-1")["state"] == "online",
                     what="the kiosk online")
            log_in(advisor, site, "advisor")
            advisor.find_element(By.CSS_SELECTOR, '#issue-lang option[value="sv"]').click()
            advisor.find_element(By.CSS_SELECTOR, '#issue-print option[value="kiosk-1"]').click()
            advisor.find_element(By.CSS_SELECTOR, "#form-issue button").click()
            wait_for(lambda: advisor.find_element(By.ID, "issued").text == "K001",
                     what="the issued number")
            assert "Printing on kiosk-1" in advisor.find_element(By.ID, "issue-message").text
            slips = wait_for(lambda: sorted((tmp_path / "lobby" / "tickets").glob("K001*")),
                             what="the slip from the kiosk's printer")
            assert len(slips) == 1


def test_every_page_of_a_quiet_lobby_is_whole_after_loading(memory_broker, tmp_path) -> None:
    """Nothing changes in the lobby, so only the first pushed view can fill each page."""
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as page:
        devices = len(site.config.devices)
        for name, path, rows, count in (
                ("service", "/stats", "#main h1", 1),
                ("tech", "/health", "#health-rows tr", devices),
                ("service", "/advisor", "#queues tr", 3),
                ("service", "/health", "#health-rows tr", devices),
                ("advisor", "/advisor", "#devices tr", devices)):
            log_in(page, site, name, path)
            wait_for(lambda rows=rows, count=count: len(
                page.find_elements(By.CSS_SELECTOR, rows)) == count, what=f"{name} {path}")
            page.find_element(By.CSS_SELECTOR, ".logout button").click()
            wait_for(lambda: "/login" in page.current_url, what="the log-out")
        assert console_errors(page) == []
