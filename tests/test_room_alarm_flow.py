"""The room unit's part of the silent alarm on its pure flow (firmware/room/flow.py with
firmware/room/alarm.py), with a clock that jumps: the alarm key held, the broker's
acknowledgement of the raise, the room's alarm messages as a guard's console and the relay
device write them, the link and the settle timer in; the raise, its removal, the key's LED
and the kept file out. A short press is no event at all (gpiozero only says "held"): that
part is tested with real gpiozero pins in tests/test_room_alarm_unit.py.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core.alarm import moment, new_alarm_id
from firmware.core.flow_kit import LinkDown, LinkUp, Redraw
from firmware.room import flow as rf
from firmware.room.alarm import (
    ALARM_SETTLE_S,
    AlarmDelivered,
    AlarmKept,
    AlarmKeyHeld,
    AlarmLight,
    AlarmMessage,
    AlarmPattern,
    ForgetAlarm,
    KeepAlarm,
    PublishAlarm,
    RemoveAlarm,
)
from firmware.room.flow import Timer
from firmware.site_model import RoomUnitConfig
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from tests.test_room_flow import SERVICES, TUESDAY_10, Room

UNIT = RoomUnitConfig(alarm_key=16, alarm_led=20)


class AlarmRoom(Room):
    """Room 1's flow with an alarm key and LED (test_room_flow's Room), and what the newest
    event made it do."""

    def __init__(self, now: datetime = TUESDAY_10) -> None:
        super().__init__(UNIT)
        self.now = now
        self.flow = rf.RoomFlow("1", SERVICES, UNIT, now, lang="fi")  # from that moment
        self.last: list[rf.Effect] = []

    def on(self, event: rf.Event) -> list[rf.Effect]:
        self.last = super().on(event)
        return self.last

    def ready(self) -> AlarmRoom:
        super().ready()  # started, and the controller's state read
        self.effects = []  # from here on: what the alarm did
        return self

    def hold(self) -> AlarmRaised:
        """The key held; the raise it published."""
        published = of(PublishAlarm, self.on(AlarmKeyHeld()))
        assert len(published) == 1
        return published[0].message

    def on_broker(self, message: AlarmRaised) -> list[rf.Effect]:
        """The broker took the raise: its PUBACK, and the copy the room's subscription gets."""
        return (self.on(AlarmDelivered(message.alarm))
                + self.on(AlarmMessage("1", "raised", wire(message))))

    def message(self, part: str, body: AlarmRaised | AlarmAnswer | AlarmEscalated,
                room: str = "1") -> list[rf.Effect]:
        return self.on(AlarmMessage(room, part, wire(body)))

    def door(self) -> tuple[str, str, str | None]:
        """What the door screen shows."""
        return self.flow.screen_state(), self.flow.message, self.flow.number


def wire(body: AlarmRaised | AlarmAnswer | AlarmEscalated) -> bytes:
    return json.dumps(body.to_wire()).encode()


def of(kind: type, effects: list[rf.Effect]) -> list:
    return [e for e in effects if isinstance(e, kind)]


def lights(effects: list[rf.Effect]) -> list[AlarmPattern]:
    return [e.pattern for e in of(AlarmLight, effects)]


def answer(raised: AlarmRaised, state: str, at: datetime, *,
           acknowledged_at: datetime | None = None) -> AlarmAnswer:
    return AlarmAnswer(alarm=raised.alarm, room=raised.room, state=state, at=moment(at),
                       by="Anna", raised_at=raised.at,
                       acknowledged_at=moment(acknowledged_at) if acknowledged_at else None)


def console_raise(at: datetime, room: str = "1", drill: bool = False) -> AlarmRaised:
    return AlarmRaised(alarm=new_alarm_id(), room=room, at=moment(at), source="console",
                       drill=drill)


# -- raising, and the LED -------------------------------------------------------------------------


def test_holding_the_key_raises_it_and_the_led_lights_only_once_the_broker_has_it() -> None:
    room = AlarmRoom().ready()
    door = room.door()
    effects = room.on(AlarmKeyHeld())
    (published,) = of(PublishAlarm, effects)
    raised = published.message
    assert (raised.room, raised.source, raised.drill, raised.at) == (
        "1", "key", False, moment(TUESDAY_10))
    assert len(raised.alarm) == 32
    assert of(KeepAlarm, effects) == [KeepAlarm(raised)]  # kept until answered
    assert lights(effects) == []  # not sent yet: no sign
    assert room.flow.alarm.light() is AlarmPattern.OFF

    assert lights(room.on(AlarmDelivered(raised.alarm))) == [AlarmPattern.ON]
    # Its own copy from the broker changes nothing more.
    assert room.on(AlarmMessage("1", "raised", wire(raised))) == []
    assert not of(Redraw, room.effects) and room.door() == door


def test_the_led_says_seen_once_acknowledged_and_goes_dark_when_cleared() -> None:
    room = AlarmRoom().ready()
    door = room.door()
    raised = room.hold()
    room.on_broker(raised)
    room.advance(10)
    effects = room.message("answer", answer(raised, "acknowledged", room.now))
    assert lights(effects) == [AlarmPattern.BLIP]
    # Answered: the file goes, and the retained raise this unit wrote is emptied (a
    # console connecting after the clear must not read it as a new alarm).
    assert of(ForgetAlarm, effects) == [ForgetAlarm()]
    assert of(RemoveAlarm, effects) == [RemoveAlarm()]
    assert room.on(AlarmMessage("1", "raised", b"")) == []  # the removal comes back: nothing

    acknowledged_at = room.now
    room.advance(60)
    effects = room.message("answer", answer(raised, "cleared", room.now,
                                            acknowledged_at=acknowledged_at))
    assert lights(effects) == [AlarmPattern.OFF]
    assert not of(RemoveAlarm, effects) and not of(ForgetAlarm, effects)
    # Never anything on the door screen, from the key to the clear.
    assert not of(Redraw, room.effects) and room.door() == door


def test_cleared_without_an_acknowledgement_is_dark_and_forgotten_at_once() -> None:
    room = AlarmRoom().ready()
    raised = room.hold()
    room.on_broker(raised)
    effects = room.message("answer", answer(raised, "cleared", room.now))
    assert lights(effects) == [AlarmPattern.OFF]
    assert of(ForgetAlarm, effects) and of(RemoveAlarm, effects)


def test_an_escalation_leaves_the_led_steady() -> None:
    room = AlarmRoom().ready()
    raised = room.hold()
    room.on_broker(raised)
    room.advance(20)
    effects = room.message("escalated", AlarmEscalated(
        alarm=raised.alarm, room="1", at=moment(room.now), raised_at=raised.at,
        device="lobby-1", relay=True))
    assert effects == [] and room.flow.alarm.light() is AlarmPattern.ON


# -- one room, one episode ----------------------------------------------------------------------


def test_held_again_it_joins_the_alarm_and_the_led_does_not_change() -> None:
    room = AlarmRoom().ready()
    first = room.hold()
    room.on_broker(first)
    room.advance(3)
    again = room.hold()
    assert again.alarm != first.alarm  # a raise of its own: the readers join it
    assert not of(KeepAlarm, room.last)  # the first one is the one kept
    assert lights(room.on_broker(again)) == []
    episode = room.flow.alarm.episode()
    assert episode is not None and episode.ids == {first.alarm, again.alarm}

    # Acknowledged, then held once more: still sent (the consoles see "pressed again"), but
    # not kept, and removed from the retained topic as soon as the broker has it.
    room.message("answer", answer(first, "acknowledged", room.now))
    room.advance(5)
    third = room.hold()
    assert not of(KeepAlarm, room.last)
    effects = room.on_broker(third)
    assert of(RemoveAlarm, effects) == [RemoveAlarm()] and lights(effects) == []
    assert room.flow.alarm.light() is AlarmPattern.BLIP


def test_an_alarm_raised_at_the_console_for_this_room_shows_on_the_led() -> None:
    room = AlarmRoom().ready()
    raised = console_raise(room.now)
    assert lights(room.message("raised", raised)) == [AlarmPattern.ON]
    room.advance(2)
    key = room.hold()  # the clerk holds the key as well: it joins
    assert lights(room.on_broker(key)) == []
    effects = room.message("answer", answer(raised, "acknowledged", room.now))
    assert lights(effects) == [AlarmPattern.BLIP]
    assert of(ForgetAlarm, effects)  # the key's raise joined it: answered too
    # The retained raise is the key's own (it came after the console's): emptied.
    assert of(RemoveAlarm, effects) == [RemoveAlarm()]


def test_the_consoles_own_raise_is_left_to_the_console_to_remove() -> None:
    room = AlarmRoom().ready()
    raised = console_raise(room.now)
    room.message("raised", raised)
    effects = room.message("answer", answer(raised, "acknowledged", room.now))
    assert not of(RemoveAlarm, effects) and lights(effects) == [AlarmPattern.BLIP]


def test_a_new_alarm_after_the_clear_starts_again_from_dark() -> None:
    room = AlarmRoom().ready()
    first = room.hold()
    room.on_broker(first)
    room.message("answer", answer(first, "cleared", room.now))
    room.advance(120)
    second = room.hold()
    assert of(KeepAlarm, room.last) == [KeepAlarm(second)]
    assert lights(room.on_broker(second)) == [AlarmPattern.ON]
    episode = room.flow.alarm.episode()
    assert episode is not None and episode.alarm == second.alarm


def test_other_rooms_alarms_change_nothing() -> None:
    room = AlarmRoom().ready()
    other = console_raise(room.now, room="2")
    assert room.message("raised", other, room="2") == []
    assert room.message("answer", answer(other, "acknowledged", room.now), room="2") == []
    assert room.flow.alarm.episode() is None and room.flow.alarm.board.active() == []


def test_the_drill_of_this_room_lights_the_led_too() -> None:
    room = AlarmRoom().ready()
    drill = console_raise(room.now, drill=True)
    assert lights(room.message("raised", drill)) == [AlarmPattern.ON]


# -- kept and resent ------------------------------------------------------------------------------


def test_after_a_reconnection_an_unanswered_alarm_is_sent_again_once_settled() -> None:
    room = AlarmRoom().ready()
    raised = room.hold()
    room.on_broker(raised)
    room.on(LinkDown())
    room.advance(30)
    effects = room.on(LinkUp())
    assert not of(PublishAlarm, effects)  # the retained answer may still be on its way
    assert room.timers[Timer.ALARM_SETTLE] == room.now + timedelta(seconds=ALARM_SETTLE_S)
    effects = room.advance(ALARM_SETTLE_S)
    assert of(PublishAlarm, effects) == [PublishAlarm(raised)]  # the same alarm, same id
    assert room.flow.alarm.light() is AlarmPattern.ON


def test_an_answer_that_comes_in_the_settle_time_stops_the_resend() -> None:
    room = AlarmRoom().ready()
    raised = room.hold()
    room.on_broker(raised)
    room.on(LinkDown())
    room.on(LinkUp())
    room.advance(0.3)
    room.message("answer", answer(raised, "acknowledged", room.now))
    assert not of(PublishAlarm, room.advance(ALARM_SETTLE_S))
    assert room.flow.alarm.kept is None


def test_held_while_the_link_is_down_it_is_dark_until_the_broker_has_it() -> None:
    room = AlarmRoom().ready()
    room.on(LinkDown())
    raised = room.hold()  # paho keeps it and sends it once the link is back
    room.advance(10)
    assert room.flow.alarm.light() is AlarmPattern.OFF
    room.on(LinkUp())
    assert lights(room.on(AlarmDelivered(raised.alarm))) == [AlarmPattern.ON]


def test_a_restarted_room_unit_sends_its_kept_alarm_again() -> None:
    before = AlarmRoom()
    kept = before.ready().hold()
    after = AlarmRoom(before.now + timedelta(seconds=40))
    after.on(AlarmKept(wire(kept)))
    after.ready()  # connected at once
    assert not of(PublishAlarm, after.effects)
    assert of(PublishAlarm, after.advance(ALARM_SETTLE_S)) == [PublishAlarm(kept)]
    assert lights(after.on_broker(kept)) == [AlarmPattern.ON]
    effects = after.message("answer", answer(kept, "acknowledged", after.now))
    assert of(ForgetAlarm, effects) and of(RemoveAlarm, effects)


def test_a_restarted_unit_whose_alarm_was_acknowledged_meanwhile_only_forgets_it() -> None:
    """Its raise joined a console's alarm which was then acknowledged: the retained answer
    names the console's alarm, not the kept raise; the times say it is answered."""
    earlier = console_raise(TUESDAY_10)
    before = AlarmRoom(TUESDAY_10 + timedelta(seconds=2))
    kept = before.ready().hold()
    after = AlarmRoom(before.now + timedelta(seconds=60))
    after.on(AlarmKept(wire(kept)))
    after.ready()
    effects = after.message("answer", answer(earlier, "acknowledged",
                                             TUESDAY_10 + timedelta(seconds=30)))
    assert of(ForgetAlarm, effects) and lights(effects) == [AlarmPattern.BLIP]
    # Its own raise, still retained, is emptied when it comes.
    assert of(RemoveAlarm, after.message("raised", kept)) == [RemoveAlarm()]
    assert not of(PublishAlarm, after.advance(ALARM_SETTLE_S))


def test_a_kept_alarm_raised_after_the_last_clear_is_a_new_alarm() -> None:
    old = console_raise(TUESDAY_10)
    before = AlarmRoom(TUESDAY_10 + timedelta(minutes=10))
    kept = before.ready().hold()
    after = AlarmRoom(before.now + timedelta(seconds=5))
    after.on(AlarmKept(wire(kept)))
    after.ready()
    effects = after.message("answer", answer(old, "cleared", TUESDAY_10 + timedelta(minutes=2)))
    assert not of(ForgetAlarm, effects)
    assert of(PublishAlarm, after.advance(ALARM_SETTLE_S)) == [PublishAlarm(kept)]
    assert lights(after.on_broker(kept)) == [AlarmPattern.ON]


def test_a_kept_file_that_is_no_alarm_of_this_unit_is_not_sent(
        caplog: pytest.LogCaptureFixture) -> None:
    for payload in (b"{broken", json.dumps(console_raise(TUESDAY_10).to_wire()).encode(),
                    json.dumps(console_raise(TUESDAY_10, room="2").to_wire()).encode()):
        room = AlarmRoom()
        with caplog.at_level(logging.ERROR):
            room.on(AlarmKept(payload))
        room.ready()
        assert not of(PublishAlarm, room.advance(5))
        assert "kept alarm" in caplog.text
        caplog.clear()


# -- bad input ------------------------------------------------------------------------------------


def test_bad_alarm_messages_are_ignored_with_a_log_line(
        caplog: pytest.LogCaptureFixture) -> None:
    room = AlarmRoom().ready()
    raised = console_raise(room.now)
    other_room = json.dumps({**raised.to_wire(), "room": "2"}).encode()
    for part, payload in (("raised", b"\xff not json"), ("raised", b'{"v": 1}'),
                          ("answer", wire(raised)), ("raised", other_room),
                          ("escalated", b"[]"), ("raised", json.dumps(
                              {**raised.to_wire(), "source": "phone"}).encode())):
        with caplog.at_level(logging.WARNING):
            assert room.on(AlarmMessage("1", part, payload)) == []
        assert f"alarm message on {part} was not read" in caplog.text
        caplog.clear()
    assert room.flow.alarm.episode() is None and room.flow.alarm.light() is AlarmPattern.OFF


@settings(max_examples=150, deadline=None)
@given(part=st.sampled_from(["raised", "answer", "escalated"]),
       payload=st.one_of(st.binary(max_size=80), st.dictionaries(
           st.sampled_from(["v", "alarm", "room", "at", "source", "state", "by", "drill",
                            "raised_at", "device", "relay"]),
           st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                     st.just("0123456789abcdef0123456789abcdef"), st.just("1"),
                     st.just("2026-12-01T10:00:00.000+02:00")),
           max_size=11).map(lambda d: json.dumps(d).encode())))
def test_any_bytes_on_an_alarm_topic_are_read_or_ignored_never_raise(
        part: str, payload: bytes) -> None:
    room = AlarmRoom().ready()
    door = room.door()
    effects = room.on(AlarmMessage("1", part, payload))
    assert all(isinstance(e, AlarmLight) for e in effects)
    assert room.door() == door
