"""An MQTT 5 broker in memory, and the link a runtime uses to it: for tests of a device's
behaviour, where Mosquitto would only add threads, sockets and waiting.

It keeps what the roles rely on, as Debian's Mosquitto 2 does it with MQTT 5 clients
(tests/test_memory_broker.py holds the two side by side):

- topic filters with `+` and `#`; a wildcard at the first level never matches a `$` topic;
- one copy of a message per matching subscription of a client (MQTT 5 has no de-duplication
  of overlapping subscriptions, and Mosquitto makes none);
- retained messages, sent with the retain flag on each subscribe (retain handling 0, again
  on a subscribe made again), forwarded live without it; an empty retained payload clears
  the topic and still reaches the subscribers that are there;
- QoS 1: the publisher learns of the broker's acknowledgement (`Delivered`), and a QoS 1
  publish made while the link is down waits in the link and goes once it is back (as paho
  keeps it); QoS 0 made while down is lost;
- a session with an expiry (the collector's) keeps its subscriptions while the client is
  away, and the broker queues its QoS 1 messages until it is back;
- the last will, published (retained, QoS 1) when a connection ends without a DISCONNECT
  (`MemoryLink.drop`), not on a clean stop;
- the broker going away and coming back (`stop`/`start`): every link hears LinkDown, then
  LinkUp, subscribes again and gets the retained messages again, as after a reconnect.

Delivery is immediate: a publish puts `Incoming` into each subscriber's inbox before it
returns. Nothing here starts a thread or reads a clock. Not modelled: QoS 2, ACLs and
logins, TLS, the bridge, a client id taken over by a second connection (refused instead).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from mqtt_bridge.link import Delivered, Incoming, LinkDown, LinkUp, Post, Will
from mqtt_bridge.reachability import Reachability

Tap = Callable[[str, bytes, bool], None]  # (topic, payload, retain as published)


def valid_filter(topic_filter: str) -> bool:
    levels = topic_filter.split("/")
    if not topic_filter:
        return False
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def valid_topic(topic: str) -> bool:
    return bool(topic) and "+" not in topic and "#" not in topic


def matches(topic_filter: str, topic: str) -> bool:
    """Whether an MQTT topic filter matches a topic name (MQTT 5, 4.7)."""
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False  # `$SYS/...` is not for wildcards at the first level
    wanted, levels = topic_filter.split("/"), topic.split("/")
    for i, part in enumerate(wanted):
        if part == "#":
            return True  # also the parent level: `a/#` matches `a`
        if i >= len(levels) or (part != "+" and part != levels[i]):
            return False
    return len(wanted) == len(levels)


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False
    response_topic: str | None = None
    correlation: bytes | None = None


@dataclass
class _Session:
    subscriptions: dict[str, int] = field(default_factory=dict)
    queued: list[Incoming] = field(default_factory=list)  # QoS 1 while the client is away


@dataclass(frozen=True)
class PublishInfo:
    """What paho's MQTTMessageInfo gives the roles: the id a later `Delivered` names."""

    mid: int
    rc: int = 0


class MemoryBroker:
    """One broker for a test's devices. `link` is the runtime's seam: pass it as
    `Runtime(..., link=broker.link)`."""

    def __init__(self) -> None:
        self.running = True
        self.retained: dict[str, bytes] = {}
        self.taps: list[Tap] = []  # told of every message the broker takes in (a wire spy)
        self._online: dict[str, MemoryLink] = {}
        self._links: list[MemoryLink] = []
        self._sessions: dict[str, _Session] = {}  # kept sessions, by client id
        self._lock = threading.RLock()  # gpiozero's or a reader's thread may publish too

    def link(self, client_id: str, post: Post, will: Will | None = None, *,
             session_expiry_s: int = 0) -> MemoryLink:
        link = MemoryLink(self, client_id, post, will, session_expiry_s=session_expiry_s)
        self._links.append(link)
        return link

    # -- the broker's life ------------------------------------------------------------------

    def stop(self) -> None:
        """The broker goes away (killed, restarted): every link loses it; no will is sent,
        there is no broker to send it. Retained messages are kept, as on disk."""
        with self._lock:
            self.running = False
            for link in list(self._online.values()):
                self._offline(link)
                link.post(LinkDown("the broker went away"))

    def start(self) -> None:
        """The broker is back: every link that was started connects again."""
        with self._lock:
            self.running = True
            for link in self._links:
                if link.started and not link.connected:
                    self._connect(link)

    # -- for the links ----------------------------------------------------------------------

    def _connect(self, link: MemoryLink) -> None:
        if link.client_id in self._online:
            raise ValueError(f"client id {link.client_id} is already connected")
        kept = self._sessions.get(link.client_id) if link.session_expiry_s else None
        if kept is not None:
            link.subscriptions = {**kept.subscriptions, **link.subscriptions}
        self._online[link.client_id] = link
        link.connected = True
        link.reachability.reached()
        link.post(LinkUp())
        for topic_filter in link.subscriptions:
            self._send_retained(link, topic_filter)
        if kept is not None:
            queued, kept.queued = kept.queued, []
            for message in queued:
                link.post(message)
        waiting, link.outgoing = link.outgoing, []
        for message, mid in waiting:
            self._publish(link, message, mid)

    def _offline(self, link: MemoryLink) -> None:
        self._online.pop(link.client_id, None)
        link.connected = False
        if link.session_expiry_s:
            self._sessions[link.client_id] = _Session(dict(link.subscriptions))
        else:
            self._sessions.pop(link.client_id, None)

    def _subscribe(self, link: MemoryLink, topic_filter: str) -> None:
        self._send_retained(link, topic_filter)

    def _send_retained(self, link: MemoryLink, topic_filter: str) -> None:
        for topic, payload in sorted(self.retained.items()):
            if matches(topic_filter, topic):
                link.post(Incoming(topic, payload, True))

    def _publish(self, link: MemoryLink, message: Message, mid: int) -> None:
        if not valid_topic(message.topic):
            raise ValueError(f"not a topic to publish to: {message.topic!r}")
        for tap in self.taps:
            tap(message.topic, message.payload, message.retain)
        if message.retain:
            if message.payload:
                self.retained[message.topic] = message.payload
            else:
                self.retained.pop(message.topic, None)
        live = Incoming(message.topic, message.payload, False, message.response_topic,
                        message.correlation)
        for other in list(self._online.values()):
            for topic_filter in other.subscriptions:
                if matches(topic_filter, message.topic):
                    other.post(live)
        if message.qos:
            for client_id, session in self._sessions.items():
                if client_id in self._online:
                    continue
                session.queued += [live for f in session.subscriptions
                                   if matches(f, message.topic)]
            if mid:  # not the will: its client is gone
                link.post(Delivered(mid))

    def _drop(self, link: MemoryLink) -> None:
        """The connection ends without a DISCONNECT: the will goes out."""
        self._offline(link)
        if link.will is not None:
            self._publish(link, Message(link.will.topic, link.will.payload, 1, True), 0)


class MemoryLink:
    """The runtime's link to a MemoryBroker (the MqttLink's interface and messages)."""

    def __init__(self, broker: MemoryBroker, client_id: str, post: Post,
                 will: Will | None = None, *, session_expiry_s: int = 0) -> None:
        self.broker = broker
        self.client_id = client_id
        self.post = post
        self.will = will
        self.session_expiry_s = session_expiry_s
        self.reachability = Reachability("memory", lambda: 0.0)
        self.subscriptions: dict[str, int] = {}
        self.outgoing: list[tuple[Message, int]] = []  # QoS 1 made while down, as paho keeps
        self.started = False
        self.connected = False
        self._mids = itertools.count(1)

    @property
    def thread_alive(self) -> bool:
        return self.started  # no thread: alive for as long as it is started

    def start(self) -> None:
        with self.broker._lock:
            self.started = True
            if self.broker.running:
                self.broker._connect(self)

    def stop(self, last_words: list[tuple[str, bytes]] | None = None,
             wait_s: float = 0.0) -> None:
        """A clean DISCONNECT after the last retained words: no will."""
        with self.broker._lock:
            if self.connected:
                for topic, payload in last_words or []:
                    self.publish(topic, payload, retain=True)
                self.broker._offline(self)
            self.started = False
            self.outgoing = []

    def drop(self) -> None:
        """The network goes (a pulled cable, a crash): LinkDown here, the will at the broker,
        and the link comes back by itself at `reconnect` (paho's retry)."""
        with self.broker._lock:
            if self.connected:
                self.broker._drop(self)
                self.post(LinkDown("the connection was lost"))

    def reconnect(self) -> None:
        with self.broker._lock:
            if self.started and not self.connected and self.broker.running:
                self.broker._connect(self)

    def wait_connected(self, timeout: float) -> bool:
        return self.connected  # nothing to wait for: it connects when started

    def subscribe(self, topic_filter: str, qos: int = 1) -> None:
        if not valid_filter(topic_filter):
            raise ValueError(f"not a topic filter: {topic_filter!r}")
        with self.broker._lock:
            self.subscriptions[topic_filter] = qos
            if self.connected:
                self.broker._subscribe(self, topic_filter)

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                response_topic: str | None = None, correlation: bytes | None = None
                ) -> PublishInfo:
        message = Message(topic, bytes(payload), qos, retain, response_topic, correlation)
        mid = next(self._mids)
        with self.broker._lock:
            if self.connected:
                self.broker._publish(self, message, mid)
                return PublishInfo(mid)
            if qos:
                self.outgoing.append((message, mid))
            return PublishInfo(mid, rc=4)  # paho's MQTT_ERR_NO_CONN

