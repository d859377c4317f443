"""A short-lived MQTT connection for admin commands (push, status, self-test), with TLS
and a login, that tells *why* it could not connect: unreachable, TLS, or refused login."""

from __future__ import annotations

import contextlib
import queue
import ssl
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from firmware.site_model import BrokerConfig
from mqtt_bridge import broker_url


class BrokerError(ConnectionError):
    """Connecting failed; the text says what failed and how to fix it."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    tls: bool


def parse_url(url: str) -> Endpoint:
    """mqtt://HOST[:PORT] (1883) or mqtts://HOST[:PORT] (8883); a bare HOST[:PORT] too."""
    try:
        address = broker_url.parse(url)
    except broker_url.BrokerUrlError as exc:
        raise BrokerError(str(exc)) from None
    return Endpoint(address.host, address.port, bool(address.tls))


class AdminClient:
    def __init__(self, broker: BrokerConfig, *, host: str | None = None,
                 port: int | None = None, tls: bool | None = None, name: str = "admin") -> None:
        self.host = host or broker.host
        self.port = port or broker.port
        self._connected = threading.Event()
        self._refusal: str | None = None
        self.messages: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2,
                                   client_id=f"piste-{name}-{uuid.uuid4().hex[:8]}",
                                   protocol=mqtt.MQTTv5)
        if broker.username:
            self._client.username_pw_set(broker.username, broker.password or None)
        if tls if tls is not None else broker.tls:
            try:
                self._client.tls_set(ca_certs=broker.ca_file or None,
                                     certfile=broker.cert_file or None,
                                     keyfile=broker.key_file or None)
            except (OSError, ssl.SSLError) as exc:
                raise BrokerError(f"the TLS files cannot be used ({exc}): check ca_file, "
                                  "cert_file and key_file") from None
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message

    def connect(self, timeout: float = 5.0) -> AdminClient:
        where = f"{self.host}:{self.port}"
        try:
            self._client.connect(self.host, self.port, keepalive=15)
        except ssl.SSLError as exc:
            raise BrokerError(f"TLS with the broker at {where} failed: {exc.reason or exc}; "
                              "check that ca_file is the CA that signed the broker's "
                              "certificate and that the clock is right") from None
        except OSError as exc:
            raise BrokerError(f"cannot reach the broker at {where}: {exc.strerror or exc}; "
                              "check the network cable or Wi-Fi, the host name and that the "
                              "broker runs") from None
        self._client.loop_start()
        if not self._connected.wait(timeout) or self._refusal:
            self.close()
            if self._refusal:
                raise BrokerError(f"the broker at {where} refused the login: {self._refusal}; "
                                  "check the username and password (piste provision)")
            raise BrokerError(f"the broker at {where} did not answer within {timeout:g} s")
        return self

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def __enter__(self) -> AdminClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, topic_filter: str) -> None:
        self._client.subscribe(topic_filter, qos=1)

    def publish(self, topic: str, payload: bytes, *, retain: bool = False,
                timeout: float = 5.0) -> None:
        info = self._client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(timeout)
        if not info.is_published():
            raise BrokerError(f"the broker did not confirm the message on {topic}")

    def collect(self, seconds: float) -> list[tuple[str, bytes, bool]]:
        """What arrived within `seconds` (retained messages come at once after subscribing)."""
        import time

        got: list[tuple[str, bytes, bool]] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self.messages.get(timeout=left))
            except queue.Empty:
                break
        return got

    # paho callbacks: hand over, never raise
    def _on_connect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self._refusal = str(reason)
        self._connected.set()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with contextlib.suppress(Exception):  # never kill paho's thread
            self.messages.put((message.topic, bytes(message.payload), bool(message.retain)))
