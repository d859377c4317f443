"""The pushed config message and the TOML writer: outside bytes, checked with hypothesis."""

from __future__ import annotations

import base64
import json
import tomllib
import zlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.admin import config_message, toml_write
from firmware.admin.config_message import MessageError
from tests.conftest import DEMO_SITE

DEMO = DEMO_SITE.read_text(encoding="utf-8")


def test_round_trip_plain_and_packed() -> None:
    small = config_message.parse(config_message.encode(3, DEMO, "2026-12-01T08:00:00+02:00"))
    assert (small.version, small.toml) == (3, DEMO)
    big_text = DEMO + "\n".join(f"# padding {i} " + "x" * 60 for i in range(300))
    packed = config_message.encode(4, big_text, "")
    assert b'"toml_zlib"' in packed and len(packed) <= config_message.PLAIN_LIMIT
    assert config_message.parse(packed).toml == big_text


@given(st.binary(max_size=2048))
def test_any_bytes_give_a_config_or_a_message_error(payload: bytes) -> None:
    try:
        config_message.parse(payload)
    except MessageError as exc:
        assert str(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(["version", "sha256", "pushed_at", "toml", "toml_zlib",
                                        "extra"]), json_values, max_size=6))
def test_wrong_fields_are_refused_by_name(body: dict) -> None:
    try:
        config_message.parse(json.dumps(body).encode())
    except MessageError as exc:
        assert any(word in str(exc) for word in
                   ("version", "sha256", "pushed_at", "toml", "JSON", "damaged"))


@given(st.integers(min_value=0, max_value=200), st.binary(min_size=1, max_size=4))
def test_damage_is_caught_by_the_hash(offset: int, junk: bytes) -> None:
    payload = bytearray(config_message.encode(2, DEMO[:400], ""))
    position = 60 + offset
    payload[position:position + len(junk)] = junk
    try:
        parsed = config_message.parse(bytes(payload))
    except MessageError:
        return
    assert parsed.toml == DEMO[:400]  # the damage hit a field the hash does not need


def test_a_decompression_bomb_is_refused() -> None:
    bomb = zlib.compress(b"#" * (config_message.MAX_TOML + 10), 9)
    body = {"version": 1, "sha256": "0" * 64,
            "toml_zlib": base64.b64encode(bomb).decode()}
    with pytest.raises(MessageError, match="larger than"):
        config_message.parse(json.dumps(body).encode())


@pytest.mark.parametrize(("body", "words"), [
    ({"version": True, "sha256": "0" * 64, "toml": ""}, "'version' must be a whole number"),
    ({"version": 1, "sha256": "xyz", "toml": ""}, "'sha256' must be 64"),
    ({"version": 1, "sha256": "0" * 64}, "exactly one of 'toml' and 'toml_zlib'"),
    ({"version": 1, "sha256": "0" * 64, "toml": "a = 1"}, "does not match its sha256"),
])
def test_refusals_say_what(body: dict, words: str) -> None:
    with pytest.raises(MessageError, match=words):
        config_message.parse(json.dumps(body).encode())


toml_keys = st.text(min_size=1, max_size=8)
toml_scalars = (st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
                | st.floats(allow_nan=False) | st.text(max_size=20) | st.dates())
toml_tables = st.recursive(
    st.dictionaries(toml_keys, toml_scalars | st.lists(toml_scalars, max_size=3), max_size=4),
    lambda inner: st.dictionaries(toml_keys, inner | st.lists(inner, min_size=1, max_size=2),
                                  max_size=3),
    max_leaves=10,
)


@settings(max_examples=200)
@given(toml_tables)
def test_toml_writer_round_trips(data: dict) -> None:
    assert tomllib.loads(toml_write.dumps(data)) == data


def test_toml_writer_round_trips_the_demo_site() -> None:
    data = tomllib.loads(DEMO)
    assert tomllib.loads(toml_write.dumps(data)) == data
    assert isinstance(data["site"]["closed_days"][0]["date"], date)
