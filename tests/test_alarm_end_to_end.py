"""Issue 26 end to end, on real parts: a clerk holds the room unit's alarm key; the guard's
console rings in Chromium; nobody answers and the relay device switches its relay; an
acknowledgement on one console is named on the other and blips the key's LED; the clear
switches the relay and the LED off. And it must arrive: the broker SIGKILLed and restarted
while the alarm is unanswered, the controller down, a console that connects late.

A real Mosquitto with the generated ACL and a login per device (testkit/alarm_site.py), the
controller with the lobby display, the room unit with its alarm key and LED on gpiozero mock
pins, the relay device with its relay on a mock pin, the web role serving Debian's headless
Chromium: each device on a thread of its own, in real time. The site escalates after 5 s
(the shortest `[alarm] escalate_after_s` allows) and the key is held 0.5 s (the shortest
`hold_s`), so the test waits seconds, not minutes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.alarm_site import AlarmSite, alarm_site
from testkit.console_site import browser, have_browser, log_in
from testkit.pins import rising_edges
from testkit.waiting import wait_until
from tests.web_site import shown_text

pytestmark = pytest.mark.skipif(not have_browser(), reason="needs Debian's chromium")

RING_WITHIN_S = 0.5  # the issue: the guard's console rings within half a second
ESCALATE_AFTER_S = 5.0


@pytest.fixture
def site(tmp_path: Path) -> Iterator[AlarmSite]:
    with alarm_site(tmp_path, hold_s=0.5, escalate_after_s=ESCALATE_AFTER_S) as running:
        yield running


# -- what a page and a device show --------------------------------------------------------


def ringing(page: Any) -> bool:
    return page.execute_script("return document.body.dataset.alarmRinging") == "true"


def shown_at(page: Any) -> dict[str, float]:
    """Each alarm's first banner on the page: Date.now() in ms (the page's own record)."""
    return page.execute_script("return window.pisteAlarmShownAt || {}") or {}


def banner(page: Any) -> str:
    """The banner's words while it is shown; "" when hidden."""
    return page.execute_script(
        "const b = document.getElementById('alarm-banner');"
        "return b && !b.hidden ? b.innerText.trim() : '';") or ""


def notice(page: Any) -> str:
    return shown_text(page, "#alarm-notice") or ""


def click(page: Any, css: str) -> None:
    """Click as a person does; the banner is drawn anew at each change of the alarm, so an
    element found just before may be gone: then find it again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(5):
        try:
            page.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"{css} kept being drawn anew")


def public_views(site: AlarmSite) -> dict[str, Any]:
    """What the lobby display and the room's door screen show, aside from what they change
    on their own timers (the clock; the display's pages of authorities in turn)."""
    lobby, room = site.devices["lobby-1"], site.devices["room-1"]
    display = lobby.on_loop(lambda: lobby.role("display").current_view())
    door = room.on_loop(lambda: room.role("room").view())
    return {"lobby display": dataclasses.replace(display, now=None, service_page=0),
            "door screen": dataclasses.replace(door, now=None)}


def ledger_alarms(site: AlarmSite) -> list[tuple[str, dict[str, Any]]]:
    """The controller's ledger's alarm events, read on the controller's own loop."""
    lobby = site.devices["lobby-1"]
    role = lobby.role("controller")
    events = lobby.on_loop(lambda: list(role.ledger.events_from(0, limit=10_000)))
    return [(e.type.value, e.data) for e in events if e.type.value.startswith("alarm.")]


# -- the cases --------------------------------------------------------------------------------


def test_the_held_key_rings_escalates_is_acknowledged_and_cleared(site: AlarmSite) -> None:
    with browser() as guard, browser() as advisor:
        log_in(guard, site, "guard", "/guard")  # type: ignore[arg-type]
        log_in(advisor, site, "advisor", "/advisor")  # type: ignore[arg-type]
        before = public_views(site)
        assert not ringing(guard)

        # A brush of the key sends nothing: no banner, no LED.
        site.hold_key(0.1)
        time.sleep(site.config.alarm.hold_s + 0.3)  # past the hold time: still nothing
        assert not ringing(guard) and shown_at(guard) == {}
        assert not any(s.state for s in site.led.states)

        held_at = site.hold_key()
        wait_until(lambda: ringing(guard) and ringing(advisor), timeout=5,
                   what="both consoles ringing")
        first = min(shown_at(guard).values())
        assert first / 1000 - held_at <= RING_WITHIN_S, (first / 1000 - held_at)
        assert "Room 1" in banner(guard) or "Huone 1" in banner(guard), banner(guard)
        # The broker has it: the LED faces the clerk steady on (sent).
        site.led.wait_states(lambda states: states[-1], timeout=5, what="the LED on")

        # Nobody answers: the relay switches, every console says it escalated.
        site.relay.wait_states(lambda states: states[-1], timeout=ESCALATE_AFTER_S + 5,
                               what="the relay on")
        switched = next(t for t, on in site.relay.changes if on)
        assert switched - held_at >= ESCALATE_AFTER_S - 0.5
        wait_until(lambda: notice(guard) and notice(advisor), timeout=5,
                   what="the escalation line on both consoles")
        assert ringing(guard)  # escalated, still unanswered: it still rings

        # The guard acknowledges: the sound stops everywhere; the advisor sees who.
        click(guard, "#alarm-ack")
        wait_until(lambda: not ringing(guard) and not ringing(advisor), timeout=5,
                   what="the ringing to stop on both consoles")
        wait_until(lambda: "guard" in (shown_text(advisor, "#alarm-list .alarm-acked") or ""),
                   timeout=5, what="the advisor told who acknowledged")
        # The LED blips "seen" (one short blip every 2 s) and the relay stays on.
        edges = rising_edges([s.state for s in site.led.states])
        site.led.wait_states(lambda states: rising_edges(states) >= edges + 2, timeout=6,
                             what="the LED blipping 'seen'")
        assert site.relay.state

        # The guard clears it: relay off, LED off, no banner.
        click(guard, "#alarm-clear")
        site.relay.wait_states(lambda states: not states[-1], timeout=5, what="the relay off")
        wait_until(lambda: not site.led.state, timeout=5, what="the LED off")
        wait_until(lambda: not banner(guard) and not banner(advisor), timeout=5,
                   what="the banners gone")

        # Nothing showed on the public screens.
        assert public_views(site) == before
    kinds = [kind for kind, _ in ledger_alarms(site)]
    assert kinds == ["alarm.raised", "alarm.escalated", "alarm.acknowledged", "alarm.cleared"]


def test_the_alarm_survives_the_broker_killed_and_restarted(site: AlarmSite) -> None:
    with browser() as guard:
        log_in(guard, site, "guard", "/guard")  # type: ignore[arg-type]
        site.hold_key()
        wait_until(lambda: ringing(guard), timeout=5, what="the console ringing")
        # A power cut before the broker saved anything: it comes back without the retained
        # raise. The room unit kept it and sends it again; every reader still has it.
        site.broker.kill()
        for saved in site.broker.workdir.glob("*.db"):
            saved.unlink()
        site.broker.start()
        wait_until(lambda: all(d.runtime.link.connected for d in site.devices.values()),
                   timeout=15, what="every device back on the broker")
        raised = f"piste/v1/{site.site}/alarm/1/raised"
        with site.client() as reader:
            _, payload, _ = reader.watch(raised).get(timeout=10)  # sent again after settling
            assert payload and json.loads(payload)["room"] == "1"
        with site.client() as late_reader:  # and kept by the broker
            _, payload, retained = late_reader.watch(raised).get(timeout=5)
            assert retained and json.loads(payload)["room"] == "1"
        # The page, loaded again (its stream reconnects), still rings; nobody answered, so
        # the relay switches all the same.
        guard.refresh()
        wait_until(lambda: ringing(guard), timeout=10, what="the console ringing again")
        site.relay.wait_states(lambda states: states[-1], timeout=ESCALATE_AFTER_S + 10,
                               what="the relay on")
        wait_until(lambda: notice(guard), timeout=5, what="the console saying escalated")
        # A console opened after it all shows the live alarm.
        with browser() as late:
            log_in(late, site, "guard2", "/guard")  # type: ignore[arg-type]
            wait_until(lambda: ringing(late) and notice(late), timeout=5,
                       what="the late console ringing, escalated")


def test_the_alarm_acts_without_the_controller_and_is_recorded_on_its_return(
        site: AlarmSite) -> None:
    site.stop("lobby-1")
    with browser() as guard:
        log_in(guard, site, "guard", "/guard")  # type: ignore[arg-type]
        site.hold_key()
        wait_until(lambda: ringing(guard), timeout=5, what="the console ringing")
        site.relay.wait_states(lambda states: states[-1], timeout=ESCALATE_AFTER_S + 5,
                               what="the relay on")
        wait_until(lambda: notice(guard), timeout=5, what="the console saying escalated")
    site.start("lobby-1")
    wait_until(lambda: [k for k, _ in ledger_alarms(site)] == ["alarm.raised",
                                                                "alarm.escalated"],
               timeout=10, what="the controller recording the alarm on its return")
    raised = dict(ledger_alarms(site))["alarm.raised"]
    assert raised["room"] == "1" and raised["drill"] is False
    assert set(raised) - {"clock_unsure"} <= {"alarm", "room", "drill", "source"}  # no name
