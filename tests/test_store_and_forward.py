"""The broker is killed while the controller works: nothing is lost or counted twice.

Real Mosquitto (SIGKILL and restart), the controller on its own loop, a kiosk-like client that
retries unanswered commands with the same request_id, and a collector that notices the gap
in `seq` and asks for a replay.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import threading
import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.collector import EventCollector
from testkit.site_factory import MONDAY, at, small_site
from tests.helpers import RunningDevice, wait_for


def ask(client: BlockingClient, command: str, body: dict, deadline_s: float = 30) -> dict:
    """As a kiosk does: the same request_id again until the controller answers."""
    body = {"request_id": str(uuid.uuid4()), **body}
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return client.request(command, body, timeout=1.0)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


def drain(inbox: queue.Queue, collector: EventCollector) -> None:
    while True:
        try:
            _topic, payload, _retained = inbox.get_nowait()
        except queue.Empty:
            return
        collector.add(json.loads(payload))


def test_broker_killed_mid_burst_loses_and_doubles_nothing(private_broker, tmp_path) -> None:
    config = small_site()
    config = dataclasses.replace(config, rules=dataclasses.replace(
        config.rules, stop_issuing_before_closing=False))
    site = config.site.id
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    role = ControllerRole()
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 9, 0)), tmp_path, [role],
                      broker_host=private_broker.host, broker_port=private_broker.port)
    with RunningDevice(runtime) as running:
        wait_for(lambda: runtime.link.connected, what="the controller's link")
        collector = EventCollector()
        with BlockingClient(private_broker.host, private_broker.port, site, "collector") as c, \
                BlockingClient(private_broker.host, private_broker.port, site, "kiosk") as k:
            events = c.watch(topics.queue_events(site))
            numbers: list[str] = []
            for _ in range(10):
                numbers.append(ask(k, topics.ISSUE, {"service": "kela"})["ticket"]["number"])

            def burst() -> None:
                for i in range(20):
                    service = ("kela", "vero")[i % 2]
                    numbers.append(ask(k, topics.ISSUE, {"service": service})["ticket"]["number"])

            worker = threading.Thread(target=burst)
            worker.start()
            wait_for(lambda: len(numbers) >= 14, what="the burst to start")
            private_broker.kill()
            time.sleep(1.0)  # commands and events pile up behind the dead broker
            private_broker.start()
            worker.join(60)
            assert not worker.is_alive()

            # The collector missed what was published while it was away: it asks again.
            wait_for(lambda: runtime.link.connected and c._connected.is_set(), timeout=15,
                     what="everyone to reconnect")
            deadline = time.monotonic() + 20
            replays = 0
            while time.monotonic() < deadline:
                drain(events, collector)
                last = running.on_loop(lambda: role.ledger.last_seq)
                missing = collector.first_missing(known_last=last)
                if missing is None and collector.last_seq == last:
                    break
                if missing is not None:
                    replays += 1
                    ask(c, topics.REPLAY, {"from_seq": missing})
                time.sleep(0.2)

        # The ledger belongs to the controller's thread: ask it there.
        ledger_events = running.on_loop(lambda: list(role.ledger.events_from(0)))
        # Everything was delivered and acknowledged in the end.
        wait_for(lambda: running.on_loop(role.ledger.outbox_pending) == [],
                 what="the outbox to empty")
    assert len(numbers) == 30 and len(set(numbers)) == 30  # no ticket issued twice
    assert len(ledger_events) == 30
    got = collector.in_order()
    assert [e["seq"] for e in got] == list(range(1, 31))  # no gap, no reset of seq
    assert [e["id"] for e in got] == [e.id for e in ledger_events]  # each once, by id
    print(f"repeats ignored by id: {collector.duplicates}; replays asked: {replays}")


@given(st.lists(st.fixed_dictionaries({"id": st.sampled_from(["a", "b", "c", "d"]),
                                       "seq": st.integers(1, 6)}), max_size=20)
       | st.lists(st.none() | st.integers() | st.text(max_size=3), max_size=5))
def test_the_collector_takes_each_id_once_and_finds_gaps(received: list) -> None:
    collector = EventCollector()
    for event in received:
        collector.add(event)
    ids = [e["id"] for e in collector.in_order()]
    assert len(ids) == len(set(ids))
    missing = collector.first_missing()
    if missing is not None:
        assert missing not in collector.events and missing <= collector.last_seq
