"""The room unit's behaviour on its pure flow (firmware/room/flow.py), in milliseconds: events
in (a clerk's key, the controller's answer or state, a sensor's reading or failure, the
link, a timer that came due), effects out (a command sent, the LED lit or blinked, the door
signal, the occupancy published, timers, health).

The timers are kept by the test's own clock (`Room.advance`), which fires them in order, so
a debounce or an eight-second message takes no time. The controller's answers and state
are read by the shell's own reader (firmware/room/wire.py) from what the wire carries.
"""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.room import flow as rf
from firmware.room.flow import (
    Blink,
    KeyPressed,
    Light,
    PublishOccupancy,
    RoomFlow,
    Send,
    SignalDoor,
    Timer,
)
from firmware.room.wire import answer_event, state_event
from firmware.site_model import RoomUnitConfig, SensorConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import RecentCall, RoomRow

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
SERVICES = ["kela", "vero"]
FAST = {"on_s": 0.2, "off_s": 0.4}
SENSORS = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=17, **FAST),
                         customer=SensorConfig(kind="ld2410", serial_port="/dev/ttyAMA0",
                                               silence_s=1.0, **FAST))


def snapshot(*calls: tuple[str, str, str], open_services: tuple[str, ...] = ("kela",)) -> bytes:
    """`queue/state` as the controller publishes it: (room, ticket, call id) per call."""
    return json.dumps({
        "seq": 1, "tickets": [],
        "serving": [{"room": room, "ticket": ticket, "call_id": call_id}
                    for room, ticket, call_id in calls],
        "services": [{"id": s, "open": s in open_services} for s in [*SERVICES, "passi"]],
    }).encode()


def done(number: str) -> dict[str, Any]:
    return {"ok": True, "ticket": {"number": number, "service": "kela"}}


def refused(code: str, message: str = "from the controller") -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class Room:
    """One room unit's flow, its clock and the timers it asked for."""

    def __init__(self, unit: RoomUnitConfig | None = None, lang: str = "fi") -> None:
        self.now = TUESDAY_10
        self.flow = RoomFlow("1", SERVICES, unit or RoomUnitConfig(), self.now, lang=lang)
        self.timers: dict[Timer, datetime] = {}
        self.effects: list[rf.Effect] = []

    def on(self, event: rf.Event) -> list[rf.Effect]:
        effects = self.flow.on(event, self.now)
        for effect in effects:
            if isinstance(effect, rf.StartTimer):
                self.timers[effect.name] = self.now + timedelta(seconds=effect.delay_s)
            elif isinstance(effect, rf.CancelTimer):
                self.timers.pop(effect.name, None)
        self.effects += effects
        return effects

    def advance(self, seconds: float) -> list[rf.Effect]:
        """Let `seconds` pass, firing every timer that comes due on the way."""
        end, fired = self.now + timedelta(seconds=seconds), []
        while self.timers and min(self.timers.values()) <= end:
            name, due = min(self.timers.items(), key=lambda item: item[1])
            del self.timers[name]
            self.now = max(self.now, due)
            fired += self.on(rf.TimerDue(name))
        self.now = end
        return fired

    def ready(self) -> Room:
        self.on(rf.Started(link_up=True))
        self.state(snapshot())
        return self

    def state(self, payload: bytes) -> list[rf.Effect]:
        event = state_event(payload, "1")
        assert event is not None
        return self.on(event)

    def press(self, action: str, answer: dict[str, Any] | None = None) -> list[rf.Effect]:
        """A key pressed and the controller's answer to its command."""
        sent = self.on(KeyPressed(action))
        assert [e for e in sent if isinstance(e, Send)], f"{action} sent nothing"
        return self.on(answer_event(action, answer))

    def read(self, side: str, present: bool) -> list[rf.Effect]:
        return self.on(rf.Reading(side, present, self.now))

    def published(self) -> list[dict[str, Any]]:
        return [e.payload for e in self.effects if isinstance(e, PublishOccupancy)]


def of(kind: type, effects: list[rf.Effect]) -> list[Any]:
    return [e for e in effects if isinstance(e, kind)]


# -- keys ---------------------------------------------------------------------------------------


def test_each_key_sends_its_command_for_the_room_and_lights_the_led() -> None:
    room = Room().ready()
    sent = room.on(KeyPressed("call_next"))
    assert of(Light, sent) == [Light(True)]  # under way
    assert of(Send, sent) == [Send(topics.CALL, {"room": "1", "services": SERVICES},
                                   "call_next")]
    room.on(answer_event("call_next", done("K001")))
    for action, command in (("recall", topics.RECALL), ("no_show", topics.NO_SHOW),
                            ("complete", topics.COMPLETE)):
        sent = room.on(KeyPressed(action))
        assert of(Send, sent) == [Send(command, {"room": "1"}, action)]
        room.on(answer_event(action, done("K001")))


def test_a_call_shows_the_number_and_blinks_once() -> None:
    room = Room().ready()
    effects = room.press("call_next", done("K007"))
    assert of(Light, effects) == [Light(False)] and of(Blink, effects) == [Blink(1)]
    assert room.flow.number == "K007" and room.flow.screen_state() == "called"
    assert room.flow.message == "Kutsuttu K007 · Uppropad K007 · Called K007"
    room.press("recall", done("K007"))
    assert room.flow.message.startswith("Kutsuttu uudelleen K007")
    assert room.flow.number == "K007"
    effects = room.press("complete", done("K007"))
    assert of(Blink, effects) == [Blink(1)]
    assert room.flow.message.startswith("K007 valmis")
    assert room.flow.number is None and room.flow.screen_state() == "free"


def test_the_message_is_in_the_devices_language_first() -> None:
    room = Room(lang="sv").ready()
    room.press("no_show", done("K003"))
    assert room.flow.message == "K003 kom inte · K003 ei saapunut · K003 did not come"


def test_a_refusal_is_shown_and_blinks_three_times() -> None:
    room = Room().ready()
    effects = room.press("call_next", {"ok": True, "ticket": None})  # nobody waits
    assert of(Blink, effects) == [Blink(3)]
    assert room.flow.message.startswith("Jono on tyhjä")
    effects = room.press("complete", refused("no_ticket"))
    assert of(Blink, effects) == [Blink(3)]
    assert room.flow.message.startswith("Ei kutsuttua numeroa")
    room.press("recall", refused("closed", "x" * 100))
    assert room.flow.message.startswith("Ei onnistunut: " + "x" * 60 + " ·")  # cut short
    effects = room.press("no_show", None)  # no answer after every attempt
    assert of(Blink, effects) == [Blink(3)]
    assert room.flow.message.startswith("Jonopalvelu ei vastaa")


def test_calling_next_on_an_empty_queue_completes_the_number_the_room_had() -> None:
    room = Room().ready()
    room.press("call_next", done("K001"))
    room.press("recall", {"ok": True, "ticket": None})
    assert room.flow.number == "K001"  # a recall with nothing to recall keeps the number
    room.press("call_next", {"ok": True, "ticket": None})
    assert room.flow.number is None


def test_a_second_press_while_one_is_under_way_sends_nothing_and_says_so() -> None:
    room = Room().ready()
    room.on(KeyPressed("call_next"))
    effects = room.on(KeyPressed("call_next"))
    assert of(Send, effects) == [] and of(Blink, effects) == [Blink(3)]
    assert room.flow.message.startswith("Hetki, edellinen on kesken")
    room.on(answer_event("call_next", done("K001")))
    assert of(Send, room.on(KeyPressed("recall")))  # free again after the answer


def test_the_message_leaves_the_screen_after_eight_seconds() -> None:
    room = Room().ready()
    room.press("call_next", done("K001"))
    room.advance(7.9)
    assert room.flow.message
    assert of(rf.Redraw, room.advance(0.2)) and room.flow.message == ""
    assert room.flow.number == "K001"  # the number stays


# Any order of presses, answers, lost answers and timers: never two commands in flight, and
# every command sent is answered by the LED (lit, then blinking).
steps = st.lists(st.one_of(
    st.tuples(st.just("press"), st.sampled_from(rf.KEYS)),
    st.tuples(st.just("answer"), st.sampled_from(["done", "empty", "no_ticket", "none"])),
    st.tuples(st.just("wait"), st.floats(0.1, 10.0)),
    st.tuples(st.just("state"), st.sampled_from(["", "K001", "K002"])),
), max_size=40)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_any_key_sequence_never_has_two_commands_in_flight(sequence: list[Any]) -> None:
    room = Room().ready()
    in_flight: str | None = None
    answers = {"done": done("K009"), "empty": {"ok": True, "ticket": None},
               "no_ticket": refused("no_ticket"), "none": None}
    for kind, arg in sequence:
        if kind == "press":
            sent = of(Send, room.on(KeyPressed(arg)))
            assert not (sent and in_flight), "a second command while one is under way"
            if sent:
                in_flight = sent[0].action
        elif kind == "answer" and in_flight is not None:
            effects = room.on(answer_event(in_flight, answers[arg]))
            assert of(Light, effects) == [Light(False)] and len(of(Blink, effects)) == 1
            in_flight = None
        elif kind == "wait":
            room.advance(arg)
        elif kind == "state":
            room.state(snapshot(*([("1", arg, f"c-{arg}")] if arg else [])))
        assert room.flow.screen_state() in ("called", "free")


# -- the controller's state, the screen and the door ----------------------------------------


def test_the_screen_follows_the_controllers_state_and_the_link() -> None:
    room = Room()
    room.on(rf.Started(link_up=True))
    assert room.flow.screen_state() == "unknown"  # no state yet
    room.state(snapshot(("2", "K004", "c1")))  # another room's call
    assert room.flow.screen_state() == "free" and room.flow.number is None
    room.state(snapshot(("1", "K001", "c0"), ("1", "K005", "c2")))
    assert room.flow.screen_state() == "called" and room.flow.number == "K005"  # the newest
    room.state(snapshot(open_services=("vero",)))
    assert room.flow.screen_state() == "free"  # one of the room's services is open
    room.state(snapshot(open_services=("passi",)))
    assert room.flow.screen_state() == "closed"  # passi is not this room's
    assert of(rf.Redraw, room.on(rf.LinkDown()))
    assert room.flow.screen_state() == "unknown"  # an old state is not posed as current
    room.on(rf.LinkUp())
    assert room.flow.screen_state() == "closed"


def test_a_payload_that_is_no_snapshot_changes_nothing() -> None:
    assert state_event(b"not json", "1") is None
    assert state_event(b"[1, 2]", "1") is None
    event = state_event(b'{"serving": 3, "services": [{"id": ["x"], "open": true}, 7]}', "1")
    assert event == rf.State((), frozenset())


def test_the_door_signals_each_new_call_to_its_room_once() -> None:
    room = Room()
    room.on(rf.Started(link_up=True))
    # The first state only tells what was called before the unit started: no signal.
    assert of(SignalDoor, room.state(snapshot(("1", "K001", "c1")))) == []
    assert of(SignalDoor, room.state(snapshot(("1", "K001", "c1"), ("2", "K002", "c2")))) == []
    assert of(SignalDoor, room.state(snapshot(("1", "K003", "c3")))) == [SignalDoor()]
    assert of(SignalDoor, room.state(snapshot(("1", "K003", "c3")))) == []  # received again
    room.on(rf.LinkDown())
    room.on(rf.LinkUp())
    assert of(SignalDoor, room.state(snapshot(("1", "K003", "c3")))) == []  # after a reconnect
    assert of(SignalDoor, room.state(snapshot(("1", "K003", "c4")))) == [SignalDoor()]  # recall


# -- occupancy ----------------------------------------------------------------------------------


def test_a_room_without_a_sensor_pair_reports_none_and_publishes_nothing() -> None:
    one_side = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=17))
    for unit in (RoomUnitConfig(), one_side):
        room = Room(unit).ready()
        room.read("staff", True)
        room.advance(60)
        assert room.flow.sensor_health(room.now) == {"state": "none"}
        assert room.flow.occupancy_payload() is None and room.published() == []


def test_presence_is_published_only_after_it_lasted_its_hold() -> None:
    room = Room(SENSORS).ready()
    assert room.published()[-1]["state"] == "unknown"  # the sensors are starting
    room.read("staff", False)
    room.read("customer", False)
    room.advance(0.5)
    assert room.published()[-1] == {"staff": False, "customer": False, "state": "vacant",
                                    "since": TUESDAY_10.isoformat(timespec="seconds")}
    room.read("staff", True)
    room.advance(0.1)
    room.read("staff", False)  # a flicker shorter than the hold never shows
    room.on(rf.Reading("customer", False, room.now))
    room.advance(0.5)
    assert [p["state"] for p in room.published()] == ["unknown", "vacant"]
    room.read("staff", True)
    room.read("customer", True)
    room.advance(0.25)
    assert room.published()[-1]["state"] == "in_session"
    assert room.flow.sensor_health(room.now) == {
        "staff": {"kind": "pir", "state": "ok"}, "customer": {"kind": "ld2410", "state": "ok"}}


def test_a_silent_radar_makes_the_room_unknown_and_says_which_side() -> None:
    room = Room(SENSORS).ready()
    room.read("staff", True)
    room.read("customer", False)
    room.advance(0.5)
    assert room.published()[-1]["state"] == "staff_only"
    effects = room.advance(0.6)  # the radar's heartbeat stops: silent after 1 s
    assert of(rf.HealthChanged, effects)
    last = room.published()[-1]
    assert last["state"] == "unknown" and last["customer"] is None  # never "vacant"
    assert last["faults"] == {"customer": "silent"}
    assert room.flow.sensor_health(room.now)["customer"]["state"] == "silent"
    room.read("customer", False)  # back: confirmed afresh
    room.advance(0.5)
    assert room.published()[-1]["state"] == "staff_only"


def test_a_failed_sensor_is_reported_and_the_room_unknown() -> None:
    room = Room(SENSORS).ready()
    effects = room.on(rf.SensorFailed("staff", "GPIO17 is in use"))
    assert of(rf.HealthChanged, effects)
    assert room.flow.sensor_health(room.now)["staff"] == {
        "kind": "pir", "state": "failed", "error": "GPIO17 is in use"}
    assert room.flow.occupancy_payload()["faults"] == {"staff": "failed"}


def test_occupancy_waits_for_the_link_and_is_published_again_on_link_up() -> None:
    room = Room(SENSORS)
    room.on(rf.Started(link_up=False))
    room.read("staff", False)
    room.read("customer", True)
    room.advance(0.5)
    assert room.published() == []  # nowhere to send it
    effects = room.on(rf.LinkUp())
    assert [e.payload["state"] for e in of(PublishOccupancy, effects)] == ["customer_only"]
    room.on(rf.LinkDown())
    room.read("customer", False)
    room.advance(0.5)
    assert [p["state"] for p in room.published()] == ["customer_only"]
    room.on(rf.LinkUp())
    assert room.published()[-1]["state"] == "vacant"  # retained: the current one, once


readings = st.lists(st.tuples(st.sampled_from(["staff", "customer"]), st.booleans(),
                              st.floats(0.0, 2.0)), max_size=50)


@settings(max_examples=200, deadline=None)
@given(readings)
def test_occupancy_reports_always_change_and_never_go_back_in_time(
        sequence: list[tuple[str, bool, float]]) -> None:
    room = Room(SENSORS).ready()
    for side, present, pause in sequence:
        room.read(side, present)
        room.advance(pause)
    room.advance(5.0)
    reports = room.published()
    for before, after in itertools.pairwise(reports):
        assert (before["staff"], before["customer"], before["state"]) != \
            (after["staff"], after["customer"], after["state"])
        assert after["since"] >= before["since"]
    for report in reports:
        if report["state"] == "vacant":
            assert report["staff"] is False and report["customer"] is False


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["serving", "services", "room", "ticket", "call_id", "id", "open",
                         "ok", "error", "code", "message", "number"]), inner, max_size=5),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=64), json_values.map(lambda v: json.dumps(v).encode())))
def test_any_bytes_on_the_state_topic_are_read_or_ignored_never_raise(payload: bytes) -> None:
    event = state_event(payload, "1")
    if event is not None:
        room = Room().ready()
        room.on(event)
        assert room.flow.screen_state() in ("called", "free", "closed")


answer_parts = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.dictionaries(
    st.sampled_from(["code", "message", "number"]), st.none() | st.integers() | st.text(),
    max_size=3))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.dictionaries(st.sampled_from(["ok", "error", "ticket"]),
                                            answer_parts, max_size=3)))
def test_any_answer_is_shown_and_answered_by_the_led(answer: dict[str, Any] | None) -> None:
    room = Room().ready()
    room.on(KeyPressed("call_next"))
    effects = room.on(answer_event("call_next", answer))
    assert room.flow.message and len(of(Blink, effects)) == 1
    assert room.flow.awaiting is None


# -- breaks: the call-next key held long ---------------------------------------------------------


def paused_snapshot(state: str | None, *calls: tuple[str, str, str],
                    recent: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A snapshot with the contract's `rooms` (this room in `state`, the other serving) and
    `recent` calls (room, ticket), newest first, as the controller sends them; state None:
    neither, as from a controller before breaks."""
    body = json.loads(snapshot(*calls))
    if state is not None:
        since = None if state == "serving" else TUESDAY_10.isoformat(timespec="seconds")
        body["rooms"] = [RoomRow("2", languages=("fi", "sv")).to_wire(),
                         RoomRow("1", state, "break" if state == "paused" else None, since,
                                 ("fi", "sv", "en")).to_wire()]
        body["recent"] = [RecentCall(t, r, str(uuid.uuid5(uuid.NAMESPACE_URL, f"c-{t}")),
                                     TUESDAY_10.isoformat(timespec="seconds"), "fi",
                                     "kela").to_wire() for r, t in recent]
    return json.dumps(body).encode()


def switched(state: str) -> dict[str, Any]:
    return {"ok": True, "room": {"id": "1", "state": state, "reason": None,
                                 "since": TUESDAY_10.isoformat(), "languages": ["fi"]}}


def test_holding_call_next_pauses_the_room_and_the_release_calls_nobody() -> None:
    room = Room().ready()
    effects = room.on(rf.KeyHeld("call_next"))
    assert of(Send, effects) == [Send(rf.ROOM_STATE, {"room": "1", "state": "paused",
                                                      "reason": "break"}, rf.SWITCH)]
    assert Light(True) in effects
    assert of(Send, room.on(rf.KeyReleased("call_next"))) == []  # no call after the hold
    effects = room.on(answer_event(rf.SWITCH, switched("paused")))
    assert of(Blink, effects) == [Blink(rf.BLINKS_DONE)] and room.flow.message.startswith(
        "Tauko alkoi")
    assert room.flow.screen_state() == "paused"
    # Held again: it serves again (no reason for a serving room).
    assert of(Send, room.on(rf.KeyHeld("call_next")))[0].body == {
        "room": "1", "state": "serving", "reason": None}
    room.on(rf.KeyReleased("call_next"))
    room.on(answer_event(rf.SWITCH, switched("serving")))
    assert room.flow.screen_state() == "free" and "Palvelu jatkuu" in room.flow.message


def test_a_short_press_still_calls_next_even_from_a_paused_room() -> None:
    room = Room().ready()
    room.state(paused_snapshot("paused"))
    effects = room.on(rf.KeyReleased("call_next"))  # let go before long_press_s
    assert [e.command for e in of(Send, effects)] == [topics.CALL]
    room.on(answer_event("call_next", done("K007")))
    room.state(paused_snapshot("serving", ("1", "K007", "c1")))  # the controller resumed it
    assert room.flow.screen_state() == "called" and room.flow.number == "K007"


def test_the_switch_follows_the_controllers_state_of_the_room() -> None:
    room = Room().ready()
    room.state(paused_snapshot("paused"))  # paused at the console: the key resumes it
    assert of(Send, room.on(rf.KeyHeld("call_next")))[0].body["state"] == "serving"
    room.on(rf.KeyReleased("call_next"))
    room.on(answer_event(rf.SWITCH, None))  # no answer: refused, nothing assumed
    assert of(Blink, room.effects)[-1] == Blink(rf.BLINKS_REFUSED)
    assert room.flow.screen_state() == "paused"
    room.state(paused_snapshot("closed"))  # a closed room opens with the key too
    assert room.flow.screen_state() == "closed"  # although its authorities are open
    assert of(Send, room.on(rf.KeyHeld("call_next")))[0].body["state"] == "serving"


def test_a_refused_switch_blinks_three_times_and_says_why() -> None:
    room = Room().ready()
    room.on(rf.KeyHeld("call_next"))
    effects = room.on(answer_event(rf.SWITCH, refused("forbidden", "not your room")))
    assert of(Blink, effects) == [Blink(rf.BLINKS_REFUSED)]
    assert "not your room" in room.flow.message and room.flow.screen_state() == "free"


def test_the_door_says_on_a_break_with_the_rooms_own_last_call() -> None:
    room = Room().ready()
    room.state(paused_snapshot("paused", recent=(("2", "V010"), ("1", "K042"), ("1", "K041"))))
    assert room.flow.screen_state() == "paused" and room.flow.last_call() == "K042"
    room.state(paused_snapshot("paused", ("1", "K043", "c9")))  # still one in the room
    assert room.flow.last_call() == "K043"
    room.state(paused_snapshot(None))  # a state without `rooms`: nothing changes
    assert room.flow.screen_state() == "paused"
    room.on(rf.LinkDown())
    assert room.flow.screen_state() == "unknown"  # as ever without the link


def test_without_rooms_in_the_state_the_door_is_as_before() -> None:
    room = Room().ready()
    room.state(paused_snapshot(None, ("1", "K001", "c1")))
    assert room.flow.screen_state() == "called"
    room.state(paused_snapshot(None))
    assert room.flow.screen_state() == "free" and room.flow.room_state is None


def test_a_hold_while_a_command_is_under_way_sends_nothing_and_its_release_neither() -> None:
    room = Room().ready()
    room.on(rf.KeyReleased("call_next"))  # a call on its way
    effects = room.on(rf.KeyHeld("call_next"))
    assert of(Send, effects) == [] and of(Blink, effects) == [Blink(rf.BLINKS_REFUSED)]
    assert of(Send, room.on(rf.KeyReleased("call_next"))) == []


KEY_EVENTS = st.one_of(
    st.sampled_from([rf.KeyHeld("call_next"), rf.KeyReleased("call_next"),
                     rf.KeyPressed("recall"), rf.KeyPressed("complete"), rf.LinkDown(),
                     rf.LinkUp()]),
    st.sampled_from([("answer", a) for a in (None, done("K001"), switched("paused"),
                                             switched("serving"), refused("no_ticket"))]),
    st.sampled_from(["paused", "serving", None]).map(lambda s: ("state", s)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(KEY_EVENTS, max_size=40))
def test_a_long_press_never_also_calls_next(sequence: list[Any]) -> None:
    room = Room().ready()
    held = False  # the call-next key is down and was held long
    for item in sequence:
        if isinstance(item, tuple) and item[0] == "state":
            room.state(paused_snapshot(item[1]))
            continue
        if isinstance(item, tuple):
            action = room.flow.awaiting
            if action is not None:
                room.on(answer_event(action, item[1]))
            continue
        effects = room.on(item)
        commands = [e.command for e in of(Send, effects)]
        if isinstance(item, rf.KeyHeld):
            assert topics.CALL not in commands  # a hold switches the room, nothing else
            assert set(commands) <= {rf.ROOM_STATE}
            held = True
        elif isinstance(item, rf.KeyReleased):
            if held:
                assert commands == []  # let go after a hold: nobody is called
            else:
                assert set(commands) <= {topics.CALL}
            held = False
        else:
            assert rf.ROOM_STATE not in commands
