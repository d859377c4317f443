"""The room unit on an in-memory broker and a clock that jumps (testkit/jumping.py), with a
real controller, gpiozero MockFactory pins for the PIR, the clerk keys and the LED, an LD2410
double that sends its frames on the test's clock (testkit/radar.py) through the real reader
thread and frame parser, and the room screen drawn with the SDL dummy driver: the seams
between the room unit's flow (tested alone in tests/test_room_flow.py) and the hardware,
the wire and the controller."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gpiozero.pins.mock import MockFactory

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.room.role import RoomRole
from firmware.room.screen import layout_room
from firmware.site_model import RoomUnitConfig, SensorConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite, latest_json
from testkit.pins import event_pins, rising_edges
from testkit.radar import RadarDouble
from tests.helpers import demo_config

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
STAFF_PIN, KEY_CALL, KEY_RECALL, KEY_NO_SHOW, KEY_DONE, LED_PIN = 17, 5, 6, 13, 19, 26


def room_config(config: SiteConfig, unit: RoomUnitConfig) -> SiteConfig:
    devices = tuple(dataclasses.replace(d, room_unit=unit) if d.id == "room-1" else d
                    for d in config.devices)
    return dataclasses.replace(config, devices=devices)


def until_state(site: JumpingSite, seen: list[Any], state: str) -> dict[str, Any]:
    """Run the site until the newest occupancy on the watch is `state` (8 s on its clock)."""
    return site.run_until(lambda: (v := latest_json(seen)) and v["state"] == state and v,
                          within_s=8, what=f"the room {state}")


def screen_texts(role: RoomRole) -> str:
    return " ".join(t.text for t in layout_room(role.view(), role.screen.size))


def test_pir_and_radar_make_the_room_state_truthfully_and_silence_is_unknown(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    fast = {"on_s": 0.2, "off_s": 0.4}
    unit = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=STAFF_PIN, **fast),
                          customer=SensorConfig(kind="ld2410", serial_port="/dev/ttyAMA0",
                                                silence_s=1.0, **fast))
    config = room_config(demo_config(None, tmp_path), unit)
    site_id = config.site.id
    pins = MockFactory()
    clock = ManualClock(TUESDAY_10)
    radar = RadarDouble(clock.monotonic)
    with JumpingSite(clock, memory_broker) as site:
        site.sources.append(radar)
        watcher = site.client(site_id)
        occupancy = watcher.watch(topics.room_occupancy(site_id, "1"))
        health = watcher.watch(topics.device_health(site_id, "room-1"))
        alerts = watcher.watch(topics.alert(site_id, "sensor"))
        controller = ControllerRole()
        site.device(config, "lobby-1", [controller], tmp_path)
        room = RoomRole(pin_factory=pins, serial_factory=lambda port: radar)
        site.device(config, "room-1", [room], tmp_path)
        state = until_state(site, occupancy, "vacant")
        assert state["staff"] is False and state["customer"] is False

        pins.pin(STAFF_PIN).drive_high()  # the clerk sits down
        until_state(site, occupancy, "staff_only")
        radar.present = True  # a customer comes in
        state = until_state(site, occupancy, "in_session")
        assert state["staff"] and state["customer"]

        radar.sending = False  # the radar's cable comes loose
        state = until_state(site, occupancy, "unknown")
        assert state["customer"] is None  # never "vacant" on a silent sensor
        report = site.run_until(lambda: (v := latest_json(health)) and v.get(
            "sensors", {}).get("customer", {}).get("state") == "silent" and v,
            within_s=8, what="the silent sensor in the health")
        assert report["sensors"]["staff"]["state"] == "ok"
        alert = site.run_until(lambda: latest_json(alerts), within_s=8, what="the alert")
        assert alert["state"] == "raised" and alert["room"] == "1"
        assert "customer" in alert["message"]["en"] and alert["message"]["fi"]

        radar.present = False
        radar.resume()
        until_state(site, occupancy, "staff_only")
        assert latest_json(alerts)["state"] == "cleared"

        events = [e.data for e in controller.ledger.events_of_day("2026-12-01")
                  if e.type == "room.occupancy"]
        states = [e["state"] for e in events]
        # unknown while the sensors start, then each change once (retained copies ignored)
        assert states == ["unknown", "unknown", "vacant", "staff_only", "in_session",
                          "unknown", "staff_only"]
        assert all(e["room"] == "1" for e in events)
        assert events[5]["faults"] == {"customer": "silent"}
        sinces = [datetime.fromisoformat(e["since"]) for e in events]
        assert sinces == sorted(sinces) and sinces[0] >= TUESDAY_10
        assert room.health()["sensors"]["customer"]["state"] == "ok"
    radar.close()


def press(pins: MockFactory, pin: int) -> None:
    key = pins.pin(pin)
    key.drive_low()  # a Button pulls up: pressed is low
    key.drive_high()


def blinks(pins: MockFactory, role: RoomRole) -> int:
    """How often the LED blinked for the last answer, once its blinking is over: the rising
    edges after the one that lit it while the command was under way."""
    role.led._blink_thread.join(5)  # gpiozero's blinking runs on its own thread
    return rising_edges([s.state for s in pins.pin(LED_PIN).states]) - 1


def test_the_clerk_works_from_the_keys_alone(memory_broker: MemoryBroker,
                                             tmp_path: Path) -> None:
    unit = RoomUnitConfig(key_call_next=KEY_CALL, key_recall=KEY_RECALL,
                          key_no_show=KEY_NO_SHOW, key_complete=KEY_DONE, led_pin=LED_PIN)
    config = room_config(demo_config(None, tmp_path), unit)
    room_services = config.room("1").services
    pins = event_pins()
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        site.device(config, "lobby-1", [ControllerRole()], tmp_path)
        role = RoomRole(pin_factory=pins)
        site.device(config, "room-1", [role], tmp_path)
        kiosk = site.client(config.site.id)
        site.run_until(lambda: role.screen_state() == "free", what="the room screen")

        # Nobody waits: the refusal is on the screen and the LED blinks three times.
        press(pins, KEY_CALL)
        site.settle()
        assert "Jono on tyhjä" in screen_texts(role)  # 'queue empty' on the screen
        assert blinks(pins, role) == 3

        issued = kiosk.request(topics.ISSUE, {"service": room_services[0], "lang": "fi",
                                              "appointment": None, "device": "lobby-1"})
        number = issued["ticket"]["number"]
        pins.pin(LED_PIN).clear_states()
        press(pins, KEY_CALL)
        site.settle()
        assert number in screen_texts(role).split()  # the number, large
        assert role.screen_state() == "called"
        assert blinks(pins, role) == 1  # one blink for done

        press(pins, KEY_DONE)
        site.settle()
        assert f"{number} valmis" in screen_texts(role)  # 'done' confirmed
        assert role.screen_state() == "free"  # the room free again

        # Nothing is called now: the controller's refusal is the one the flow reads as such.
        press(pins, KEY_DONE)
        site.settle()
        assert "Ei kutsuttua numeroa" in screen_texts(role)  # 'nothing called'


def test_holding_call_next_pauses_the_room_and_a_short_press_still_calls(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    import json

    from firmware.room import flow as rf
    from firmware.room.screen import ON_A_BREAK

    unit = RoomUnitConfig(key_call_next=KEY_CALL, led_pin=LED_PIN, long_press_s=0.5)
    config = room_config(demo_config(None, tmp_path), unit)
    site_id = config.site.id
    pins = event_pins()
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        watcher = site.client(site_id)
        switches = watcher.watch(topics.command(site_id, rf.ROOM_STATE, "+"))
        calls = watcher.watch(topics.command(site_id, topics.CALL, "+"))
        site.device(config, "lobby-1", [ControllerRole()], tmp_path)
        role = RoomRole(pin_factory=pins)
        runtime = site.device(config, "room-1", [role], tmp_path)
        site.run_until(lambda: role.screen_state() == "free", what="the room screen")
        assert role.buttons["call_next"].hold_time == 0.5  # gpiozero times the hold

        key = pins.pin(KEY_CALL)
        key.drive_low()  # held down: gpiozero's hold thread says so after long_press_s
        while not switches:
            site.await_post(runtime, within_s=5, what="the key held long")
        key.drive_high()
        site.settle()
        body = json.loads(switches[0][1])
        assert {k: body[k] for k in ("room", "state", "reason")} == {
            "room": "1", "state": "paused", "reason": "break"}
        assert calls == []  # the long press called nobody, also when the key came up
        # The controller pauses the room: the door says so, the LED blinks once.
        site.run_until(lambda: role.screen_state() == "paused", what="the paused door")
        assert ON_A_BREAK in screen_texts(role) and blinks(pins, role) == 1

        pins.pin(LED_PIN).clear_states()
        press(pins, KEY_CALL)  # a short press: next, as ever
        site.settle()
        # One call, and still the one switch (its resends carry its request id).
        assert len(calls) == 1 and len({json.loads(p)["request_id"] for _, p, _ in switches}) == 1
        assert "Jono on tyhjä" in screen_texts(role)  # nobody waits: said, three blinks
        assert blinks(pins, role) == 3
