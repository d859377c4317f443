"""A small site with the staff console, on real parts: for the console's tests, its bench and
its screenshots.

A broker (a real Mosquitto, or the in-memory one of mqtt_bridge/memory.py where the test
is about the pages and not the broker), a real controller with a queue display (one device,
as in a small lobby), the web role on a device of its own serving HTTPS on a free loopback
port, and a users file with one login per staff role. Each device runs on a thread of its
own in real time: Chromium does too. `browser()` opens Debian's headless Chromium
through Debian's chromedriver (both installed by `make test`).
"""

from __future__ import annotations

import dataclasses
import shutil
import ssl
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firmware.broker import LocalBroker, free_port
from firmware.clock import Clock
from firmware.core.password import hash_secret
from firmware.device import build_roles
from firmware.runtime import Runtime
from firmware.site_model import Device, PrinterConfig, SiteConfig, WebConfig
from firmware.web.accounts import StaffUser, users_text
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.memory import MemoryBroker
from testkit.devices import DeviceThread
from testkit.memory_client import MemoryClient
from testkit.site_factory import small_site
from testkit.waiting import wait_until

PASSWORD = "correct horse battery"
# One login per staff role (the hash is cheaper than in production: tests log in often).
STAFF = [("clerk1", "clerk", "1"), ("clerk2", "clerk", "2"), ("advisor", "advisor", None),
         ("service", "service", None), ("tech", "technician", None), ("guard", "guard", None),
         ("guard2", "guard", None)]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


Broker = LocalBroker | MemoryBroker


@dataclass
class ConsoleSite:
    config: SiteConfig
    url: str
    lobby: DeviceThread  # controller + display
    web: DeviceThread
    users_file: Path
    broker: Broker

    def client(self, name: str | None = None) -> BlockingClient | MemoryClient:
        """A client of the site's broker, not yet connected (use it in a `with`)."""
        return site_client(self.broker, self.config.site.id, name)

    def web_role(self) -> Any:
        return self.web.role("web")

    def display_role(self) -> Any:
        return self.lobby.role("display")


def write_users(path: Path, staff: list[tuple[str, str, str | None]] = STAFF) -> None:
    users = [StaffUser(name, role, hash_secret(PASSWORD, rounds=2000), room)
             for name, role, room in staff]
    path.write_text(users_text(users), encoding="utf-8")


def site_config(data_dir: Path, port: int, site_id: str | None = None) -> SiteConfig:
    config = small_site()
    web = WebConfig(bind="127.0.0.1", port=port, users_file=str(data_dir / "web-users.toml"))
    devices = (Device("lobby-1", ("controller", "display")),
               Device("room-1", ("room",), room="1"),
               Device("kiosk-1", ("kiosk",),
                      printer=PrinterConfig(kind="file", path=str(data_dir / "tickets"))),
               Device("console", ("web",), web=web))
    return dataclasses.replace(
        config, devices=devices,
        site=dataclasses.replace(config.site, id=site_id or f"w-{uuid.uuid4().hex[:8]}"))


def site_client(broker: Broker, site_id: str, name: str | None = None
                ) -> BlockingClient | MemoryClient:
    if isinstance(broker, MemoryBroker):
        return MemoryClient(broker, site_id, name)
    return BlockingClient(broker.host, broker.port, site_id, client=name)


def device_runtime(config: SiteConfig, device_id: str, data_dir: Path, clock: Clock,
                   broker: Broker) -> Runtime:
    device = config.device(device_id)
    assert device is not None
    data_dir.mkdir(parents=True, exist_ok=True)
    on_broker: dict[str, Any] = (
        {"broker_host": "memory", "broker_port": 0, "link": broker.link}
        if isinstance(broker, MemoryBroker) else
        {"broker_host": broker.host, "broker_port": broker.port})
    return Runtime(config, device, clock, data_dir, build_roles(config, device_id),
                   uses_screen=bool({"display", "kiosk"} & set(device.roles)), **on_broker)


@contextmanager
def console_site(broker: Broker, tmp_path: Path, clock: Clock) -> Iterator[ConsoleSite]:
    # The console shares the controller's data directory, as on a controller Pi that also
    # serves the console: its statistics read the controller's ledger there.
    web_dir = tmp_path / "lobby"
    web_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = site_config(web_dir, port)
    write_users(web_dir / "web-users.toml")
    with DeviceThread(device_runtime(config, "lobby-1", web_dir, clock, broker)) as lobby, \
            DeviceThread(device_runtime(config, "console", web_dir, clock, broker)) as web:
        site = ConsoleSite(config, f"https://127.0.0.1:{port}", lobby, web,
                           web_dir / "web-users.toml", broker)
        wait_until(lambda: web.role("web").server is not None and answers(site.url),
                   what="the console to listen")
        wait_until(lambda: web.role("web").view().get("day"), what="the first queue state")
        yield site


def answers(url: str) -> bool:
    try:
        http_get(url + "/login")
        return True
    except OSError:
        return False


def insecure_context() -> ssl.SSLContext:
    """The console's self-signed certificate, accepted as a browser would after a click."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def http_get(url: str, headers: dict[str, str] | None = None
             ) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=insecure_context()), _NoRedirect())
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def have_browser() -> bool:
    return bool(shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER))


def open_browser(width: int = 1280, height: int = 900, autoplay: bool = True) -> Any:
    """Debian's headless Chromium, driven by selenium through Debian's chromedriver; end it
    with `close_browser`. `autoplay=False`: sound only after a click or a key, as a browser
    left at its defaults."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="piste-chromium-")
    # No background networking: this machine's network is closed, and a console on a
    # site network must not phone anywhere either.
    # Sound without a click first (autoplay): as a guard's browser set to allow the
    # console's sound (the silent alarm's tone on a page open all day).
    if autoplay:
        options.add_argument("--autoplay-policy=no-user-gesture-required")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--ignore-certificate-errors", f"--window-size={width},{height}",
                 f"--user-data-dir={profile}", "--force-device-scale-factor=1",
                 "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    driver.piste_profile = profile
    return driver


def close_browser(driver: Any) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.piste_profile, ignore_errors=True)


@contextmanager
def browser(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """Debian's headless Chromium, driven by selenium through Debian's chromedriver."""
    driver = open_browser(width, height)
    try:
        yield driver
    finally:
        close_browser(driver)


def log_in(driver: Any, site: ConsoleSite, name: str, path: str = "/",
           lang: str | None = None) -> None:
    """Log in through the form (in `lang`, if given) and wait for the page to be live."""
    from selenium.webdriver.common.by import By

    driver.get(site.url + (f"/lang/{lang}?next={path}" if lang else path))
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_until(lambda: "/login" not in driver.current_url, what=f"{name} to log in")
    wait_until(lambda: "on" in driver.find_element(By.ID, "live-state").get_attribute("class"),
               what="the live stream")


def console_errors(driver: Any) -> list[str]:
    """What the page's scripts complained about (CSP refusals included)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
