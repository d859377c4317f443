"""The silent alarm in the staff console (issue 26), in a real headless Chromium against the
console's web role on the in-memory broker (the broker is not what these tests are about:
the real-parts test of the whole alarm has a real Mosquitto).

A raise on the wire (as a room unit's key sends it) rings the guard's and the advisor's
pages at once; one acknowledges with the keyboard and the other shows who and stops
ringing; a clear takes the banner away. A clerk's two-step raise sends exactly one raise
for their room, and a double Enter sends nothing; only a guard or an advisor answers an
alarm (403 in words, nothing on the wire); a drill says so; an escalation reaches every
staff page; a page whose stream broke shows the live alarm when it is back; axe finds
nothing on the banner and the guard's page in any language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from firmware.clock import ManualClock
from firmware.core.alarm import moment, new_alarm_id
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from testkit import console_site as console_kit
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.test_web_a11y import axe_source, axe_violations
from tests.web_site import (
    browser,
    browser_or_fail,
    console_errors,
    console_site,
    log_in,
    shown_text,
)

pytestmark = pytest.mark.slow
DRILL = "HARJOITUS · ÖVNING · DRILL"


@pytest.fixture
def site(memory_broker: MemoryBroker, tmp_path: Path) -> Iterator[Any]:
    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 9, 0))) as running:
        yield running


@pytest.fixture
def wire(memory_broker: MemoryBroker) -> list[tuple[str, bytes, bool]]:
    """Every alarm message the broker takes in, as (topic, payload, retain)."""
    seen: list[tuple[str, bytes, bool]] = []
    memory_broker.taps.append(
        lambda topic, payload, retain: seen.append((topic, payload, retain))
        if "/alarm/" in topic else None)
    return seen


def key_raise(site: Any, room: str = "1", drill: bool = False) -> str:
    """A room unit's held key: its raise, retained, on the wire."""
    alarm = new_alarm_id()
    message = AlarmRaised(alarm=alarm, room=room, at=moment(at(MONDAY, 9, 0)), source="key",
                          drill=drill)
    with site.client(f"room-{room}") as unit:
        unit.publish_raw(topics.alarm_raised(site.config.site.id, room),
                         json.dumps(message.to_wire()).encode(), retain=True)
    return alarm


def escalate(site: Any, alarm: str, room: str = "1") -> None:
    message = AlarmEscalated(alarm=alarm, room=room, at=moment(at(MONDAY, 9, 0)),
                             raised_at=moment(at(MONDAY, 9, 0)), device="lobby-1", relay=True)
    with site.client("relay") as relay:
        relay.publish_raw(topics.alarm_escalated(site.config.site.id, room),
                          json.dumps(message.to_wire()).encode(), retain=True)


def post(page: Any, path: str, fields: dict[str, str]) -> dict[str, Any]:
    """What the console answers a page's POST (the page's own session and CSRF token)."""
    return page.execute_async_script("""
        const [path, fields, done] = arguments;
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        fetch(path, {method: "POST", headers: {"X-CSRF-Token": csrf},
                     body: new URLSearchParams(fields)})
          .then((r) => r.json().then((j) => done({status: r.status, ...j})));""",
                                      path, fields)


def ringing(page: Any) -> bool:
    return page.execute_script("return document.body.dataset.alarmRinging") == "true"


def tones(page: Any) -> int:
    return int(page.execute_script("return window.pisteAlarmTones"))


def banner_shown(page: Any) -> bool:
    return bool(page.execute_script(
        "const b = document.getElementById('alarm-banner'); return b && !b.hidden;"))


def sent(wire: list[tuple[str, bytes, bool]], part: str) -> list[dict[str, Any]]:
    """The non-empty alarm messages of one part (raised, answer, escalated) on the wire."""
    return [json.loads(payload) for topic, payload, _ in wire
            if topic.endswith("/" + part) and payload]


def test_a_raise_rings_two_consoles_and_one_acknowledge_stops_both(site, wire) -> None:
    with browser() as guard, browser() as advisor:
        log_in(guard, site, "guard")
        assert guard.current_url.endswith("/guard")
        log_in(advisor, site, "advisor")
        alarm = key_raise(site, "1")
        for page in (guard, advisor):
            wait_for(lambda p=page: banner_shown(p) and ringing(p) and tones(p) >= 1,
                     what="the banner to show and ring")
            assert alarm in page.execute_script("return window.pisteAlarmShownAt")
            assert "Room 1 · 09.00" in shown_text(page, "#alarm-banner")
            # Focus is in the banner, and the page behind it cannot be reached.
            assert page.execute_script(
                "return document.getElementById('alarm-banner').contains(document.activeElement)")
        # The guard acknowledges with the keyboard only: Tab to Acknowledge, Enter.
        ActionChains(guard).send_keys(Keys.TAB).perform()
        assert guard.switch_to.active_element.get_attribute("id") == "alarm-ack"
        ActionChains(guard).send_keys(Keys.ENTER).perform()
        for page in (advisor, guard):
            wait_for(lambda p=page: not ringing(p), what="the ringing to stop")
            wait_for(lambda p=page: "Acknowledged by guard 09.00" in (
                shown_text(p, "#alarm-banner") or ""), what="who acknowledged")
        answers = sent(wire, "answer")
        assert [(a["state"], a["by"], a["alarm"], a["room"]) for a in answers] == \
            [("acknowledged", "guard", alarm, "1")]
        assert AlarmAnswer.from_wire(answers[0]).acknowledged_at is None
        # No more tones once acknowledged (the next would be 3 s after the last).
        before = tones(advisor)
        assert advisor.find_element(By.ID, "alarm-clear").is_displayed()
        advisor.find_element(By.ID, "alarm-clear").click()
        for page in (guard, advisor):
            wait_for(lambda p=page: not banner_shown(p), what="the banner to go")
        assert tones(advisor) == before
        cleared = sent(wire, "answer")[-1]
        assert (cleared["state"], cleared["by"]) == ("cleared", "advisor")
        assert cleared["acknowledged_at"] == answers[0]["at"]
        # The guard's page lists it for today, answered.
        wait_for(lambda: "Cleared" in (shown_text(guard, "#alarm-today") or ""),
                 what="today's list")
        assert "Room 1" in shown_text(guard, "#alarm-today")
        # The room unit's own raise is the room unit's to remove, not the console's.
        assert [p for t, p, _ in wire if t.endswith("/raised") and not p] == []
        assert console_errors(guard) == [] and console_errors(advisor) == []


def test_a_clerks_two_steps_send_one_raise_and_a_double_enter_sends_none(site, wire) -> None:
    with browser() as clerk, browser() as guard:
        log_in(guard, site, "guard")
        log_in(clerk, site, "clerk1")
        start = clerk.find_element(By.ID, "alarm-start")
        start.send_keys(Keys.ENTER)  # opens the confirm panel, and the focus stays here
        start.send_keys(Keys.ENTER)  # the second Enter of a double press
        assert clerk.switch_to.active_element.get_attribute("id") == "alarm-start"
        assert clerk.find_element(By.ID, "alarm-send").is_displayed()
        clerk.find_element(By.ID, "alarm-cancel").click()
        assert not clerk.find_element(By.ID, "alarm-send").is_displayed()
        assert sent(wire, "raised") == [] and not banner_shown(guard)
        # Both steps: exactly one raise, for the clerk's own room.
        start.click()
        clerk.find_element(By.ID, "alarm-send").click()
        wait_for(lambda: banner_shown(guard) and ringing(guard), what="the guard's banner")
        raised = sent(wire, "raised")
        assert len(raised) == 1
        assert (raised[0]["room"], raised[0]["source"], raised[0]["drill"]) == \
            ("1", "console", False)
        wait_for(lambda: clerk.find_element(By.ID, "alarm-status").text == "Alarm sent 09.00",
                 what="the clerk's quiet line")
        # Nothing loud on the clerk's page: no banner, no sound.
        assert clerk.find_elements(By.ID, "alarm-banner") == []
        assert tones(clerk) == 0
        assert console_errors(clerk) == []
        # Again while it is on: not sent again, and said so.
        again = post(clerk, "/alarm/raise", {})
        assert again["status"] == 409 and "already sent" in again["message"]
        assert len(sent(wire, "raised")) == 1
        # Seen: the guard acknowledges, the clerk's line says so, and the console removes the
        # raise it sent (empty retained) now that it is answered.
        assert post(guard, "/alarm/ack", {"alarm": raised[0]["alarm"]})["ok"]
        wait_for(lambda: clerk.find_element(By.ID, "alarm-status").text == "Seen 09.00",
                 what="the clerk to see it was seen")
        topic = topics.alarm_raised(site.config.site.id, "1")
        wait_for(lambda: (topic, b"", True) in wire, what="the console's raise removed")
        assert topic not in site.broker.retained
        assert post(guard, "/alarm/clear", {"alarm": raised[0]["alarm"]})["ok"]
        wait_for(lambda: clerk.find_element(By.ID, "alarm-status").text == "",
                 what="the clerk's line to go")
        assert console_errors(guard) == []


@pytest.mark.parametrize("name", ["clerk1", "service", "tech"])
def test_only_a_guard_or_an_advisor_answers_an_alarm(site, wire, name) -> None:
    alarm = key_raise(site, "2")
    with browser() as page:
        log_in(page, site, name)
        for action, words in (("ack", "acknowledges"), ("clear", "clears")):
            answer = post(page, f"/alarm/{action}", {"alarm": alarm})
            assert answer["status"] == 403 and answer["ok"] is False
            assert answer["message"] == \
                f"Not allowed: only a guard or an advisor {words} an alarm."
    assert sent(wire, "answer") == []
    assert site.web_role().alarms.board.of_room("2").ringing


def test_a_guard_raises_nothing_and_answers_in_their_language(site, wire) -> None:
    with browser() as guard:
        log_in(guard, site, "guard", "/guard", lang="fi")
        answer = post(guard, "/alarm/raise", {})
        assert answer["status"] == 403
        assert answer["message"] == ("Ei sallittu: hiljaisen hälytyksen lähettää huoneen "
                                     "virkailija omasta huoneestaan.")
        answer = post(guard, "/alarm/drill", {"room": "1"})
        assert answer["status"] == 403 and "teknikko tai palveluneuvoja" in answer["message"]
        answer = post(guard, "/alarm/ack", {"alarm": "0" * 32})
        assert answer["status"] == 404 and answer["message"] == \
            "Tällaista hälytystä ei ole; lataa sivu uudelleen."
    assert sent(wire, "raised") == [] and sent(wire, "answer") == []


def test_a_technicians_drill_is_marked_as_a_drill(site, wire) -> None:
    with browser() as tech, browser() as guard:
        log_in(guard, site, "guard")
        log_in(tech, site, "tech", "/health")
        tech.find_element(By.CSS_SELECTOR, '#drill-room option[value="2"]').click()
        tech.find_element(By.CSS_SELECTOR, "#form-drill button").click()
        wait_for(lambda: tech.find_element(By.ID, "drill-said").text ==
                 "Drill alarm sent: Room 2.", what="the technician's answer")
        wait_for(lambda: banner_shown(guard) and ringing(guard), what="the drill's banner")
        assert shown_text(guard, "#alarm-title") == f"ALARM · {DRILL}"
        assert DRILL in shown_text(guard, "#alarm-list")
        assert [(r["room"], r["drill"], r["source"]) for r in sent(wire, "raised")] == \
            [("2", True, "console")]
        assert post(guard, "/alarm/clear", {"alarm": sent(wire, "raised")[0]["alarm"]})["ok"]
        answer = sent(wire, "answer")[-1]
        # Cleared with no acknowledgement before: acknowledged by the clear, a drill still.
        assert (answer["state"], answer["drill"], answer["acknowledged_at"]) == \
            ("cleared", True, None)
        wait_for(lambda: not banner_shown(guard), what="the banner to go")
        wait_for(lambda: f"{DRILL}: Room 2" in (shown_text(guard, "#alarm-today") or ""),
                 what="today's list to mark the drill")


def test_several_rooms_in_one_banner_and_an_escalation_told_to_every_page(site) -> None:
    with browser() as advisor, browser() as clerk:
        log_in(advisor, site, "advisor")
        log_in(clerk, site, "clerk2")
        first = key_raise(site, "1")
        key_raise(site, "3")
        wait_for(lambda: len(advisor.find_elements(By.CSS_SELECTOR, "#alarm-list li")) == 2,
                 what="both rooms in the banner")
        assert advisor.find_element(By.ID, "alarm-ack").get_attribute("data-alarm") == first
        escalate(site, first, "1")
        notice = "Alarm in Room 1 escalated 09.00"
        wait_for(lambda: clerk.find_element(By.ID, "alarm-notice").text == notice,
                 what="the clerk of another room told of the escalation")
        wait_for(lambda: "Escalated 09.00 (alarm relay switched on)" in (
            shown_text(advisor, "#alarm-list") or ""), what="the banner to say escalated")
        # The clerk of room 2 sees nothing else of the alarms: no banner, no status line.
        assert clerk.find_element(By.ID, "alarm-status").text == ""
        assert clerk.find_elements(By.ID, "alarm-banner") == []
        # Pressed again: the same banner says so.
        key_raise(site, "1")
        wait_for(lambda: "Pressed again 09.00" in (shown_text(advisor, "#alarm-list") or ""),
                 what="pressed again")
        assert len(advisor.find_elements(By.CSS_SELECTOR, "#alarm-list li")) == 2


def test_a_page_whose_stream_broke_shows_the_live_alarm_when_back(site) -> None:
    with browser() as guard:
        log_in(guard, site, "guard")
        site.web_role().server.hub.drop_streams()
        wait_for(lambda: guard.find_element(By.ID, "live-state").text == "Reconnecting…",
                 what="the page to lose its stream")
        alarm = key_raise(site, "3")
        assert not banner_shown(guard)
        wait_for(lambda: banner_shown(guard) and ringing(guard), what="the alarm after the break")
        assert alarm in guard.execute_script("return window.pisteAlarmShownAt")


def test_axe_finds_nothing_on_the_banner_and_the_guards_page(site) -> None:
    source = axe_source()
    found: dict[str, list[str]] = {}
    alarm = key_raise(site, "1")
    escalate(site, alarm, "1")
    key_raise(site, "2", drill=True)
    with browser() as page:
        log_in(page, site, "guard")
        for lang in ("fi", "sv", "en"):
            page.get(f"{site.url}/lang/{lang}?next=/guard")
            wait_for(lambda: banner_shown(page), what="the banner")
            found[f"banner {lang}"] = axe_violations(page, source)
        assert post(page, "/alarm/ack", {"alarm": alarm})["ok"]
        drill = site.web_role().alarms.board.of_room("2").alarm
        assert post(page, "/alarm/clear", {"alarm": drill})["ok"]
        assert post(page, "/alarm/clear", {"alarm": alarm})["ok"]
        for lang in ("fi", "sv", "en"):
            page.get(f"{site.url}/lang/{lang}?next=/guard")
            wait_for(lambda: shown_text(page, "#alarm-today tr") is not None, what="the list")
            assert not banner_shown(page)
            found[f"/guard {lang}"] = axe_violations(page, source)
    with browser() as clerk:
        log_in(clerk, site, "clerk1")
        clerk.find_element(By.ID, "alarm-start").click()
        found["clerk's confirm"] = axe_violations(clerk, source)
    bad = [f"{where}: {v}" for where, found_there in found.items() for v in found_there]
    assert bad == []


def test_a_browser_that_holds_sound_back_asks_for_a_click_and_then_rings(site) -> None:
    browser_or_fail()
    guard = console_kit.open_browser(autoplay=False)  # as a browser left at its defaults
    try:
        log_in(guard, site, "guard")
        # Opened afresh (the page is not the one the login form's click led to).
        guard.get(site.url + "/guard")
        key_raise(site, "1")
        wait_for(lambda: banner_shown(guard) and ringing(guard), what="the banner")
        prompt = guard.find_element(By.ID, "alarm-sound")
        assert prompt.is_displayed() and prompt.text == "Click to hear the alarm sound"
        assert tones(guard) == 0
        guard.find_element(By.ID, "alarm-title").click()  # a click anywhere, not on a button
        wait_for(lambda: tones(guard) >= 1, what="the first tone after the click")
        assert not prompt.is_displayed()
        assert ringing(guard)
    finally:
        console_kit.close_browser(guard)
