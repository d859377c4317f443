"""Two `piste central` processes sharing the work (`--share`, an MQTT shared subscription)
into one private PostgreSQL, with two real sites (controller, site broker, bridge) sending
all the while; one collector is SIGKILLed mid-stream. Every event of both ledgers ends up
stored exactly once: what the dead one had in flight comes back by replay (Mosquitto does
not hand a dead member's unacknowledged messages to the group) or from the broker."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import psycopg

from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import wait_for
from tests.postgres import postgres_db, postgres_url  # noqa: F401 (pytest finds them here)
from tests.test_central import National, Site

SUMMARY = re.compile(r"collector stopped: (\d+) events stored, (\d+) received again, "
                     r"(\d+) replays asked")


class CollectorProcess:
    """`piste central --share` as a process of its own; its log read as it comes."""

    def __init__(self, world: National, name: str) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "firmware.cli.main", "central", "--db", world.db_url,
             "--broker", world.central.url, "--username", name, "--share", "national",
             "--gap-grace", "0.5"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_line(self, pattern: str | re.Pattern[str], timeout: float = 20.0) -> re.Match[str]:
        """The first log line (from here on) that matches, waited for as it is written."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0.0))
            except queue.Empty:
                raise AssertionError(f"no line {pattern!r} in {timeout} s; it said: "
                                     f"{''.join(self.log)[-2000:]}") from None
            self.log.append(line)
            if found := re.search(pattern, line):
                return found

    def __enter__(self) -> CollectorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


class Kiosk:
    """Issues numbers at one site until told to stop, counting them."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.issued = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with BlockingClient(self.site.broker.host, self.site.broker.port, self.site.id,
                            client=f"kiosk-{uuid.uuid4().hex[:6]}") as kiosk:
            while not self.stop.is_set():
                assert kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"},
                                     timeout=10)["ok"]
                self.issued += 1

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


def stored_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        (count,) = conn.execute("SELECT count(*) FROM events").fetchone()  # type: ignore[misc]
        return int(count)


def test_two_collectors_share_the_work_and_one_killed_mid_stream_loses_nothing(
        tmp_path: Path, postgres_db: str) -> None:  # noqa: F811
    with ExitStack() as stack:
        world = National(tmp_path, postgres_db).start(stack)
        doomed = stack.enter_context(CollectorProcess(world, "collector-a"))
        survivor = stack.enter_context(CollectorProcess(world, "collector-b"))
        for collector in (doomed, survivor):
            collector.wait_line("connected to broker")
        kiosks = [Kiosk(site) for site in world.sites]
        try:
            wait_for(lambda: stored_count(postgres_db) >= 30, timeout=30,
                     what="the collectors storing the stream")
            doomed.process.send_signal(signal.SIGKILL)  # mid-stream: the kiosks go on
            doomed.process.wait(10)
            at_kill = [kiosk.issued for kiosk in kiosks]
            wait_for(lambda: all(k.issued >= n + 20 for k, n in zip(kiosks, at_kill,
                                                                    strict=True)),
                     timeout=30, what="twenty more numbers at each site after the kill")
        finally:
            for kiosk in kiosks:
                kiosk.finish()
        world.all_arrived(timeout=60)  # every ledger event stored, each once (by id)
        store_total = 0
        with psycopg.connect(postgres_db) as conn:
            for site in world.sites:
                seqs = [seq for (seq,) in conn.execute(
                    "SELECT seq FROM events WHERE site = %s ORDER BY seq", (site.id,))]
                assert seqs == list(range(1, len(site.ledger_ids()) + 1))
                row = conn.execute("SELECT contiguous_seq, max_seq, events FROM sites "
                                   "WHERE site = %s", (site.id,)).fetchone()
                assert row == (len(seqs), len(seqs), len(seqs)), "the watermark at the top"
                store_total += len(seqs)
        survivor.process.send_signal(signal.SIGTERM)
        stored, _, _ = map(int, survivor.wait_line(SUMMARY).groups())
        assert survivor.process.wait(10) == 0
        # The dead one had stored its share before it died: the work was shared.
        assert 0 < stored < store_total
