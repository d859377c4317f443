"""A site behind a real Mosquitto run as in production: the generated ACL, a password per
user, client ids bound to user names. The controller logs in as `lobby-1`; two more kiosks
and every room unit and clerk console have logins of their own, as the attacker has."""

from __future__ import annotations

import dataclasses
import queue
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_config import load_site_config
from firmware.site_model import Device, PrinterConfig, SiteConfig
from mqtt_bridge.blocking import BlockingClient
from testkit.broker_access import write_access_files  # noqa: F401 (the tests import it here)
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, wait_for

TUESDAY_10 = datetime.fromisoformat("2026-12-01T10:00:00+02:00")  # every demo authority serves


def secured_config() -> SiteConfig:
    config = load_site_config(DEMO_SITE)
    kiosks = tuple(Device(k, ("kiosk",), printer=PrinterConfig(kind="file", path="tickets"))
                   for k in ("kiosk-2", "kiosk-3"))
    site = dataclasses.replace(config.site, id=f"s-{uuid.uuid4().hex[:8]}")
    return dataclasses.replace(config, site=site, devices=(*config.devices, *kiosks))


def login(broker: LocalBroker, config: SiteConfig, user: str,
          client_id: str | None = None) -> BlockingClient:
    # client_id: what an attacker would choose; the production broker replaces it by the user
    return BlockingClient(broker.host, broker.port, config.site.id, client=user,
                          username=user, password=f"pw-{user}", client_id=client_id)


@contextmanager
def running_controller(config: SiteConfig, broker: LocalBroker, data_dir: Path,
                       ca_file: str = "") -> Iterator[tuple[RunningDevice, ControllerRole]]:
    """The controller logged in as lobby-1 (over TLS with the site CA `ca_file`, if given)."""
    logged_in = dataclasses.replace(config, broker=dataclasses.replace(
        config.broker, host=broker.host, port=broker.port, username="lobby-1",
        password="pw-lobby-1", ca_file=ca_file))
    lobby = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    role = ControllerRole()
    runtime = Runtime(logged_in, lobby, ShiftedClock(TUESDAY_10), data_dir, [role],
                      broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime) as device:
        wait_for(lambda: runtime.link.connected, what="the controller with its login")
        yield device, role


def drain(inbox: queue.Queue, wait: float = 0.8) -> list[tuple[str, bytes]]:
    """What arrives until nothing has for `wait` seconds."""
    got = []
    while True:
        try:
            topic, payload, _ = inbox.get(timeout=wait)
        except queue.Empty:
            return got
        got.append((topic, payload))
