"""A test's own client on the in-memory broker (mqtt_bridge/memory.py), for devices that run
on threads of their own (the console's site, where Chromium works in real time): the ways of
`mqtt_bridge.blocking.BlockingClient`, and its waits are on the answer's arrival itself.

On a JumpingSite, whose devices run on the test's thread, use its `TestClient` instead.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from typing import Any

from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.memory import MemoryBroker, matches


class MemoryClient:
    def __init__(self, broker: MemoryBroker, site: str, client: str | None = None) -> None:
        self.site = site
        self.client_name = client or f"cli-{uuid.uuid4().hex[:8]}"
        self.reply_topic = topics.reply(site, self.client_name)
        self._answers: dict[bytes, queue.Queue[dict[str, Any]]] = {}
        self._watches: list[tuple[str, queue.Queue[tuple[str, bytes, bool]]]] = []
        self._lock = threading.Lock()
        self.link = broker.link(f"piste-{site}-{self.client_name}-{uuid.uuid4().hex[:6]}",
                                self._post)

    def connect(self) -> MemoryClient:
        self.link.start()
        self.link.subscribe(self.reply_topic)
        return self

    def close(self) -> None:
        self.link.stop()

    def __enter__(self) -> MemoryClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, message: Any) -> None:
        """On the publisher's thread, under the broker's lock: only hand over."""
        if not isinstance(message, Incoming):
            return
        with self._lock:
            if message.topic == self.reply_topic and message.correlation is not None:
                answers = self._answers.get(message.correlation)
                if answers is not None:
                    answers.put(json.loads(message.payload))
            for topic_filter, inbox in self._watches:
                if matches(topic_filter, message.topic):
                    inbox.put((message.topic, message.payload, message.retain))

    def request(self, command: str, body: dict[str, Any], timeout: float = 5.0
                ) -> dict[str, Any]:
        """Send a command and wait for its answer; raises TimeoutError when none comes."""
        body = {**body}
        body.setdefault("request_id", str(uuid.uuid4()))
        correlation = uuid.uuid4().bytes
        answers: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)
        with self._lock:
            self._answers[correlation] = answers
        try:
            self.link.publish(topics.command(self.site, command, self.client_name),
                              json.dumps(body).encode(), response_topic=self.reply_topic,
                              correlation=correlation)
            return answers.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer to {command} within {timeout} s") from None
        finally:
            with self._lock:
                self._answers.pop(correlation, None)

    def publish_raw(self, topic: str, payload: bytes, correlation: bytes | None = None,
                    response_topic: str | None = None, retain: bool = False) -> None:
        self.link.publish(topic, payload, retain=retain, response_topic=response_topic,
                          correlation=correlation)

    def watch(self, topic_filter: str) -> queue.Queue[tuple[str, bytes, bool]]:
        """Subscribe; returns a queue of (topic, payload, retained) for what arrives."""
        inbox: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        with self._lock:
            self._watches.append((topic_filter, inbox))
        self.link.subscribe(topic_filter)
        return inbox
