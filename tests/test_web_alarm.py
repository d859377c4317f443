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
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from mqtt_bridge.memory import MemoryBroker
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.test_web_a11y import axe_source, axe_violations
from tests.web_site import browser, console_errors, console_site, log_in, shown_text

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
