"""The customers' phone pages: how soon a call reaches a page, what a page costs, and how many
one central relay holds.

All on loopback, real Mosquitto brokers:
- call -> page at the site: a real controller with phones on issues a kiosk's ticket (its
  answer holds the page's link); a clerk's call of it and then recalls (each a new `calls`
  on the ticket's public message), timed from the command's send until the page's live
  stream (`GET /t/{token}/live` on the web role's public listener, TLS) has the event;
  median and p99 (goal p99 <= 1 s);
- the same through the centre: the site broker bridged to a central one by the config
  `piste bridge-config` writes, `piste public` (a process of its own) subscribed there;
- memory per open page: the relay process's resident memory before and after opening
  PAGES live streams, divided by PAGES;
- one relay holding 200 sites x 300 open pages: 60,000 retained tickets on the central
  broker, then as many live streams as the machine lets one process hold (each page is an
  open socket in the relay; the bench raises its own RLIMIT_NOFILE to the hard limit, and
  the relay's is the same): the most held, a sample of them seeing a change, and why it
  stopped there if it did.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.common import percentile, report
from firmware.broker import LocalBroker, free_port
from firmware.central.bridge import QUEUED_MESSAGES, BridgeSettings, bridge_conf
from firmware.clock import SystemClock
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.console_site import device_runtime, site_config, write_users
from testkit.devices import DeviceThread
from testkit.public_messages import (
    EventStream,
    alive_message,
    alive_topic,
    encoded,
    ticket_message,
    ticket_topic,
)
from testkit.site_factory import weekly
from testkit.waiting import wait_until

CALLS = 200  # calls timed per path
PAGES = 1000  # open pages for the memory figure
SITES, PAGES_PER_SITE = 200, 300
GOAL_P99_S = 1.0
ROOT = Path(__file__).resolve().parent.parent


def now() -> datetime:
    return datetime.now(ZoneInfo("Europe/Helsinki"))


class Publisher:
    """A controller's publishing, as fast as paho goes (QoS 1, retained)."""

    def __init__(self, broker: LocalBroker) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                                  client_id=f"bench-{uuid.uuid4().hex[:8]}")
        self.client.max_inflight_messages_set(1000)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes, wait: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=1, retain=True)
        if wait:
            info.wait_for_publish(30)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def open_all_day(config: SiteConfig) -> SiteConfig:
    """The site open (and issuing) whenever the bench runs: the pages' expiry is the real
    time's, so the controller's clock must be the real one too."""
    hours = weekly(*[("00:01-23:29",)] * 7)
    return dataclasses.replace(
        config, site=dataclasses.replace(config.site, opening_hours=hours),
        services=tuple(dataclasses.replace(s, hours=hours, exceptions=())
                       for s in config.services),
        rules=dataclasses.replace(config.rules, stop_issuing_before_closing=False))


def phone_config(config: SiteConfig, base_url: str, public_port: int = 0) -> SiteConfig:
    return dataclasses.replace(config, phone=dataclasses.replace(
        config.phone, enabled=True, base_url=base_url, public_port=public_port,
        public_bind="127.0.0.1", requests_per_minute=10_000))


def time_calls(config: SiteConfig, broker: LocalBroker, controller: DeviceThread, port: int,
               *, tls: bool, ready: Callable[[], bool]) -> list[float]:
    """A kiosk's ticket with its phone link, then a clerk's call and CALLS - 1 recalls of it
    through the controller, each timed from the command's send to the page's event."""
    site = config.site.id
    wait_until(lambda: controller.runtime.link.connected, timeout=30, what="the controller")
    with BlockingClient(broker.host, broker.port, site, client="kiosk-1") as kiosk, \
            BlockingClient(broker.host, broker.port, site, client="room-1") as clerk:
        answer = kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"}, timeout=10)
        assert answer["ok"], answer
        token = answer["phone"]["url"].removeprefix(config.phone.base_url)
        wait_until(ready, timeout=30, what="the listener")
        stream = _open_when_known("127.0.0.1", port, token, tls)
        delays = []
        try:
            for call in range(1, CALLS + 1):
                started = time.perf_counter()
                if call == 1:
                    answer = clerk.request(topics.CALL, {"room": "1", "services": []})
                else:
                    answer = clerk.request(topics.RECALL, {"room": "1"})
                assert answer["ok"], answer
                _await_calls(stream, call)
                delays.append(time.perf_counter() - started)
        finally:
            stream.close()
    return delays


def _open_when_known(host: str, port: int, token: str, tls: bool) -> EventStream:
    """The page's stream, once the listener has the ticket (a 404 before)."""
    def opened() -> EventStream | None:
        stream = EventStream(host, port, token, tls=tls)
        while not stream.status:
            stream.read()
        if stream.status == 200:
            return stream
        stream.close()
        return None
    return wait_until(opened, timeout=30, what="the ticket at the listener")


def _await_calls(stream: EventStream, calls: int) -> None:
    stream.sock.settimeout(10)
    while True:
        for name, data in stream.read():
            if name == "ticket" and json.loads(data).get("calls") == calls:
                return


def site_path(tmp: Path) -> list[str]:
    """Call -> page through the web role's public listener (in this process, over TLS)."""
    with LocalBroker(tmp / "site") as broker:
        public = free_port()
        config = open_all_day(site_config(tmp, free_port()))
        config = phone_config(dataclasses.replace(config, broker=dataclasses.replace(
            config.broker, host=broker.host, port=broker.port)),
            f"https://127.0.0.1:{public}/t/", public)
        write_users(tmp / "web-users.toml")
        clock = SystemClock(ZoneInfo(config.site.timezone))
        with DeviceThread(device_runtime(controller_only(config), "lobby-1", tmp / "lobby",
                                         clock, broker)) as controller, \
                DeviceThread(device_runtime(config, "console", tmp / "console", clock,
                                            broker)) as web:
            def ready() -> bool:
                server = web.role("web").public
                return server is not None and server.started
            delays = time_calls(config, broker, controller, public, tls=True, ready=ready)
    return [report("phone: clerk's call -> page, site listener (TLS)", delays)
            + _goal(delays)]


def controller_only(config: SiteConfig) -> SiteConfig:
    """lobby-1 as the controller alone (no display to draw in a bench)."""
    return dataclasses.replace(config, devices=tuple(
        dataclasses.replace(d, roles=("controller",)) if d.id == "lobby-1" else d
        for d in config.devices))


def _goal(delays: list[float]) -> str:
    met = percentile(delays, 99) <= GOAL_P99_S
    return f"   goal p99 <= {GOAL_P99_S:g} s: {'met' if met else 'NOT met'}"


def start_relay(central: LocalBroker, port: int, rate: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware.cli", "public", "--broker",
         f"mqtt://{central.host}:{central.port}", "--port", str(port), "--bind", "127.0.0.1",
         "--requests-per-minute", str(rate)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=_raise_file_limit)
    return process


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _raise_file_limit() -> int:
    """Open files up to the hard limit (raising that needs a privilege we may not have)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        return soft
    return hard


def relay_path(tmp: Path) -> list[str]:
    """Call -> page through the bridge and `piste public`, and memory per open page."""
    port = free_port()
    config = open_all_day(site_config(tmp, free_port()))
    config = phone_config(config, f"http://127.0.0.1:{port}/t/")
    site = config.site.id
    with LocalBroker(tmp / "central", extra_conf=["allow_anonymous true"]) as central, \
            LocalBroker(tmp / "bridged", extra_conf=[
                "allow_anonymous true",
                *bridge_conf(BridgeSettings(site, central.host, central.port)).splitlines()
            ]) as broker:
        config = dataclasses.replace(config, broker=dataclasses.replace(
            config.broker, host=broker.host, port=broker.port))
        relay = start_relay(central, port, 1_000_000)
        clock = SystemClock(ZoneInfo(config.site.timezone))
        try:
            with DeviceThread(device_runtime(controller_only(config), "lobby-1",
                                             tmp / "lobby", clock, broker)) as controller:
                delays = time_calls(config, broker, controller, port, tls=False,
                                    ready=lambda: _listening(port))
            lines = [report("phone: clerk's call -> page, via bridge + relay", delays)
                     + _goal(delays)]
            publisher = Publisher(broker)
            try:
                lines.append(memory_per_page(publisher, site, port, relay.pid))
            finally:
                publisher.close()
        finally:
            relay.terminate()
            relay.wait(10)
    return lines


def _listening(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def memory_per_page(publisher: Publisher, site: str, port: int, pid: int) -> str:
    tokens = [uuid.uuid4().hex for _ in range(PAGES)]
    for token in tokens:
        publisher.publish(ticket_topic(site, token), encoded(ticket_message(site, now())))
    publisher.publish(alive_topic(site), encoded(alive_message(now())), wait=True)
    _open_when_known("127.0.0.1", port, tokens[-1], False).close()
    time.sleep(1.0)  # let the relay settle after taking the tickets in
    before = rss_kb(pid)
    after, opened = asyncio.run(_open_and_measure(port, tokens, pid))
    return (f"{'phone: memory per open page (relay RSS delta)':<48} "
            f"{(after - before) / max(1, opened.held):8.1f} KB   ({opened.held} pages, "
            f"{before / 1024:.0f} -> {after / 1024:.0f} MB)")


async def _open_and_measure(port: int, tokens: list[str], pid: int) -> tuple[int, Opened]:
    opened = await open_pages("127.0.0.1", port, tokens)
    await asyncio.sleep(1.0)
    after = rss_kb(pid)
    for stream in opened.streams.values():
        stream.close()
    return after, opened


@dataclasses.dataclass
class Opened:
    streams: dict[str, _AsyncStream]
    problem: str = ""

    @property
    def held(self) -> int:
        return len(self.streams)


@dataclasses.dataclass
class _AsyncStream:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()

    async def until_calls(self, calls: int, timeout_s: float) -> bool:
        """Whether a ticket event with this many calls comes within the time."""
        async def read() -> bool:
            while line := await self.reader.readline():
                if line.startswith(b"data:") and b'"calls"' in line:
                    with contextlib.suppress(ValueError):
                        if json.loads(line[5:]).get("calls") == calls:
                            return True
            return False
        try:
            return await asyncio.wait_for(read(), timeout_s)
        except (TimeoutError, OSError):
            return False


async def open_pages(host: str, port: int, tokens: list[str], parallel: int = 100) -> Opened:
    """Open a live stream per token, each until its first ticket event; stops opening at
    the first that fails and says why."""
    opened = Opened({})
    gate = asyncio.Semaphore(parallel)

    async def one(token: str) -> None:
        async with gate:
            if opened.problem:
                return
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError as exc:
                opened.problem = opened.problem or f"this bench: {_plain(exc)}"
                return
            try:
                writer.write(f"GET /t/{token}/live HTTP/1.1\r\nHost: {host}\r\n"
                             "Accept: text/event-stream\r\n\r\n".encode())
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                status = head.split(b"\r\n", 1)[0].decode(errors="replace")
                if " 200 " not in status + " ":
                    opened.problem = opened.problem or f"the relay answered {status}"
                    writer.close()
                    return
                await asyncio.wait_for(reader.readuntil(b"event: ticket"), 30)
                opened.streams[token] = _AsyncStream(reader, writer)
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                opened.problem = opened.problem or f"the relay: {_plain(exc)}"
                writer.close()

    await asyncio.gather(*(one(t) for t in tokens))
    return opened


def _plain(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, TimeoutError):
        return "no answer within 30 s"
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the connection was closed"
    return type(exc).__name__


def national(tmp: Path) -> list[str]:
    """One relay, 200 sites' tickets, as many open pages as it can hold."""
    limit = _raise_file_limit()
    # The relay needs a socket per page, the bench one too, and each a few to spare.
    most = min(SITES * PAGES_PER_SITE, limit - 200)
    # As `piste central-acl` configures the central broker: Mosquitto hands a subscriber at
    # most max_queued_messages retained messages at once, and drops the rest.
    with LocalBroker(tmp / "national", extra_conf=[
            "allow_anonymous true", f"max_queued_messages {QUEUED_MESSAGES}"]) as central:
        publisher = Publisher(central)
        sites = [f"site-{i:03d}" for i in range(SITES)]
        tokens = {site: [uuid.uuid4().hex for _ in range(PAGES_PER_SITE)] for site in sites}
        moment = now()
        for site in sites:
            publisher.publish(alive_topic(site), encoded(alive_message(moment)))
            for token in tokens[site]:
                publisher.publish(ticket_topic(site, token),
                                  encoded(ticket_message(site, moment)))
        publisher.publish(alive_topic(sites[-1]), encoded(alive_message(moment)), wait=True)
        port = free_port()
        relay = start_relay(central, port, 1_000_000)
        try:
            wait_until(lambda: _listening(port), timeout=60, what="the relay")
            last = tokens[sites[-1]][-1]
            wait_until(lambda: _page_status(port, last) == 200, timeout=120,
                       what="the relay to have every site's tickets")
            idle = rss_kb(relay.pid)
            # Page by page across the sites, as phones open them through a morning.
            order = [tokens[s][i] for i in range(PAGES_PER_SITE) for s in sites][:most]
            site_of = {t: s for s in sites for t in tokens[s]}
            started = time.perf_counter()
            held, seen, sample, problem, rss = asyncio.run(
                _hold(port, order, publisher, site_of, relay.pid))
            took = time.perf_counter() - started
        finally:
            publisher.close()
            relay.terminate()
            relay.wait(30)
    wanted = SITES * PAGES_PER_SITE
    why = ""
    if held < wanted:
        why = (f"; stopped at {problem}" if problem else
               f"; stopped at the open-file limit of {limit} a process (the hard limit: "
               "raising it needs CAP_SYS_RESOURCE), one socket a page")
    return [f"{'phone: one relay, 200 sites x 300 pages':<48} held {held} of {wanted} "
            f"open pages ({took:.0f} s to open; {seen}/{sample} sampled pages saw a call), "
            f"relay RSS {idle / 1024:.0f} -> {rss / 1024:.0f} MB"
            f" ({(rss - idle) / max(1, held):.1f} KB a page){why}"]


def _page_status(port: int, token: str) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/t/{token}", timeout=10) as page:
            return int(page.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


async def _hold(port: int, order: list[str], publisher: Publisher, site_of: dict[str, str],
                pid: int) -> tuple[int, int, int, str, int]:
    """Open the pages, then call 20 sampled tickets and count the pages that see it."""
    opened = await open_pages("127.0.0.1", port, order)
    rss = rss_kb(pid)
    sample = random.sample(sorted(opened.streams), min(20, opened.held))
    for token in sample:
        site = site_of[token]
        publisher.publish(ticket_topic(site, token), encoded(
            ticket_message(site, now(), status="called", room="5", calls=1)))
    seen = sum(await asyncio.gather(*(opened.streams[t].until_calls(1, 15) for t in sample)))
    for stream in opened.streams.values():
        stream.close()
    return opened.held, seen, len(sample), opened.problem, rss


def run(_config: SiteConfig) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for part in (site_path, relay_path, national):
            where = root / part.__name__
            where.mkdir()
            lines += part(where)
    return lines


if __name__ == "__main__":
    for line in run(None):  # type: ignore[arg-type]
        print(line, flush=True)
