"""The pure core and the ledger: operations per second, fold time, appends with fsync."""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import report
from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core.events import Event, EventType
from firmware.core.queue import fold
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command

TZ = ZoneInfo("Europe/Helsinki")
MORNING = datetime(2026, 12, 1, 8, 30, tzinfo=TZ)  # a Tuesday


def synthetic_day(config: SiteConfig, events: int) -> list[Event]:
    """A busy day's events (issue, call, complete in turn) for the fold benchmark."""
    services = [s for s in config.services][:4]
    out: list[Event] = []
    at = MORNING
    seq = 0
    numbers: list[tuple[str, str]] = []
    counters: dict[str, int] = {}
    room_ids = [r.id for r in config.rooms]
    while len(out) < events:
        service = services[len(numbers) % len(services)]
        counters[service.prefix] = counters.get(service.prefix, 0) % 999 + 1
        number = f"{service.prefix}{counters[service.prefix]:03d}"
        seq += 1
        out.append(Event(str(uuid.uuid4()), EventType.TICKET_ISSUED, at, "2026-12-01", {
            "number": number, "service": service.id, "seq_no": counters[service.prefix],
            "counter": service.prefix, "lang": "fi", "device": "b"}, seq))
        numbers.append((number, service.id))
        at += timedelta(seconds=2)
        if len(numbers) > 3:
            called, service_id = numbers.pop(0)
            room = room_ids[seq % len(room_ids)]
            seq += 1
            out.append(Event(str(uuid.uuid4()), EventType.TICKET_CALLED, at, "2026-12-01", {
                "number": called, "room": room, "service": service_id,
                "call_id": str(uuid.uuid4())}, seq))
            seq += 1
            out.append(Event(str(uuid.uuid4()), EventType.TICKET_COMPLETED, at, "2026-12-01", {
                "number": called, "room": room}, seq))
    return out[:events]


def core_ops_per_second(config: SiteConfig, n: int = 3000) -> str:
    """issue + call + complete through the Controller on an in-memory ledger."""
    clock = ManualClock(MORNING)
    controller = Controller(config, Ledger(":memory:"), clock)
    room = config.rooms[0]
    service = room.services[0]
    t0 = time.perf_counter()
    for i in range(n):
        clock.advance(seconds=3)
        controller.handle(Command(topics.ISSUE, f"i{i}", {"service": service, "lang": "fi",
                                                           "device": "b", "appointment": None}))
        controller.handle(Command(topics.CALL, f"c{i}", {"room": room.id, "services": []}))
        controller.handle(Command(topics.COMPLETE, f"d{i}", {"room": room.id}))
    elapsed = time.perf_counter() - t0
    return (f"{'controller commands per second (in-memory ledger)':<48} "
            f"{3 * n / elapsed:8.0f} /s   (n={3 * n})")


def fold_time(config: SiteConfig, events: int = 10_000, repeats: int = 15) -> str:
    day = synthetic_day(config, events)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fold("2026-12-01", day)
        samples.append(time.perf_counter() - t0)
    return report(f"fold of a {events:,}-event day", samples)


def ledger_appends(config: SiteConfig, n: int = 300) -> list[str]:
    events = synthetic_day(config, n)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(Path(tmp) / "ledger.sqlite")
        samples = []
        t_all = time.perf_counter()
        for i, event in enumerate(events):
            t0 = time.perf_counter()
            ledger.append([event], (f"r{i}", "bench", {"ok": True}))
            samples.append(time.perf_counter() - t0)
        total = time.perf_counter() - t_all
        ledger.close()
    return [
        report("ledger append + commit (WAL, synchronous=FULL)", samples),
        f"{'ledger appends per second with fsync':<48} {n / total:8.0f} /s   (n={n})",
    ]


def run(config: SiteConfig) -> list[str]:
    return [core_ops_per_second(config), fold_time(config), *ledger_appends(config)]
