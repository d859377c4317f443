"""The controller role: answers commands from the broker and publishes the queue.

For every command: parse (a bad one is answered `bad_request` and logged), let the
Controller commit it to the ledger, answer on the response topic, publish the new events
and the retained snapshot. Only then is the next message read.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from firmware.controller import Controller
from firmware.core.congestion import CongestionMonitor
from firmware.core.errors import ErrorCode, Refusal
from firmware.ledger import Ledger
from firmware.runtime import Role, Runtime
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.payloads import BadRequest, encode, parse_command

log = logging.getLogger(__name__)

RECHECK_S = 20.0  # services open and close with the clock: look again this often


class ControllerRole(Role):
    name = "controller"

    def __init__(self, ledger_path: Path | None = None, recheck_s: float = RECHECK_S) -> None:
        self._ledger_path = ledger_path
        self._recheck_s = recheck_s
        self._last_published: dict[str, Any] | None = None

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        path = self._ledger_path or runtime.data_dir / "ledger.sqlite"
        self.ledger = Ledger(path)
        self.controller = Controller(runtime.config, self.ledger, runtime.clock)
        self.congestion = CongestionMonitor(runtime.config.rules)
        log.info("queue rebuilt from %s: seq %s", path, self.controller.state.seq)
        runtime.link.subscribe(topics.command_filter(runtime.site))
        runtime.call_later(self._recheck_s, self._recheck)

    def stop(self) -> None:
        self.ledger.close()

    def on_link_up(self) -> None:
        # A broker that restarted may have lost the retained state: publish it again.
        self._publish_state(force=True)

    def on_message(self, message: Incoming) -> None:
        name = topics.command_name(self.runtime.site, message.topic)
        if name is None:
            return
        try:
            command = parse_command(name, message.payload)
        except BadRequest as exc:
            log.warning("bad request on %s: %s", message.topic, exc)
            self._answer(message, Refusal(ErrorCode.BAD_REQUEST, str(exc)).to_wire())
            return
        if name == topics.REPLAY:
            self._replay(message, command.body["from_seq"])
            return
        try:
            outcome = self.controller.handle(command)
        except Exception:
            # The ledger did not take it; nothing changed. Say so instead of going silent.
            log.exception("could not handle %s", name)
            self._answer(message, Refusal(ErrorCode.INTERNAL, "the controller failed; "
                                          "nothing was changed, try again").to_wire())
            return
        self._answer(message, outcome.response)
        for event in self.controller.take_pending_events() + outcome.events:
            self.runtime.publish_json(topics.queue_events(self.runtime.site), event.to_wire())
        if outcome.changed:
            self._publish_state()

    def _answer(self, message: Incoming, response: dict[str, Any]) -> None:
        if not message.response_topic:
            return
        self.runtime.link.publish(
            message.response_topic,
            encode(response),
            qos=1,
            correlation=message.correlation,
        )

    def _replay(self, message: Incoming, from_seq: int) -> None:
        count = 0
        for event in self.ledger.events_from(from_seq):
            self.runtime.publish_json(topics.queue_events(self.runtime.site), event.to_wire())
            count += 1
        self._answer(message, {"ok": True, "replayed": count})

    def _publish_state(self, force: bool = False) -> None:
        snapshot = self.controller.snapshot()
        comparable = {k: v for k, v in snapshot.items() if k != "at"}
        if not force and comparable == self._last_published:
            return
        self._last_published = comparable
        site = self.runtime.site
        for event in self.controller.take_pending_events():  # e.g. the day's end
            self.runtime.publish_json(topics.queue_events(site), event.to_wire())
        self.runtime.publish_json(topics.queue_state(site), snapshot, retain=True)
        now = self.runtime.clock.now()
        for change in self.congestion.update(snapshot["services"]):
            payload = change.payload(self.runtime.config, self.controller.new_id(), now)
            log.info("congestion %s for %s", payload["state"], change.service)
            self.runtime.publish_json(topics.alert(site, "congestion"), payload)

    def _recheck(self) -> None:
        try:
            self._publish_state()
        finally:
            self.runtime.call_later(self._recheck_s, self._recheck)

    def health(self) -> dict[str, Any]:
        return {"ledger": {"seq": self.controller.state.seq}}


def state_of(payload: bytes) -> dict[str, Any] | None:
    """Decode a retained snapshot leniently (None if it is not a JSON object)."""
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
