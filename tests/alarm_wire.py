"""One MQTT 5 login for the silent alarm's tests on a real Mosquitto: every message it gets in
one queue in the order it got them, and the broker's PUBACK reason code for each of its QoS 1
publishes (Mosquitto 2 answers a publish its ACL refuses with 0x87, "Not authorized", to an
MQTT 5 client, and drops the message; 0x00 or 0x10 "No matching subscribers" when taken).

"Nothing arrived" is proved without sleeping: a subscriber that may not read a topic is
sent, after it, a message it may read (a marker); the broker delivers one subscriber's
messages in the order it took them, so the marker's arrival means the other would have come
first, were it readable.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from firmware.broker import LocalBroker
from firmware.core.alarm import moment as at_moment
from firmware.core.alarm import new_alarm_id
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised

NOT_AUTHORIZED = 0x87
ACCEPTED = (0x00, 0x10)  # success; no matching subscribers
TIMEOUT = 10.0


class Login:
    """A client logged in as `user` with the test password `pw-{user}`."""

    def __init__(self, broker: LocalBroker, user: str, password: str | None = None) -> None:
        self.user = user
        self.messages: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self._acks: dict[int, int] = {}
        self._subacks: set[int] = set()
        self._done = threading.Condition()
        self._connected = threading.Event()
        self._refused: int | None = None
        self._mqtt = mqtt.Client(CallbackAPIVersion.VERSION2,
                                 client_id=f"{user}-{uuid.uuid4().hex[:6]}",
                                 protocol=mqtt.MQTTv5)
        self._mqtt.username_pw_set(user, password if password is not None else f"pw-{user}")
        self._mqtt.on_connect = self._on_connect
        self._mqtt.on_message = self._on_message
        self._mqtt.on_publish = self._on_publish
        self._mqtt.on_subscribe = self._on_subscribe
        # A flood goes out as fast as the broker takes it: 20 in flight (Mosquitto's receive
        # maximum; more and it would drop the connection), the rest queued behind them.
        self._mqtt.max_inflight_messages_set(20)
        self._mqtt.max_queued_messages_set(0)
        self.broker = broker

    def __enter__(self) -> Login:
        self._mqtt.connect(self.broker.host, self.broker.port, keepalive=15)
        self._mqtt.loop_start()
        if not self._connected.wait(TIMEOUT):
            self.close()
            raise AssertionError(f"{self.user} could not log in (reason {self._refused})")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._mqtt.disconnect()
        self._mqtt.loop_stop()

    # -- acting ----------------------------------------------------------------------------

    def subscribe(self, *filters: str) -> None:
        """Subscribe, one filter after the other, each granted before the next is asked."""
        for topic_filter in filters:
            result, mid = self._mqtt.subscribe(topic_filter, qos=1)
            assert result == mqtt.MQTT_ERR_SUCCESS
            with self._done:
                assert self._done.wait_for(lambda mid=mid: mid in self._subacks, TIMEOUT), \
                    f"no SUBACK for {topic_filter}"

    def publish(self, topic: str, payload: bytes | dict[str, Any],
                retain: bool = True) -> int:
        """Publish at QoS 1 and wait for the broker's answer: its PUBACK reason code."""
        return self.flood(topic, [payload], retain)[0]

    def flood(self, topic: str, payloads: list[bytes | dict[str, Any]],
              retain: bool = True) -> list[int]:
        """Every payload at once, QoS 1; the PUBACK reason code of each, in order."""
        mids = []
        for payload in payloads:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            info = self._mqtt.publish(topic, body, qos=1, retain=retain)
            assert info.rc == mqtt.MQTT_ERR_SUCCESS
            mids.append(info.mid)
        with self._done:
            assert self._done.wait_for(lambda: all(m in self._acks for m in mids), TIMEOUT), \
                f"no PUBACK for every publish of {self.user} on {topic}"
            return [self._acks.pop(m) for m in mids]

    # -- reading ---------------------------------------------------------------------------

    def next(self) -> tuple[str, bytes, bool]:
        try:
            return self.messages.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"nothing arrived for {self.user}") from None

    def until(self, topic: str) -> list[tuple[str, bytes, bool]]:
        """Every message up to and including the first one on `topic`."""
        got = [self.next()]
        while got[-1][0] != topic:
            got.append(self.next())
        return got

    # -- paho's callbacks: hand over, never raise -------------------------------------------

    def _on_connect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self._refused = reason.value
            return
        self._connected.set()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.messages.put((message.topic, bytes(message.payload), bool(message.retain)))

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        with self._done:
            self._acks[mid] = reason.value
            self._done.notify_all()

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, _codes: Any, _p: Any) -> None:
        with self._done:
            self._subacks.add(mid)
            self._done.notify_all()


# -- the three messages, as their writers send them -------------------------------------------

def moment() -> str:
    return at_moment(datetime.now(UTC).astimezone())


def raised(room: str, source: str = "key", drill: bool = False,
           alarm: str | None = None) -> dict[str, Any]:
    return AlarmRaised(alarm or new_alarm_id(), room, moment(), source, drill).to_wire()


def answer(room: str, alarm: str, state: str = "acknowledged",
           by: str = "Anna") -> dict[str, Any]:
    now = moment()
    return AlarmAnswer(alarm, room, state, now, by, now,
                       now if state == "cleared" else None).to_wire()


def escalated(room: str, alarm: str, device: str = "relay-1") -> dict[str, Any]:
    now = moment()
    return AlarmEscalated(alarm, room, now, now, device, relay=True).to_wire()


def status_of(device: str, roles: tuple[str, ...] = ("room",)) -> dict[str, Any]:
    """A device's retained status (a marker every bridge carries and the technician reads)."""
    return {"state": "online", "roles": list(roles), "version": "test", "since": moment()}
