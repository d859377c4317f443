"""`piste central`: every site's events from the central broker into one store, once each.

One thread owns the store (SQLite objects stay on the thread that made them); paho's thread
only hands messages over through the inbox, as on every device. Events are stored in
batches, one transaction per site and turn, so a busy national morning costs a commit per
batch, not per event.

Holes are found in the store, never in the collector's memory: a site's watermark
(`contiguous_seq`, every seq up to it stored) lives there, beside the highest seq stored,
and each site's retained `queue/state` says how far its ledger goes. A hole is asked for
(`cmd/events/replay/collector`, from its first missing seq) only once it has outlived
`grace_s`: events out of order, a batch another collector is still committing, a state
that overtook its events, all close within it on their own, and asking at once would make
the site publish everything from the hole again. The store keeps each event once by
(site, id) and (site, seq), so a replay racing the live stream changes nothing.

Several collectors can share the work (`share`: an MQTT shared subscription,
`$share/{group}/...`): the broker hands each event to one of them, all write to one
PostgreSQL, and since the watermark is the store's, what one collector has not seen is no
hole if another stored it. Who asks for a real hole is settled in the store too
(`claim_replay`), so a hole is asked for once, not once per collector.

Sessions. Alone, the collector keeps its session on the central broker for a fortnight, so
events that arrive while it restarts wait there. In a group it starts clean each time and
the broker forgets it when it goes: Mosquitto would otherwise go on handing a dead member
its share of every site's events (into a queue nobody reads), and it does not hand a dead
member's unacknowledged messages to the rest of the group either. Those few in-flight
events, like any acknowledged by paho before the store had them, are a hole in the store,
and the replay after the grace brings them back.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firmware.central.bridge import COLLECTOR
from firmware.central.store import CentralStore
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming, LinkUp, MqttLink, Tls
from mqtt_bridge.messages import MessageError, Snapshot
from mqtt_bridge.payloads import BadRequest, decode_json_object

log = logging.getLogger(__name__)

EVENTS_FILTER = f"{topics.PREFIX}/+/queue/events"
# Each site's retained snapshot carries its ledger's last seq: the only way to see that the
# last events of a site are missing when nothing newer comes after them. Never shared:
# every collector needs every site's, and a shared subscription gets no retained messages.
STATE_FILTER = f"{topics.PREFIX}/+/queue/state"
REPLIES_FILTER = f"{topics.PREFIX}/+/reply/{COLLECTOR}"
SESSION_EXPIRY_S = 14 * 24 * 3600  # a fortnight: the central broker keeps what we miss
BATCH = 2000  # messages taken from the inbox per turn
# Why 5 s: events of a site reach the collector in order within a few hundred ms (site
# broker, bridge, central broker, one batch commit), and with several collectors a hole is
# also the batch another one is committing; a replay resends everything from the hole, so
# asking too early costs far more than asking late, and national figures are read monthly.
GRACE_S = 5.0
RECHECK_S = 10.0  # a hole still there this long after its replay was asked for: ask again
SWEEP_S = 1.0  # how often the store is looked at for holes (one query for all sites)


@dataclass
class CollectorStats:
    stored: int = 0
    repeats: int = 0  # events received that the store already had (replays, redeliveries)
    malformed: int = 0
    replays_asked: int = 0
    per_site: dict[str, int] = field(default_factory=dict)

    @property
    def deliveries(self) -> int:
        """Events received that were events at all: stored now, or had already."""
        return self.stored + self.repeats


@dataclass(frozen=True)
class Hole:
    from_seq: int  # the first missing seq
    since: float  # when it was first seen with this first seq (monotonic)


def share_filter(group: str, topic_filter: str) -> str:
    return f"$share/{group}/{topic_filter}" if group else topic_filter


class Collector:
    def __init__(self, store: CentralStore, host: str, port: int, *, username: str = "",
                 password: str = "", tls: Tls | None = None, share: str = "",
                 grace_s: float = GRACE_S, recheck_s: float = RECHECK_S,
                 sweep_s: float = SWEEP_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.inbox: queue.Queue[Any] = queue.Queue()
        # One client id per login: collectors of one group must not take over each other's
        # connection (the central broker makes the user name the client id anyway).
        self.link = MqttLink(f"piste-{username or COLLECTOR}", host, port, self.inbox.put,
                             username=username, password=password, tls=tls,
                             session_expiry_s=0 if share else SESSION_EXPIRY_S)
        self.share = share
        self.grace_s = grace_s
        self.recheck_s = recheck_s
        self.sweep_s = sweep_s
        self.stats = CollectorStats()
        self._monotonic = monotonic
        self._holes: dict[str, Hole] = {}
        self._announced: dict[str, int] = {}  # site -> the last seq its controller announced
        self._next_sweep = 0.0
        self._stop = threading.Event()
        self.link.subscribe(share_filter(share, EVENTS_FILTER))
        self.link.subscribe(STATE_FILTER)
        self.link.subscribe(share_filter(share, REPLIES_FILTER))

    # -- lifecycle -----------------------------------------------------------------------

    def run(self) -> None:
        """Until `stop()`: connect, store, ask for what is missing."""
        self.link.start()
        try:
            while not self._stop.is_set():
                self.step(timeout=0.5)
        finally:
            self.link.stop()

    def stop(self) -> None:
        self._stop.set()

    # -- one turn ------------------------------------------------------------------------

    def step(self, timeout: float = 0.5) -> None:
        messages = self._take(timeout)
        batches: dict[str, list[dict[str, Any]]] = {}
        for message in messages:
            if isinstance(message, LinkUp):
                self._next_sweep = 0.0  # look at the store at once after a reconnect
            elif isinstance(message, Incoming):
                self._sort(message, batches)
        for site, events in batches.items():
            new = self.store.add_many(site, events)
            self.stats.stored += new
            self.stats.repeats += len(events) - new
            self.stats.per_site[site] = self.stats.per_site.get(site, 0) + new
        now = self._monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.sweep_s
            self.sweep(now)

    def _take(self, timeout: float) -> list[Any]:
        try:
            taken = [self.inbox.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(taken) < BATCH:
            try:
                taken.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        return taken

    def _sort(self, message: Incoming, batches: dict[str, list[dict[str, Any]]]) -> None:
        parsed = topics.parse(message.topic)
        if parsed is None:
            return
        site, levels = parsed
        if levels == ("reply", COLLECTOR):
            log.info("site %s answered a replay request: %s", site, message.payload[:200])
            return
        if levels == ("queue", "state"):
            self._note_announced(site, message.payload)
            return
        try:
            event = decode_json_object(message.payload)
        except BadRequest as exc:
            self.stats.malformed += 1
            log.warning("site %s sent an event that is not one (%s); passed over", site, exc)
            return
        batches.setdefault(site, []).append(event)

    # -- holes and replays ---------------------------------------------------------------

    def _note_announced(self, site: str, payload: bytes) -> None:
        try:
            seq = Snapshot.from_payload(payload).seq
        except MessageError:
            return
        if seq is not None and seq > 0:
            self._announced[site] = max(seq, self._announced.get(site, 0))

    def sweep(self, now: float) -> None:
        """Every site's first missing seq from the store: a hole new or moved starts its
        grace; one that outlived it is asked for."""
        progress = {p.site: p for p in self.store.sites()}
        for site in progress.keys() | self._announced.keys():
            stored = progress.get(site)
            contiguous = stored.contiguous_seq if stored else 0
            top = max(stored.max_seq if stored else 0, self._announced.get(site, 0))
            if top <= contiguous:
                self._holes.pop(site, None)
                continue
            hole = self._holes.get(site)
            if hole is None or hole.from_seq != contiguous + 1:
                # New, or the watermark moved on (the events came, a replay is arriving):
                # a fresh grace, so a hole that is closing is never asked for.
                self._holes[site] = Hole(contiguous + 1, now)
            elif now - hole.since >= self.grace_s:
                self._ask(site, hole.from_seq)

    def _ask(self, site: str, from_seq: int) -> None:
        # Once per hole among all collectors of the store, again only after `recheck_s`:
        # the replay asked for may simply be on its way.
        if not self.store.claim_replay(site, from_seq, self.recheck_s):
            return
        self.stats.replays_asked += 1
        log.info("site %s: events from seq %d are missing; asking for a replay", site, from_seq)
        body = {"request_id": str(uuid.uuid4()), "from_seq": from_seq}
        self.link.publish(topics.command(site, topics.REPLAY, COLLECTOR),
                          json.dumps(body).encode(), qos=1,
                          response_topic=topics.reply(site, COLLECTOR),
                          correlation=uuid.uuid4().bytes)
