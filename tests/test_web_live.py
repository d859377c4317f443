"""The console's pages stay live by push: through a broker outage, and after the console
itself restarts (the page goes back to the login rather than showing a frozen lobby)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from firmware.clock import ManualClock
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.console_site import DeviceThread, device_runtime
from testkit.site_factory import MONDAY, at
from tests.helpers import wait_for
from tests.web_site import browser, console_errors, console_site, log_in, shown_text

pytestmark = pytest.mark.slow


def waiting_for_kela(page) -> str | None:
    return shown_text(page, '#queues tr[data-service="kela"] td:nth-child(2)')


def test_the_page_says_when_the_lobby_is_out_of_reach_and_catches_up(private_broker,
                                                                      tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(private_broker, tmp_path, clock) as site, browser() as page:
        log_in(page, site, "advisor", "/advisor")
        live = page.find_element(By.ID, "live-state")
        private_broker.kill()
        wait_for(lambda: live.text == "Controller link down", what="the lost link said")
        assert "lost the broker" in page.find_element(By.ID, "alerts").text
        private_broker.start()
        wait_for(lambda: live.text == "Live", timeout=20, what="the link back")
        wait_for(lambda: site.lobby.runtime.link.connected, timeout=20,
                 what="the controller's link back")
        with BlockingClient(private_broker.host, private_broker.port,
                            site.config.site.id) as kiosk:
            kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        wait_for(lambda: waiting_for_kela(page) == "1", what="the new number, pushed")
        assert console_errors(page) == []


def test_a_restarted_console_sends_the_page_to_the_login(memory_broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as page:
        log_in(page, site, "advisor", "/advisor")
        site.web.__exit__(None, None, None)  # the console stops; sessions were in memory
        wait_for(lambda: page.find_element(By.ID, "live-state").text == "Reconnecting…",
                 what="the page to notice")
        again = device_runtime(site.config, "console", tmp_path / "lobby", clock, memory_broker)
        with DeviceThread(again):
            wait_for(lambda: "/login" in page.current_url, timeout=20,
                     what="the page to go to the login by itself")
