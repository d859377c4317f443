"""Parsing of command payloads that arrive from the network.

Lenient on the wire, strict on meaning: unknown extra fields are ignored, but a wrong type,
a missing field or an oversized payload is refused with a message that says which field and
what was expected. Nothing here imports paho: the parser is tested on bytes alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firmware.core.feedback import FeedbackError, validate_feedback
from firmware.core.queue import PAUSE_REASONS, ROOM_STATES
from firmware.core.survey import SurveyAnswerError, validate_answer
from mqtt_bridge import topics

MAX_PAYLOAD_BYTES = 16 * 1024
ID_PATTERN = re.compile(r"^[a-z0-9-]{1,32}$")
REQUEST_ID_MAX = 64
SEQ_MAX = 2**63 - 1  # the largest integer SQLite stores: a seq is never above it
LANGS = ("fi", "sv", "en")


# Each command's body fields besides `request_id`, the one list of them: parse_command reads
# no other, the requesters send no other (`command_body`), the staff console offers these
# (firmware/web/actions.py), and tests/test_messages.py checks it against docs/mqtt-api.yaml.
COMMAND_FIELDS: dict[str, tuple[str, ...]] = {
    topics.ISSUE: ("service", "lang", "appointment", "device", "assistance", "then"),
    topics.CALL: ("room", "services", "ticket"),
    topics.RECALL: ("room",),
    topics.NO_SHOW: ("room",),
    topics.COMPLETE: ("room", "then"),
    topics.TRANSFER: ("room", "ticket", "to_service"),
    topics.CANCEL: ("ticket",),
    topics.REINSTATE: ("ticket",),
    topics.REPLAY: ("from_seq",),
    topics.FEEDBACK: ("lang", "rating", "scale", "words", "masked"),
    topics.SURVEY: ("ratings", "self_service", "documents", "lang", "answered_day"),
    topics.ASSIST: ("ticket", "assistance"),
    topics.ADD_SERVICE: ("ticket", "service"),
    topics.REPRINT: ("ticket", "device"),
    topics.ROOM_STATE: ("room", "state", "reason"),
    topics.ROOM_LANGUAGES: ("room", "languages"),
    topics.HELP_REQUEST: (),
    topics.HELP_ANSWER: ("device",),
}
MAX_LEGS = 8  # authorities after the first in one visit: more is no visit but a mistake


def command_fields(name: str, *only: str) -> tuple[str, ...]:
    """A command's fields, or the ones of them named in `only` (a client that offers fewer);
    a name that is no field of the command is a mistake in the program: ValueError."""
    fields = COMMAND_FIELDS[name]
    unknown = [f for f in only if f not in fields]
    if unknown:
        raise ValueError(f"{name} has no field {', '.join(unknown)}")
    return only or fields


def command_body(name: str, body: dict[str, Any]) -> dict[str, Any]:
    """A body a client is about to send, checked against the command's fields (ValueError
    for a field the controller would never read: the client has a mistake)."""
    command_fields(name, *(k for k in body if k != "request_id"))
    return body


class BadRequest(ValueError):
    """A payload that cannot be a valid command; the message is sent back to the client."""


@dataclass(frozen=True)
class Command:
    name: str  # one of topics.COMMANDS
    request_id: str
    body: dict[str, Any] = field(default_factory=dict)  # only the validated fields
    client: str | None = None  # who asked, as the broker vouches for it (None: not known)


def decode_json_object(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise BadRequest(f"payload is {len(raw)} bytes; at most {MAX_PAYLOAD_BYTES} allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"payload is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadRequest(f"payload is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadRequest(f"payload must be a JSON object, not {type(value).__name__}")
    return value


def _id(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BadRequest(f"'{key}' must be an id of 1-32 characters a-z, 0-9 or '-'")
    return value


def _request_id(body: dict[str, Any]) -> str:
    value = body.get("request_id")
    if not isinstance(value, str) or not 0 < len(value) <= REQUEST_ID_MAX:
        raise BadRequest(f"'request_id' must be a string of 1-{REQUEST_ID_MAX} characters")
    return value


def _service_list(body: dict[str, Any]) -> list[str]:
    value = body.get("services", [])
    if not isinstance(value, list) or len(value) > 32:
        raise BadRequest("'services' must be a list of at most 32 service ids")
    for item in value:
        if not isinstance(item, str) or not ID_PATTERN.match(item):
            raise BadRequest("'services' must contain service ids (a-z, 0-9, '-')")
    return list(value)


def _ticket_number(body: dict[str, Any]) -> str:
    value = body.get("ticket")
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]?\d{1,3}", value):
        raise BadRequest("'ticket' must be a ticket number such as 'K042'")
    return value


def _flag(body: dict[str, Any], key: str, *, required: bool = False) -> bool:
    value = body.get(key)
    if value is None and not required:
        return False
    if not isinstance(value, bool):
        raise BadRequest(f"'{key}' must be true or false")
    return value


def _then(body: dict[str, Any]) -> list[str]:
    """The authorities a visit goes on to after this one, in order (at most MAX_LEGS)."""
    value = body.get("then")
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LEGS:
        raise BadRequest(f"'then' must be a list of at most {MAX_LEGS} service ids")
    for item in value:
        if not isinstance(item, str) or not ID_PATTERN.match(item):
            raise BadRequest("'then' must contain service ids (a-z, 0-9, '-')")
    return list(value)


def _languages(body: dict[str, Any]) -> list[str]:
    value = body.get("languages")
    if (not isinstance(value, list) or not value
            or any(not isinstance(v, str) or v not in LANGS for v in value)):
        raise BadRequest("'languages' must be a list of one or more of fi, sv, en")
    if len(set(value)) != len(value):
        raise BadRequest("'languages' names a language twice")
    return list(value)


def _room_state(body: dict[str, Any]) -> dict[str, Any]:
    state, reason = body.get("state"), body.get("reason")
    if state not in ROOM_STATES:
        raise BadRequest(f"'state' must be one of {', '.join(ROOM_STATES)}")
    if reason is not None and reason not in PAUSE_REASONS:
        raise BadRequest(f"'reason' must be null or one of {', '.join(PAUSE_REASONS)}")
    if state == "serving" and reason is not None:
        raise BadRequest("'reason' is for a paused or closed room; a serving room has none")
    return {"state": state, "reason": reason}


# The commands of a real day (issue 24), each body to its fields.
REAL_DAY_PARSERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    topics.ASSIST: lambda body: {"ticket": _ticket_number(body),
                                 "assistance": _flag(body, "assistance", required=True)},
    topics.ADD_SERVICE: lambda body: {"ticket": _ticket_number(body),
                                      "service": _id(body, "service")},
    # `device`: the kiosk that prints the copy
    topics.REPRINT: lambda body: {"ticket": _ticket_number(body), "device": _id(body, "device")},
    topics.ROOM_STATE: lambda body: {"room": _id(body, "room"), **_room_state(body)},
    topics.ROOM_LANGUAGES: lambda body: {"room": _id(body, "room"),
                                         "languages": _languages(body)},
    topics.HELP_REQUEST: lambda body: {},  # the device is the one the topic names
    # `device`: the kiosk whose help key was pressed
    topics.HELP_ANSWER: lambda body: {"device": _id(body, "device")},
}


def parse_command(name: str, raw: bytes, client: str | None = None) -> Command:
    """Validate a command payload; raises BadRequest with a message for the client."""
    if name not in COMMAND_FIELDS:
        raise BadRequest(f"unknown command '{name}'")
    body = decode_json_object(raw)
    request_id = _request_id(body)
    fields: dict[str, Any] = {}
    if name == topics.ISSUE:
        # An appointment's code says which authority it is for; a walk-in names it.
        has_code = body.get("appointment") is not None
        fields["service"] = _id(body, "service", required=not has_code)
        lang = body.get("lang", "fi")
        if lang not in LANGS:
            raise BadRequest("'lang' must be one of fi, sv, en")
        fields["lang"] = lang
        fields["device"] = _id(body, "device", required=False) or "unknown"
        appointment = body.get("appointment")
        if appointment is not None and not (
            isinstance(appointment, str) and 0 < len(appointment) <= 32
        ):
            raise BadRequest("'appointment' must be null or a code of 1-32 characters")
        fields["appointment"] = appointment
        fields["assistance"] = _flag(body, "assistance")
        fields["then"] = _then(body)
    elif name == topics.CALL:
        fields["room"] = _id(body, "room")
        fields["services"] = _service_list(body)
        if body.get("ticket") is not None:
            fields["ticket"] = _ticket_number(body)
    elif name in (topics.RECALL, topics.NO_SHOW, topics.COMPLETE):
        fields["room"] = _id(body, "room")
        if name == topics.COMPLETE and body.get("then") is not None:
            fields["then"] = _id(body, "then")  # continue to this authority now
    elif name == topics.TRANSFER:
        fields["to_service"] = _id(body, "to_service")
        if "ticket" in body:
            fields["ticket"] = _ticket_number(body)
        else:
            fields["room"] = _id(body, "room")
    elif name in (topics.CANCEL, topics.REINSTATE):
        fields["ticket"] = _ticket_number(body)
    elif name == topics.FEEDBACK:
        try:
            fields = validate_feedback(body).to_event_data()
        except FeedbackError as exc:
            raise BadRequest(str(exc)) from None
    elif name == topics.SURVEY:
        try:
            fields = validate_answer(body).to_event_data()
        except SurveyAnswerError as exc:
            raise BadRequest(str(exc)) from None
    elif name in REAL_DAY_PARSERS:
        fields = REAL_DAY_PARSERS[name](body)
    elif name == topics.REPLAY:
        from_seq = body.get("from_seq")
        if (not isinstance(from_seq, int) or isinstance(from_seq, bool)
                or not 0 <= from_seq <= SEQ_MAX):
            raise BadRequest(f"'from_seq' must be a whole number from 0 to {SEQ_MAX}")
        fields["from_seq"] = from_seq
    return Command(name=name, request_id=request_id, body=fields, client=client)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


MAX_STATE_BYTES = 64 * 1024  # the broker's max_packet_size: no larger message arrives
MAX_DEPTH = 32  # our deepest message nests 4 levels; anything far deeper is hostile
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')  # a JSON string, its escapes included
_BRACKET = re.compile(rb"[\[\]{}]")


def nesting_depth(raw: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it (the
    brackets inside strings do not count), so that no parser recursion is ever needed."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", raw)):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def state_of(payload: bytes) -> dict[str, Any] | None:
    """Decode a retained snapshot or event leniently: None unless it is a JSON object of at
    most MAX_STATE_BYTES nested at most MAX_DEPTH deep (bounded: outside bytes never raise)."""
    if len(payload) > MAX_STATE_BYTES or nesting_depth(payload) > MAX_DEPTH:
        return None
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
