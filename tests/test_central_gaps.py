"""When the collector asks a site for a replay: only for a hole in the store that outlives
the grace, once among all collectors sharing the store, and never for events merely on their
way (out of order, behind a state that overtook them, in a replay being answered).

The collector's clock is given, so the tests jump through the grace instead of sleeping;
the link is never started (nothing here needs the network: what is asked for is counted).
Two writers moving one site's watermark at once run on both databases for real."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from firmware.central.collector import Collector
from firmware.central.store import CentralStore
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from tests.postgres import fresh_database, postgres_url  # noqa: F401 (pytest finds it here)
from tests.test_central_store import event

SITE = "turku"
GRACE, RECHECK = 5.0, 10.0


class Clock:
    """One time for the collector's monotonic clock and the store's wall clock."""

    def __init__(self) -> None:
        self.t = 1000.0

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return datetime(2026, 12, 1, 8, 0, tzinfo=UTC) + timedelta(seconds=self.t)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.sqlite'}"
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as database:
        yield database


class Collectors:
    """Collectors on one store, each with its own connection, all on one clock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clock = Clock()
        self.made: list[Collector] = []

    def new(self) -> Collector:
        store = CentralStore.open(self.url, now=self.clock.now)
        collector = Collector(store, "127.0.0.1", 1, share="national", grace_s=GRACE,
                              recheck_s=RECHECK, sweep_s=0.0, monotonic=self.clock.monotonic)
        self.made.append(collector)
        return collector

    def close(self) -> None:
        for collector in self.made:
            collector.store.close()


@pytest.fixture
def collectors(url: str) -> Iterator[Collectors]:
    made = Collectors(url)
    yield made
    made.close()


def deliver(collector: Collector, *seqs: int, at: float | None = None) -> None:
    """The broker hands `collector` these events of SITE; one turn of its loop."""
    for seq in seqs:
        collector.inbox.put(Incoming(topics.queue_events(SITE), json.dumps(event(seq)).encode(),
                                     False))
    collector.step(timeout=0)


def announce(collector: Collector, seq: int) -> None:
    """SITE's retained queue state, saying its ledger is at `seq`."""
    collector.inbox.put(Incoming(topics.queue_state(SITE), json.dumps({"seq": seq}).encode(),
                                 True))
    collector.step(timeout=0)


def tick(collectors: Collectors, to: float, *each: Collector) -> None:
    collectors.clock.t = 1000.0 + to
    for collector in each:
        collector.step(timeout=0)


def test_a_state_ahead_of_its_events_and_events_out_of_order_cost_no_replay(
        collectors: Collectors) -> None:
    collector = collectors.new()
    announce(collector, 3)  # the state overtook events 1..3
    tick(collectors, 1.0)
    deliver(collector, 1, 3)  # and they come, 2 after 3
    tick(collectors, 4.5, collector)
    deliver(collector, 2)
    tick(collectors, 60.0, collector)
    assert collector.stats.replays_asked == 0
    assert collector.store.progress(SITE).contiguous_seq == 3  # type: ignore[union-attr]
    assert collector.stats.deliveries == collector.stats.stored == 3


def test_a_hole_that_outlives_the_grace_is_asked_for_once_then_again_after_recheck(
        collectors: Collectors) -> None:
    collector = collectors.new()
    deliver(collector, 1, 3)  # 2 is missing from here on
    tick(collectors, GRACE - 0.1, collector)
    assert collector.stats.replays_asked == 0, "not within the grace"
    tick(collectors, GRACE, collector)
    assert collector.stats.replays_asked == 1
    for at in (GRACE + 1, GRACE + 5, GRACE + RECHECK - 0.1):
        tick(collectors, at, collector)
    assert collector.stats.replays_asked == 1, "the replay may be on its way"
    tick(collectors, GRACE + RECHECK, collector)
    assert collector.stats.replays_asked == 2, "asked again: the first went unanswered"
    # The site answers: everything from 2 again. The repeat of 3 is no new hole.
    deliver(collector, 2, 3)
    tick(collectors, 500.0, collector)
    assert collector.stats.replays_asked == 2
    assert (collector.stats.stored, collector.stats.repeats) == (3, 1)


def test_the_tail_a_state_announced_is_asked_for_when_it_never_comes(
        collectors: Collectors) -> None:
    collector = collectors.new()
    deliver(collector, 1, 2)
    announce(collector, 4)  # 3 and 4 were lost on the way, nothing newer comes
    tick(collectors, GRACE + 0.5, collector)
    assert collector.stats.replays_asked == 1


def test_a_replay_being_answered_moves_the_hole_and_is_not_asked_for_again(
        collectors: Collectors) -> None:
    collector = collectors.new()
    deliver(collector, 1)
    announce(collector, 400)
    tick(collectors, GRACE, collector)
    assert collector.stats.replays_asked == 1  # from 2
    # The replay arrives slowly, a part every few seconds (a busy bridge): each part moves
    # the watermark, and a hole that is closing is never asked for again.
    for part in range(1, 20):
        tick(collectors, GRACE + part * (GRACE - 1))
        deliver(collector, *range(2 + (part - 1) * 21, 2 + part * 21))
    tick(collectors, 1000.0, collector)
    assert collector.store.progress(SITE).contiguous_seq == 400  # type: ignore[union-attr]
    assert collector.stats.replays_asked == 1


def test_collectors_sharing_a_store_see_no_hole_in_each_others_share_and_ask_once(
        collectors: Collectors) -> None:
    one, two = collectors.new(), collectors.new()
    for seq in range(1, 41):  # the broker hands each event to one of the group
        deliver(one if seq % 2 else two, seq)
        tick(collectors, seq * 0.5, one, two)
    assert one.stats.replays_asked == two.stats.replays_asked == 0
    # Event 41 was in flight to a collector that died: nobody stores it.
    deliver(one, 42)
    deliver(two, 43)
    tick(collectors, 40 * 0.5 + GRACE + 1, one, two)
    tick(collectors, 40 * 0.5 + GRACE + 2, two, one)
    assert one.stats.replays_asked + two.stats.replays_asked == 1, "one ask for one hole"


def test_two_writers_move_one_sites_watermark_past_each_others_events(url: str) -> None:
    """Two collectors store one site's events at once, each every other seq, one event per
    transaction: the watermark must end at the top, whoever committed last."""
    top = 400
    stores = [CentralStore.open(url), CentralStore.open(url)]
    start = threading.Barrier(2)

    def write(store: CentralStore, first: int) -> None:
        start.wait()
        for seq in range(first, top + 1, 2):
            store.add(SITE, event(seq))

    threads = [threading.Thread(target=write, args=(store, first))
               for store, first in zip(stores, (1, 2), strict=True)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        progress = stores[0].progress(SITE)
        assert progress is not None
        assert (progress.contiguous_seq, progress.max_seq, progress.events) == (top, top, top)
        assert stores[0].missing_from(SITE) is None
    finally:
        for store in stores:
            store.close()
