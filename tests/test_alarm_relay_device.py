"""The relay device of the silent alarm as a device: the alarm role on the in-memory broker
with a clock that jumps (testkit/jumping.py) and gpiozero's mock pins (testkit/pins.py).

What is checked is what the building and the staff notice: the relay pin switches when
nobody answers, and off again when the alarm is cleared; the consoles get the retained
`escalated`; a device whose relay pin cannot be opened still tells them, and its health says
in words that the relay is missing; a device restarted while an alarm is escalated switches
its relay on again. (Its rules in every detail: tests/test_alarm_relay_flow.py.)
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from gpiozero import DigitalOutputDevice
from gpiozero.pins.mock import MockFactory

from firmware.alarm.config import AlarmRelayConfig
from firmware.alarm.flow import RETAINED_SETTLE_S
from firmware.alarm.role import AlarmRelayRole
from firmware.clock import ManualClock
from firmware.core.alarm import moment, new_alarm_id
from firmware.runtime import Runtime
from firmware.site_config import parse_site_config
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.messages import AlarmAnswer, AlarmRaised
from testkit.jumping import JumpingSite, TestClient
from testkit.pins import event_pins
from tests.conftest import DEMO_SITE

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
RELAY_PIN = 21


def relay_site(active_high: bool = True, site_alarm: str = "") -> SiteConfig:
    """The demo site with its controller moved to `relay-1`, which is also the alarm's relay
    device, as a technician would write it (`site_alarm`: the site's `[alarm]` table)."""
    text = Path(DEMO_SITE).read_text().replace(
        'roles = ["controller", "kiosk", "display", "web"]', 'roles = ["kiosk", "display", "web"]')
    if site_alarm:  # in place of the demo site's own [alarm] table
        text = re.sub(r"\n\[alarm\]\n(?:[^\[\n][^\n]*\n)*", f"\n[alarm]\n{site_alarm}\n", text,
                      count=1)
    text += (f'\n[[devices]]\nid = "relay-1"\nroles = ["controller", "alarm"]\n'
             f'[devices.alarm]\nrelay_pin = {RELAY_PIN}\n'
             f'active_high = {"true" if active_high else "false"}\n')
    config = parse_site_config(text)
    relay = config.device("relay-1")
    assert relay is not None and relay.table("alarm") == AlarmRelayConfig(RELAY_PIN, active_high)
    return config


class Lobby:
    """The relay device, and a test client in place of the room unit and the guard's console."""

    def __init__(self, tmp_path: Path, broker: MemoryBroker, *, active_high: bool = True,
                 pins: MockFactory | None = None, site_alarm: str = "") -> None:
        self.config = relay_site(active_high, site_alarm)
        self.site_id = self.config.site.id
        self.tmp_path = tmp_path
        self.clock = ManualClock(TUESDAY_10)
        self.site = JumpingSite(self.clock, broker)
        self.pins = pins or event_pins()
        self.people: TestClient = self.site.client(self.site_id, "web-1")
        self.escalations = self.people.watch(topics.alarm_escalated(self.site_id, "+"))
        self.health = self.people.watch(topics.device_health(self.site_id, "relay-1"))
        self.start()

    def start(self) -> None:
        self.role = AlarmRelayRole(pin_factory=self.pins)
        self.runtime: Runtime = self.site.device(self.config, "relay-1", [self.role],
                                                 self.tmp_path / "relay-1")
        self.site.run_for(RETAINED_SETTLE_S)

    def restart(self) -> None:
        self.site.runtimes.remove(self.runtime)
        self.runtime.shutdown()
        self.clock.advance(seconds=30)  # systemd brings it back
        self.start()

    # -- the people -------------------------------------------------------------------------

    def press_alarm(self, room: str = "3", *, drill: bool = False) -> AlarmRaised:
        raised = AlarmRaised(alarm=new_alarm_id(), room=room, at=moment(self.clock.now()),
                             source="key", drill=drill)
        self.people.publish_raw(topics.alarm_raised(self.site_id, room), wire(raised),
                                retain=True)
        self.site.settle()
        return raised

    def answer(self, raised: AlarmRaised, state: str) -> None:
        now = moment(self.clock.now())
        message = AlarmAnswer(alarm=raised.alarm, room=raised.room, state=state, at=now,
                              by="Anna", raised_at=raised.at, drill=raised.drill,
                              acknowledged_at=now if state == "cleared" else None)
        self.people.publish_raw(topics.alarm_answer(self.site_id, raised.room), wire(message),
                                retain=True)
        self.site.settle()

    # -- what they notice ---------------------------------------------------------------------

    def relay_pin(self) -> Any:
        return self.pins.pin(RELAY_PIN)

    def escalated(self) -> list[dict[str, Any]]:
        """What the relay device said on `escalated` (not what a test wrote there)."""
        return [body for body in (json.loads(p) for _, p, _ in self.escalations if p)
                if body.get("device") == "relay-1"]

    def relay_health(self) -> dict[str, Any]:
        return json.loads(self.health[-1][1])["relay"]


def wire(message: Any) -> bytes:
    return json.dumps(message.to_wire()).encode()


@pytest.fixture
def lobby(tmp_path: Path, memory_broker: MemoryBroker) -> Iterator[Lobby]:
    lobby = Lobby(tmp_path, memory_broker)
    yield lobby
    lobby.site.stop()


def test_nobody_answers_the_relay_switches_after_20_s_and_the_consoles_are_told(
        lobby: Lobby) -> None:
    pin = lobby.relay_pin()
    assert pin.state is False  # a device that starts switches nothing
    pressed = lobby.clock.now()
    raised = lobby.press_alarm("3")
    lobby.site.run_until(lambda: pin.state, within_s=30, what="the relay pin on")
    assert lobby.clock.now() - pressed == timedelta(seconds=20)
    [told] = lobby.escalated()
    assert told == {"v": 1, "alarm": raised.alarm, "room": "3", "at": moment(lobby.clock.now()),
                    "raised_at": raised.at, "device": "relay-1", "relay": True, "drill": False}
    late = lobby.site.client(lobby.site_id, "console-opened-later").watch(
        topics.alarm_escalated(lobby.site_id, "3"))
    lobby.site.settle()
    assert [(json.loads(p), retained) for _, p, retained in late] == [(told, True)]
    assert lobby.relay_health() == {"pin": RELAY_PIN, "on": True, "state": "ok"}

    lobby.answer(raised, "acknowledged")  # someone is on their way: the relay stays on
    lobby.site.run_for(60)
    assert pin.state is True
    lobby.answer(raised, "cleared")
    assert pin.state is False
    assert len(lobby.escalated()) == 1


def test_an_alarm_acknowledged_in_time_never_switches_the_relay(lobby: Lobby) -> None:
    raised = lobby.press_alarm("2")
    lobby.site.run_for(19)
    lobby.answer(raised, "acknowledged")
    lobby.site.run_for(600)
    assert [s.state for s in lobby.relay_pin().states] == [False]  # never switched
    assert lobby.escalated() == []


def test_a_drill_tells_the_consoles_but_leaves_the_building_alarm_alone(lobby: Lobby) -> None:
    raised = lobby.press_alarm("1", drill=True)
    lobby.site.run_until(lobby.escalated, within_s=30, what="the drill's escalation")
    [told] = lobby.escalated()
    assert told["drill"] is True and told["relay"] is False
    assert lobby.relay_pin().state is False
    lobby.answer(raised, "cleared")


def test_the_sites_alarm_table_sets_the_time_and_lets_drills_switch_the_relay(
        tmp_path: Path, memory_broker: MemoryBroker) -> None:
    lobby = Lobby(tmp_path, memory_broker,
                  site_alarm="escalate_after_s = 5\ndrill_switches_relay = true")
    try:
        pressed = lobby.clock.now()
        lobby.press_alarm(drill=True)
        lobby.site.run_until(lambda: lobby.relay_pin().state, within_s=30, what="the relay")
        assert lobby.clock.now() - pressed == timedelta(seconds=5)
        [told] = lobby.escalated()
        assert told["drill"] is True and told["relay"] is True
    finally:
        lobby.site.stop()


def test_a_relay_module_that_switches_on_a_low_input(tmp_path: Path,
                                                     memory_broker: MemoryBroker) -> None:
    lobby = Lobby(tmp_path, memory_broker, active_high=False)
    try:
        pin = lobby.relay_pin()
        assert pin.state is True  # high: the relay is off
        raised = lobby.press_alarm()
        lobby.site.run_until(lambda: not pin.state, within_s=30, what="the pin pulled low")
        lobby.answer(raised, "cleared")
        assert pin.state is True
    finally:
        lobby.site.stop()


def test_a_device_restarted_during_an_escalated_alarm_switches_its_relay_on_again(
        lobby: Lobby) -> None:
    raised = lobby.press_alarm("4")
    lobby.site.run_until(lambda: lobby.relay_pin().state, within_s=30, what="the relay on")
    lobby.restart()  # the pin was released; the retained messages are all it has
    assert lobby.relay_pin().state is True
    assert len(lobby.escalated()) == 1  # it had said so before the restart: not again
    lobby.answer(raised, "cleared")
    assert lobby.relay_pin().state is False


def test_a_device_without_its_relay_still_escalates_and_says_the_relay_is_missing(
        tmp_path: Path, memory_broker: MemoryBroker) -> None:
    pins = event_pins()
    taken = DigitalOutputDevice(RELAY_PIN, pin_factory=pins)  # another program has the pin
    lobby = Lobby(tmp_path, memory_broker, pins=pins)
    try:
        health = lobby.relay_health()
        assert health["state"] == "error" and health["missing"] is True
        assert health["on"] is False
        assert health["error"].startswith(f"relay missing: GPIO {RELAY_PIN} cannot be opened")
        assert set(health["message"]) == {"fi", "sv", "en"}
        assert health["message"]["en"].startswith(f"Relay missing: GPIO {RELAY_PIN} cannot be "
                                                "opened")
        lobby.press_alarm("5")
        lobby.site.run_until(lobby.escalated, within_s=30, what="the escalation")
        [told] = lobby.escalated()
        assert told["relay"] is False
        assert [s.state for s in taken.pin.states] == [False]  # it never touched the pin
        assert lobby.runtime.stopped is False
    finally:
        lobby.site.stop()
        taken.close()


@pytest.mark.wire_abuse("alarm/#")
def test_garbage_on_the_alarm_topics_is_passed_over(lobby: Lobby) -> None:
    for part in ("raised", "answer", "escalated"):
        lobby.people.publish_raw(topics.alarm_raised(lobby.site_id, "6").replace(
            "raised", part), b'{"v": 1, "alarm": "' + uuid.uuid4().hex.encode() + b'"}')
    lobby.site.run_for(60)
    assert lobby.escalated() == [] and lobby.relay_pin().state is False
    lobby.press_alarm("6")
    lobby.site.run_until(lambda: lobby.relay_pin().state, within_s=30, what="the relay on")
