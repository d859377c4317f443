"""The room unit on real parts: a real broker and controller, gpiozero MockFactory pins for
the PIR, the clerk keys and the LED, a pty fed with LD2410 frames for the radar, the room
screen drawn with the SDL dummy driver."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import pty
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from gpiozero.pins.mock import MockFactory

from firmware.clock import ShiftedClock
from firmware.controller.role import ControllerRole
from firmware.room.role import RoomRole
from firmware.room.screen import layout_room
from firmware.room.sensors.ld2410 import Report, build_frame
from firmware.runtime import Runtime
from firmware.site_model import RoomUnitConfig, SensorConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import RunningDevice, demo_config, wait_for

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
STAFF_PIN, KEY_CALL, KEY_RECALL, KEY_NO_SHOW, KEY_DONE, LED_PIN = 17, 5, 6, 13, 19, 26


class Radar:
    """An LD2410 behind a pty: sends a frame every 50 ms like the real one, or nothing."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.port = os.ttyname(self.slave)
        self.present = False
        self.sending = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.sending:
                frame = build_frame(Report(2 if self.present else 0, static_distance_cm=90,
                                           static_energy=60 if self.present else 0))
                os.write(self.master, b"\x00\x13" + frame)  # a little line noise too
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def radar() -> Iterator[Radar]:
    r = Radar()
    yield r
    r.close()


def room_config(config: SiteConfig, unit: RoomUnitConfig) -> SiteConfig:
    devices = tuple(dataclasses.replace(d, room_unit=unit) if d.id == "room-1" else d
                    for d in config.devices)
    return dataclasses.replace(config, devices=devices)


def run_device(config: SiteConfig, device_id: str, role: Any, data_dir: Path) -> RunningDevice:
    device = config.device(device_id)
    assert device is not None
    return RunningDevice(Runtime(config, device, ShiftedClock(TUESDAY_10), data_dir, [role],
                                 broker_host=config.broker.host,
                                 broker_port=config.broker.port, client_suffix="-t"))


def latest(watch: Any, timeout: float = 8.0, until: Any = None) -> dict[str, Any]:
    """The newest message on a watched topic, waiting for one that satisfies `until`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, payload, _ = watch.get(timeout=max(0.01, deadline - time.monotonic()))
        value = json.loads(payload)
        if until is None or until(value):
            return value
    raise AssertionError("no such message")


def screen_texts(device: RunningDevice, role: RoomRole) -> list[str]:
    return device.on_loop(lambda: [t.text for t in layout_room(role.view(), role.screen.size)])


def test_pir_and_radar_make_the_room_state_truthfully_and_silence_is_unknown(
        broker: Any, tmp_path: Path, radar: Radar) -> None:
    fast = {"on_s": 0.2, "off_s": 0.4}
    unit = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=STAFF_PIN, **fast),
                          customer=SensorConfig(kind="ld2410", serial_port=radar.port,
                                                silence_s=1.0, **fast))
    config = room_config(demo_config(broker, tmp_path), unit)
    site = config.site.id
    pins = MockFactory()
    with BlockingClient(broker.host, broker.port, site) as watcher, \
            run_device(config, "lobby-1", ControllerRole(), tmp_path) as lobby, \
            run_device(config, "room-1", RoomRole(pin_factory=pins), tmp_path) as room:
        occupancy = watcher.watch(topics.room_occupancy(site, "1"))
        health = watcher.watch(topics.device_health(site, "room-1"))
        alerts = watcher.watch(topics.alert(site, "sensor"))
        state = latest(occupancy, until=lambda v: v["state"] == "vacant")
        assert state["staff"] is False and state["customer"] is False

        pins.pin(STAFF_PIN).drive_high()  # the clerk sits down
        latest(occupancy, until=lambda v: v["state"] == "staff_only")
        radar.present = True  # a customer comes in
        state = latest(occupancy, until=lambda v: v["state"] == "in_session")
        assert state["staff"] and state["customer"]

        radar.sending = False  # the radar's cable comes loose
        state = latest(occupancy, until=lambda v: v["state"] == "unknown")
        assert state["customer"] is None  # never "vacant" on a silent sensor
        report = latest(health, until=lambda v: v.get("sensors", {}).get("customer", {})
                        .get("state") == "silent")
        assert report["sensors"]["staff"]["state"] == "ok"
        alert = latest(alerts)
        assert alert["state"] == "raised" and alert["room"] == "1"
        assert "customer" in alert["message"]["en"] and alert["message"]["fi"]

        radar.present, radar.sending = False, True
        latest(occupancy, until=lambda v: v["state"] == "staff_only")
        assert latest(alerts)["state"] == "cleared"

        controller = lobby.role("controller")
        events = wait_for(lambda: lobby.on_loop(lambda: [
            e.data for e in controller.ledger.events_of_day("2026-12-01")
            if e.type == "room.occupancy"]), what="occupancy in the ledger")
        states = [e["state"] for e in events]
        # unknown while the sensors start, then each change once (retained copies ignored)
        assert states == ["unknown", "unknown", "vacant", "staff_only", "in_session",
                          "unknown", "staff_only"]
        assert all(e["room"] == "1" for e in events)
        assert events[5]["faults"] == {"customer": "silent"}
        sinces = [datetime.fromisoformat(e["since"]) for e in events]
        assert sinces == sorted(sinces) and sinces[0] >= TUESDAY_10
        assert room.on_loop(lambda: room.role("room").health())["sensors"]["customer"][
            "state"] == "ok"


def test_a_room_without_sensors_reports_none_and_publishes_no_occupancy(
        broker: Any, tmp_path: Path) -> None:
    config = demo_config(broker, tmp_path)
    with run_device(config, "room-2", RoomRole(pin_factory=MockFactory()), tmp_path) as room:
        role = room.role("room")
        assert room.on_loop(role.health)["sensors"] == {"state": "none"}
        assert room.on_loop(role.occupancy_payload) is None


def press(pins: MockFactory, pin: int) -> None:
    key = pins.pin(pin)
    key.drive_low()  # a Button pulls up: pressed is low
    time.sleep(0.08)
    key.drive_high()
    time.sleep(0.08)


def led_blinks(pins: MockFactory) -> int:
    states = [s.state for s in pins.pin(LED_PIN).states]
    return sum(1 for a, b in itertools.pairwise(states) if not a and b)


def test_the_clerk_works_from_the_keys_alone(broker: Any, tmp_path: Path) -> None:
    unit = RoomUnitConfig(key_call_next=KEY_CALL, key_recall=KEY_RECALL,
                          key_no_show=KEY_NO_SHOW, key_complete=KEY_DONE, led_pin=LED_PIN)
    config = room_config(demo_config(broker, tmp_path), unit)
    room_services = config.room("1").services
    pins = MockFactory()
    with run_device(config, "lobby-1", ControllerRole(), tmp_path), \
            run_device(config, "room-1", RoomRole(pin_factory=pins), tmp_path) as room, \
            BlockingClient(broker.host, broker.port, config.site.id) as kiosk:
        role = room.role("room")
        wait_for(lambda: room.on_loop(role.screen_state) == "free", what="the room screen")

        # Nobody waits: the refusal is on the screen and the LED blinks three times.
        press(pins, KEY_CALL)
        wait_for(lambda: "Jono on tyhjä" in " ".join(screen_texts(room, role)),
                 what="'queue empty' on the screen")
        wait_for(lambda: led_blinks(pins) >= 3, what="three blinks")

        issued = kiosk.request(topics.ISSUE, {"service": room_services[0], "lang": "fi",
                                              "appointment": None, "device": "lobby-1"})
        number = issued["ticket"]["number"]
        pins.pin(LED_PIN).clear_states()
        press(pins, KEY_CALL)
        wait_for(lambda: number in screen_texts(room, role), what="the number, large")
        assert room.on_loop(role.screen_state) == "called"
        wait_for(lambda: led_blinks(pins) == 1, what="one blink for done")

        press(pins, KEY_RECALL)
        wait_for(lambda: f"Kutsuttu uudelleen {number}" in " ".join(screen_texts(room, role)),
                 what="the recall confirmed")
        press(pins, KEY_DONE)
        wait_for(lambda: f"{number} valmis" in " ".join(screen_texts(room, role)),
                 what="'done' confirmed")
        wait_for(lambda: room.on_loop(role.screen_state) == "free", what="the room free again")

        # Nothing is called now: completing again is refused, and it shows.
        press(pins, KEY_DONE)
        wait_for(lambda: "Ei kutsuttua numeroa" in " ".join(screen_texts(room, role)),
                 what="'nothing called' on the screen")
        press(pins, KEY_NO_SHOW)
        wait_for(lambda: (room.on_loop(lambda: role.last_answer) or {}).get("ok") is False,
                 what="the no-show refused")
