"""The national level at scale: 100 sites' events through one central Mosquitto into one
collector and its SQLite store, all on loopback.

Each site is a direct MQTT client publishing its ledger events as a site bridge forwards
them (QoS 1, in seq order). Figures:
- events/s the collector stores with every site sending as fast as it can;
- end-to-end delay site → stored, p50 and p99, at a busy day's pace;
- catch-up after a 10-minute central outage: the broker is stopped, the sites keep serving
  (their clients queue the events), the broker comes back; the time until the store has
  every event of those 10 minutes.
A busy day here: 300 customers a site in 8 hours, about 4 events each (issued, called,
completed and a room's occupancy change), so 10 minutes are about 25 events a site.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.common import percentile
from firmware.broker import LocalBroker
from firmware.central.collector import Collector
from firmware.central.local_postgres import MISSING, LocalPostgres, server_bin_dir
from firmware.central.store import CentralStore
from firmware.site_model import SiteConfig
from mqtt_bridge import topics

SITES = 100
EVENTS_PER_DAY = 300 * 4
OUTAGE_EVENTS = EVENTS_PER_DAY * 10 // (8 * 60)  # ten minutes of a busy day, per site


class TimedStore:
    """The real store, with the moment each event was stored noted for the delay figure."""

    def __init__(self, store: CentralStore) -> None:
        self.store = store
        self.delays: list[float] = []
        self.count = 0

    def add_many(self, site: str, events: list[dict[str, Any]]) -> int:
        new = self.store.add_many(site, events)
        now = time.time()
        self.delays += [now - e["sent"] for e in events if isinstance(e.get("sent"), float)]
        self.count += new
        return new

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class FakeSite:
    def __init__(self, index: int, broker: LocalBroker) -> None:
        self.id = f"site-{index:03d}"
        self.seq = 0
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bridge-{self.id}",
                                  protocol=mqtt.MQTTv311, clean_session=False)
        self.client.max_queued_messages_set(0)  # a bridge queues everything while cut off
        self.client.reconnect_delay_set(0.2, 1)
        self.client.connect_async(broker.host, broker.port)
        self.client.loop_start()

    def publish(self, n: int) -> None:
        for _ in range(n):
            self.seq += 1
            event = {"id": str(uuid.uuid4()), "seq": self.seq, "type": "ticket.issued",
                     "at": "2026-12-01T10:00:00+02:00", "day": "2026-12-01",
                     "number": f"K{self.seq % 1000:03d}", "service": "kela",
                     "sent": time.time()}
            self.client.publish(topics.queue_events(self.id), json.dumps(event), qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def run(config: SiteConfig) -> list[str]:
    del config  # the sites here are synthetic
    lines = _world("sqlite", None)
    bin_dir = server_bin_dir()
    if bin_dir is None:
        return [*lines, f"central on PostgreSQL: not measured ({MISSING})"]
    with LocalPostgres(bin_dir, durable=True) as postgres:
        return [*lines, *_world("PostgreSQL", postgres.url())]


def _world(kind: str, url: str | None) -> list[str]:
    """100 sites, a central broker and a collector on `kind`; SQLite: all three figures."""
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalBroker(Path(tmp) / "central", extra_conf=[
            "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 100"])
        broker.start()
        store = TimedStore(CentralStore.open(url or f"sqlite:///{tmp}/central.sqlite"))
        collector = Collector(store, broker.host, broker.port)  # type: ignore[arg-type]
        thread = threading.Thread(target=collector.run, daemon=True)
        thread.start()
        sites = [FakeSite(i, broker) for i in range(SITES)]
        try:
            _wait(lambda: collector.link.connected and all(s.client.is_connected()
                                                           for s in sites), 20)
            lines = [_throughput(sites, store, kind)]
            if url is None:
                lines += [_delay(sites, store), _catch_up(sites, store, broker)]
        finally:
            for site in sites:
                site.close()
            collector.stop()
            thread.join(10)
            store.store.close()
            broker.stop()
    return lines


def _throughput(sites: list[FakeSite], store: TimedStore, kind: str,
                per_site: int = 200) -> str:
    start_count, t0 = store.count, time.perf_counter()
    for site in sites:
        site.publish(per_site)
    total = per_site * len(sites)
    _wait(lambda: store.count - start_count >= total, 120)
    rate = total / (time.perf_counter() - t0)
    label = f"central: events stored, 100 sites at full speed, {kind}"
    return f"{label:<48} {rate:8.0f} /s   (n={total})"


def _delay(sites: list[FakeSite], store: TimedStore, seconds: float = 10.0,
           per_second: int = 2) -> str:
    """Every site sends `per_second` events a second: far above a busy day's pace."""
    store.delays.clear()
    start_count = store.count
    for _ in range(int(seconds * per_second)):
        tick = time.perf_counter()
        for site in sites:
            site.publish(1)
        time.sleep(max(0.0, 1 / per_second - (time.perf_counter() - tick)))
    total = int(seconds * per_second) * len(sites)
    _wait(lambda: store.count - start_count >= total, 60)
    ms = [d * 1000 for d in store.delays]
    return (f"{'central: delay site -> stored, 200 events/s':<48} median {percentile(ms, 50):8.2f}"
            f" ms   p99 {percentile(ms, 99):8.2f} ms   (n={len(ms)})")


def _catch_up(sites: list[FakeSite], store: TimedStore, broker: LocalBroker) -> str:
    broker.stop()
    _wait(lambda: not any(s.client.is_connected() for s in sites), 20)
    start_count = store.count
    for site in sites:
        site.publish(OUTAGE_EVENTS)  # queued in each site's client while the centre is away
    t0 = time.perf_counter()
    broker.start()
    total = OUTAGE_EVENTS * len(sites)
    _wait(lambda: store.count - start_count >= total, 120)
    return (f"{'central: catch-up after a 10-minute outage':<48} "
            f"{time.perf_counter() - t0:8.2f} s   ({total} events of {len(sites)} sites)")


def _wait(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the central benchmark timed out")
        time.sleep(0.05)

