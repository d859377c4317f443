"""A real day at the console against the real controller (issue 24): the clerk's languages go
to the controller at sign-in, the clerk pauses the room and calling the next customer opens
it again, the advisor issues a number needing assistance with a next authority and the
clerk sees both and the visit continues, a reprint goes to the kiosk as a copy, and a
kiosk's call for help reaches the advisor, who answers it.

These need the controller's side of the commands (docs/mqtt-contract.md: ticket/assist,
ticket/add-service, ticket/reprint, room/state, room/languages, help/request, help/answer).
"""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from firmware.clock import ManualClock
from firmware.core.password import hash_secret
from firmware.web.accounts import StaffUser, users_text
from firmware.web.staff_commands import ACTIONS
from mqtt_bridge import topics
from mqtt_bridge.payloads import COMMAND_FIELDS
from testkit.console_site import PASSWORD, STAFF
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.web_site import browser, console_errors, console_site, log_in, shown_text

pytestmark = pytest.mark.slow


def test_the_console_sends_only_commands_and_fields_the_contract_knows() -> None:
    for action, (command, fields) in ACTIONS.items():
        assert command in topics.COMMANDS, action
        assert set(fields) <= set(COMMAND_FIELDS[command]), action


@pytest.fixture
def site(memory_broker: Any, tmp_path: Path) -> Iterator[Any]:
    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 10, 0))) as running:
        # Clerk 1 serves in Swedish only this morning (the logins file says so).
        users = [StaffUser(name, role, hash_secret(PASSWORD, rounds=2000), room,
                           ("sv",) if name == "clerk1" else None)
                 for name, role, room in STAFF]
        running.users_file.write_text(users_text(users), encoding="utf-8")
        yield running


def room_one(site: Any) -> dict[str, Any]:
    return site.web_role().view()["rooms"][0]


def message(page: Any) -> str:
    return page.find_element(By.ID, "clerk-message").text


def test_the_clerk_signs_in_in_their_languages_pauses_and_is_back(site) -> None:
    with site.client("kiosk-1") as kiosk:
        kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
    with browser() as clerk:
        log_in(clerk, site, "clerk1", "/clerk", "en")
        wait_for(lambda: room_one(site)["languages"] == ["sv"],
                 what="the controller to serve room 1 in Swedish")
        wait_for(lambda: [b.get_attribute("value") for b in clerk.find_elements(
            By.CSS_SELECTOR, 'input[name="lang"]') if b.is_selected()] == ["sv"],
            what="the page's languages")
        clerk.find_element(By.CSS_SELECTOR, '#state-pick option[value="paused:lunch"]').click()
        clerk.find_element(By.CSS_SELECTOR, "#form-state button").click()
        wait_for(lambda: message(clerk) ==
                 "Room 1 is paused (lunch); nobody is called to it.", what="the pause said")
        wait_for(lambda: (room_one(site)["state"], room_one(site)["reason"]) ==
                 ("paused", "lunch"), what="room 1 paused")
        wait_for(lambda: clerk.find_element(By.ID, "room-state").text.startswith(
            "Paused: lunch · since "), what="the page's state")
        # Back from lunch: calling the next customer makes the room serving again.
        clerk.find_element(By.ID, "btn-next").click()
        wait_for(lambda: clerk.find_element(By.ID, "called").text == "K001", what="the call")
        wait_for(lambda: room_one(site)["state"] == "serving", what="room 1 serving again")
        wait_for(lambda: clerk.find_element(By.ID, "room-state").text == "Serving customers",
                 what="the page's state")
        # Finnish back on: the controller hears it.
        clerk.find_element(By.CSS_SELECTOR, 'input[name="lang"][value="fi"]').click()
        wait_for(lambda: room_one(site)["languages"] == ["fi", "sv"], what="fi and sv")
        wait_for(lambda: message(clerk) == "Room 1 serves in: Finnish, Swedish.",
                 what="the languages said")


def test_a_visit_needing_assistance_continues_to_its_next_authority(site) -> None:
    with browser() as advisor, browser() as clerk:
        log_in(advisor, site, "advisor", "/advisor", "en")
        advisor.find_element(By.CSS_SELECTOR, '#issue-lang option[value="sv"]').click()
        advisor.find_element(By.CSS_SELECTOR, '#issue-then-1 option[value="vero"]').click()
        advisor.find_element(By.ID, "issue-assist").click()
        advisor.find_element(By.CSS_SELECTOR, "#form-issue button").click()
        wait_for(lambda: advisor.find_element(By.ID, "issued").text == "K001", what="issued")
        log_in(clerk, site, "clerk2", "/clerk", "en")  # room 2 serves Kela and Vero
        clerk.find_element(By.ID, "btn-next").click()
        wait_for(lambda: clerk.find_element(By.ID, "called").text == "K001", what="the call")
        wait_for(lambda: clerk.find_element(By.ID, "called-notes").text ==
                 "Language: Swedish · Needs assistance · then: Tax Administration",
                 what="the called ticket's notes")
        clerk.find_element(By.ID, "btn-complete").click()
        wait_for(lambda: message(clerk) ==
                 "K001 done; it continues to vero with the same number.", what="continued")
        wait_for(lambda: shown_text(advisor, '#queues tr[data-service="vero"] td:nth-child(2)')
                 == "1", what="K001 waiting for the Tax Administration")
        # The advisor adds one more authority; the clerk completes and sends it on at once.
        advisor.find_element(By.ID, "ticket-number").send_keys("K001")
        advisor.find_element(By.CSS_SELECTOR,
                             '#ticket-action option[value="add-service"]').click()
        advisor.find_element(By.CSS_SELECTOR, '#ticket-service option[value="migri"]').click()
        advisor.find_element(By.CSS_SELECTOR, "#form-ticket button").click()
        wait_for(lambda: advisor.find_element(By.ID, "ticket-message").text ==
                 "K001: then migri.", what="the added authority")
        assert console_errors(clerk) == [] and console_errors(advisor) == []


def test_a_reprint_goes_to_the_kiosk_as_a_copy(site) -> None:
    with site.client("watcher") as watcher, browser() as advisor:
        jobs = watcher.watch(topics.kiosk_print(site.config.site.id, "kiosk-1"))
        log_in(advisor, site, "advisor", "/advisor", "en")
        advisor.find_element(By.CSS_SELECTOR, "#form-issue button").click()
        wait_for(lambda: advisor.find_element(By.ID, "issued").text == "K001", what="issued")
        advisor.find_element(By.ID, "ticket-number").send_keys("K001")
        advisor.find_element(By.CSS_SELECTOR, '#ticket-action option[value="reprint"]').click()
        advisor.find_element(By.CSS_SELECTOR, "#form-ticket button").click()
        wait_for(lambda: advisor.find_element(By.ID, "ticket-message").text ==
                 "K001 is reprinted as a copy. Printing on kiosk-1.", what="the reprint")
        _, payload, retained = jobs.get(timeout=10)
        job = json.loads(payload)
        assert not retained and job["copy"] is True and job["ticket"]["number"] == "K001"
        assert "assistance" not in job["ticket"]
        with pytest.raises(queue.Empty):
            jobs.get_nowait()  # one job, nothing else


def test_a_kiosks_call_for_help_reaches_the_advisor_who_answers_it(site) -> None:
    with browser() as advisor:
        log_in(advisor, site, "advisor", "/advisor", "en")
        with site.client("kiosk-1") as kiosk:
            assert kiosk.request("help/request", {})["ok"] is True
        wait_for(lambda: (shown_text(advisor, "#help") or "").startswith(
            "Help wanted at kiosk-1"), what="help wanted on the advisor's page")
        advisor.find_element(By.CSS_SELECTOR, '#help li[data-device="kiosk-1"] button').click()
        wait_for(lambda: advisor.find_element(By.ID, "help-message").text ==
                 "The others know: you are on your way.", what="the answer said")
        wait_for(lambda: shown_text(advisor, "#help") == "Nobody is asking for help.",
                 what="the request answered")
        assert site.web_role().view()["help_wanted"] == []
