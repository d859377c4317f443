"""Small helpers shared by the tests that run devices against a real broker."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.console_site import DeviceThread, wait_until
from firmware.broker import LocalBroker
from firmware.site_model import SiteConfig
from tests.conftest import DEMO_SITE


def demo_config(broker: LocalBroker, tmp_path: Path | None = None) -> SiteConfig:
    """The demo site on the test's broker, under a site id of its own, windowed, with the
    printer writing into the test's directory."""
    from firmware.site_config import load_site_config

    config = load_site_config(DEMO_SITE)
    site = dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:10]}")
    broker_cfg = dataclasses.replace(config.broker, host=broker.host, port=broker.port)
    devices = tuple(
        dataclasses.replace(
            d,
            screen=dataclasses.replace(d.screen, fullscreen=False),
            printer=dataclasses.replace(d.printer, kind="file", path="tickets"),
            # The console (lobby-1's web role) on a free loopback port: tests run side by side.
            web=dataclasses.replace(d.web, bind="127.0.0.1", port=0),
        )
        for d in config.devices
    )
    return dataclasses.replace(config, site=site, broker=broker_cfg, devices=devices)


# The waiting and the device thread are the console bench's and screenshots' too.
wait_for = wait_until


class RunningDevice(DeviceThread):
    """A device runtime on a thread of its own, as `piste run` would run it."""

    def on_loop(self, fn: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Run fn on the device's own loop thread and return its result."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:  # handed back to the test
                box["error"] = exc
            done.set()

        self.runtime.post(call)
        assert done.wait(timeout), "the device loop did not run the call"
        if "error" in box:
            raise box["error"]
        return box.get("value")
