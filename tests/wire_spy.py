"""A spy on every broker the suite starts: it records each message for the wire checker.

The spy subscribes to `#` (which never matches the broker's own `$SYS/...` topics) as soon as
the broker listens, and keeps (topic, payload, retained) in order. `flush()` waits until the
broker has delivered everything it took in before the call: the spy publishes a marker of
its own outside the contract's prefix and waits for it to come back, an event rather than a
sleep (a broker delivers to one subscriber in the order it took the messages in).
"""

from __future__ import annotations

import threading
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.subscribeoptions import SubscribeOptions

FLUSH_PREFIX = "piste-test-spy/flush/"


class WireSpy:
    def __init__(self, host: str, port: int, username: str = "", password: str = "",
                 ca_file: str = "") -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._flushed: dict[str, threading.Event] = {}
        self._mqtt = mqtt.Client(CallbackAPIVersion.VERSION2,
                                 client_id=f"piste-test-spy-{uuid.uuid4().hex[:8]}",
                                 protocol=mqtt.MQTTv5)
        if username:  # on a broker with logins, the spy's own (it may read, not write)
            self._mqtt.username_pw_set(username, password)
        if ca_file:  # a TLS listener: the spy trusts the test's CA, as the devices do
            self._mqtt.tls_set(ca_certs=ca_file)
        self._mqtt.reconnect_delay_set(0.2, 1)  # back soon after a test restarts its broker
        self._mqtt.on_connect = self._on_connect
        self._mqtt.on_subscribe = lambda *a: self._subscribed.set()
        self._mqtt.on_disconnect = lambda *a: self._subscribed.clear()
        self._mqtt.on_message = self._on_message
        self.host, self.port = host, port

    # Generous: it returns as soon as the broker confirms; a login on a broker with
    # hashed passwords, on a machine busy with other tests, can take seconds.
    def start(self, timeout: float = 20.0) -> WireSpy:
        self._mqtt.connect(self.host, self.port, keepalive=30)
        self._mqtt.loop_start()
        if not self._subscribed.wait(timeout):
            self.close()
            raise RuntimeError(f"the wire spy could not subscribe on {self.host}:{self.port}")
        return self

    def _on_connect(self, client: mqtt.Client, _userdata: object, _flags: object,
                    reason: object, _props: object) -> None:
        if not getattr(reason, "is_failure", False):
            # Retain as published: a live message keeps its retained flag, so the checker
            # knows an empty retained one for what it is (the topic being cleared).
            client.subscribe("#", options=SubscribeOptions(qos=1, retainAsPublished=True))

    def _on_message(self, _client: mqtt.Client, _userdata: object,
                    message: mqtt.MQTTMessage) -> None:
        if message.topic.startswith(FLUSH_PREFIX):
            done = self._flushed.get(message.topic)
            if done is not None:
                done.set()
            return
        with self._lock:
            self.messages.append((message.topic, bytes(message.payload), bool(message.retain)))

    def flush(self, timeout: float = 5.0) -> bool:
        """True once everything the broker had before the call has reached the spy; False
        if the broker is gone (a test may have killed it: what came before is kept)."""
        if not self._subscribed.is_set():
            return False
        topic = FLUSH_PREFIX + uuid.uuid4().hex
        done = self._flushed[topic] = threading.Event()
        try:
            self._mqtt.publish(topic, b"", qos=1)
            return done.wait(timeout)
        finally:
            self._flushed.pop(topic, None)

    def since(self, start: int) -> list[tuple[str, bytes, bool]]:
        with self._lock:
            return self.messages[start:]

    def drain(self) -> list[tuple[str, bytes, bool]]:
        """Everything recorded so far, forgotten here (a long session keeps no backlog)."""
        with self._lock:
            taken, self.messages = self.messages, []
        return taken

    def close(self) -> None:
        self._mqtt.disconnect()
        self._mqtt.loop_stop()
