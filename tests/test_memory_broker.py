"""The in-memory broker (mqtt_bridge/memory.py) behaves as Debian's Mosquitto does for what the
roles rely on: the property test puts the same random topics, retained messages and
subscriptions through both and compares what each subscriber gets; the other tests pin the
semantics one by one (retained, will, QoS 1 acknowledgement, sessions, broker restarts)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from firmware.broker import LocalBroker
from mqtt_bridge.link import Delivered, Incoming, LinkDown, LinkUp, Will
from mqtt_bridge.memory import MemoryBroker, matches, valid_filter

# Topics outside the contract's channels on purpose, declared to the wire check below.
ROOT = "piste/memtest"
LEVELS = st.sampled_from(["a", "b", "c"])


def memory_client(broker: MemoryBroker, name: str = "", will: Will | None = None, **kw: Any
                  ) -> tuple[Any, list[Any]]:
    box: list[Any] = []
    link = broker.link(name or f"c-{uuid.uuid4().hex[:6]}", box.append, will, **kw)
    link.start()
    return link, box


def received(box: list[Any]) -> list[tuple[str, bytes, bool]]:
    return [(m.topic, m.payload, m.retain) for m in box if isinstance(m, Incoming)]


class Mosquitto:
    """A paho client on the real broker, gathering what it receives; `flush` is an event:
    a marker of its own that comes back after everything before it."""

    def __init__(self, broker: LocalBroker) -> None:
        self.got: list[tuple[str, bytes, bool]] = []
        self._marker = threading.Event()
        self._acked = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                                  client_id=f"memtest-{uuid.uuid4().hex[:8]}")
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self._acked.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def _on_message(self, _c: Any, _u: Any, message: Any) -> None:
        if message.topic == f"{ROOT}-marker":
            self._marker.set()
        else:
            self.got.append((message.topic, bytes(message.payload), bool(message.retain)))

    def subscribe(self, topic_filter: str) -> None:
        self._acked.clear()
        self.client.subscribe(topic_filter, qos=1)
        assert self._acked.wait(5)

    def publish(self, topic: str, payload: bytes, retain: bool) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def flush(self) -> None:
        self._marker.clear()
        self.client.subscribe(f"{ROOT}-marker", qos=1)
        self.client.publish(f"{ROOT}-marker", b"", qos=1)
        assert self._marker.wait(5), "the marker did not come back"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def in_mqtt_order(got: list[tuple[str, bytes, bool]]) -> tuple[list[Any], list[Any]]:
    """(the retained messages sent on subscribing, sorted; the live ones, in order): MQTT
    orders the messages of one topic, not the retained messages of several topics, and
    Mosquitto sends those in the order of its topic tree."""
    return sorted(m for m in got if m[2]), [m for m in got if not m[2]]


topic_names = st.lists(LEVELS, min_size=1, max_size=3).map(lambda ls: "/".join(ls))
filters = st.lists(st.sampled_from(["a", "b", "+"]), min_size=1, max_size=3).flatmap(
    lambda ls: st.sampled_from(["/".join(ls), "/".join([*ls, "#"])]))
publishes = st.lists(st.tuples(topic_names, st.sampled_from([b"", b"x", b"y"]), st.booleans()),
                     max_size=8)


@pytest.mark.wire_abuse(f"{ROOT}/#", f"{ROOT}-marker")
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=publishes, subscriptions=st.lists(filters, min_size=1, max_size=3),
       after=publishes)
def test_memory_broker_delivers_as_mosquitto_does(broker: LocalBroker, before: Any,
                                                  subscriptions: Any, after: Any) -> None:
    """Retained messages before the subscriptions, then live ones: the same messages, in
    the same order, with the same retain flags, on both brokers."""
    root = f"{ROOT}/{uuid.uuid4().hex[:8]}"
    memory = MemoryBroker()
    publisher, _ = memory_client(memory)
    subscriber, box = memory_client(memory)
    real_pub, real_sub = Mosquitto(broker), Mosquitto(broker)
    try:
        for topic, payload, retain in before:
            publisher.publish(f"{root}/{topic}", payload, retain=retain)
            real_pub.publish(f"{root}/{topic}", payload, retain)
        for topic_filter in subscriptions:
            subscriber.subscribe(f"{root}/{topic_filter}")
            real_sub.subscribe(f"{root}/{topic_filter}")
        for topic, payload, retain in after:
            publisher.publish(f"{root}/{topic}", payload, retain=retain)
            real_pub.publish(f"{root}/{topic}", payload, retain)
        real_sub.flush()
        assert in_mqtt_order(received(box)) == in_mqtt_order(real_sub.got)
    finally:
        for topic in {t for t, _, r in before + after if r}:  # leave Mosquitto clean
            real_pub.publish(f"{root}/{topic}", b"", True)
        real_pub.close()
        real_sub.close()


@given(st.lists(st.sampled_from(["a", "b", "+", "#", "$SYS", "a#", "+b", ""]), min_size=1,
                max_size=4), st.lists(st.sampled_from(["a", "b", "$SYS", ""]), min_size=1,
                                      max_size=4))
def test_matching_follows_the_mqtt_rules(filter_levels: list[str], topic_levels: list[str]
                                         ) -> None:
    topic_filter, topic = "/".join(filter_levels), "/".join(topic_levels)
    assume(valid_filter(topic_filter))
    assert matches(topic_filter, topic) == mqtt.topic_matches_sub(topic_filter, topic) or (
        topic.startswith("$") and topic_filter[:1] in "+#")


def test_an_empty_retained_message_clears_the_topic_and_still_reaches_subscribers() -> None:
    memory = MemoryBroker()
    pub, _ = memory_client(memory)
    sub, box = memory_client(memory)
    pub.publish(f"{ROOT}/t", b"1", retain=True)
    sub.subscribe(f"{ROOT}/#")
    pub.publish(f"{ROOT}/t", b"", retain=True)
    assert received(box) == [(f"{ROOT}/t", b"1", True), (f"{ROOT}/t", b"", False)]
    assert memory.retained == {}
    late, late_box = memory_client(memory)
    late.subscribe(f"{ROOT}/#")
    assert received(late_box) == []


def test_qos1_is_acknowledged_and_waits_in_the_link_while_it_is_down() -> None:
    memory = MemoryBroker()
    sub, box = memory_client(memory)  # first: it is back before the publisher after a restart
    pub, pub_box = memory_client(memory)
    sub.subscribe(f"{ROOT}/t")
    info = pub.publish(f"{ROOT}/t", b"1")
    assert Delivered(info.mid) in pub_box
    memory.stop()
    assert pub_box[-1] == LinkDown("the broker went away")
    kept = pub.publish(f"{ROOT}/t", b"2")
    lost = pub.publish(f"{ROOT}/t", b"3", qos=0)
    memory.start()
    assert Delivered(kept.mid) in pub_box and Delivered(lost.mid) not in pub_box
    assert [p for _, p, _ in received(box)] == [b"1", b"2"]
    assert pub_box.count(LinkUp()) == 2


def test_the_will_goes_out_on_a_lost_connection_not_on_a_clean_stop() -> None:
    memory = MemoryBroker()
    watcher, box = memory_client(memory)
    watcher.subscribe(f"{ROOT}/status/+")
    dropped, _ = memory_client(memory, "d1", Will(f"{ROOT}/status/d1", b"offline"))
    stopped, _ = memory_client(memory, "d2", Will(f"{ROOT}/status/d2", b"offline"))
    stopped.stop(last_words=[(f"{ROOT}/status/d2", b"stopped")])
    dropped.drop()
    assert received(box) == [(f"{ROOT}/status/d2", b"stopped", False),
                             (f"{ROOT}/status/d1", b"offline", False)]
    assert memory.retained[f"{ROOT}/status/d1"] == b"offline"
    dropped.reconnect()
    assert dropped.connected


def test_a_kept_session_gets_what_came_while_it_was_away() -> None:
    memory = MemoryBroker()
    pub, _ = memory_client(memory)
    keeper, box = memory_client(memory, "collector", session_expiry_s=3600)
    keeper.subscribe(f"{ROOT}/events/#")
    plain, plain_box = memory_client(memory, "plain")
    plain.subscribe(f"{ROOT}/events/#")
    keeper.drop()
    plain.drop()
    pub.publish(f"{ROOT}/events/1", b"e1")
    keeper.reconnect()
    plain.reconnect()
    assert (f"{ROOT}/events/1", b"e1", False) in received(box)
    assert (f"{ROOT}/events/1", b"e1", False) not in received(plain_box)


def test_a_second_connection_with_the_same_client_id_is_refused() -> None:
    memory = MemoryBroker()
    memory_client(memory, "same")
    with pytest.raises(ValueError, match="already connected"):
        memory_client(memory, "same")
