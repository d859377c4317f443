"""The wire checker itself: it must fail what the document does not allow, or every real-broker
test that relies on it proves nothing."""

from __future__ import annotations

import json
import sys
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests import wire_contract
from tests.conftest import ROOT
from tests.wire_contract import Verdict, channel_for, channels, check, topic_matches

STATE = {"seq": 3, "day": "2026-12-01", "at": "2026-12-01T09:00:00+02:00", "services": [
    {"id": "kela", "waiting": 1, "eta_minutes": 4, "open": True, "next_open": None}],
    "serving": [], "last_call": None}


def wire(body: object) -> bytes:
    return json.dumps(body).encode()


def test_date_time_is_really_checked() -> None:
    assert wire_contract.date_time_is_checked(), "pip install rfc3339-validator"
    closed = {**STATE, "services": [{**STATE["services"][0], "open": False,
                                     "next_open": "2026-12-03T09:00+02:00"}]}
    verdict = check("piste/v1/s1/queue/state", wire(closed), retained=True)
    assert not verdict.ok and "date-time" in verdict.error
    closed["services"][0]["next_open"] = "2026-12-03T09:00:00+02:00"
    assert check("piste/v1/s1/queue/state", wire(closed), retained=True).ok


def test_a_topic_without_a_channel_fails() -> None:
    verdict = check("piste/v1/s1/queue/gossip", wire({}))
    assert verdict.channel is None and not verdict.ok


def test_a_command_with_its_sender_matches_its_channel() -> None:
    body = wire({"request_id": "r1", "room": "1", "services": []})
    assert check("piste/v1/s1/cmd/ticket/call/clerk-5", body).ok
    # The bare v1 form is no channel: no piste client sends it, and the ACL refuses it.
    assert check("piste/v1/s1/cmd/ticket/call", body).channel is None
    verdict = check("piste/v1/s1/cmd/ticket/call/clerk-5", wire({"room": "1"}))
    assert verdict.channel is not None and "request_id" in verdict.error
    assert not check("piste/v1/s1/cmd/ticket/call/Clerk 5", body).ok  # no such client name


def test_alert_kinds_are_the_documented_ones() -> None:
    alert = {"id": "0b0e4c5e-8f7a-4a51-9d63-2f1f4f0c7c11", "at": "2026-12-01T09:00:00+02:00",
             "kind": "congestion", "severity": "warning", "message":
             {"fi": "Jono", "sv": "Kö", "en": "Queue"}}
    assert check("piste/v1/s1/alert/congestion", wire(alert)).ok
    assert not check("piste/v1/s1/alert/gossip", wire({**alert, "kind": "gossip"})).ok


def test_not_json_fails_and_an_emptied_retained_topic_passes() -> None:
    assert "JSON" in check("piste/v1/s1/queue/state", b"{nope").error
    assert check("piste/v1/s1/queue/state", b"", retained=True).ok


def test_topic_filters() -> None:
    assert topic_matches("piste/v1/+/cmd/#", "piste/v1/s1/cmd/ticket/call/x")
    assert topic_matches("piste/v1/+/queue/state", "piste/v1/s1/queue/state")
    assert not topic_matches("piste/v1/+/queue/state", "piste/v1/s1/queue/state/x")
    assert not topic_matches("piste/v1/+/queue", "piste/v1/s1/queue/state")


SPIED_TESTS = '''
import pytest
from mqtt_bridge.blocking import BlockingClient

def publish(broker, topic, payload):
    with BlockingClient(broker.host, broker.port, "s1") as client:
        client.publish_raw(topic, payload)

def test_writes_a_bad_state(broker):
    publish(broker, "piste/v1/s1/queue/state", b'{"seq": "x"}')

def test_writes_a_bad_command(broker):
    publish(broker, "piste/v1/s1/cmd/ticket/call/clerk-5", b"garbage")

@pytest.mark.wire_abuse("cmd/#")
def test_declares_its_bad_command(broker):
    publish(broker, "piste/v1/s1/cmd/ticket/call/clerk-5", b"garbage")

def test_writes_only_good_things(private_broker):
    publish(private_broker, "piste/v1/s1/cmd/ticket/recall/clerk-5",
            b'{"request_id": "r1", "room": "1"}')

def memory_publish(memory_broker, topic, payload):
    link = memory_broker.link("t", lambda message: None)
    link.start()
    link.publish(topic, payload, retain=True)

def test_writes_a_bad_state_in_memory(memory_broker):
    memory_publish(memory_broker, "piste/v1/s1/queue/state", b'{"seq": "y"}')

def test_writes_a_good_recall_in_memory(memory_broker):
    memory_publish(memory_broker, "piste/v1/s1/cmd/ticket/recall/clerk-5",
                   b'{"request_id": "r2", "room": "1"}')
'''


def test_the_spy_fails_a_test_whose_broker_carried_a_bad_message(pytester, monkeypatch) -> None:
    """The suite's own spy, in a test session of its own: an undeclared bad message is an
    error of the test that carried it, with the topic and why; a declared one is not."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the inner session imports tests.conftest
    pytester.makeconftest('pytest_plugins = ["tests.conftest"]\n')
    pytester.makepyfile(test_spied=SPIED_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=3)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_writes_a_bad_state *",
        "*piste/v1/s1/queue/state: state: seq: 'x' is not of type 'integer'*",
        "*ERROR at teardown of test_writes_a_bad_command*",
        "*piste/v1/s1/cmd/ticket/call/clerk-5: not UTF-8 JSON*",
    ], consecutive=False)
    # The in-memory broker's tap is checked the same way.
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_writes_a_bad_state_in_memory*",
        "*piste/v1/s1/queue/state: state: seq: 'y' is not of type 'integer'*",
    ])


def _property_names(node: Any) -> set[str]:
    """Every property name the document's schemas know, so that generated payloads reach
    past the first `required` into the nested schemas and their formats."""
    found: set[str] = set()
    if isinstance(node, dict):
        found |= set(node.get("properties", {})) if isinstance(node.get("properties"), dict) \
            else set()
        for value in node.values():
            found |= _property_names(value)
    elif isinstance(node, list):
        for value in node:
            found |= _property_names(value)
    return found


NAMES = sorted(_property_names(wire_contract._document()))
# Topics of every channel (parameters filled as the address pattern allows), and any text.
channel_topics = st.sampled_from(channels()).flatmap(
    lambda c: st.from_regex(c.pattern, fullmatch=True))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    | st.sampled_from(["2026-12-01", "2026-12-01T09:00:00+02:00", "2026-02-30",
                       "2026-12-01T25:00:00Z", "00000000-0000-0000-0000-000000000000"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=8), inner, max_size=6),
    max_leaves=30)
nesting = st.tuples(st.integers(1, 5000), st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
payloads = st.one_of(
    st.binary(max_size=512),
    json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),  # NaN, Infinity too
    nesting.map(lambda n: n[1][0] * n[0] + b"1" + n[1][1] * n[0]),
    st.integers(1, 6000).map(lambda digits: b'{"seq": ' + b"9" * digits + b"}"),
    st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")),  # lone surrogates
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(channel_topics, st.text(max_size=80)), payloads, st.booleans())
@example("piste/v1/s1/queue/state", b"[" * 990 + b"]" * 990, False)  # deep, still JSON
@example("piste/v1/s1/queue/state", b'{"seq": 1e999, "day": NaN}', False)
@example("piste/v1/s1/queue/state", b'{"seq": ' + b"9" * 5000 + b"}", False)
@example("piste/v1/s1/queue/state", b"\xff\xfe{}", False)
def test_the_checker_gives_a_verdict_on_any_topic_and_any_bytes(
        topic: str, payload: bytes, retained: bool) -> None:
    """The checker reads bytes a test or the program put on the wire: whatever they are, it
    says whether they fit, and never fails the test run with an exception of its own."""
    assert_a_verdict(topic, check(topic, payload, retained))


def assert_a_verdict(topic: str, verdict: Verdict) -> None:
    assert isinstance(verdict, Verdict) and verdict.topic == topic
    assert (verdict.channel is None) == (channel_for(topic) is None)
    assert verdict.error is None or (isinstance(verdict.error, str) and verdict.error)
    if verdict.channel is None:
        assert not verdict.ok  # a topic of no channel never passes


def stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


@settings(max_examples=150, deadline=None)
@given(channel_topics, st.sampled_from(["a", *NAMES]) | st.none(), st.integers(-4, 40))
@example("piste/v1/s1/queue/state", "seq", 10)  # json followed it, the error message did not
@example("piste/v1/s1/queue/state", None, 9)
def test_the_checker_gives_a_verdict_on_payloads_as_deep_as_json_can_follow(
        topic: str, key: str | None, headroom: int) -> None:
    """Python's json follows nesting about as deep as the stack still allows from where it is
    called; a checker that recurses after parsing (validation, its error messages) must not
    break on what json just managed. So the depth is counted from here, not fixed."""
    depth = sys.getrecursionlimit() - stack_depth() - headroom
    opening, closing = (b"[", b"]") if key is None else (f'{{"{key}":'.encode(), b"}")
    payload = opening * depth + b"1" + closing * depth
    assert_a_verdict(topic, check(topic, payload))
