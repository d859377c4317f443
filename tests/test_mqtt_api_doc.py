"""The AsyncAPI document is the contract the code really speaks.

Real messages are captured from a running controller through a real broker and validated
against the payload schemas in docs/mqtt-api.yaml; the document's command channels are the
code's command topics.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from testkit.site_factory import MONDAY, at, small_site
from tests.helpers import RunningDevice, wait_for

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "mqtt-api.yaml"
DOC = yaml.safe_load(DOC_PATH.read_text())
REGISTRY = Registry().with_resource(
    "urn:piste-mqtt-api", Resource.from_contents(DOC, default_specification=DRAFT202012))


def validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"urn:piste-mqtt-api#/components/schemas/{schema_name}"},
                                registry=REGISTRY, format_checker=FormatChecker())


def check(schema_name: str, payload: Any) -> None:
    errors = sorted(validator(schema_name).iter_errors(payload), key=str)
    assert not errors, f"{schema_name}: {errors[0].message} in {json.dumps(payload)[:300]}"


def test_the_document_names_every_command_topic_of_the_code() -> None:
    assert DOC["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in DOC["channels"].values()}
    for name in topics.COMMANDS:
        assert topics.command("{site}", name, "{client}") in addresses
    site, device, room = "{site}", "{device}", "{room}"
    for address in (topics.queue_state(site), topics.queue_events(site),
                    topics.device_status(site, device), topics.device_health(site, device),
                    topics.room_occupancy(site, room), topics.reply(site, "{client}"),
                    topics.alert(site, "{kind}"), topics.alarm_raised(site, room),
                    topics.alarm_answer(site, room), topics.alarm_escalated(site, room)):
        assert address in addresses


def test_the_alarm_channels_are_retained_qos_1_with_a_writer_each() -> None:
    """The three alarm channels: sent retained at QoS 1, read at QoS 1, each message's
    fields the ones mqtt_bridge.messages writes (checked on the wire in test_messages)."""
    operations = DOC["operations"]
    for channel in ("alarmRaised", "alarmAnswer", "alarmEscalated"):
        used = {o["action"]: o for o in operations.values()
                if o["channel"]["$ref"] == f"#/channels/{channel}"}
        assert set(used) == {"send", "receive"}, channel
        assert used["send"]["bindings"]["mqtt"] == {"qos": 1, "retain": True}
        assert used["receive"]["bindings"]["mqtt"]["qos"] == 1
        assert "Retained, QoS 1" in DOC["channels"][channel]["description"]
    schemas = DOC["components"]["schemas"]
    at, alarm = "2026-12-01T10:42:05.123+02:00", "0123456789abcdef0123456789abcdef"
    for message in (AlarmRaised(alarm, "3", at, "key"),
                    AlarmAnswer(alarm, "3", "cleared", at, "Anna", at, at),
                    AlarmEscalated(alarm, "3", at, at, "relay-1", True)):
        schema = schemas[type(message).__name__]
        # Every field the code writes is required, and the document has no other.
        assert schema["required"] == list(message.to_wire()) == list(schema["properties"])


TOPIC_SCHEMAS = (("/queue/state", "QueueState"), ("/queue/events", "QueueEvent"),
                 ("/status", "DeviceStatus"), ("/health", "DeviceHealth"),
                 ("/alert/", "Alert"), ("/occupancy", "RoomOccupancy"))


@pytest.fixture
def controller(broker, tmp_path):
    config = small_site()
    config = dataclasses.replace(
        config,
        site=dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:8]}"),
        rules=dataclasses.replace(config.rules, congestion_waiting=3),
    )
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 9, 0)), tmp_path,
                      [ControllerRole()], broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime) as running:
        wait_for(lambda: runtime.link.connected, what="the controller's link")
        yield config, running


def test_captured_messages_match_the_schemas(broker, controller) -> None:
    config, _ = controller
    site = config.site.id
    with BlockingClient(broker.host, broker.port, site) as client:
        captured = client.watch(f"piste/v1/{site}/#")
        sent: list[tuple[str, dict]] = []
        answers: list[dict] = []

        def send(command: str, body: dict) -> dict:
            body = {"request_id": str(uuid.uuid4()), **body}
            sent.append((command, body))
            answer = client.request(command, body)
            answers.append(answer)
            return answer

        for service in ("kela", "kela", "kela", "vero", "kela"):
            send(topics.ISSUE, {"service": service, "lang": "fi", "appointment": None,
                                "device": "lobby-1"})
        send(topics.ISSUE, {"service": "migri", "lang": "sv"})  # closed on Mondays
        send(topics.CALL, {"room": "1", "services": ["kela"]})
        send(topics.RECALL, {"room": "1"})
        send(topics.NO_SHOW, {"room": "1"})
        send(topics.REINSTATE, {"ticket": "K001"})
        send(topics.CALL, {"room": "2", "ticket": "K002"})
        send(topics.TRANSFER, {"room": "2", "to_service": "vero"})
        send(topics.CANCEL, {"ticket": "K003"})
        send(topics.CALL, {"room": "2", "services": []})
        send(topics.COMPLETE, {"room": "2"})
        send(topics.COMPLETE, {"room": "3"})  # nothing there: a refusal
        replay_body = {"request_id": str(uuid.uuid4()), "from_seq": 1}
        replay = client.request(topics.REPLAY, replay_body)

        messages: list[tuple[str, dict]] = []
        while True:
            try:
                topic, payload, _retained = captured.get(timeout=1.0)
            except queue.Empty:
                break
            messages.append((topic, json.loads(payload)))

    check("ReplayRequest", replay_body)
    check("ReplayAnswer", replay)
    request_schema = {topics.ISSUE: "IssueRequest", topics.CALL: "CallRequest",
                      topics.RECALL: "RoomRequest", topics.NO_SHOW: "RoomRequest",
                      topics.COMPLETE: "RoomRequest", topics.TRANSFER: "TransferRequest",
                      topics.CANCEL: "TicketRequest", topics.REINSTATE: "TicketRequest"}
    for command, body in sent:
        check(request_schema[command], body)
    for answer in answers:
        check("CommandAnswer", answer)
    assert any(not a["ok"] for a in answers)  # refusals were among them, and valid

    kinds_seen = set()
    for topic, payload in messages:
        if "/cmd/" in topic or "/reply/" in topic:
            continue
        schema = next(name for suffix, name in TOPIC_SCHEMAS if suffix in topic)
        check(schema, payload)
        kinds_seen.add(schema)
    assert {"QueueState", "QueueEvent", "DeviceStatus", "DeviceHealth", "Alert"} <= kinds_seen
    event_types = {p["type"] for t, p in messages if t.endswith("/queue/events")}
    assert {"ticket.issued", "ticket.called", "ticket.recalled", "ticket.no_show",
            "ticket.reinstated", "ticket.transferred", "ticket.cancelled",
            "ticket.completed"} <= event_types


@pytest.mark.parametrize("month", ["2026-12", "2027-01"])  # in the survey month and after it
def test_captured_feedback_and_survey_messages_match_the_schemas(broker, tmp_path,
                                                                 month: str) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.helpers import demo_config

    config = demo_config(broker, tmp_path)
    site = config.site.id
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    clock = ManualClock(datetime.fromisoformat(f"{month}-08T10:00").replace(
        tzinfo=ZoneInfo("Europe/Helsinki")))
    runtime = Runtime(config, device, clock, tmp_path, [ControllerRole()],
                      broker_host=broker.host, broker_port=broker.port)
    bodies = {
        topics.FEEDBACK: {"lang": "sv", "rating": 3, "scale": 4, "masked": False,
                          "words": "Bra! Ring 040 123 4567"},
        topics.SURVEY: {"lang": "en", "self_service": True, "documents": False,
                        "ratings": {"1": 8, "7": None, "17": 10}},
    }
    with RunningDevice(runtime), BlockingClient(broker.host, broker.port, site,
                                                client="exit-1") as client:
        wait_for(lambda: runtime.link.connected, what="the controller's link")
        events = client.watch(topics.queue_events(site))
        answers = {}
        for command, body in bodies.items():
            body = {"request_id": str(uuid.uuid4()), **body}
            check({topics.FEEDBACK: "FeedbackRequest", topics.SURVEY: "SurveyRequest"}[command],
                  body)
            answers[command] = client.request(command, body)
        seen = []
        while True:
            try:
                seen.append(json.loads(events.get(timeout=1.0)[1]))
            except queue.Empty:
                break
    for answer in answers.values():
        check("RecordedAnswer", answer)
    for event in seen:
        check("QueueEvent", event)
    assert answers[topics.FEEDBACK]["ok"]
    if month == "2026-12":
        assert [e["type"] for e in seen] == ["feedback.given", "survey.answered"]
    else:
        assert answers[topics.SURVEY]["error"]["code"] == "survey_closed"
        assert [e["type"] for e in seen] == ["feedback.given"]
