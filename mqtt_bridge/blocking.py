"""A small blocking MQTT client for command-line tools, tests and benchmarks.

Devices use MqttLink on their runtime loop; a clerk's terminal, `piste demo`'s simulated
clerks and the benchmarks simply want `request(...)` to return the answer.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqtt_bridge import topics


class BrokerUnreachable(ConnectionError):
    pass


class BlockingClient:
    def __init__(
        self, host: str, port: int, site: str, client: str | None = None,
        username: str = "", password: str = "", client_id: str | None = None,
    ) -> None:
        self.site = site
        self.client_name = client or f"cli-{uuid.uuid4().hex[:8]}"
        self.reply_topic = topics.reply(site, self.client_name)
        self._answers: dict[bytes, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._subscribed: dict[str, queue.Queue[tuple[str, bytes, bool]]] = {}
        self._mqtt = mqtt.Client(
            # A client id of its own, so a console never pushes a device off the broker.
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"piste-{site}-{self.client_name}-{uuid.uuid4().hex[:6]}",
            protocol=mqtt.MQTTv5,
        )
        if username:
            self._mqtt.username_pw_set(username, password or None)
        self._mqtt.reconnect_delay_set(1, 5)  # back within seconds after a broker restart
        self._mqtt.on_connect = self._on_connect
        self._mqtt.on_message = self._on_message
        self._mqtt.on_disconnect = lambda *a: self._connected.clear()
        self.host, self.port = host, port

    def connect(self, timeout: float = 5.0) -> BlockingClient:
        try:
            self._mqtt.connect(self.host, self.port, keepalive=15)
        except OSError as exc:
            raise BrokerUnreachable(f"cannot reach the broker at {self.host}:{self.port}: "
                                    f"{exc.strerror or exc}") from None
        self._mqtt.loop_start()
        if not self._connected.wait(timeout):
            self.close()
            raise BrokerUnreachable(f"the broker at {self.host}:{self.port} did not accept us")
        return self

    def close(self) -> None:
        self._mqtt.disconnect()
        self._mqtt.loop_stop()

    def __enter__(self) -> BlockingClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, command: str, body: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send a command and wait for its answer; raises TimeoutError when none comes."""
        body = {**body}
        body.setdefault("request_id", str(uuid.uuid4()))
        correlation = uuid.uuid4().bytes
        answers: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)
        with self._lock:
            self._answers[correlation] = answers
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = self.reply_topic
        props.CorrelationData = correlation
        try:
            self._mqtt.publish(
                topics.command(self.site, command, self.client_name), json.dumps(body).encode(),
                qos=1,
                properties=props,
            )
            return answers.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer to {command} within {timeout} s") from None
        finally:
            with self._lock:
                self._answers.pop(correlation, None)

    def publish_raw(self, topic: str, payload: bytes, correlation: bytes | None = None,
                    response_topic: str | None = None, retain: bool = False) -> None:
        props = None
        if correlation is not None or response_topic is not None:
            props = Properties(PacketTypes.PUBLISH)
            if response_topic:
                props.ResponseTopic = response_topic
            if correlation:
                props.CorrelationData = correlation
        info = self._mqtt.publish(topic, payload, qos=1, retain=retain, properties=props)
        info.wait_for_publish(5)

    def watch(self, topic_filter: str) -> queue.Queue[tuple[str, bytes, bool]]:
        """Subscribe; returns a queue of (topic, payload, retained) for what arrives."""
        inbox: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        with self._lock:
            self._subscribed[topic_filter] = inbox
        result, _mid = self._mqtt.subscribe(topic_filter, qos=1)
        if result != mqtt.MQTT_ERR_SUCCESS:
            raise BrokerUnreachable(f"could not subscribe to {topic_filter}")
        return inbox

    # paho callbacks: hand over, never raise
    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            return
        sock = client.socket()
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.subscribe(self.reply_topic, qos=1)
        with self._lock:
            for topic_filter in self._subscribed:
                client.subscribe(topic_filter, qos=1)
        self._connected.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            if message.topic == self.reply_topic:
                correlation = getattr(message.properties, "CorrelationData", None)
                with self._lock:
                    answers = self._answers.get(bytes(correlation or b""))
                if answers is not None:
                    answers.put_nowait(json.loads(message.payload))
                return
            with self._lock:
                targets = [q for f, q in self._subscribed.items()
                           if mqtt.topic_matches_sub(f, message.topic)]
            for target in targets:
                target.put((message.topic, bytes(message.payload), bool(message.retain)))
        except Exception:  # never kill paho's thread
            pass
