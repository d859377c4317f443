"""What each console action sends: the command's name and its body, built from the fields the
browser posted and checked against the site before anything goes to the controller.

Pure (no web server, no broker): `body_for` is what the server runs and what the tests read.
A field of the wrong kind, an authority or kiosk the site does not have, or a room's
languages left empty, is refused here with words (`BodyError`), and nothing is sent. The
controller checks everything again: the console only spares the staff a round trip and says
plainly what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firmware.core.queue import PAUSE_REASONS, ROOM_STATES
from firmware.site_model import LANGS, SiteConfig
from mqtt_bridge import topics

# The commands of a real day (issue 24), as they appear after `cmd/` (docs/mqtt-contract.md).
ASSIST = topics.ASSIST
ADD_SERVICE = topics.ADD_SERVICE
REPRINT = topics.REPRINT
ROOM_STATE = topics.ROOM_STATE
ROOM_LANGUAGES = topics.ROOM_LANGUAGES
HELP_ANSWER = topics.HELP_ANSWER

MAX_THEN = 3  # authorities after the first planned at the advisor's desk: a visit, not a day

# action: (command, the fields the console offers of it). The fields are the command's
# (COMMAND_FIELDS) or fewer: no appointment check-in at the console, and the device is the
# console itself.
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "call": (topics.CALL, ("room", "services", "ticket")),
    "recall": (topics.RECALL, ("room",)),
    "no-show": (topics.NO_SHOW, ("room",)),
    "complete": (topics.COMPLETE, ("room", "then")),
    "transfer": (topics.TRANSFER, ("room", "ticket", "to_service")),
    "reinstate": (topics.REINSTATE, ("ticket",)),
    "cancel": (topics.CANCEL, ("ticket",)),
    "issue": (topics.ISSUE, ("service", "lang", "assistance", "then")),
    # The controller masks the words again; the console says nothing of masking.
    "feedback": (topics.FEEDBACK, ("rating", "scale", "words", "lang")),
    "survey": (topics.SURVEY, ("ratings", "self_service", "documents", "lang",
                               "answered_day")),
    "assist": (ASSIST, ("ticket", "assistance")),
    "add-service": (ADD_SERVICE, ("ticket", "service")),
    "reprint": (REPRINT, ("ticket", "device")),
    "room-state": (ROOM_STATE, ("room", "state", "reason")),
    "room-languages": (ROOM_LANGUAGES, ("room", "languages")),
    "help-answer": (HELP_ANSWER, ("device",)),
}


class BodyError(ValueError):
    """A field the console will not send: `key` names the sentence (firmware/web/texts.py)
    that says why, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Request:
    command: str
    body: dict[str, Any]


def printing_kiosks(config: SiteConfig) -> list[str]:
    return [d.id for d in config.devices if "kiosk" in d.roles and d.printer.kind != "none"]


def room_languages(config: SiteConfig, room_id: str, login: tuple[str, ...] | None = None
                   ) -> list[str]:
    """The languages a clerk's session starts with: the login's own, else the room's
    configured ones (all three unless the config says), else all three (no such room)."""
    room = config.room(room_id)
    chosen = login or (room.languages if room is not None else LANGS)
    return [lang for lang in LANGS if lang in chosen]


def body_for(action: str, data: dict[str, Any], config: SiteConfig) -> Request:
    """The command and body for an action posted by the browser (`data` holds the action's
    fields and maybe more, which are dropped). BodyError for an unknown action or a field
    that cannot be right."""
    if action not in ACTIONS:
        raise BodyError("said_unknown")
    command, fields = ACTIONS[action]
    body = {k: data[k] for k in fields if data.get(k) not in (None, "", [])}
    services = {s.id for s in config.services}
    if "then" in body:
        body["then"] = _then(body["then"], action, services)
    if action == "assist":
        if not isinstance(data.get("assistance"), bool):
            raise BodyError("said_unknown")
        body["assistance"] = data["assistance"]
    if action == "issue" and "assistance" in body:
        if not isinstance(body["assistance"], bool):
            raise BodyError("said_unknown")
        if not body["assistance"]:
            del body["assistance"]  # only when true, as a kiosk's issue never has it
    if action == "add-service" and not _one_of(body.get("service"), services):
        raise BodyError("said_no_service", service=str(body.get("service", "")))
    if action == "reprint" and body.get("device") not in printing_kiosks(config):
        raise BodyError("said_no_kiosk", kiosk=str(body.get("device", "")))
    if action == "room-state":
        body = _room_state(body)
    if action == "room-languages":
        body["languages"] = _languages(data.get("languages"))
    if action == "help-answer" and config.device(str(body.get("device", ""))) is None:
        raise BodyError("said_no_device", device=str(body.get("device", "")))
    return Request(command, body)


def _then(value: Any, action: str, services: set[str]) -> Any:
    """A complete's `then` is one authority (go there now); an issue's, the list after the
    first, in order."""
    items = [value] if action == "complete" else value
    if not isinstance(items, list) or not items or len(items) > MAX_THEN:
        raise BodyError("said_unknown")
    for item in items:
        if not _one_of(item, services):
            raise BodyError("said_no_service", service=str(item))
    return value


def _one_of(value: Any, ids: set[str]) -> bool:
    return isinstance(value, str) and value in ids


def _room_state(body: dict[str, Any]) -> dict[str, Any]:
    state, reason = body.get("state"), body.get("reason")
    if state not in ROOM_STATES:
        raise BodyError("said_unknown")
    if state == "paused":
        if reason not in PAUSE_REASONS:
            raise BodyError("said_unknown")
    else:
        reason = None  # serving and closed have no reason
    return {"room": body.get("room"), "state": state, "reason": reason}


def _languages(value: Any) -> list[str]:
    if not isinstance(value, list) or any(v not in LANGS for v in value):
        raise BodyError("said_unknown")
    if not value:
        raise BodyError("said_pick_language")
    return [lang for lang in LANGS if lang in value]  # in the site's order, each once
