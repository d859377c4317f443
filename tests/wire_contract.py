"""The wire checker: does one MQTT message match docs/mqtt-api.yaml?

Given a topic, the payload bytes and the retained flag, it finds the AsyncAPI channel whose
address matches the topic (`{site}`, `{device}`, `{client}`... are one topic level each; a
parameter with an `enum` must take one of its values) and validates the payload against the
channel's messages with jsonschema, format checking on (`date-time` through
rfc3339-validator: without it jsonschema silently skips the format). A topic no channel
matches is a failure, and so is a payload that is not JSON or that fits none of the channel's
messages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "mqtt-api.yaml"
DOC_URI = "urn:piste-mqtt-api"
# A parameter is one topic level: one with an enum takes one of its values, one the document
# describes as an id (`[a-z0-9-]{1,32}`: site, device, room, client) is exactly that, any
# other (Home Assistant's node id) any level without wildcards.
ID_LEVEL = "[a-z0-9-]{1,32}"
ANY_LEVEL = "[^/+#]+"


@dataclass(frozen=True)
class Verdict:
    """What the checker made of one message: the channel it matched (None: none did) and
    what is wrong with it (None: nothing)."""

    topic: str
    channel: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Channel:
    name: str
    address: str
    pattern: re.Pattern[str]
    messages: tuple[tuple[str, Draft202012Validator], ...]  # (message name, its payload)


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _address_pattern(doc: dict[str, Any], channel: dict[str, Any]) -> re.Pattern[str]:
    parameters = channel.get("parameters", {})
    out = []
    for piece in re.split(r"(\{[^}]+\})", channel["address"]):
        if piece.startswith("{"):
            spec = parameters.get(piece[1:-1], {})
            if "$ref" in spec:
                spec = _resolve(doc, spec["$ref"])
            values = spec.get("enum")
            if values:
                out.append("(?:" + "|".join(map(re.escape, values)) + ")")
            else:
                out.append(ID_LEVEL if ID_LEVEL in spec.get("description", "") else ANY_LEVEL)
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out))


def _payload_validator(doc: dict[str, Any], message: dict[str, Any]) -> Draft202012Validator:
    if "$ref" in message:
        message = _resolve(doc, message["$ref"])
    payload = message.get("payload")
    if payload is None:
        raise ValueError(f"message {message.get('name')} has no payload schema")
    if "$ref" in payload:
        payload = {"$ref": f"{DOC_URI}{payload['$ref']}"}
    return Draft202012Validator(payload, registry=_registry(), format_checker=FORMATS)


@cache
def _document() -> dict[str, Any]:
    return yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    return Registry().with_resource(
        DOC_URI, Resource.from_contents(_document(), default_specification=DRAFT202012))


FORMATS = FormatChecker()


def date_time_is_checked() -> bool:
    """jsonschema checks `date-time` only when rfc3339-validator is installed."""
    return "date-time" in FORMATS.checkers


@cache
def channels() -> tuple[Channel, ...]:
    doc = _document()
    out = []
    for name, channel in doc["channels"].items():
        messages = tuple(
            (key, _payload_validator(doc, message))
            for key, message in channel.get("messages", {}).items())
        out.append(Channel(name, channel["address"], _address_pattern(doc, channel), messages))
    return tuple(out)


def channel_for(topic: str) -> Channel | None:
    return next((c for c in channels() if c.pattern.fullmatch(topic)), None)


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(the payload)"
    return f"{where}: {error.message}"


def _why(error: Any) -> str:
    """The deepest causes: a oneOf's own message says only "is not valid under any"."""
    if not error.context:
        return _describe(error)
    depth = max(len(list(e.absolute_path)) for e in error.context)
    causes = [_why(e) for e in error.context if len(list(e.absolute_path)) == depth]
    return " | ".join(dict.fromkeys(causes))


def check(topic: str, payload: bytes, retained: bool = False) -> Verdict:
    """Validate one message as it came off the wire."""
    channel = channel_for(topic)
    if channel is None:
        return Verdict(topic, None, "no channel of the document has this topic")
    if not channel.messages:
        return Verdict(topic, channel.name, "the channel has no message schema")
    if not payload and retained:
        # How MQTT clears a retained message; a subscriber sees it only while subscribed.
        return Verdict(topic, channel.name, None)
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # A message nested deeper than Python's json can follow is no valid payload either.
        return Verdict(topic, channel.name, f"not UTF-8 JSON: {exc}")
    try:
        return Verdict(topic, channel.name, _fit(channel, body))
    except RecursionError:
        # json followed it, but jsonschema recurses deeper still (and writes the value into
        # its messages): nothing the document describes nests anywhere near that deep.
        return Verdict(topic, channel.name, "nested deeper than the checker can follow")


def _fit(channel: Channel, body: Any) -> str | None:
    """None when the body fits one of the channel's messages, else why it fits none."""
    failures = []
    for name, validator in channel.messages:
        errors = list(validator.iter_errors(body))
        if not errors:
            return None
        deepest = max(errors, key=lambda e: len(list(e.absolute_path)))
        failures.append(f"{name}: {_why(deepest)}")
    return "; ".join(failures)


def topic_matches(topic_filter: str, topic: str) -> bool:
    """MQTT topic filter matching (`+` one level, `#` the rest)."""
    want, have = topic_filter.split("/"), topic.split("/")
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or (level != "+" and level != have[i]):
            return False
    return len(want) == len(have)
