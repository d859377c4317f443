"""A controller on an in-memory ledger with a clock that moves when told.

For code that drives a queue directly rather than through the broker: the README's
pictures, `piste screenshot` and the benchmarks' simulated days. The commands are the
contract's, with the defaults a kiosk or a clerk would send.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from typing import Any

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import Snapshot
from mqtt_bridge.payloads import Command

DEFAULTS: dict[str, dict[str, Any]] = {
    topics.ISSUE: {"lang": "fi", "device": "local", "appointment": None},
    topics.CALL: {"services": []},
}


class LocalQueue:
    def __init__(self, config: SiteConfig, start: datetime, ledger_path: str = ":memory:"
                 ) -> None:
        self.config = config
        self.clock = ManualClock(start)
        # A file keeps the simulated days for a controller to start on (the console's pictures).
        self.controller = Controller(config, Ledger(ledger_path), self.clock)
        self._ids = itertools.count()
        # Request ids unique across runs on one ledger file: a repeated id gets the answer
        # the controller gave it before (that is the contract), not a new one.
        self._run = uuid.uuid4().hex[:8]

    def send(self, name: str, **body: Any) -> dict[str, Any]:
        """One command, as if it came over MQTT; returns the controller's answer."""
        request = Command(name, f"local-{self._run}-{next(self._ids)}",
                          {**DEFAULTS.get(name, {}), **body})
        return self.controller.handle(request).response

    def snapshot(self) -> dict[str, Any]:
        return self.controller.snapshot()

    def snapshot_message(self) -> Snapshot:
        return self.controller.snapshot_message()

    def close(self) -> None:
        self.controller.ledger.close()
