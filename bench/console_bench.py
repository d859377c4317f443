"""The staff console: its memory and how fast it answers (median, p99).

The web role runs alone in a process of its own (`python -m bench.console_process`), as a
device would run it, against a real Mosquitto and a real controller; its resident memory is
read from /proc after start and again after the load below.

- a page: the advisor's lobby page rendered for a logged-in advisor, over HTTPS keep-alive;
- an action: a clerk's "call next" from the HTTPS request to the controller's answer;
- push: from that request until the call arrives on an open live stream (what another
  page sees), with 20 further streams open as if 20 staff had the console open.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import report
from bench.simulate import simulate_weekdays
from firmware.broker import LocalBroker, free_port
from firmware.clock import ShiftedClock
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.console_site import (
    PASSWORD,
    DeviceThread,
    device_runtime,
    insecure_context,
    site_config,
    wait_until,
    write_users,
)

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
HISTORY = (date(2026, 11, 2), date(2026, 11, 27))
STREAMS = 20


class Staff:
    """One logged-in person's HTTPS connection (keep-alive, as a browser keeps it)."""

    def __init__(self, port: int, name: str) -> None:
        self.port = port
        self.conn = self._connect()
        self.cookies: dict[str, str] = {}
        status, body = self.request("GET", "/login")
        token = re.search(rb'name="csrf" value="([^"]+)"', body)
        assert token, "no login form"
        form = f"name={name}&password={PASSWORD.replace(' ', '+')}&csrf={token[1].decode()}"
        status, _ = self.request("POST", "/login", form.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303 and "piste_session" in self.cookies, f"{name} did not log in"
        self.csrf = ""

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10,
                                           context=insecure_context())

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body, {**(headers or {}), "Cookie": cookie})
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closes a connection idle past its keep-alive; a browser reconnects.
            self.conn = self._connect()
            self.conn.request(method, path, body, {**(headers or {}), "Cookie": cookie})
            response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0].strip('"')
        return response.status, data

    def page(self, path: str) -> bytes:
        status, body = self.request("GET", path)
        assert status == 200, f"{path}: {status}"
        token = re.search(rb'name="csrf-token" content="([^"]+)"', body)
        if token:
            self.csrf = token[1].decode()
        return body

    def act(self, action: str, **fields: object) -> dict:
        body = json.dumps({"action": action, **fields}).encode()
        _status, data = self.request("POST", "/api/act", body, {
            "Content-Type": "application/json", "X-CSRF-Token": self.csrf})
        return json.loads(data)

    def stream(self) -> http.client.HTTPResponse:
        conn = self._connect()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request("GET", "/live", headers={"Cookie": cookie})
        return conn.getresponse()


def next_lobby_event(stream: http.client.HTTPResponse) -> dict:
    """Read lines until one whole `lobby` event has come."""
    event = ""
    while True:
        line = stream.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "lobby":
            return json.loads(line[6:])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(_config: SiteConfig) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        root = Path(tmp)
        port = free_port()
        config = site_config(root / "web", port)
        (root / "web").mkdir()
        (root / "lobby").mkdir()
        # A month of history for the statistics' figures (the console reads the ledger).
        simulate_weekdays(config, HISTORY[0], HISTORY[1], str(root / "lobby" / "ledger.sqlite"))
        write_users(root / "web" / "web-users.toml")
        clock = ShiftedClock(MONDAY_9, 1.0)
        web = subprocess.Popen(
            [sys.executable, "-m", "bench.console_process", config.site.id, str(port),
             str(broker.port), str(root / "lobby"), str(root / "web" / "web-users.toml")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            with DeviceThread(device_runtime(config, "lobby-1", root / "lobby", clock, broker)):
                return _measure(config, broker, port, web.pid)
        finally:
            web.terminate()
            web.wait(10)


def _measure(config: SiteConfig, broker: LocalBroker, port: int, pid: int) -> list[str]:
    wait_until(lambda: _listening(port), timeout=30, what="the console process")
    time.sleep(1.0)
    idle_rss = rss_kb(pid)
    clerk, advisor = Staff(port, "clerk1"), Staff(port, "advisor")
    clerk.page("/clerk")
    pages = []
    for _ in range(200):
        t0 = time.perf_counter()
        advisor.page("/advisor")
        pages.append(time.perf_counter() - t0)
    others = [advisor.stream() for _ in range(STREAMS)]
    watch = advisor.stream()
    next_lobby_event(watch)
    actions, pushes = [], []
    with BlockingClient(broker.host, broker.port, config.site.id) as kiosk:
        for _ in range(150):
            number = kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
            number = number["ticket"]["number"]
            t0 = time.perf_counter()
            answer = clerk.act("call", room="1", services=["kela"])
            actions.append(time.perf_counter() - t0)
            assert answer["ok"], answer
            while not any((r.get("serving") or {}).get("number") == number
                          for r in next_lobby_event(watch)["rooms"]):
                pass
            pushes.append(time.perf_counter() - t0)
            clerk.act("complete", room="1")
    loaded_rss = rss_kb(pid)
    for stream in [*others, watch]:
        stream.close()
    service = Staff(port, "service")
    days, months = [], []
    for _ in range(40):
        t0 = time.perf_counter()
        assert service.request("GET", f"/stats/day.json?day={HISTORY[1]}")[0] == 200
        days.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    assert service.request("GET", f"/stats/month.json?month={HISTORY[1]:%Y-%m}")[0] == 200
    months.append(time.perf_counter() - t0)
    return [
        f"console (web role alone) resident memory: idle {idle_rss / 1024:.0f} MB, "
        f"with {STREAMS + 1} live streams after {len(pages) + 2 * len(actions)} requests "
        f"{loaded_rss / 1024:.0f} MB",
        report("console: advisor's page over HTTPS", pages),
        report("console: clerk's call, HTTPS -> controller -> answer", actions),
        report(f"console: call seen on a live stream ({STREAMS + 1} open)", pushes),
        report("console: a day's statistics (day.json, busy day)", days),
        f"console: a month's statistics (month.json, 20 weekdays), first request "
        f"{months[0] * 1000:.0f} ms; the console keeps it until the ledger grows",
    ]


def _listening(port: int) -> bool:
    try:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=1,
                                           context=insecure_context())
        conn.request("GET", "/login")
        return conn.getresponse().status == 200
    except OSError:
        return False
