"""The room unit's silent alarm key on an in-memory broker and a clock that jumps
(testkit/jumping.py), with gpiozero MockFactory pins for the key and its LED (gpiozero's own
hold thread times the hold, in real time), a real controller, and the door screen drawn
with the SDL dummy driver: the seams between the alarm's pure flow (tests/
test_room_alarm_flow.py) and the hardware, the wire and the files. The broker killed for
real, its persistence lost, is in tests/test_room_alarm_broker.py."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest
from gpiozero import Button

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.core.alarm import moment
from firmware.room.role import RoomRole
from firmware.runtime import Runtime
from firmware.site_config import ConfigError, load_site_config
from firmware.site_model import RoomUnitConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.messages import AlarmAnswer, AlarmRaised
from testkit.jumping import JumpingSite, TestClient, latest_json
from testkit.pins import EventPin, event_pins, rising_edges
from tests.conftest import DEMO_SITE
from tests.helpers import demo_config

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
ALARM_KEY, ALARM_LED, KEY_CALL = 16, 20, 5
HOLD_S = 0.5


def alarm_site(tmp_path: Path, **unit: Any) -> SiteConfig:
    """The demo site with room 1's unit carrying the alarm key and its LED, the key's hold
    short (a test's real seconds; the site's `[alarm] hold_s` once that table exists)."""
    config = demo_config(None, tmp_path)
    room_unit = RoomUnitConfig(alarm_key=ALARM_KEY, alarm_led=ALARM_LED, **unit)
    devices = tuple(dataclasses.replace(d, room_unit=room_unit) if d.id == "room-1" else d
                    for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    if hasattr(config, "alarm"):
        config = dataclasses.replace(
            config, alarm=dataclasses.replace(config.alarm, hold_s=HOLD_S))  # type: ignore
    return config


class AlarmDay:
    """Room 1's unit and the controller on one site; the test's console and a watch on the
    room's alarm topics."""

    def __init__(self, site: JumpingSite, config: SiteConfig, tmp_path: Path,
                 pins: Any = None) -> None:
        self.site, self.config, self.tmp_path = site, config, tmp_path
        self.site_id = config.site.id
        self.pins = pins or event_pins()
        self.console = site.client(self.site_id)
        self.wire = self.console.watch(topics.alarm_filter(self.site_id, "1"))
        self.health = self.console.watch(topics.device_health(self.site_id, "room-1"))
        site.device(config, "lobby-1", [ControllerRole()], tmp_path / "lobby-1")
        self.start_room()

    def start_room(self) -> None:
        self.role = RoomRole(pin_factory=self.pins)
        self.runtime: Runtime = self.site.device(self.config, "room-1", [self.role],
                                                 self.tmp_path / "room-1")
        self.site.run_until(lambda: self.role.screen_state() == "free", what="the door")

    def stop_room(self) -> None:
        self.runtime.shutdown()
        self.site.runtimes.remove(self.runtime)

    @property
    def kept(self) -> Path:
        return self.tmp_path / "room-1" / "alarm-1.json"

    def raises(self) -> list[AlarmRaised]:
        return [AlarmRaised.from_payload(p) for t, p, _ in self.wire
                if t.endswith("/raised") and p]

    def hold(self) -> AlarmRaised:
        """Hold the alarm key until gpiozero says held (its own thread, in real time)."""
        sent = len(self.raises())
        key = self.pins.pin(ALARM_KEY)
        key.drive_low()  # a Button pulls up: pressed is low
        while len(self.raises()) == sent:
            self.site.await_post(self.runtime, within_s=HOLD_S + 5, what="the key held")
        key.drive_high()
        self.site.settle()
        return self.raises()[-1]

    def answer(self, raised: AlarmRaised, state: str, by: str = "Anna") -> None:
        """A guard's console answers, as the web role writes it (retained, QoS 1)."""
        body = AlarmAnswer(alarm=raised.alarm, room="1", state=state,
                           at=moment(self.site.clock.now()), by=by, raised_at=raised.at)
        self.console.link.publish(topics.alarm_answer(self.site_id, "1"),
                                  json.dumps(body.to_wire()).encode(), qos=1, retain=True)
        self.site.settle()

    def retained_raise(self) -> AlarmRaised | None:
        payload = self.site.broker.retained.get(topics.alarm_raised(self.site_id, "1"))
        return AlarmRaised.from_payload(payload) if payload else None

    @property
    def led(self) -> EventPin:
        return self.pins.pin(ALARM_LED)

    def door(self) -> tuple[str, bytes]:
        """The door screen as a customer sees it: its state and its very pixels."""
        self.site.settle()
        assert not self.role.dirty  # nothing waits to be drawn
        return (self.role.screen_state(),
                pygame.image.tobytes(self.role.screen.surface, "RGB"))


def test_the_held_key_calls_the_guard_and_the_led_says_sent_seen_and_over(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = alarm_site(tmp_path)
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        day = AlarmDay(site, config, tmp_path)
        door = day.door()
        assert day.role.alarm_key.hold_time == (
            config.alarm.hold_s if hasattr(config, "alarm") else 2.0)  # gpiozero times it

        raised = day.hold()
        assert (raised.room, raised.source, raised.drill) == ("1", "key", False)
        assert day.wire[-1][2] is False  # live to the consoles ...
        assert day.retained_raise() == raised  # ... and retained for the late ones
        assert json.loads(day.kept.read_bytes()) == raised.to_wire()  # kept until answered
        assert day.led.state  # steady: the broker has it
        assert day.door() == door  # nothing at the door

        day.led.clear_states()
        day.answer(raised, "acknowledged")
        # Seen: a short blip every 2 s. Awaited on the pin (in real time): the steady light
        # goes off, comes on for a blip, off, and on again for the next one.
        day.led.wait_states(lambda s: rising_edges(s) >= 2 and not s[-1], timeout=6,
                            what="the LED's blips")
        times = [s.timestamp for s in day.led.states]
        assert [s.state for s in day.led.states][:5] == [True, False, True, False, True]
        assert 1.5 < times[2] - times[1] < 3.0  # dark most of the 2 s ...
        assert times[3] - times[2] < 0.5  # ... and a blip, not a light
        assert day.retained_raise() is None  # answered: a late console never reads it anew
        assert not day.kept.exists()

        day.answer(raised, "cleared")
        assert day.role.alarm_led.value == 0 and day.role.alarm_led._blink_thread is None
        assert day.door() == door
        assert [r.alarm for r in day.raises()] == [raised.alarm]  # sent once, not again


def test_a_short_press_does_nothing_and_a_second_hold_joins_the_alarm(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = alarm_site(tmp_path, key_call_next=KEY_CALL)
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        day = AlarmDay(site, config, tmp_path)
        door = day.door()
        key = day.pins.pin(ALARM_KEY)
        key.drive_low()  # brushed: down and up at once
        key.drive_high()
        site.settle()
        assert day.raises() == [] and not day.kept.exists() and not day.led.state
        assert day.door() == door

        first = day.hold()  # held as long as it must be: the one raise
        assert [r.alarm for r in day.raises()] == [first.alarm]
        day.led.clear_states()
        second = day.hold()  # held again: a raise of its own, the LED as it was
        assert second.alarm != first.alarm and len(day.raises()) == 2
        assert [s.state for s in day.led.states] == [True]  # lit before, and no change
        assert json.loads(day.kept.read_bytes())["alarm"] == first.alarm
        assert day.door() == door


def test_the_broker_restarted_without_its_retained_raise_gets_it_again(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = alarm_site(tmp_path)
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        day = AlarmDay(site, config, tmp_path)
        raised = day.hold()
        memory_broker.stop()
        memory_broker.retained.clear()  # its persistence lost with it
        memory_broker.start()
        site.run_until(lambda: day.retained_raise() == raised, within_s=5,
                       what="the raise retained again")


def test_a_restarted_room_unit_sends_its_unanswered_alarm_again(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = alarm_site(tmp_path)
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        day = AlarmDay(site, config, tmp_path)
        raised = day.hold()
        day.stop_room()  # unplugged; meanwhile the broker lost what it held
        memory_broker.retained.pop(topics.alarm_raised(day.site_id, "1"))
        day.pins = event_pins()  # the new process's pins
        day.start_room()
        site.run_until(lambda: day.retained_raise() == raised, within_s=5,
                       what="the kept raise sent again")
        site.run_until(lambda: day.led.state, within_s=1, what="the LED lit again")

        day.answer(raised, "acknowledged")
        assert not day.kept.exists() and day.retained_raise() is None
        day.stop_room()
        day.pins = event_pins()
        day.start_room()  # answered: nothing is sent again
        site.run_for(5)
        assert [r.alarm for r in day.raises()] == [raised.alarm, raised.alarm]


def test_an_alarm_key_that_cannot_be_opened_is_a_fault_and_the_rest_works(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = alarm_site(tmp_path, key_call_next=KEY_CALL)
    pins = event_pins()
    squatter = Button(ALARM_KEY, pin_factory=pins)  # another program holds the pin
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        day = AlarmDay(site, config, tmp_path, pins)
        report = site.run_until(lambda: (h := latest_json(day.health)) and "alarm" in h and h,
                                within_s=5, what="the health")
        fault = report["alarm"]
        assert fault["state"] == "error" and set(fault["message"]) == {"fi", "sv", "en"}
        assert "alarm key could not be opened" in fault["message"]["en"]
        assert "Hälytysnappia" in fault["message"]["fi"] and "Larmknappen" in fault["message"]["sv"]
        assert report["keys"]["state"] == "ok"  # the clerk's keys still work
        assert day.role.screen_state() == "free" and day.role.alarm_led is not None
        day.console.request(topics.ISSUE, {"service": config.room("1").services[0],
                                           "lang": "fi", "appointment": None,
                                           "device": "lobby-1"})
        key = pins.pin(KEY_CALL)
        key.drive_low()
        key.drive_high()
        site.run_until(lambda: day.role.screen_state() == "called", what="the call")
    squatter.close()


def test_nothing_is_read_or_sent_for_a_room_unit_without_an_alarm_key(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = demo_config(None, tmp_path)
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        console: TestClient = site.client(config.site.id)
        wire = console.watch(topics.alarm_filter(config.site.id))
        role = RoomRole(pin_factory=event_pins())
        runtime = site.device(config, "room-2", [role], tmp_path)  # room 1's has the key
        assert topics.alarm_filter(config.site.id, "2") not in runtime.link.subscriptions
        assert "alarm" not in role.health() and wire == []


# -- the config -----------------------------------------------------------------------------------


def test_the_alarm_key_and_its_led_are_read_and_checked_like_the_other_pins() -> None:
    config = load_site_config(DEMO_SITE, ["devices.room-2.room_unit.alarm_key=16",
                                          "devices.room-2.room_unit.alarm_led=20"])
    unit = config.device("room-2").room_unit
    assert (unit.alarm_key, unit.alarm_led) == (16, 20)
    assert load_site_config(DEMO_SITE).device("room-2").room_unit.alarm_key is None
    for overrides, said in (
            (["alarm_key=5", "key_call_next=5"], "GPIO 5 is already used by"),
            (["alarm_led=16", "alarm_key=16"], "GPIO 16 is already used by"),
            (["alarm_key=28"], "room_unit.alarm_key: expected a GPIO (BCM) number"),
            (["alarm_led='20'"], "room_unit.alarm_led: expected a GPIO (BCM) number"),
            (["alarm_kee=16"], "did you mean 'alarm_key'")):
        with pytest.raises(ConfigError) as error:
            load_site_config(DEMO_SITE, [f"devices.room-2.room_unit.{o}" for o in overrides])
        assert said in str(error.value), overrides
