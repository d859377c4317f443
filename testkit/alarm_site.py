"""A small site with the silent alarm on real parts: for its end-to-end test and its bench.

A real Mosquitto run as in production (the generated ACL, a password per device, client ids
bound to user names; persistence on, so a SIGKILL and a restart keep what it had saved); the
controller with the lobby display (lobby-1), the room unit of room 1 with its alarm key and
LED on gpiozero mock pins the test can wait on (testkit/pins.py), the alarm relay device
(relay-1) with its relay on a mock pin of the same factory, and the web role (console)
serving the staff console over HTTPS to headless Chromium. Each device on a thread of its
own, in real time, as `piste run` would run it.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gpiozero.pins.mock import MockFactory

from firmware.broker import LocalBroker, free_port
from firmware.clock import Clock, SystemClock
from firmware.device import build_roles
from firmware.runtime import Role, Runtime
from firmware.site_model import AlarmConfig, Device, RoomUnitConfig, SiteConfig, WebConfig
from mqtt_bridge.blocking import BlockingClient
from testkit.broker_access import write_access_files
from testkit.console_site import PASSWORD, STAFF, answers, write_users
from testkit.devices import RunningDevice
from testkit.pins import EventPin
from testkit.site_factory import small_site
from testkit.waiting import wait_until

ALARM_KEY, ALARM_LED, RELAY_PIN = 16, 20, 21  # as the README's wiring
ALARM_ROOM = "1"
WATCHER = "watch"


class TimedPin(EventPin):
    """An EventPin that also notes the wall-clock time of each change, for the bench (the
    browser's Date.now() is on the same clock)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.changes: list[tuple[float, bool]] = []
        super().__init__(*args, **kwargs)

    def _change_state(self, value: bool) -> bool:
        changed = super()._change_state(value)
        if changed:
            self.changes.append((time.time(), bool(value)))
        return changed


def alarm_config(data_dir: Path, web_port: int, *, hold_s: float, escalate_after_s: float,
                 ) -> SiteConfig:
    config = small_site()
    web = WebConfig(bind="127.0.0.1", port=web_port, users_file=str(data_dir / "web-users.toml"))
    room_unit = dataclasses.replace(RoomUnitConfig(), alarm_key=ALARM_KEY, alarm_led=ALARM_LED)
    from firmware.alarm.config import AlarmRelayConfig

    devices = (Device("lobby-1", ("controller", "display")),
               Device("room-1", ("room",), room=ALARM_ROOM, room_unit=room_unit),
               Device("relay-1", ("alarm",), more=(("alarm", AlarmRelayConfig(RELAY_PIN)),)),
               Device("console", ("web",), web=web),
               # A second console's login, never started: what the test and the bench read
               # the alarm topics with. (The broker binds client ids to user names: a second
               # client logged in as "console" would throw the web role off, and back.)
               Device(WATCHER, ("web",), web=dataclasses.replace(web, port=free_port())))
    return dataclasses.replace(
        config, devices=devices,
        site=dataclasses.replace(config.site, id=f"a-{uuid.uuid4().hex[:8]}"),
        alarm=AlarmConfig(hold_s=hold_s, escalate_after_s=escalate_after_s))


def logged_in(config: SiteConfig, broker: LocalBroker, user: str) -> SiteConfig:
    return dataclasses.replace(config, broker=dataclasses.replace(
        config.broker, host=broker.host, port=broker.port, username=user,
        password=f"pw-{user}"))


@dataclass
class AlarmSite:
    config: SiteConfig
    broker: LocalBroker
    pins: Any  # the MockFactory of the room unit's key and LED and of the relay
    url: str
    data: Path
    clock: Clock
    devices: dict[str, RunningDevice]
    stack: ExitStack

    @property
    def site(self) -> str:
        return self.config.site.id

    def pin(self, number: int) -> TimedPin:
        return self.pins.pin(number)

    @property
    def key(self) -> TimedPin:
        return self.pin(ALARM_KEY)

    @property
    def led(self) -> TimedPin:
        return self.pin(ALARM_LED)

    @property
    def relay(self) -> TimedPin:
        return self.pin(RELAY_PIN)

    def role(self, device: str, name: str) -> Any:
        return self.devices[device].role(name)

    def hold_key(self, seconds: float | None = None) -> float:
        """The clerk holds the alarm key (`hold_s` and a little more, unless told) and lets
        go; the wall-clock time at which it had been held `hold_s`."""
        hold = self.config.alarm.hold_s
        pressed = time.time()
        self.key.drive_low()  # a gpiozero Button with its pull-up: pressed pulls it low
        time.sleep(hold + 0.2 if seconds is None else seconds)
        self.key.drive_high()
        return pressed + hold

    def client(self, user: str = WATCHER, name: str | None = None) -> BlockingClient:
        """A client of the broker logged in as `user` (a device or console login; by
        default the console login no device runs)."""
        return BlockingClient(self.broker.host, self.broker.port, self.site,
                              client=name or user, username=user, password=f"pw-{user}")

    def start(self, device_id: str) -> RunningDevice:
        """Start (or start again) a device on its own data directory."""
        running = RunningDevice(self._runtime(device_id))
        running.__enter__()
        self.devices[device_id] = running
        return running

    def stop(self, device_id: str) -> None:
        self.devices.pop(device_id).__exit__(None, None, None)

    def _runtime(self, device_id: str) -> Runtime:
        config = logged_in(self.config, self.broker, device_id)
        device = config.device(device_id)
        assert device is not None
        data_dir = self.data / device_id
        data_dir.mkdir(parents=True, exist_ok=True)
        roles: list[Role]
        if device_id == "room-1":
            from firmware.room.role import RoomRole

            roles = [RoomRole(pin_factory=self.pins)]
        elif device_id == "relay-1":
            from firmware.alarm.role import AlarmRelayRole

            roles = [AlarmRelayRole(pin_factory=self.pins)]
        else:
            roles = build_roles(config, device_id)
        return Runtime(config, device, self.clock, data_dir, roles,
                       broker_host=self.broker.host, broker_port=self.broker.port,
                       uses_screen="display" in device.roles)


@contextmanager
def alarm_site(tmp_path: Path, *, hold_s: float = 0.5, escalate_after_s: float = 5.0,
               clock: Clock | None = None) -> Iterator[AlarmSite]:
    """The whole site running; the console listening; every device connected."""
    with ExitStack() as stack:
        data = tmp_path / "alarm-site"
        data.mkdir(parents=True, exist_ok=True)
        port = free_port()
        config = alarm_config(data / "console", port, hold_s=hold_s,
                              escalate_after_s=escalate_after_s)
        (data / "console").mkdir(exist_ok=True)
        write_users(data / "console" / "web-users.toml", STAFF)  # guard and guard2 too
        access = tmp_path / "access"
        access.mkdir(exist_ok=True)
        broker = stack.enter_context(LocalBroker(tmp_path / "broker",
                                                 extra_conf=write_access_files(config, access)))
        config = dataclasses.replace(config, broker=dataclasses.replace(
            config.broker, host=broker.host, port=broker.port))
        pins = MockFactory(pin_class=TimedPin)
        site = AlarmSite(config, broker, pins, f"https://127.0.0.1:{port}", data,
                         clock or SystemClock(ZoneInfo(config.site.timezone)), {}, stack)
        stack.callback(lambda: [site.stop(d) for d in list(site.devices)[::-1]])
        for device_id in ("lobby-1", "console", "room-1", "relay-1"):
            site.start(device_id)
        wait_until(lambda: all(d.runtime.link.connected for d in site.devices.values()),
                   timeout=15, what="every device connected with its login")
        wait_until(lambda: site.role("console", "web").server is not None and answers(site.url),
                   timeout=15, what="the console to listen")
        yield site


__all__ = ["PASSWORD", "AlarmSite", "TimedPin", "alarm_site"]
