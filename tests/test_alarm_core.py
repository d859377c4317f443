"""The silent alarm's fold (firmware/core/alarm.py) and its three strict readers, as
properties: every reader (console, relay device, controller, room unit) keeps its own
AlarmBoard and gets the same retained messages in its own order, as often as the broker
sends them; they must all come to the same alarms. Outside bytes are read into a message or
refused with MessageError, never anything else."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core.alarm import (
    ACKNOWLEDGED,
    CLEARED,
    RAISED,
    AlarmBoard,
    Episode,
    moment,
)
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised, MessageError
from tests.test_payloads import json_values

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC).astimezone()
AFTER_S = 20.0
ROOMS = ("1", "2", "3")

# -- a site's alarms as they happen: each room's episodes, one after the other -----------------


@dataclass(frozen=True)
class Sent:
    """One message as a writer sent it: its part (raised, answer, escalated) and payload."""

    part: str
    message: Any
    at: datetime  # when it was sent (the order of a reader that heard everything live)

    @property
    def payload(self) -> bytes:
        return json.dumps(self.message.to_wire()).encode()


def alarm_id(n: int) -> str:
    return f"{n:032x}"


@st.composite
def episode_of(draw: st.DrawFn, room: str, first: int, begin: datetime,
               cleared: bool, joiners: bool) -> tuple[list[Sent], datetime]:
    """One episode of a room from `begin`: its first raise, maybe more that join it, maybe an
    escalation (only while unacknowledged), an acknowledgement, a clear."""
    seconds = st.integers(1, 40).map(lambda s: timedelta(seconds=s))
    drill = draw(st.booleans())
    alarm = alarm_id(first)
    raised_at = begin
    sent = [Sent("raised", AlarmRaised(alarm, room, moment(raised_at),
                                       draw(st.sampled_from(["key", "console"])), drill),
                 raised_at)]
    now = raised_at
    for n in range(draw(st.integers(0, 2 if joiners else 0))):  # pressed again, or console
        now += draw(seconds)
        sent.append(Sent("raised", AlarmRaised(alarm_id(first + 1 + n), room, moment(now),
                                               "key", drill), now))
    acknowledged = draw(st.booleans()) or (cleared and draw(st.booleans()))
    ack_at = raised_at + timedelta(seconds=draw(st.integers(1, 60))) if acknowledged else None
    due = raised_at + timedelta(seconds=AFTER_S)
    if draw(st.booleans()) and (ack_at is None or ack_at > due):
        sent.append(Sent("escalated", AlarmEscalated(
            alarm, room, moment(due), moment(raised_at), "relay-1", relay=not drill,
            drill=drill), due))
    if ack_at is not None:
        sent.append(Sent("answer", AlarmAnswer(alarm, room, ACKNOWLEDGED, moment(ack_at), "Anna",
                                               moment(raised_at), None, drill), ack_at))
    end = max(s.at for s in sent)
    if cleared:
        end += draw(seconds)
        sent.append(Sent("answer", AlarmAnswer(alarm, room, CLEARED, moment(end), "Ben",
                                               moment(raised_at), moment(ack_at) if ack_at
                                               else None, drill), end))
    return sent, end


@st.composite
def timelines(draw: st.DrawFn, most: int = 3, joiners: bool = True) -> list[Sent]:
    """Every message of the rooms' alarms (up to `most` one after the other in each room;
    with `joiners`, raises that join an alarm), in the order they were sent."""
    sent: list[Sent] = []
    number = 0
    for room in draw(st.lists(st.sampled_from(ROOMS), min_size=1, max_size=3, unique=True)):
        begin = START + timedelta(seconds=draw(st.integers(0, 30)))
        count = draw(st.integers(1, most))
        for n in range(count):
            last = n == count - 1
            part, end = draw(episode_of(room, number, begin,
                                        cleared=not last or draw(st.booleans()),
                                        joiners=joiners))
            sent += part
            number += 0x100
            begin = end + timedelta(seconds=draw(st.integers(1, 600)))
    return sorted(sent, key=lambda s: s.at)


def retained(sent: list[Sent]) -> list[Sent]:
    """What the broker keeps of them: the last message of each topic."""
    last = {}
    for s in sent:
        last[(s.message.room, s.part)] = s
    return list(last.values())


def fold(sent: list[Sent], board: AlarmBoard | None = None) -> AlarmBoard:
    board = board or AlarmBoard()
    for n, s in enumerate(sent):
        board.on_payload(s.part, s.payload, START + timedelta(hours=1, milliseconds=n))
    return board


def view(board: AlarmBoard) -> dict[str, tuple[str, bool, bool]]:
    """What a person sees of each room: its alarm's state, escalated or not, a drill or not."""
    return {room: (e.state, e.escalated_at is not None, e.drill)
            for room, e in board.rooms.items()}


def live_episodes(board: AlarmBoard) -> list[Episode]:
    # Every alarm any id names (a later press's id names the alarm it joined).
    named = (board.episode(alarm) for alarm in list(board._by_id))
    seen: dict[int, Episode] = {id(e): e for e in named if e is not None}
    seen.update({id(e): e for e in board.rooms.values()})
    return [e for e in seen.values() if e.state != CLEARED]


def shuffled(sent: list[Sent]) -> st.SearchStrategy[list[Sent]]:
    """The same messages in any order, any of them more than once (a retained message
    delivered again, a raise resent after a broker restart)."""
    again = st.lists(st.sampled_from(sent), max_size=len(sent)) if sent else st.just([])
    return again.flatmap(lambda extra: st.permutations(sent + extra))


# -- the fold -----------------------------------------------------------------------------------


def first_raises(sent: list[Sent]) -> set[str]:
    """The ids that began an alarm: the ones its answers and escalations name."""
    return {s.message.alarm for s in sent if s.part != "raised"} | {
        s.message.alarm for s in sent if s.part == "raised" and s.message.alarm.endswith("00")}


def check_invariants(board: AlarmBoard) -> None:
    live = live_episodes(board)
    assert len({e.room for e in live}) == len(live), "a room with two live alarms"
    for episode in board.rooms.values():
        assert not (episode.state == CLEARED and episode.ringing)
    assert all(e.ringing and e.state == RAISED for e in board.ringing())
    assert all(e.state != CLEARED for e in board.active())


@settings(max_examples=300)
@given(st.data())
def test_heard_live_and_again_every_reader_comes_to_the_same_alarms(data) -> None:
    """Readers online all along hear the messages in the broker's one order; one that
    reconnects, or whose broker restarted, hears some of them again later (retained ones,
    a raise resent): the same alarms, and never two live ones in a room."""
    sent = data.draw(timelines())
    again = data.draw(st.lists(st.tuples(st.integers(0, len(sent)), st.sampled_from(sent)),
                               max_size=len(sent)))
    # Each one again somewhere after its first delivery (before sent[i], or at the end).
    extra = sorted((max(place, sent.index(message) + 1), n, message)
                   for n, (place, message) in enumerate(again))
    repeated = [m for i, s in enumerate([*sent, None])
                for m in [*(x for at, _, x in extra if at == i), s] if m is not None]
    board = AlarmBoard()
    for n, s in enumerate(repeated):
        board.on_payload(s.part, s.payload, START + timedelta(hours=1, milliseconds=n))
        check_invariants(board)
    assert view(board) == view(fold(sent))


@settings(max_examples=300)
@given(st.data())
def test_any_order_and_repetition_of_an_alarms_messages_gives_the_same_alarm(data) -> None:
    """Each room's alarm (its raise, escalation, acknowledgement, clear) in any order and
    repeated, as a reader that starts finds the retained ones: the same state as heard live,
    at every step one live alarm a room at most, a cleared one never ringing."""
    sent = data.draw(timelines(most=1, joiners=False))
    board = AlarmBoard()
    for n, s in enumerate(data.draw(shuffled(sent))):
        board.on_payload(s.part, s.payload, START + timedelta(hours=1, milliseconds=n))
        check_invariants(board)
    assert view(board) == view(fold(sent))


@settings(max_examples=300)
@given(st.data())
def test_any_order_and_repetition_of_what_the_broker_keeps_gives_the_same_alarms(data) -> None:
    """A device that (re)starts gets the retained messages (each topic's last) in an order
    of the broker's choosing, some more than once: every device comes to the same alarms as
    one that heard them all live, however many alarms each room had before."""
    sent = data.draw(timelines(joiners=False))
    board = fold(data.draw(shuffled(retained(sent))))
    # (On the way there a stale escalation can stand beside a new raise for a moment,
    # until the clear that ends it comes: the end state is what counts here.)
    check_invariants(board)
    live = fold(sent)
    assert view(board) == {room: view(live)[room] for room in view(board)}
    assert sorted(e.room for e in board.ringing()) == sorted(e.room for e in live.ringing())


@settings(max_examples=300)
@given(st.data())
def test_heard_live_the_last_alarm_of_each_room_is_what_its_messages_say(data) -> None:
    sent = data.draw(timelines())
    board = fold(sent)
    firsts = first_raises(sent)
    for room in {s.message.room for s in sent}:
        mine = [s for s in sent if s.message.room == room]
        begin = max(i for i, s in enumerate(mine) if s.part == "raised"
                    and s.message.alarm in firsts)
        last = mine[begin:]
        answers = [s.message.state for s in last if s.part == "answer"]
        state = (CLEARED if CLEARED in answers else ACKNOWLEDGED if answers else RAISED)
        episode = board.of_room(room)
        assert (episode.alarm, episode.state) == (mine[begin].message.alarm, state)
        assert episode.ids == {s.message.alarm for s in last if s.part == "raised"}
        assert (episode.escalated_at is not None) == any(s.part == "escalated" for s in last)


@settings(max_examples=300)
@given(st.data(), st.integers(0, 3600))
def test_due_never_names_an_answered_or_escalated_alarm(data, later_s: int) -> None:
    board = fold(data.draw(timelines()))
    now = START + timedelta(seconds=later_s)
    for episode in board.due(now, AFTER_S):
        assert episode.state == RAISED and episode.ringing
        assert episode.escalated_at is None and episode.acknowledged_at is None
        assert now >= episode.escalation_due(AFTER_S)
    waiting = board.next_due(AFTER_S)
    assert (waiting is None) == (not [e for e in board.ringing() if e.escalated_at is None])
    if waiting is not None:
        assert board.due(waiting, AFTER_S) and not board.due(waiting - timedelta(
            milliseconds=1), AFTER_S)


# Retained messages of different alarms of one room, as a device that (re)starts finds them.

def _sent(*parts: tuple[str, Any]) -> list[Sent]:
    return [Sent(part, message, START) for part, message in parts]


def _at(seconds: int) -> str:
    return moment(START + timedelta(seconds=seconds))


def test_an_old_escalation_kept_by_the_broker_does_not_ring_again() -> None:
    old, new = alarm_id(0x100), alarm_id(0x200)
    kept = _sent(  # Monday's alarm escalated and was cleared; Tuesday's drill was cleared
        ("answer", AlarmAnswer(new, "3", CLEARED, _at(90_000), "Anna", _at(86_400), None,
                               True)),
        ("escalated", AlarmEscalated(old, "3", _at(20), _at(0), "relay-1", True)),
        ("raised", AlarmRaised(new, "3", _at(86_400), "console", True)))
    board = fold(kept)
    assert board.ringing() == [] and board.due(START + timedelta(days=2), AFTER_S) == []


def test_a_new_alarm_heard_between_an_old_escalation_and_its_clear_still_rings() -> None:
    old, new = alarm_id(0x100), alarm_id(0x200)
    kept = _sent(  # the old alarm escalated and was cleared; a new one is waiting
        ("escalated", AlarmEscalated(old, "3", _at(20), _at(0), "relay-1", True)),
        ("raised", AlarmRaised(new, "3", _at(3600), "key")),
        ("answer", AlarmAnswer(old, "3", CLEARED, _at(60), "Anna", _at(0), None)))
    board = fold(kept)
    assert [e.alarm for e in board.ringing()] == [new]
    assert board.of_room("3").escalated_at is None  # its own escalation is still to come
    assert board.next_due(AFTER_S) is not None


# A reader that starts can meet these retained messages in this order: the later press
# first, then the answer naming the alarm's first raise, which it never heard.
def test_a_second_press_heard_before_the_answer_joins_the_alarm() -> None:
    first, second = alarm_id(0x100), alarm_id(0x101)
    kept = _sent(  # the clerk pressed twice; the broker keeps the second raise
        ("raised", AlarmRaised(second, "3", _at(5), "key")),
        ("answer", AlarmAnswer(first, "3", ACKNOWLEDGED, _at(8), "Anna", _at(0))))
    board = fold(kept)
    check_invariants(board)
    assert board.ringing() == []


def test_an_empty_payload_changes_nothing_and_a_wrong_part_is_refused() -> None:
    board = AlarmBoard()
    for part in ("raised", "answer", "escalated", "nonsense"):
        assert board.on_payload(part, b"", START) == []
    assert board.rooms == {}
    raise_ = AlarmRaised(alarm_id(1), "1", moment(START), "key")
    with pytest.raises(MessageError):
        board.on_payload("nonsense", json.dumps(raise_.to_wire()).encode(), START)


# -- the three readers --------------------------------------------------------------------------

READERS = (AlarmRaised, AlarmAnswer, AlarmEscalated)
alarm_ids = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
ids = st.from_regex(r"[a-z0-9-]{1,32}", fullmatch=True)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                     timezones=st.just(START.tzinfo)).map(moment)
# Bodies near enough to the real ones that the readers look at every field.
near = st.fixed_dictionaries({}, optional={
    "v": st.sampled_from([1, 1.0, 2, True, "1", None]) | json_values,
    "alarm": alarm_ids | st.sampled_from(["", "A" * 32, "0" * 31]) | json_values,
    "room": ids | st.sampled_from(["", "+", "#", "a/b", "A"]) | json_values,
    "at": times | st.sampled_from(["2026-12-01T10:00:00", "yesterday", ""]) | json_values,
    "raised_at": times | json_values,
    "acknowledged_at": st.none() | times | json_values,
    "source": st.sampled_from(["key", "console", "kiosk", ""]) | json_values,
    "state": st.sampled_from(["acknowledged", "cleared", "raised"]) | json_values,
    "by": st.sampled_from(["Anna", "", "x" * 65, "a\nb"]) | json_values,
    "device": ids | json_values,
    "relay": st.booleans() | json_values,
    "drill": st.booleans() | json_values,
})


@settings(max_examples=400)
@given(st.sampled_from(READERS), near | json_values)
def test_any_json_is_an_alarm_message_or_the_one_error(reader: Any, value: Any) -> None:
    try:
        message = reader.from_wire(value)
    except MessageError:
        return
    assert isinstance(message, reader)
    assert reader.from_wire(message.to_wire()) == message


@settings(max_examples=400)
@given(st.sampled_from(READERS), st.binary(max_size=300)
       | (near | json_values).map(lambda v: json.dumps(v).encode()))
def test_any_bytes_are_an_alarm_message_or_the_one_error(reader: Any, payload: bytes) -> None:
    with contextlib.suppress(MessageError):
        assert isinstance(reader.from_payload(payload), reader)
    board = AlarmBoard()
    for part in ("raised", "answer", "escalated"):
        with contextlib.suppress(MessageError):
            board.on_payload(part, payload, START)


@settings(max_examples=200)
@given(st.data())
def test_what_a_writer_sends_reads_back_the_same(data) -> None:
    for s in data.draw(timelines()):
        assert type(s.message).from_payload(s.payload) == s.message
        assert type(s.message).from_wire(s.message.to_wire()) == s.message


@pytest.mark.parametrize("first, second", [(alarm_id(0x100), alarm_id(0x101)),
                                           (alarm_id(0x101), alarm_id(0x100))])
def test_two_presses_of_one_moment_make_one_alarm_begun_by_the_first_heard(
        first: str, second: str) -> None:
    """The clerk's key and the console in the same millisecond (or a sender's clock that
    repeats itself): whatever their ids, the raise heard first is the alarm, the other a
    press of it, and an answer to the first ends both."""
    board = AlarmBoard()
    board.on_raised(AlarmRaised(first, "1", _at(0), "key"), START)
    # Heard at the same moment too: the console's clock may stand still between the two.
    changes = board.on_raised(AlarmRaised(second, "1", _at(0), "console"), START)
    assert [c.kind for c in changes] == ["again"]
    assert [e.alarm for e in board.active()] == [first]
    assert board.episode(second).alarm == first
    board.on_answer(AlarmAnswer(first, "1", ACKNOWLEDGED, _at(9), "Anna", _at(0)), START)
    assert board.ringing() == [] and len(board.active()) == 1
