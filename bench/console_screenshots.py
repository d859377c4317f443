"""The README's pictures of the staff console, taken by the project in headless Chromium.

`python -m bench.console_screenshots docs/images/console` (part of `make screenshots`) runs
a small site on real parts (Mosquitto, the controller, the queue display, the console),
lets customers take numbers and clerks call them, then photographs every page: the login,
the clerk's panel on a laptop and on a tablet, the advisor's lobby, the statistics and the
device health.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from bench.simulate import simulate_weekdays
from firmware.broker import LocalBroker
from firmware.clock import ManualClock
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.console_site import (
    ConsoleSite,
    browser,
    console_site,
    log_in,
    site_config,
    wait_until,
)

MONDAY_10 = datetime(2026, 11, 30, 10, 15, tzinfo=ZoneInfo("Europe/Helsinki"))
FRIDAY = date(2026, 11, 27)  # the statistics' day: a whole simulated day before the picture


def _history(config: SiteConfig, ledger: Path) -> None:
    """The weekdays of November before the picture, simulated through the real controller
    into the ledger the console reads: the statistics have a month to show."""
    simulate_weekdays(config, date(2026, 11, 2), FRIDAY, str(ledger))


def _lobby(broker: LocalBroker, site: ConsoleSite, clock: ManualClock) -> None:
    """A Monday morning: numbers taken and called, one room in session; the first customer
    (in Swedish, needing assistance, then the Tax Administration) called to room 1, room 3
    out for lunch, and kiosk-1's help key held."""
    sid = site.config.site.id
    with BlockingClient(broker.host, broker.port, sid) as kiosk, \
            BlockingClient(broker.host, broker.port, sid, client="console") as console:
        console.request(topics.ISSUE, {"service": "kela", "lang": "sv", "assistance": True,
                                       "then": ["vero"], "device": "console"})
        clock.advance(minutes=3)
        for service in ("kela", "vero", "kela", "vero", "kela", "kela", "vero"):
            kiosk.request(topics.ISSUE, {"service": service, "lang": "fi"})
            clock.advance(minutes=3)
        for room, services in (("1", ["kela"]), ("2", ["vero"])):
            kiosk.request(topics.CALL, {"room": room, "services": services})
        kiosk.request(topics.COMPLETE, {"room": "2"})
        kiosk.request(topics.CALL, {"room": "2", "services": ["vero"]})
        console.request("room/state", {"room": "3", "state": "paused", "reason": "lunch"})
        clock.advance(minutes=2)
        with BlockingClient(broker.host, broker.port, sid, client="kiosk-1") as help_key:
            help_key.request("help/request", {})
        at = clock.now().isoformat(timespec="seconds")
        kiosk.publish_raw(topics.room_occupancy(sid, "1"), json.dumps(
            {"staff": True, "customer": True, "state": "in_session", "since": at}).encode(),
            retain=True)
        kiosk.publish_raw(topics.device_status(sid, "room-1"), json.dumps(
            {"state": "online", "roles": ["room"], "version": "0.1.0", "since": at}).encode(),
            retain=True)
        kiosk.publish_raw(topics.device_status(sid, "kiosk-1"), json.dumps(
            {"state": "online", "roles": ["kiosk"], "version": "0.1.0", "since": at}).encode(),
            retain=True)
        kiosk.publish_raw(topics.device_health(sid, "kiosk-1"), json.dumps(
            {"at": at, "printer": {"state": "paper_low"}}).encode(), retain=True)


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    clock = ManualClock(MONDAY_10)
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        (Path(tmp) / "lobby").mkdir()
        _history(site_config(Path(tmp), 0), Path(tmp) / "lobby" / "ledger.sqlite")
        shots += _photograph(broker, Path(tmp), clock, out)
    return shots


def _photograph(broker: LocalBroker, tmp: Path, clock: ManualClock, out: Path) -> list[Path]:
    shots: list[Path] = []
    with console_site(broker, tmp, clock) as site:
        _lobby(broker, site, clock)
        wait_until(lambda: site.web_role().view()["rooms"][1]["serving"], what="the calls")
        with browser(1280, 900) as page:
            page.get(site.url + "/login")
            shots.append(_shot(page, out / "login.png"))
            for name, path in (("clerk1", "/clerk"), ("advisor", "/advisor"),
                               ("service", f"/stats?day={FRIDAY}&month={FRIDAY:%Y-%m}"),
                               ("tech", "/health")):
                log_in(page, site, name, path)
                page.execute_script("window.scrollTo(0, 0)")
                picture = path.strip("/").split("?")[0]
                shots.append(_shot(page, out / f"{picture}.png", full=True))
                page.find_element("css selector", ".logout button").click()
                wait_until(lambda: "/login" in page.current_url, what="log-out")
            log_in(page, site, "advisor", "/advisor", lang="fi")  # as Finnish staff see it
            page.execute_script("window.scrollTo(0, 0)")
            shots.append(_shot(page, out / "advisor-fi.png"))
        with browser(820, 1180) as tablet:
            log_in(tablet, site, "clerk2", "/clerk", lang="sv")
            shots.append(_shot(tablet, out / "clerk-tablet-sv.png", full=True))
    return shots


def _shot(page: object, path: Path, full: bool = False) -> Path:
    import time

    time.sleep(0.8)  # the live stream's first view and the charts' drawing
    size = page.get_window_size()  # type: ignore[attr-defined]
    if full:  # the whole page, as long as it is
        height = page.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
        page.set_window_size(size["width"], min(max(height, 600), 4000))  # type: ignore[attr-defined]
        time.sleep(0.4)
    page.save_screenshot(str(path))  # type: ignore[attr-defined]
    page.set_window_size(size["width"], size["height"])  # type: ignore[attr-defined]
    return path


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images/console")
    for path in take(out):
        print(path)


if __name__ == "__main__":
    main()
