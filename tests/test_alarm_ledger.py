"""The controller records the silent alarm in its ledger (issue 26): each raise,
acknowledgement, escalation and clear once, at the message's own time, also across
restarts and when it was down for the whole alarm; nothing of it reaches the lobby.

The controller runs on the in-memory broker, driven by JumpingSite; the test's client plays
the room unit, the guard's console and the relay device by publishing their retained
messages; the wire check after each test holds them to docs/mqtt-api.yaml.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.core.alarm import moment, new_alarm_id
from firmware.core.events import Event, EventType
from firmware.site_model import PhoneConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from testkit.jumping import JumpingSite, TestClient
from testkit.site_factory import MONDAY, at, small_site

ALARM_TYPES = {EventType.ALARM_RAISED, EventType.ALARM_ACKNOWLEDGED,
               EventType.ALARM_ESCALATED, EventType.ALARM_CLEARED}
# The alarm's own times: a little before the controller's clock reads them, to the
# millisecond, as the room unit, the console and the relay device send them.
RAISED_AT = at(MONDAY, 9, 59) + timedelta(seconds=58, milliseconds=250)
ESCALATED_AT = RAISED_AT + timedelta(seconds=20, milliseconds=30)
ACKNOWLEDGED_AT = RAISED_AT + timedelta(seconds=31, milliseconds=460)
CLEARED_AT = RAISED_AT + timedelta(minutes=6, seconds=2)


def site_config() -> SiteConfig:
    config = small_site()
    return dataclasses.replace(
        config, site=dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:8]}"),
        phone=PhoneConfig(enabled=True, base_url="https://piste.example/t/"),
        devices=tuple(dataclasses.replace(d, roles=("controller",)) if d.id == "lobby-1"
                      else d for d in config.devices))


class Lobby:
    """The controller on a jumping site, and the test's client that sends the alarm."""

    def __init__(self, broker: MemoryBroker, data_dir: Path) -> None:
        self.config = site_config()
        self.site_id = self.config.site.id
        self.clock = ManualClock(at(MONDAY, 10, 0))
        self.broker, self.data_dir = broker, data_dir
        self.site = JumpingSite(self.clock, broker)
        self.sender = self.site.client(self.site_id, "alarm-test")
        self.role: ControllerRole | None = None

    def start_controller(self) -> ControllerRole:
        self.role = ControllerRole()
        self.site.device(self.config, "lobby-1", [self.role], self.data_dir)
        self.site.run_until(lambda: self.role is not None and self.role.guard.serving,
                            within_s=10, what="the controller to serve")
        return self.role

    def stop_controller(self) -> None:
        for runtime in self.site.runtimes:
            runtime.shutdown()
        self.site.runtimes = []
        self.role = None

    def alarm_events(self) -> list[Event]:
        assert self.role is not None
        return [e for e in self.role.ledger.events_from(0) if e.type in ALARM_TYPES]

    # -- the other devices' messages ------------------------------------------------------

    def publish(self, part: str, room: str, wire: dict | None) -> None:
        topic = {"raised": topics.alarm_raised, "answer": topics.alarm_answer,
                 "escalated": topics.alarm_escalated}[part](self.site_id, room)
        payload = b"" if wire is None else json.dumps(wire).encode()
        self.sender.publish_raw(topic, payload, retain=True)
        self.site.settle()

    def raise_(self, alarm: str, room: str = "1", when: datetime = RAISED_AT,
               drill: bool = False) -> None:
        self.publish("raised", room, AlarmRaised(alarm, room, moment(when), "key",
                                                 drill).to_wire())

    def answer(self, alarm: str, state: str, when: datetime, room: str = "1",
               acknowledged_at: datetime | None = None, raised_at: datetime = RAISED_AT,
               drill: bool = False) -> None:
        self.publish("answer", room, AlarmAnswer(
            alarm, room, state, moment(when), "vartija", moment(raised_at),
            moment(acknowledged_at) if acknowledged_at else None, drill).to_wire())

    def escalate(self, alarm: str, room: str = "1", when: datetime = ESCALATED_AT) -> None:
        self.publish("escalated", room, AlarmEscalated(
            alarm, room, moment(when), moment(RAISED_AT), "lobby-2", True).to_wire())


@pytest.fixture
def lobby(memory_broker: MemoryBroker, tmp_path: Path) -> Iterator[Lobby]:
    lobby = Lobby(memory_broker, tmp_path)
    yield lobby
    lobby.site.stop()


def kinds_and_times(events: list[Event]) -> list[tuple[str, datetime]]:
    return [(str(e.type), e.at) for e in events]


def whole_alarm(lobby: Lobby, alarm: str) -> None:
    """Raise, escalation, acknowledgement, the room unit taking its raise back, clear."""
    lobby.raise_(alarm)
    lobby.escalate(alarm)
    lobby.answer(alarm, "acknowledged", ACKNOWLEDGED_AT)
    lobby.publish("raised", "1", None)
    lobby.answer(alarm, "cleared", CLEARED_AT, acknowledged_at=ACKNOWLEDGED_AT)


def test_each_step_is_recorded_once_at_its_own_time(lobby: Lobby) -> None:
    lobby.start_controller()
    events_wire = lobby.sender.watch(topics.queue_events(lobby.site_id))
    alarm = new_alarm_id()
    lobby.raise_(alarm)
    lobby.raise_(new_alarm_id(), when=RAISED_AT + timedelta(seconds=5))  # pressed again
    lobby.escalate(alarm)
    lobby.answer(alarm, "acknowledged", ACKNOWLEDGED_AT)
    lobby.answer(alarm, "acknowledged", ACKNOWLEDGED_AT)  # delivered twice
    lobby.answer(alarm, "cleared", CLEARED_AT, acknowledged_at=ACKNOWLEDGED_AT)
    lobby.site.run_for(1)

    events = lobby.alarm_events()
    assert kinds_and_times(events) == [
        ("alarm.raised", RAISED_AT), ("alarm.escalated", ESCALATED_AT),
        ("alarm.acknowledged", ACKNOWLEDGED_AT), ("alarm.cleared", CLEARED_AT)]
    assert [e.data for e in events] == [
        {"alarm": alarm, "room": "1", "drill": False, "source": "key"},
        {"alarm": alarm, "room": "1", "drill": False, "relay": True},
        {"alarm": alarm, "room": "1", "drill": False, "after_s": 31.5},
        {"alarm": alarm, "room": "1", "drill": False}]
    # On queue/events like every event, in the ledger's order; no name anywhere.
    sent = [json.loads(payload) for _, payload, _ in events_wire]
    assert [(w["type"], w["seq"]) for w in sent] == [(str(e.type), e.seq) for e in events]
    assert sent[0]["at"] == RAISED_AT.isoformat(timespec="seconds")
    assert all("vartija" not in json.dumps(w) and "lobby-2" not in json.dumps(w)
               for w in sent)


def test_nothing_about_an_alarm_reaches_the_lobby(lobby: Lobby) -> None:
    role = lobby.start_controller()
    lobby.site.run_for(1)
    states = lobby.sender.watch(topics.queue_state(lobby.site_id))
    public = lobby.sender.watch(topics.public_filter(lobby.site_id))
    lobby.site.settle()
    before = (len(states), len(public))
    seq_before = role.controller.state.seq
    whole_alarm(lobby, new_alarm_id())
    lobby.site.run_for(45)  # two of the controller's rechecks, which publish a changed state
    assert len(lobby.alarm_events()) == 4
    assert len(states) == before[0]  # the queue's state was not published again
    assert role.controller.state.seq == seq_before  # nor would its next one tell of it
    assert [t for t, _, _ in public[before[1]:]
            if t != topics.public_alive(lobby.site_id)] == []


def test_the_retained_messages_again_after_a_restart_record_nothing(lobby: Lobby) -> None:
    lobby.start_controller()
    alarm = new_alarm_id()
    lobby.raise_(alarm)
    # The clerk pressed again: that raise is the room's retained one now, and all that a
    # controller that restarts before the answer sees of the alarm.
    lobby.raise_(new_alarm_id(), when=RAISED_AT + timedelta(seconds=9))

    def restart_twice(expected: int) -> None:
        before = lobby.alarm_events()
        assert len(before) == expected
        for _ in range(2):
            lobby.stop_controller()
            lobby.clock.advance(minutes=3)
            lobby.start_controller()  # gets the retained messages again
            lobby.site.run_for(5)
            assert lobby.alarm_events() == before

    restart_twice(1)
    lobby.escalate(alarm)
    lobby.answer(alarm, "acknowledged", ACKNOWLEDGED_AT)
    restart_twice(3)
    lobby.answer(alarm, "cleared", CLEARED_AT, acknowledged_at=ACKNOWLEDGED_AT)
    assert kinds_and_times(lobby.alarm_events())[3:] == [("alarm.cleared", CLEARED_AT)]


def test_a_controller_down_for_the_whole_alarm_records_it_from_the_answer(
        lobby: Lobby) -> None:
    whole_alarm(lobby, alarm := new_alarm_id())  # nobody records it now
    lobby.clock.set(CLEARED_AT + timedelta(hours=1))
    lobby.start_controller()
    # In the order the broker gives the retained messages, each at its own time.
    events = sorted(lobby.alarm_events(), key=lambda e: e.at)
    assert kinds_and_times(events) == [
        ("alarm.raised", RAISED_AT), ("alarm.escalated", ESCALATED_AT),
        ("alarm.acknowledged", ACKNOWLEDGED_AT), ("alarm.cleared", CLEARED_AT)]
    assert events[0].data == {"alarm": alarm, "room": "1", "drill": False, "source": None}
    assert events[2].data["after_s"] == 31.5


def test_an_acknowledged_alarm_heard_only_from_its_answer(lobby: Lobby) -> None:
    alarm = new_alarm_id()
    lobby.raise_(alarm, drill=True)
    lobby.answer(alarm, "acknowledged", ACKNOWLEDGED_AT, drill=True)
    lobby.publish("raised", "1", None)  # the room unit took its raise back
    lobby.start_controller()
    events = lobby.alarm_events()
    assert kinds_and_times(events) == [("alarm.raised", RAISED_AT),
                                       ("alarm.acknowledged", ACKNOWLEDGED_AT)]
    assert all(e.data["drill"] is True for e in events)


def test_a_clear_without_acknowledgement_records_no_acknowledgement(lobby: Lobby) -> None:
    lobby.start_controller()
    alarm = new_alarm_id()
    lobby.raise_(alarm)
    lobby.answer(alarm, "cleared", CLEARED_AT)
    assert kinds_and_times(lobby.alarm_events()) == [("alarm.raised", RAISED_AT),
                                                     ("alarm.cleared", CLEARED_AT)]


def test_another_sites_alarm_and_a_raise_naming_another_room_are_ignored(
        lobby: Lobby) -> None:
    lobby.start_controller()
    other = f"t-{uuid.uuid4().hex[:8]}"
    wire = AlarmRaised(new_alarm_id(), "1", moment(RAISED_AT), "key").to_wire()
    lobby.sender.publish_raw(topics.alarm_raised(other, "1"), json.dumps(wire).encode(),
                             retain=True)
    lobby.publish("raised", "2", wire)  # room 1's alarm on room 2's topic
    lobby.site.run_for(1)
    assert lobby.alarm_events() == []


@pytest.mark.wire_abuse("alarm/3/raised")
def test_garbage_is_logged_and_the_controller_goes_on(
        lobby: Lobby, caplog: pytest.LogCaptureFixture) -> None:
    lobby.start_controller()
    topic = topics.alarm_raised(lobby.site_id, "3")
    with caplog.at_level(logging.WARNING, logger="firmware.controller.alarm_record"):
        far = AlarmRaised(new_alarm_id(), "3", "0001-01-01T00:00:00+05:00", "key").to_wire()
        for payload in (b"\xff\xfe", b"{", b'{"v": 1, "alarm": "x"}', b"[]",
                        json.dumps(far).encode()):
            lobby.sender.publish_raw(topic, payload, retain=True)
            lobby.site.settle()
    assert sum(topic in r.getMessage() for r in caplog.records) == 5
    assert not any(r.exc_info for r in caplog.records)  # said in words, no traceback
    lobby.raise_(new_alarm_id(), room="3")  # the room's real alarm, after the garbage
    assert [e.data["room"] for e in lobby.alarm_events()] == ["3"]
    clerk = TestClient(lobby.site, lobby.site_id, "room-1")
    answer = clerk.request(topics.CALL, {"room": "1", "services": ["kela"]})
    assert answer["ok"] is True  # still answering commands
