"""The MQTT bridge: events per second through the durable outbox, and resync time after a
broker restart (goal ≤ 5 s)."""

from __future__ import annotations

import dataclasses
import json
import queue
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import report
from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def _controller(config: SiteConfig, data: Path, broker: LocalBroker) -> Runtime:
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    return Runtime(config, device, ShiftedClock(TUESDAY_10), data, [ControllerRole()],
                   broker_host=broker.host, broker_port=broker.port)


def _wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def outbox_throughput(config: SiteConfig, n: int = 5000) -> str:
    """A backlog of n events (as after an outage) drained to a subscriber, PUBACK by PUBACK."""
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        ledger = Ledger(Path(tmp) / "ledger.sqlite")
        topic = topics.queue_events(config.site.id)
        for i in range(n):
            ledger.outbox_add(topic, json.dumps({"id": str(uuid.uuid4()), "seq": i + 1}).encode())
        ledger.close()
        with BlockingClient(broker.host, broker.port, config.site.id, "bench") as sink:
            received = sink.watch(topic)
            runtime = _controller(config, Path(tmp), broker)
            thread = threading.Thread(target=runtime.run, daemon=True)
            t0 = time.perf_counter()
            thread.start()
            got = 0
            while got < n:
                try:
                    received.get(timeout=10)
                except queue.Empty:
                    break
                got += 1
            elapsed = time.perf_counter() - t0
            runtime.request_stop("bench over")
            thread.join(10)
    return (f"{'events through the outbox (backlog drained)':<48} {got / elapsed:8.0f} /s   "
            f"(n={got} of {n}, incl. start-up)")


def resync_after_restart(config: SiteConfig, rounds: int = 5) -> str:
    """Broker killed and restarted: time until the controller is back and a display has
    the queue state again."""
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalBroker(Path(tmp) / "broker").start()
        runtime = _controller(config, Path(tmp), broker)
        thread = threading.Thread(target=runtime.run, daemon=True)
        thread.start()
        try:
            _wait(lambda: runtime.link.connected, 10)
            with BlockingClient(broker.host, broker.port, config.site.id, "display") as display:
                states = display.watch(topics.queue_state(config.site.id))
                states.get(timeout=10)
                for _ in range(rounds):
                    broker.kill()
                    _wait(lambda: not runtime.link.connected, 10)
                    while not states.empty():
                        states.get_nowait()
                    broker.start()
                    t0 = time.perf_counter()
                    states.get(timeout=30)
                    _wait(lambda: runtime.link.connected, 30)
                    samples.append(time.perf_counter() - t0)
        finally:
            runtime.request_stop("bench over")
            thread.join(10)
            broker.stop()
    return report("resync after a broker restart (goal <= 5 s)", samples, unit="s")


def run(config: SiteConfig) -> list[str]:
    return [outbox_throughput(config), resync_after_restart(config)]
