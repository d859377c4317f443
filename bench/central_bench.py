"""The national level at scale: 100 sites' events through one central Mosquitto into the
collectors and their store, all on loopback.

Each site is a direct MQTT client behaving as a site's bridge forwards its controller: the
ledger events (QoS 1, in seq order), each followed by the retained queue state announcing
its seq, and an answer to the collector's replay requests (the events again from the seq
asked). Figures:
- events/s one collector stores (SQLite, in process) with every site sending at full speed;
- end-to-end delay site -> stored, p50 and p99, at a steady 200 events/s, and in that
  stream the replay requests per 1,000 events (goal 0) and deliveries per stored event
  (goal <= 1.05): what the collector asks for and receives beyond the stream itself;
- catch-up after a 10-minute central outage: the broker is stopped, the sites keep serving
  (their clients queue the events), the broker comes back; the time until the store has
  every event of those 10 minutes;
- on PostgreSQL, `piste central` as processes, one alone and two sharing the work
  (`--share`): events/s at full speed (median of 3 runs, and the slowest), the steady
  stream's replay requests and deliveries with two, and two at full speed with one
  SIGKILLed a quarter of the way: how long until every event is stored, each once.
A busy day here: 300 customers a site in 8 hours, about 4 events each (issued, called,
completed and a room's occupancy change), so 10 minutes are about 25 events a site.
"""

from __future__ import annotations

import json
import re
import signal
import statistics
import subprocess
import sys
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
from firmware.central.bridge import COLLECTOR
from firmware.central.collector import Collector
from firmware.central.local_postgres import MISSING, LocalPostgres, server_bin_dir
from firmware.central.store import CentralStore
from firmware.site_model import SiteConfig
from mqtt_bridge import topics

SITES = 100
EVENTS_PER_DAY = 300 * 4
OUTAGE_EVENTS = EVENTS_PER_DAY * 10 // (8 * 60)  # ten minutes of a busy day, per site
STATE_EVERY = 10  # at full speed a controller announces its seq once per burst, not per event
SUMMARY = re.compile(r"collector stopped: (\d+) events stored, (\d+) received again, "
                     r"(\d+) replays asked")


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
    """A site as its bridge forwards it: events, then the state announcing their seq."""

    def __init__(self, index: int, broker: LocalBroker, prefix: str = "site") -> None:
        self.id = f"{prefix}-{index:03d}"
        self.seq = 0
        self.sent: list[bytes] = []  # the ledger, for replays
        self.replays = 0
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bridge-{self.id}",
                                  protocol=mqtt.MQTTv311, clean_session=False)
        self.client.max_queued_messages_set(0)  # a bridge queues everything while cut off
        self.client.reconnect_delay_set(0.2, 1)
        self.client.on_connect = lambda client, *_: client.subscribe(
            topics.command(self.id, topics.REPLAY, COLLECTOR), qos=1)
        self.client.on_message = self._replay
        self.client.connect_async(broker.host, broker.port)
        self.client.loop_start()

    def publish(self, n: int, state_every: int = 1) -> None:
        with self._lock:
            for _ in range(n):
                self.seq += 1
                event = {"id": str(uuid.uuid4()), "seq": self.seq, "type": "ticket.issued",
                         "at": "2026-12-01T10:00:00+02:00", "day": "2026-12-01",
                         "number": f"K{self.seq % 1000:03d}", "service": "kela",
                         "sent": time.time()}
                payload = json.dumps(event).encode()
                self.sent.append(payload)
                self.client.publish(topics.queue_events(self.id), payload, qos=1)
                if self.seq % state_every == 0 or _ == n - 1:
                    self.client.publish(topics.queue_state(self.id),
                                        json.dumps({"seq": self.seq}), qos=1, retain=True)

    def _replay(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        """What the site's controller does: its ledger's events again from the seq asked."""
        from_seq = json.loads(message.payload)["from_seq"]
        with self._lock:
            self.replays += 1
            for payload in self.sent[from_seq - 1:]:
                self.client.publish(topics.queue_events(self.id), payload, qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def run(config: SiteConfig) -> list[str]:
    del config  # the sites here are synthetic
    lines = _world()
    bin_dir = server_bin_dir()
    if bin_dir is None:
        return [*lines, f"central on PostgreSQL: not measured ({MISSING})"]
    with LocalPostgres(bin_dir, durable=True) as postgres:
        return [*lines, *_shared(postgres)]


def _world() -> list[str]:
    """100 sites, a central broker and one collector in process on SQLite."""
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalBroker(Path(tmp) / "central", extra_conf=[
            "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 100"])
        broker.start()
        store = TimedStore(CentralStore.open(f"sqlite:///{tmp}/central.sqlite"))
        collector = Collector(store, broker.host, broker.port)  # type: ignore[arg-type]
        thread = threading.Thread(target=collector.run, daemon=True)
        thread.start()
        sites = [FakeSite(i, broker) for i in range(SITES)]
        try:
            _wait(lambda: collector.link.connected and all(s.client.is_connected()
                                                           for s in sites), 20)
            lines = [_throughput(sites, store, "SQLite")]
            before = (collector.stats.deliveries, collector.stats.stored,
                      collector.stats.replays_asked)
            lines.append(_delay(sites, store))
            lines.append(_asked_and_received(
                "1 collector, SQLite", collector.stats.replays_asked - before[2],
                collector.stats.deliveries - before[0], collector.stats.stored - before[1]))
            lines.append(_catch_up(sites, store, broker))
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
        site.publish(per_site, state_every=STATE_EVERY)
    total = per_site * len(sites)
    _wait(lambda: store.count - start_count >= total, 120)
    rate = total / (time.perf_counter() - t0)
    label = f"central: stored at full speed, 1 collector, {kind}"
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


def _asked_and_received(label: str, asked: int, deliveries: int, stored: int) -> str:
    return (f"{'central: steady stream, ' + label:<48} replay requests "
            f"{1000 * asked / max(stored, 1):6.2f} per 1,000 events   deliveries "
            f"{deliveries / max(stored, 1):5.3f} per stored event   (n={stored})")


class CollectorProcesses:
    """`piste central` as processes on one PostgreSQL: alone, or several in one group."""

    def __init__(self, tmp: Path, url: str, broker: LocalBroker, count: int) -> None:
        self.logs = [tmp / f"collector-{n}.log" for n in range(count)]
        share = ["--share", "bench"] if count > 1 else []
        self.processes = [subprocess.Popen(
            [sys.executable, "-m", "firmware.cli.main", "central", "--db", url, "--broker",
             broker.url, "--username", f"collector-{n}", *share],
            stdout=subprocess.DEVNULL, stderr=log.open("w")) for n, log in enumerate(self.logs)]
        _wait(lambda: all("connected to broker" in log.read_text() for log in self.logs), 20)

    def kill(self, index: int) -> None:
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(10)

    def stop(self) -> tuple[int, int, int]:
        """(stored, received again, replays asked), summed over the collectors still alive
        (a killed one leaves no summary)."""
        alive = [(p, log) for p, log in zip(self.processes, self.logs, strict=True)
                 if p.poll() is None]
        for process, _ in alive:
            process.send_signal(signal.SIGTERM)
        for process, _ in alive:
            process.wait(30)
        totals = [0, 0, 0]
        for _, log in alive:
            found = SUMMARY.search(log.read_text())
            if found is None:
                raise RuntimeError(f"a collector ended without its summary: {log.read_text()}")
            totals = [a + int(b) for a, b in zip(totals, found.groups(), strict=True)]
        return totals[0], totals[1], totals[2]


class SharedWorld:
    """One run: a new central broker (no retained states of an earlier run), 100 new sites,
    a new database, and `count` collector processes."""

    def __init__(self, tmp: Path, postgres: LocalPostgres, admin: Any, run: int,
                 count: int) -> None:
        import psycopg  # a national store's driver, as in the store

        where = tmp / f"run-{run}"
        self.broker = LocalBroker(where / "central", extra_conf=[
            "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 100"])
        self.broker.start()
        admin.execute(f"CREATE DATABASE bench_{run}")
        self.sites = [FakeSite(i, self.broker) for i in range(SITES)]
        _wait(lambda: all(s.client.is_connected() for s in self.sites), 20)
        self.collectors = CollectorProcesses(where, postgres.url(f"bench_{run}"), self.broker,
                                             count)
        self.conn = psycopg.connect(postgres.url(f"bench_{run}"), autocommit=True)
        self.stored_at_close = 0

    def stored(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM events").fetchone()[0])

    def close(self) -> tuple[int, int, int]:
        try:
            return self.collectors.stop()
        finally:
            self.stored_at_close = self.stored()
            self.conn.close()
            for site in self.sites:
                site.close()
            self.broker.stop()


def _shared(postgres: LocalPostgres) -> list[str]:
    """`piste central` on PostgreSQL, alone and two sharing the work: full speed (three
    runs each) and a steady stream with two."""
    import psycopg

    lines = []
    runs = iter(range(1, 100))
    with tempfile.TemporaryDirectory() as tmp, \
            psycopg.connect(postgres.url("postgres"), autocommit=True) as admin:
        for count in (1, 2):
            rates = []
            for _ in range(3):
                world = SharedWorld(Path(tmp), postgres, admin, next(runs), count)
                try:
                    t0 = time.perf_counter()
                    for site in world.sites:
                        site.publish(200, state_every=STATE_EVERY)
                    _wait(lambda world=world: world.stored() >= 200 * SITES, 180, poll=0.02)
                    rates.append(200 * SITES / (time.perf_counter() - t0))
                finally:
                    world.close()
            label = (f"central: stored at full speed, {count} "
                     f"collector{'s' if count > 1 else ''}, PostgreSQL")
            lines.append(f"{label:<48} median {statistics.median(rates):8.0f} /s   "
                         f"slowest {min(rates):8.0f} /s   (3 runs of {200 * SITES})")
        world = SharedWorld(Path(tmp), postgres, admin, next(runs), 2)
        try:
            per_second, seconds = 2, 10
            for _ in range(seconds * per_second):
                tick = time.perf_counter()
                for site in world.sites:
                    site.publish(1)
                time.sleep(max(0.0, 1 / per_second - (time.perf_counter() - tick)))
            _wait(lambda: world.stored() >= seconds * per_second * SITES, 60)
        finally:
            total, again, asked = world.close()
        lines.append(_asked_and_received("2 collectors, PostgreSQL", asked, total + again,
                                         total))
        lines.append(_one_killed(Path(tmp), postgres, admin, next(runs)))
    return lines


def _one_killed(tmp: Path, postgres: LocalPostgres, admin: Any, run: int) -> str:
    """Two collectors at full speed, one SIGKILLed a quarter of the way: the time from the
    kill until every event is stored (the grace and the replays of what the dead one held
    included), and the replay requests that took."""
    world = SharedWorld(tmp, postgres, admin, run, 2)
    total = 200 * SITES
    try:
        for site in world.sites:
            site.publish(200, state_every=STATE_EVERY)
        _wait(lambda: world.stored() >= total // 4, 120, poll=0.01)
        world.collectors.kill(0)
        killed_at = time.perf_counter()
        _wait(lambda: world.stored() >= total, 180, poll=0.05)
        recovered = time.perf_counter() - killed_at
        (distinct,) = world.conn.execute(
            "SELECT count(DISTINCT (site, seq)) FROM events").fetchone()
    finally:
        _, _, asked = world.close()
    once = "each once" if distinct == total == world.stored_at_close else "NOT each once"
    return (f"{'central: 2 collectors, one SIGKILLed mid-stream':<48} all {total} stored "
            f"({once}) {recovered:6.2f} s after the kill   replay requests {asked}")


def _wait(condition: Any, timeout: float, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the central benchmark timed out")
        time.sleep(poll)
