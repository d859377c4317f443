"""The wire checker itself: it must fail what the document does not allow, or every real-broker
test that relies on it proves nothing."""

from __future__ import annotations

import json

from tests import wire_contract
from tests.conftest import ROOT
from tests.wire_contract import check, topic_matches

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
'''


def test_the_spy_fails_a_test_whose_broker_carried_a_bad_message(pytester, monkeypatch) -> None:
    """The suite's own spy, in a test session of its own: an undeclared bad message is an
    error of the test that carried it, with the topic and why; a declared one is not."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the inner session imports tests.conftest
    pytester.makeconftest('pytest_plugins = ["tests.conftest"]\n')
    pytester.makepyfile(test_spied=SPIED_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_writes_a_bad_state*",
        "*piste/v1/s1/queue/state: state: seq: 'x' is not of type 'integer'*",
        "*ERROR at teardown of test_writes_a_bad_command*",
        "*piste/v1/s1/cmd/ticket/call/clerk-5: not UTF-8 JSON*",
    ])
