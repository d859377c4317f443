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
    ],
)
def test_refusals_name_the_field(name: str, raw: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_command(name, raw)
