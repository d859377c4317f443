"""Command payloads from the network: every kind of garbage gets a clear BadRequest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mqtt_bridge import topics
from mqtt_bridge.payloads import MAX_PAYLOAD_BYTES, BadRequest, parse_command

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
command_like = st.fixed_dictionaries(
    {},
    optional={
        "request_id": json_values | st.text(min_size=1, max_size=70),
        "service": json_values | st.sampled_from(["kela", "vero", "KELA", "a/b", "#", ""]),
        "room": json_values | st.sampled_from(["1", "2", "+", "x" * 40]),
        "services": json_values | st.lists(st.sampled_from(["kela", "vero", "Ä"]), max_size=4),
        "lang": json_values | st.sampled_from(["fi", "sv", "en", "de"]),
        "ticket": json_values | st.sampled_from(["K042", "k042", "K0420", "042"]),
        "from_seq": json_values,
        "assistance": json_values | st.booleans(),
        "then": json_values | st.sampled_from(["vero", "V"]) | st.lists(
            st.sampled_from(["kela", "vero", "Ä"]), max_size=10),
        "state": json_values | st.sampled_from(["serving", "paused", "closed", "asleep"]),
        "reason": json_values | st.sampled_from(["break", "lunch", "back_office", "nap"]),
        "languages": json_values | st.lists(st.sampled_from(["fi", "sv", "en", "de"]),
                                            max_size=4),
        "device": json_values | st.sampled_from(["kiosk-1", "Kiosk 1"]),
    },
)


@given(name=st.sampled_from(topics.COMMANDS), raw=st.binary(max_size=300))
def test_random_bytes_are_refused_or_parsed_never_crash(name: str, raw: bytes) -> None:
    try:
        command = parse_command(name, raw)
    except BadRequest as exc:
        assert str(exc)
    else:
        assert command.name == name and command.request_id


@given(name=st.sampled_from(topics.COMMANDS), body=command_like,
       extra=st.dictionaries(st.text(max_size=8), json_values, max_size=3))
def test_random_json_shapes_are_refused_or_parsed_never_crash(name, body, extra) -> None:
    raw = json.dumps({**extra, **body}).encode()
    try:
        command = parse_command(name, raw)
    except BadRequest as exc:
        assert str(exc)
    else:
        assert isinstance(command.request_id, str) and 0 < len(command.request_id) <= 64


def test_unknown_extra_fields_are_ignored() -> None:
    command = parse_command(topics.ISSUE, json.dumps(
        {"request_id": "r1", "service": "kela", "lang": "sv", "colour": "blue"}).encode())
    assert command.body["service"] == "kela" and "colour" not in command.body


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (topics.ISSUE, b"\xff", "not UTF-8"),
        (topics.ISSUE, b"[1]", "must be a JSON object"),
        (topics.ISSUE, b'{"service": "kela"}', "'request_id'"),
        (topics.ISSUE, b'{"request_id": "r", "service": "kela/#"}', "'service' must be an id"),
        (topics.ISSUE, b'{"request_id": "r", "service": "kela", "lang": "de"}', "fi, sv, en"),
        (topics.CALL, b'{"request_id": "r", "room": "1", "services": "kela"}', "list"),
        (topics.REPLAY, b'{"request_id": "r", "from_seq": -1}', "from_seq"),
        (topics.ISSUE, b" " * (MAX_PAYLOAD_BYTES + 1), "at most 16384"),
        (topics.ISSUE, b'{"request_id": "r", "service": "kela", "assistance": "yes"}',
         "'assistance' must be true or false"),
        (topics.ISSUE, b'{"request_id": "r", "service": "kela", "then": "vero"}',
         "'then' must be a list"),
        (topics.COMPLETE, b'{"request_id": "r", "room": "1", "then": ["vero"]}',
         "'then' must be an id"),
        (topics.ASSIST, b'{"request_id": "r", "ticket": "K001"}', "'assistance'"),
        (topics.ADD_SERVICE, b'{"request_id": "r", "ticket": "K001"}', "'service'"),
        (topics.REPRINT, b'{"request_id": "r", "ticket": "K001"}', "'device'"),
        (topics.ROOM_STATE, b'{"request_id": "r", "room": "1", "state": "asleep"}',
         "serving, paused, closed"),
        (topics.ROOM_STATE, b'{"request_id": "r", "room": "1", "state": "paused", '
         b'"reason": "nap"}', "break, lunch, back_office, meeting"),
        (topics.ROOM_STATE, b'{"request_id": "r", "room": "1", "state": "serving", '
         b'"reason": "lunch"}', "a serving room has none"),
        (topics.ROOM_LANGUAGES, b'{"request_id": "r", "room": "1", "languages": []}',
         "one or more of fi, sv, en"),
        (topics.ROOM_LANGUAGES, b'{"request_id": "r", "room": "1", "languages": ["fi", "fi"]}',
         "names a language twice"),
        (topics.HELP_ANSWER, b'{"request_id": "r"}', "'device'"),
    ],
)
def test_refusals_name_the_field(name: str, raw: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_command(name, raw)


# -- a real day's commands: what a valid body becomes ----------------------------------------

ids = st.from_regex(r"[a-z0-9-]{1,32}", fullmatch=True)
numbers = st.from_regex(r"[A-Z]?[0-9]{1,3}", fullmatch=True)
langs = st.sampled_from(["fi", "sv", "en"])
reasons = st.none() | st.sampled_from(["break", "lunch", "back_office", "meeting"])
room_states = st.one_of(
    st.fixed_dictionaries({"room": ids, "state": st.just("serving")}),
    st.fixed_dictionaries({"room": ids, "state": st.sampled_from(["paused", "closed"]),
                           "reason": reasons}))
valid_bodies = st.one_of(
    st.tuples(st.just(topics.ASSIST), st.fixed_dictionaries(
        {"ticket": numbers, "assistance": st.booleans()})),
    st.tuples(st.just(topics.ADD_SERVICE), st.fixed_dictionaries(
        {"ticket": numbers, "service": ids})),
    st.tuples(st.just(topics.REPRINT), st.fixed_dictionaries({"ticket": numbers, "device": ids})),
    st.tuples(st.just(topics.ROOM_STATE), room_states),
    st.tuples(st.just(topics.ROOM_LANGUAGES), st.fixed_dictionaries({
        "room": ids, "languages": st.lists(langs, min_size=1, max_size=3, unique=True)})),
    st.tuples(st.just(topics.HELP_REQUEST), st.just({})),
    st.tuples(st.just(topics.HELP_ANSWER), st.fixed_dictionaries({"device": ids})),
    st.tuples(st.just(topics.COMPLETE), st.fixed_dictionaries({"room": ids},
                                                              optional={"then": ids})),
    st.tuples(st.just(topics.ISSUE), st.fixed_dictionaries({"service": ids}, optional={
        "assistance": st.booleans(), "then": st.lists(ids, max_size=8)})),
)


@given(valid_bodies, st.dictionaries(st.sampled_from(["colour", "by", "x"]), json_values))
def test_a_real_days_valid_bodies_are_read_as_sent(named: tuple[str, dict], extra: dict) -> None:
    name, body = named
    raw = json.dumps({**extra, **body, "request_id": "r1"}).encode()
    command = parse_command(name, raw)
    for key, value in body.items():
        assert command.body[key] == value, key
    if name == topics.ROOM_STATE:
        assert command.body["reason"] == body.get("reason")
    if name == topics.ISSUE:  # left out, they read as "no": nobody is marked by accident
        assert command.body["assistance"] is body.get("assistance", False)
        assert command.body["then"] == body.get("then", [])
    assert not set(command.body) & set(extra) - {"by"}
