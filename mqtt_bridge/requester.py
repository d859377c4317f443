"""Request and response over MQTT 5 for a role that lives on the runtime's loop.

A request carries a response topic and correlation data; the answer comes back as an
ordinary incoming message. A request that gets no answer in time is sent again with the same
`request_id` (so the controller does it at most once) and, after the last attempt, the
caller is told `None`: the role shows that the service cannot be reached.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.payloads import command_body, state_of

log = logging.getLogger(__name__)

Answer = Callable[[dict[str, Any] | None], None]


class _Cancellable:
    def cancel(self) -> None: ...


@dataclass
class _Pending:
    command: str
    body: dict[str, Any]
    on_answer: Answer
    attempts_left: int
    timeout_s: float
    timer: Any = None


class Requester:
    def __init__(
        self,
        site: str,
        client: str,
        publish: Callable[..., Any],
        call_later: Callable[[float, Callable[[], None]], Any],
    ) -> None:
        self.site = site
        self.client = client
        self.reply_topic = topics.reply(site, client)
        self._publish = publish
        self._call_later = call_later
        self._pending: dict[bytes, _Pending] = {}

    def request(
        self,
        command: str,
        body: dict[str, Any],
        on_answer: Answer,
        *,
        timeout_s: float = 2.0,
        attempts: int = 3,
    ) -> str:
        """Send a command; `on_answer` gets the reply dict, or None when all attempts fail."""
        body = {**command_body(command, body),
                "request_id": body.get("request_id") or str(uuid.uuid4())}
        correlation = uuid.uuid4().bytes
        pending = _Pending(command, body, on_answer, attempts, timeout_s)
        self._pending[correlation] = pending
        self._send(correlation, pending)
        return str(body["request_id"])

    def _send(self, correlation: bytes, pending: _Pending) -> None:
        pending.attempts_left -= 1
        payload = json.dumps(pending.body, ensure_ascii=False).encode()
        self._publish(
            topics.command(self.site, pending.command, self.client),
            payload,
            qos=1,
            response_topic=self.reply_topic,
            correlation=correlation,
        )
        pending.timer = self._call_later(pending.timeout_s, lambda: self._expire(correlation))

    def _expire(self, correlation: bytes) -> None:
        pending = self._pending.get(correlation)
        if pending is None:
            return
        if pending.attempts_left > 0:
            log.warning("no answer to %s %s yet; sending again", pending.command,
                        pending.body["request_id"])
            self._send(correlation, pending)
            return
        del self._pending[correlation]
        pending.on_answer(None)

    def on_message(self, message: Incoming) -> bool:
        """Take the message if it answers one of our requests."""
        if message.topic != self.reply_topic or message.correlation is None:
            return False
        pending = self._pending.pop(bytes(message.correlation), None)
        if pending is None:
            return True  # an answer to a request already answered or given up
        if pending.timer is not None:
            pending.timer.cancel()
        pending.on_answer(state_of(message.payload))  # bounded: None for what is no answer
        return True

    @property
    def busy(self) -> bool:
        return bool(self._pending)
