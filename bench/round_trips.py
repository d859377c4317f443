"""Command round trips through a real local Mosquitto: issue and call (median, p99).

Measured from the client's publish to the answer's arrival, with the controller committing
each command to its SQLite ledger (WAL, synchronous=FULL) before answering.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import report
from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def run(config: SiteConfig, n: int = 400) -> list[str]:
    # Hundreds of tickets in a minute would be refused near closing; this measures speed.
    config = dataclasses.replace(config, rules=dataclasses.replace(
        config.rules, stop_issuing_before_closing=False))
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        runtime = Runtime(config, device, ShiftedClock(TUESDAY_10), Path(tmp), [ControllerRole()],
                          broker_host=broker.host, broker_port=broker.port)
        thread = threading.Thread(target=runtime.run, daemon=True)
        thread.start()
        try:
            with BlockingClient(broker.host, broker.port, config.site.id) as client:
                warm_up(client)
                issue, call = [], []
                for i in range(n):
                    service = ("kela", "vero", "dvv")[i % 3]
                    t0 = time.perf_counter()
                    answer = client.request(topics.ISSUE, {"service": service, "lang": "fi"})
                    issue.append(time.perf_counter() - t0)
                    assert answer["ok"], answer
                for _ in range(n):
                    t0 = time.perf_counter()
                    answer = client.request(topics.CALL, {"room": "2", "services": []})
                    call.append(time.perf_counter() - t0)
                    assert answer["ok"], answer
        finally:
            runtime.request_stop("bench over")
            thread.join(10)
    return [
        report("issue round trip (kiosk -> broker -> ledger -> answer)", issue),
        report("call round trip (clerk -> broker -> ledger -> answer)", call),
    ]


def warm_up(client: BlockingClient) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.request(topics.CALL, {"room": "no-such-room"}, timeout=0.5)
            return
        except TimeoutError:
            continue
    raise RuntimeError("the controller did not answer")
