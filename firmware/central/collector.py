"""`piste central`: every site's events from the central broker into one store, once each.

One thread owns the store (SQLite objects stay on the thread that made them); paho's thread
only hands messages over through the inbox, as on every device. Events are stored in
batches, one transaction per site and turn, so a busy national morning costs a commit per
batch, not per event. After each batch, and every `recheck_s`, a site whose events have a
hole below the highest seq stored is asked for a replay from the first missing seq
(`cmd/events/replay/collector`); the site's controller publishes the events again and the
store keeps each once. The collector keeps its session on the central broker, so events
that arrive while it restarts wait there; paho acknowledges a message before the store has
it, so the few in flight at a crash are found again as a hole and replayed.
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
from mqtt_bridge.payloads import BadRequest, decode_json_object

log = logging.getLogger(__name__)

EVENTS_FILTER = f"{topics.PREFIX}/+/queue/events"
# Each site's retained snapshot carries its ledger's last seq: the only way to see that the
# last events of a site are missing when nothing newer comes after them.
STATE_FILTER = f"{topics.PREFIX}/+/queue/state"
REPLIES_FILTER = f"{topics.PREFIX}/+/reply/{COLLECTOR}"
SESSION_EXPIRY_S = 14 * 24 * 3600  # a fortnight: the central broker keeps what we miss
BATCH = 2000  # messages taken from the inbox per turn
RECHECK_S = 10.0  # holes are asked for again this often while they last


@dataclass
class CollectorStats:
    stored: int = 0
    repeats: int = 0
    malformed: int = 0
    replays_asked: int = 0
    per_site: dict[str, int] = field(default_factory=dict)


class Collector:
    def __init__(self, store: CentralStore, host: str, port: int, *, username: str = "",
                 password: str = "", tls: Tls | None = None, recheck_s: float = RECHECK_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.link = MqttLink(f"piste-{COLLECTOR}", host, port, self.inbox.put,
                             username=username, password=password, tls=tls,
                             session_expiry_s=SESSION_EXPIRY_S)
        self.recheck_s = recheck_s
        self.stats = CollectorStats()
        self._monotonic = monotonic
        self._asked: dict[str, tuple[int, float]] = {}  # site -> (from_seq, when asked)
        self._site_seq: dict[str, int] = {}  # site -> the last seq its controller announced
        self._next_check = 0.0
        self._stop = threading.Event()
        self.link.subscribe(EVENTS_FILTER)
        self.link.subscribe(STATE_FILTER)
        self.link.subscribe(REPLIES_FILTER)

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
                self._next_check = 0.0  # look for holes at once after a reconnect
            elif isinstance(message, Incoming):
                self._sort(message, batches)
        for site, events in batches.items():
            new = self.store.add_many(site, events)
            self.stats.stored += new
            self.stats.repeats += len(events) - new
            self.stats.per_site[site] = self.stats.per_site.get(site, 0) + new
            self._ask_if_missing(site)
        if self._monotonic() >= self._next_check:
            self._next_check = self._monotonic() + self.recheck_s
            for site in {p.site for p in self.store.sites()} | set(self._site_seq):
                self._ask_if_missing(site, again=True)

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
        parts = message.topic.split("/")
        if len(parts) < 4 or f"{parts[0]}/{parts[1]}" != topics.PREFIX:
            return
        site = parts[2]
        if parts[3:] == ["reply", COLLECTOR]:
            log.info("site %s answered a replay request: %s", site, message.payload[:200])
            return
        if parts[3:] == ["queue", "state"]:
            self._note_site_seq(site, message.payload)
            return
        try:
            event = decode_json_object(message.payload)
        except BadRequest as exc:
            self.stats.malformed += 1
            log.warning("site %s sent an event that is not one (%s); passed over", site, exc)
            return
        batches.setdefault(site, []).append(event)

    # -- replays -------------------------------------------------------------------------

    def _note_site_seq(self, site: str, payload: bytes) -> None:
        try:
            seq = decode_json_object(payload).get("seq")
        except BadRequest:
            return
        if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0:
            self._site_seq[site] = max(seq, self._site_seq.get(site, 0))
            self._ask_if_missing(site)

    def _missing(self, site: str) -> int | None:
        """The first seq to ask for: a hole below the highest stored, or the tail the site
        announced in its state but that never arrived."""
        missing = self.store.missing_from(site)
        if missing is not None:
            return missing
        progress = self.store.progress(site)
        contiguous = progress.contiguous_seq if progress else 0
        return contiguous + 1 if self._site_seq.get(site, 0) > contiguous else None

    def _ask_if_missing(self, site: str, again: bool = False) -> None:
        missing = self._missing(site)
        if missing is None:
            self._asked.pop(site, None)
            return
        asked = self._asked.get(site)
        now = self._monotonic()
        # The same hole is asked for once per recheck: the replay may simply be on its way.
        if asked is not None and asked[0] == missing and now - asked[1] < self.recheck_s:
            return
        if asked is not None and asked[0] == missing and not again:
            return
        self._asked[site] = (missing, now)
        self.stats.replays_asked += 1
        log.info("site %s: events from seq %d are missing; asking for a replay", site, missing)
        body = {"request_id": str(uuid.uuid4()), "from_seq": missing}
        self.link.publish(topics.command(site, topics.REPLAY, COLLECTOR),
                          json.dumps(body).encode(), qos=1,
                          response_topic=topics.reply(site, COLLECTOR),
                          correlation=uuid.uuid4().bytes)
