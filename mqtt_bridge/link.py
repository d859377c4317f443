"""The device's one connection to the broker (paho-mqtt 2.x, MQTT 5), used defensively.

paho calls us on its own network thread, and an exception in a callback kills that thread.
So every callback here only hands a message to the runtime's inbox, inside a try/except
that logs. The link keeps its subscriptions and makes them again after every reconnect;
paho reconnects by itself with a capped backoff.
"""

from __future__ import annotations

import logging
import random
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqtt_bridge.reachability import (
    Reachability,
    Unreachable,
    plain_reason,
    refused_reason,
    silent_reason,
)

log = logging.getLogger(__name__)

RECONNECT_MIN_S = 1
RECONNECT_MAX_S = 5  # a lobby device should be back within seconds of the broker
STOP_WAIT_S = 3.0  # for paho's network thread to end once disconnected
KEEPALIVE_TIMEOUT = 141  # MQTT 5 reason code paho gives when nothing came back in time


@dataclass(frozen=True)
class LinkUp:
    """The broker accepted the connection (first time or again)."""


@dataclass(frozen=True)
class LinkDown:
    reason: str


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    retain: bool
    response_topic: str | None = None
    correlation: bytes | None = None


@dataclass(frozen=True)
class Delivered:
    """The broker acknowledged a QoS 1 publish (PUBACK): it has the message now."""

    mid: int


@dataclass(frozen=True)
class Tls:
    ca_file: str
    cert_file: str = ""
    key_file: str = ""


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes


Post = Callable[[Any], None]

__all__ = ["Delivered", "Incoming", "Link", "LinkDown", "LinkUp", "MakeLink", "MqttLink", "Tls",
           "Unreachable", "Will"]


class Link(Protocol):
    """What the runtime and its roles use of a broker connection: the MqttLink on a device,
    `mqtt_bridge.memory.MemoryLink` in tests. It reports to the runtime's inbox through
    `post`: LinkUp, LinkDown, Incoming, Delivered, Unreachable."""

    reachability: Reachability

    @property
    def connected(self) -> bool: ...

    @property
    def thread_alive(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self, last_words: list[tuple[str, bytes]] | None = None,
             wait_s: float = ...) -> None: ...

    def wait_connected(self, timeout: float) -> bool: ...

    def subscribe(self, topic_filter: str, qos: int = 1) -> None: ...

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                response_topic: str | None = None, correlation: bytes | None = None) -> Any:
        """Returns something with the `mid` that a later Delivered names (QoS 1)."""


MakeLink = Callable[[str, Post, Will], Link]  # (client id, post, last will) -> the link


class MqttLink:
    def __init__(
        self,
        client_id: str,
        host: str,
        port: int,
        post: Post,
        *,
        will: Will | None = None,
        username: str = "",
        password: str = "",
        tls: Tls | None = None,
        keepalive: int = 15,
        session_expiry_s: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.port = port
        self._post = post
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.reachability = Reachability(where, monotonic)
        self._refused = False
        self._subscriptions: dict[str, int] = {}
        self._connected = threading.Event()
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        if username:
            self._client.username_pw_set(username, password or None)
        if tls is not None:
            self._client.tls_set(ca_certs=tls.ca_file, certfile=tls.cert_file or None,
                                 keyfile=tls.key_file or None)
        if will is not None:
            self._client.will_set(will.topic, will.payload, qos=1, retain=True)
        self._jitter_backoff()
        self._keepalive = keepalive
        # A receiver that must not miss anything while it restarts (the central collector)
        # keeps its session: the broker queues its QoS 1 messages until it is back.
        self._session_expiry_s = session_expiry_s
        self._client.on_connect = self._on_connect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_publish = self._on_publish

    def _jitter_backoff(self) -> None:
        # paho doubles its delay from the minimum up to the cap. A random start spreads
        # the reconnects of a whole lobby after a broker restart over a second or two.
        start = RECONNECT_MIN_S + random.random()
        self._client.reconnect_delay_set(min_delay=start, max_delay=RECONNECT_MAX_S)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; a broker that is not there yet is retried."""
        properties = None
        if self._session_expiry_s:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = self._session_expiry_s
        self._client.connect_async(self.host, self.port, keepalive=self._keepalive,
                                   clean_start=False if self._session_expiry_s
                                   else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
                                   properties=properties)
        self._client.loop_start()

    def stop(self, last_words: list[tuple[str, bytes]] | None = None,
             wait_s: float = STOP_WAIT_S) -> None:
        """Publish last retained messages (e.g. status "stopped") if connected, then
        disconnect; returns within about `wait_s` + 2 s whatever the broker does."""
        try:
            if self.connected:
                # Not queued while away: paho's thread would stay to deliver them.
                for topic, payload in last_words or []:
                    info = self._client.publish(topic, payload, qos=1, retain=True)
                    info.wait_for_publish(timeout=2)
            self._client.disconnect()
        finally:
            self._stop_network_thread(wait_s)

    def _stop_network_thread(self, wait_s: float) -> None:
        # paho's loop_stop() joins its thread without a timeout, and that thread stays while
        # it has QoS 1 messages to deliver on a socket that is open: a broker that accepted
        # the connection but does not answer holds it until the keepalive runs out. The
        # thread is a daemon: leave it behind, by name, rather than hang the device's stop.
        thread = getattr(self._client, "_thread", None)
        stopper = threading.Thread(target=self._client.loop_stop, daemon=True,
                                   name=f"stop {thread.name if thread else 'paho'}")
        stopper.start()
        stopper.join(wait_s)
        if stopper.is_alive() and thread is not None:
            log.warning("the MQTT network thread %s did not stop within %g s; left behind",
                        thread.name, wait_s)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def thread_alive(self) -> bool:
        """Whether paho's network thread still runs (the systemd watchdog asks)."""
        thread = getattr(self._client, "_thread", None)
        return thread is not None and thread.is_alive()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    # -- use ----------------------------------------------------------------------------

    def subscribe(self, topic_filter: str, qos: int = 1) -> None:
        self._subscriptions[topic_filter] = qos
        if self.connected:
            self._client.subscribe(topic_filter, qos)

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int = 1,
        retain: bool = False,
        response_topic: str | None = None,
        correlation: bytes | None = None,
    ) -> mqtt.MQTTMessageInfo:
        properties = None
        if response_topic is not None or correlation is not None:
            properties = Properties(PacketTypes.PUBLISH)
            if response_topic is not None:
                properties.ResponseTopic = response_topic
            if correlation is not None:
                properties.CorrelationData = correlation
        return self._client.publish(topic, payload, qos=qos, retain=retain, properties=properties)

    # -- paho callbacks: hand over, never raise ------------------------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any,
                    _props: Any) -> None:
        try:
            if reason.is_failure:
                self._refused = True  # paho reports the same attempt to on_disconnect next
                self._post(self.reachability.failed(refused_reason(reason)))
                return
            sock = client.socket()
            if isinstance(sock, socket.socket):
                # Without this every request/response waits for a delayed ACK (~40 ms).
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for topic_filter, qos in self._subscriptions.items():
                client.subscribe(topic_filter, qos)
            self._connected.set()
            self.reachability.reached()
            log.info("connected to broker %s:%s", self.host, self.port)
            self._post(LinkUp())
        except Exception:
            log.exception("error while handling the broker connection")

    def _on_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, reason: Any,
                    _props: Any) -> None:
        try:
            if reason is None or not reason.is_failure:
                self._post(Delivered(mid))
            else:
                log.warning("the broker refused publish %s: %s", mid, reason)
        except Exception:
            log.exception("error while handling a publish acknowledgement")

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any,
                       _props: Any) -> None:
        try:
            self._jitter_backoff()
            was_connected = self.connected
            self._connected.clear()
            refused, self._refused = self._refused, False
            if was_connected:
                log.warning("lost the broker %s:%s: %s", self.host, self.port, reason)
                self._post(LinkDown(str(reason)))
            elif getattr(reason, "value", None) == KEEPALIVE_TIMEOUT:
                # TCP was accepted, but no CONNACK came within the keepalive.
                self._post(self.reachability.failed(silent_reason(self._keepalive)))
            elif not refused and getattr(reason, "is_failure", False):
                self._post(self.reachability.failed(f"the connection was closed ({reason})"))
        except Exception:
            log.exception("error while handling a broker disconnect")

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        # paho calls this inside its `except OSError` around the connect, without passing
        # the error on: the exception being handled is the reason.
        try:
            self._post(self.reachability.failed(plain_reason(sys.exc_info()[1], self.host)))
        except Exception:
            log.exception("error while handling a failed connection attempt")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            props = getattr(message, "properties", None)
            response_topic = getattr(props, "ResponseTopic", None) if props else None
            correlation = getattr(props, "CorrelationData", None) if props else None
            self._post(
                Incoming(
                    topic=message.topic,
                    payload=bytes(message.payload),
                    retain=bool(message.retain),
                    response_topic=response_topic,
                    correlation=correlation,
                )
            )
        except Exception:
            log.exception("error while receiving a message on %s", message.topic)
