"""Small helpers shared by the tests that run devices against a real broker."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

from firmware.broker import LocalBroker
from firmware.site_model import SiteConfig
from testkit.devices import DeviceThread, RunningDevice
from testkit.waiting import wait_until
from tests.conftest import DEMO_SITE


def demo_config(broker: LocalBroker | None, tmp_path: Path | None = None) -> SiteConfig:
    """The demo site on the test's broker (None: an in-memory one, which needs no address),
    under a site id of its own, windowed, with the printer writing into the test's
    directory."""
    from firmware.site_config import load_site_config

    config = load_site_config(DEMO_SITE)
    site = dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:10]}")
    broker_cfg = config.broker if broker is None else dataclasses.replace(
        config.broker, host=broker.host, port=broker.port)
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


# The waiting and the device thread are the benchmarks' and screenshots' too.
wait_for = wait_until
__all__ = ["DeviceThread", "RunningDevice", "demo_config", "wait_for", "wait_until"]
