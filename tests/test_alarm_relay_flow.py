"""The relay device of the silent alarm, as its pure flow decides (firmware/alarm/flow.py).

A small driver plays the shell: it keeps the flow's one timer and moves the clock straight to
it when a test lets time pass, so "escalates at 20 s and not a moment before" is checked to
the microsecond without waiting. What is checked is what the building and the staff notice:
whether the relay is on, and whether the consoles are told the alarm escalated.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware.alarm import flow as af
from firmware.alarm.flow import RETAINED_SETTLE_S, AlarmRelayFlow
from firmware.core.alarm import moment
from firmware.core.flow_kit import LinkDown, LinkUp
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised

T0 = datetime(2026, 12, 1, 10, 42, 5, tzinfo=ZoneInfo("Europe/Helsinki"))
ALARM_1, ALARM_2, ALARM_3 = "a1" * 16, "b2" * 16, "c3" * 16
LATER_IN_ROOM_1 = "d4" * 16
ROOM_OF = {ALARM_1: "1", ALARM_2: "2", ALARM_3: "3", LATER_IN_ROOM_1: "1"}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def raised(alarm: str = ALARM_1, when: float = 0.0, *, drill: bool = False) -> tuple[str, bytes]:
    return "raised", wire(AlarmRaised(alarm=alarm, room=ROOM_OF[alarm], at=moment(at(when)),
                                      source="key", drill=drill))


def answer(state: str, alarm: str = ALARM_1, when: float = 0.0, *, raised_at: float = 0.0,
           drill: bool = False) -> tuple[str, bytes]:
    return "answer", wire(AlarmAnswer(
        alarm=alarm, room=ROOM_OF[alarm], state=state, at=moment(at(when)), by="Anna",
        raised_at=moment(at(raised_at)), drill=drill,
        acknowledged_at=moment(at(when)) if state == "cleared" else None))


def escalated(alarm: str = ALARM_1, when: float = 20.0, *, device: str = "relay-2",
              raised_at: float = 0.0, drill: bool = False) -> tuple[str, bytes]:
    return "escalated", wire(AlarmEscalated(
        alarm=alarm, room=ROOM_OF[alarm], at=moment(at(when)), raised_at=moment(at(raised_at)),
        device=device, relay=True, drill=drill))


def wire(message: Any) -> bytes:
    return json.dumps(message.to_wire()).encode()


class RelayDevice:
    """The flow with a shell's bookkeeping: the relay's switchings, what was published, and
    the timer, run when the test lets the clock reach it."""

    def __init__(self, *, relay_present: bool = True, drill_switches_relay: bool = False,
                 start: float = 0.0) -> None:
        self.flow = AlarmRelayFlow("relay-1", relay_present=relay_present,
                                   escalate_after_s=20.0,
                                   drill_switches_relay=drill_switches_relay)
        self.now = at(start)
        self.relay = False
        self.switched: list[tuple[float, bool]] = []  # (seconds after T0, on)
        self.published: list[AlarmEscalated] = []
        self.timer: datetime | None = None
        self.feed(af.Started(link_up=True))

    def feed(self, event: af.Event) -> None:
        for effect in self.flow.on(event, self.now):
            match effect:
                case af.Relay(on):
                    assert on != self.relay, "the relay was switched to where it was"
                    self.relay = on
                    self.switched.append(((self.now - T0).total_seconds(), on))
                case af.PublishEscalated(message):
                    self.published.append(message)
                case af.StartTimer(delay_s):
                    self.timer = self.now + timedelta(seconds=delay_s)
                case af.CancelTimer():
                    self.timer = None

    def hear(self, *messages: tuple[str, bytes]) -> None:
        for part, payload in messages:
            self.feed(af.Message(part, payload))

    def run_to(self, seconds: float) -> None:
        """Let the clock reach T0 + seconds, the timer run each time it comes due."""
        end = at(seconds)
        while self.timer is not None and self.timer <= end:
            self.now, self.timer = max(self.now, self.timer), None
            self.feed(af.TimerDue())
        self.now = end


def test_an_unanswered_alarm_escalates_at_20_s_and_not_a_moment_before() -> None:
    device = RelayDevice()
    device.hear(raised())
    device.run_to(19.999)
    assert not device.relay and device.published == []
    device.run_to(20.0)
    assert device.switched == [(20.0, True)]
    [message] = device.published
    assert message == AlarmEscalated(alarm=ALARM_1, room="1", at=moment(at(20)),
                                     raised_at=moment(at(0)), device="relay-1", relay=True)
    device.run_to(600)
    assert len(device.published) == 1  # once: the relay stays on, nothing is said again
    assert device.relay


def test_an_alarm_acknowledged_at_19_s_never_escalates() -> None:
    device = RelayDevice()
    device.hear(raised())
    device.run_to(19)
    device.hear(answer("acknowledged", when=19))
    device.run_to(3600)
    assert device.switched == [] and device.published == []
    assert device.timer is None


def test_acknowledging_after_the_escalation_leaves_the_relay_on_until_it_is_cleared() -> None:
    device = RelayDevice()
    device.hear(raised())
    device.run_to(25)
    device.hear(answer("acknowledged", when=25))
    device.run_to(100)
    assert device.relay
    device.hear(answer("cleared", when=100))
    assert device.switched == [(20.0, True), (100.0, False)]


@pytest.mark.parametrize("switches", [False, True])
def test_a_drill_escalates_but_switches_the_relay_only_when_the_site_says_so(
        switches: bool) -> None:
    device = RelayDevice(drill_switches_relay=switches)
    device.hear(raised(drill=True))
    device.run_to(20)
    [message] = device.published  # the consoles are told either way
    assert message.drill is True
    assert message.relay is switches
    assert device.relay is switches
    device.hear(answer("cleared", when=30, drill=True))
    assert not device.relay


def test_two_rooms_two_alarms_the_relay_off_only_when_both_are_cleared() -> None:
    device = RelayDevice()
    device.hear(raised(ALARM_1, 0))
    device.run_to(10)
    device.hear(raised(ALARM_2, 10))
    device.run_to(29.9)
    assert [m.room for m in device.published] == ["1"]
    device.run_to(30)
    assert [m.room for m in device.published] == ["1", "2"]
    device.run_to(40)
    device.hear(answer("cleared", ALARM_1, when=40))
    assert device.relay  # room 2's alarm is still on
    device.run_to(50)
    device.hear(answer("cleared", ALARM_2, when=50, raised_at=10))
    assert device.switched == [(20.0, True), (50.0, False)]


def test_another_devices_escalation_switches_the_relay_and_nothing_is_said_twice() -> None:
    device = RelayDevice()
    device.hear(raised())
    device.run_to(5)
    device.hear(escalated(when=5, device="relay-2"))  # its clock or its setting was earlier
    assert device.switched == [(5.0, True)]
    device.run_to(600)
    assert device.published == []


def test_a_device_without_its_relay_still_tells_the_consoles() -> None:
    device = RelayDevice(relay_present=False)
    device.hear(raised())
    device.run_to(20)
    [message] = device.published
    assert message.relay is False


def test_its_escalation_is_sent_again_after_a_reconnect_until_the_broker_has_it() -> None:
    device = RelayDevice()
    device.hear(raised())
    device.run_to(20)
    [message] = device.published
    device.feed(LinkDown())
    device.feed(LinkUp())
    assert device.published == [message, message]
    device.hear(("escalated", wire(message)))  # the broker delivers it back
    device.feed(LinkDown())
    device.feed(LinkUp())
    assert len(device.published) == 2


RETAINED_ESCALATED = [raised(), answer("acknowledged", when=22), escalated(when=20)]
RETAINED_CLEARED = [raised(), answer("cleared", when=40), escalated(when=20)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_after_a_restart_the_retained_messages_in_any_order_switch_the_relay_again(
        order: tuple[int, ...]) -> None:
    device = RelayDevice(start=300)
    device.hear(*(RETAINED_ESCALATED[i] for i in order))
    device.run_to(300 + RETAINED_SETTLE_S)
    assert device.switched == [(300 + RETAINED_SETTLE_S, True)]
    device.run_to(900)
    assert device.published == []  # it had escalated before: said once is enough

    over = RelayDevice(start=300)
    over.hear(*(RETAINED_CLEARED[i] for i in order))
    over.run_to(900)
    assert over.switched == [] and over.published == []


@pytest.mark.parametrize("reverse", [False, True])
def test_an_old_escalation_still_retained_behind_a_later_alarm_of_its_room_is_over(
        reverse: bool) -> None:
    """Room 1's first alarm escalated and was cleared; its second was acknowledged in time,
    and its answer replaced the first one's clear on the retained `answer` topic, while the
    first one's `escalated` is still retained."""
    retained = [escalated(ALARM_1, when=20),
                answer("acknowledged", LATER_IN_ROOM_1, when=1000, raised_at=990)]
    device = RelayDevice(start=3600)
    device.hear(*(reversed(retained) if reverse else retained))
    device.run_to(7200)
    assert device.switched == [] and device.published == []


def test_a_raise_left_unanswered_while_it_was_down_escalates_as_soon_as_it_is_back() -> None:
    device = RelayDevice(start=300)
    device.hear(raised())  # retained; nobody answered, nobody escalated
    device.run_to(300 + RETAINED_SETTLE_S)  # once the other retained messages had their turn
    assert device.switched == [(300 + RETAINED_SETTLE_S, True)]
    assert [m.at for m in device.published] == [moment(at(300 + RETAINED_SETTLE_S))]


def test_an_answer_that_comes_while_the_retained_messages_settle_stops_the_escalation() -> None:
    device = RelayDevice(start=300)
    device.hear(raised())
    device.run_to(300.5)
    device.hear(answer("acknowledged", when=21))
    device.run_to(900)
    assert device.switched == [] and device.published == []


@pytest.mark.parametrize("part, payload", [
    ("raised", b"not json"), ("raised", b"{}"), ("answer", b'{"v": 1}'),
    ("escalated", b'{"v": 2, "alarm": "x"}'), ("escalated", b"\xff\xfe"),
    ("raised", b"[1, 2, 3]"), ("minutes", b"{}"), ("escalated", b""),
    ("raised", json.dumps({**json.loads(raised()[1]), "room": "../1"}).encode()),
])
def test_garbage_on_the_alarm_topics_changes_nothing(part: str, payload: bytes) -> None:
    device = RelayDevice()
    device.hear((part, payload))
    device.run_to(600)
    assert device.switched == [] and device.published == []
    device.hear(raised(when=600))  # and it still hears the real thing
    device.run_to(620)
    assert device.relay


# -- whatever the order ------------------------------------------------------------------------

EPISODE = st.fixed_dictionaries({
    "drill": st.booleans(),
    "escalated": st.booleans(),
    "answer": st.sampled_from([None, "acknowledged", "cleared"]),
})


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[bool, list[tuple[str, str, bytes]]]:
    """Up to three rooms' alarms, each message of each sent one to three times, all in an
    order hypothesis chooses; and whether the site's drills switch the relay."""
    episodes = draw(st.dictionaries(st.sampled_from([ALARM_1, ALARM_2, ALARM_3]), EPISODE,
                                    min_size=1))
    messages: list[tuple[str, str, bytes]] = []
    for alarm, e in episodes.items():
        drill = e["drill"]
        mine = [raised(alarm, drill=drill)]
        if e["answer"]:
            mine.append(answer(e["answer"], alarm, when=30, drill=drill))
        if e["escalated"]:
            mine.append(escalated(alarm, drill=drill))
        for part, payload in mine:
            messages += [(alarm, part, payload)] * draw(st.integers(1, 3))
    return draw(st.booleans()), draw(st.permutations(messages))


@given(deliveries())
def test_the_relay_is_on_exactly_while_an_escalated_alarm_is_not_cleared(
        case: tuple[bool, list[tuple[str, str, bytes]]]) -> None:
    drill_switches_relay, messages = case
    device = RelayDevice(drill_switches_relay=drill_switches_relay, start=1)
    device.run_to(1 + RETAINED_SETTLE_S)  # connected a while ago; no alarm's time has come
    heard: list[tuple[str, str, bytes]] = []
    for alarm, part, payload in messages:
        device.hear((part, payload))
        heard.append((alarm, part, payload))
        expected = any(
            part == "escalated" and (not json.loads(payload)["drill"] or drill_switches_relay)
            and not any(a == alarm and p == "answer" and json.loads(b)["state"] == "cleared"
                        for a, p, b in heard)
            for alarm, part, payload in heard)
        assert device.relay is expected
        assert device.flow.relay_on is expected
    assert device.published == []  # no time passed: nothing of its own to escalate
