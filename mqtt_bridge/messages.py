"""The contract's payloads as types: one frozen dataclass per message, each with `to_wire()`
(the JSON object it is on the wire, fields in the order they have always been sent) and
`from_wire(value)` (that object read back).

Producers build these and send `to_wire()`; consumers read with `from_wire()`. A payload
that cannot be the message raises `MessageError` and nothing else, whatever the bytes were.
Where every receiver has always been forgiving, so is the reader: the retained
`queue/state` is read row by row (a row that cannot be read is left out, and an authority
left out is shown closed), because a display must keep showing what it can.

docs/mqtt-api.yaml is the contract; tests/test_messages.py checks that what these types
write validates against it and that every reader survives any JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mqtt_bridge.payloads import MAX_STATE_BYTES, nesting_depth


class MessageError(ValueError):
    """A payload that is not the message it should be; the text says which field."""


# -- reading helpers: each raises MessageError with the field's name ----------------------


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MessageError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise MessageError(f"'{key}' must be a string")
    return value


def _text_or_none(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise MessageError(f"'{key}' must be a string or null")
    return value


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count_or_none(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is not None and not (_whole(value) and value >= 0):
        raise MessageError(f"'{key}' must be a whole number from 0, or null")
    return value


def _flag_or_none(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise MessageError(f"'{key}' must be true or false")
    return value


def _ids(body: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings (service ids, languages), left out: empty."""
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MessageError(f"'{key}' must be a list of strings")
    return tuple(value)


def _span(value: Any) -> tuple[int, int] | None:
    """An `eta_range` [low, high] of whole minutes; None for anything else."""
    if (isinstance(value, list) and len(value) == 2
            and all(_whole(v) and v >= 0 for v in value)):
        return value[0], value[1]
    return None


def _strict_span(body: dict[str, Any], key: str) -> tuple[int, int] | None:
    value = body.get(key)
    span = _span(value)
    if value is not None and span is None:
        raise MessageError(f"'{key}' must be two whole numbers of minutes, or null")
    return span


def decode(payload: bytes) -> Any:
    """The JSON value of a payload, bounded as the broker bounds it (at most MAX_STATE_BYTES,
    nested at most 32 deep): MessageError for anything else, never another exception."""
    if len(payload) > MAX_STATE_BYTES or nesting_depth(payload) > 32:
        raise MessageError("the payload is too large or nested too deep")
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MessageError(f"the payload is not JSON: {exc}") from None


# -- the ticket and the answers to commands -----------------------------------------------


@dataclass(frozen=True)
class Ticket:
    """The ticket in a command's answer (and in a console's print job).

    Which fields are sent follows what the ticket is: a new one (`ahead` set) always says
    its estimate, `eta_minutes` and `eta_range`, null when unknown; one in the queue
    (`status` set) or just called (`called_at` set) always says its `room` and `call_id`,
    null when it has none. Other fields are sent when set: `assistance` only to staff (the
    controller leaves it unset for anyone else), `then` when more authorities follow, `leg`
    from the second authority of a visit on. (A reprint's print job says `copy` beside it.)
    """

    number: str
    service: str
    issued_at: str | None = None
    ahead: int | None = None
    eta_minutes: int | None = None
    eta_range: tuple[int, int] | None = None
    status: str | None = None  # waiting, called, no_show, done
    room: str | None = None
    call_id: str | None = None
    called_at: str | None = None
    calls: int | None = None  # how many times it has been called, this call included
    appointment: bool | None = None
    appointment_at: str | None = None
    again: bool = False  # an appointment checked in twice: the same number once more
    lang: str | None = None  # the customer's language (fi, sv, en)
    assistance: bool | None = None  # needs assistance; told to staff only
    then: tuple[str, ...] = ()  # the authorities after this one, in order
    leg: int | None = None  # which authority of the visit it is at (2 for the second...)

    @property
    def is_new(self) -> bool:
        return self.ahead is not None

    @property
    def has_place(self) -> bool:
        return self.status is not None or self.called_at is not None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"number": self.number, "service": self.service}
        if self.issued_at is not None:
            wire["issued_at"] = self.issued_at
        if self.is_new:
            wire["ahead"] = self.ahead
            wire["eta_minutes"] = self.eta_minutes
            wire["eta_range"] = list(self.eta_range) if self.eta_range else None
        if self.status is not None:
            wire["status"] = self.status
        if self.has_place:
            wire["room"] = self.room
            wire["call_id"] = self.call_id
        for key in ("called_at", "calls", "appointment", "appointment_at"):
            if getattr(self, key) is not None:
                wire[key] = getattr(self, key)
        if self.again:
            wire["again"] = True
        for key in ("lang", "assistance"):
            if getattr(self, key) is not None:
                wire[key] = getattr(self, key)
        if self.then:
            wire["then"] = list(self.then)
        if self.leg is not None:
            wire["leg"] = self.leg
        return wire

    @classmethod
    def from_wire(cls, value: Any) -> Ticket:
        body = _object(value, "a ticket")
        calls, leg = body.get("calls"), body.get("leg")
        if calls is not None and not (_whole(calls) and calls >= 0):
            raise MessageError("'calls' must be a whole number from 0")
        if leg is not None and not (_whole(leg) and leg >= 1):
            raise MessageError("'leg' must be a whole number from 1")
        return cls(
            number=_text(body, "number"), service=_text(body, "service"),
            issued_at=_text_or_none(body, "issued_at"), ahead=_count_or_none(body, "ahead"),
            eta_minutes=_count_or_none(body, "eta_minutes"),
            eta_range=_strict_span(body, "eta_range"), status=_text_or_none(body, "status"),
            room=_text_or_none(body, "room"), call_id=_text_or_none(body, "call_id"),
            called_at=_text_or_none(body, "called_at"), calls=calls,
            appointment=_flag_or_none(body, "appointment"),
            appointment_at=_text_or_none(body, "appointment_at"),
            again=_flag_or_none(body, "again") is True, lang=_text_or_none(body, "lang"),
            assistance=_flag_or_none(body, "assistance"), then=_ids(body, "then"), leg=leg)


@dataclass(frozen=True)
class Refusal:
    """`{"ok": false, "error": {"code", "message", ...}}`: a command the controller refused.

    `retry_after_s` is sent when set; `next_open` (null or a time) always with
    `service_closed` and never otherwise.
    """

    code: str
    message: str
    retry_after_s: int | float | None = None
    next_open: str | None = None

    CLOSED = "service_closed"

    def to_wire(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.code == self.CLOSED:
            error["next_open"] = self.next_open
        if self.retry_after_s is not None:
            error["retry_after_s"] = self.retry_after_s
        return {"ok": False, "error": error}

    @classmethod
    def from_wire(cls, value: Any) -> Refusal:
        body = _object(value, "an answer")
        if body.get("ok") is not False:
            raise MessageError("a refusal has 'ok': false")
        error = _object(body.get("error"), "'error'")
        # Forgiving past the code, as the kiosk has always been: a wait or a time that
        # cannot be read is not shown (the customer hears "a moment"), never an error.
        wait, message, upcoming = (error.get(k) for k in ("retry_after_s", "message",
                                                           "next_open"))
        number = isinstance(wait, int | float) and not isinstance(wait, bool)
        return cls(code=_text(error, "code"),
                   message=message if isinstance(message, str) else "",
                   retry_after_s=wait if number else None,
                   next_open=upcoming if isinstance(upcoming, str) else None)


@dataclass(frozen=True)
class PhoneLink:
    """`{"url", "code"}`: how the customer follows the ticket on a phone (the QR code's
    address with the ticket's token, and the short code printed under it). Only in the
    answer to the kiosk or console that issued or reprinted the ticket."""

    url: str
    code: str

    def to_wire(self) -> dict[str, Any]:
        return {"url": self.url, "code": self.code}

    @classmethod
    def from_wire(cls, value: Any) -> PhoneLink:
        body = _object(value, "'phone'")
        url, code = _text(body, "url"), _text(body, "code")
        if not url.startswith(("https://", "http://")) or not code:
            raise MessageError("'phone' needs an http(s) 'url' and a 'code'")
        return cls(url, code)

    @classmethod
    def read(cls, value: Any) -> PhoneLink | None:
        """Forgiving, for an answer: a link that cannot be read is none (the ticket is
        still the ticket, and its slip prints without the QR code)."""
        try:
            return None if value is None else cls.from_wire(value)
        except MessageError:
            return None


@dataclass(frozen=True)
class TicketAnswer:
    """`{"ok": true, "ticket": {...} or null}`: the answer to a ticket command; with
    `phone` to an issue or a reprint where the site lets customers follow on a phone."""

    ticket: Ticket | None
    phone: PhoneLink | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"ok": True,
                                "ticket": self.ticket.to_wire() if self.ticket else None}
        if self.phone is not None:
            wire["phone"] = self.phone.to_wire()
        return wire

    @classmethod
    def from_wire(cls, value: Any) -> TicketAnswer:
        body = _object(value, "an answer")
        if body.get("ok") is not True:
            raise MessageError("a ticket answer has 'ok': true")
        ticket = body.get("ticket")
        return cls(None if ticket is None else Ticket.from_wire(ticket),
                   PhoneLink.read(body.get("phone")))


@dataclass(frozen=True)
class RecordedAnswer:
    """`{"ok": true, "recorded": true}`: a rating or a survey answer was stored."""

    def to_wire(self) -> dict[str, Any]:
        return {"ok": True, "recorded": True}

    @classmethod
    def from_wire(cls, value: Any) -> RecordedAnswer:
        body = _object(value, "an answer")
        if body.get("ok") is not True or body.get("recorded") is not True:
            raise MessageError("a recorded answer is {'ok': true, 'recorded': true}")
        return cls()


@dataclass(frozen=True)
class ReplayAnswer:
    """`{"ok": true, "replayed", "last_seq"}`: the events were published again."""

    replayed: int
    last_seq: int

    def to_wire(self) -> dict[str, Any]:
        return {"ok": True, "replayed": self.replayed, "last_seq": self.last_seq}

    @classmethod
    def from_wire(cls, value: Any) -> ReplayAnswer:
        body = _object(value, "an answer")
        replayed, last = body.get("replayed"), body.get("last_seq")
        if body.get("ok") is not True or not (_whole(replayed) and replayed >= 0) \
                or not _whole(last):
            raise MessageError("a replay answer has 'ok': true and whole 'replayed', "
                               "'last_seq'")
        return cls(replayed, last)


@dataclass(frozen=True)
class RoomRow:
    """A room as the lobby and the staff see it: serving, paused (with why) or closed,
    since when (null: it has been serving all day), and the languages it serves now."""

    id: str
    state: str = "serving"  # serving, paused, closed
    reason: str | None = None  # break, lunch, back_office, meeting; null while serving
    since: str | None = None
    languages: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "reason": self.reason, "since": self.since,
                "languages": list(self.languages)}

    @classmethod
    def from_wire(cls, value: Any) -> RoomRow:
        body = _object(value, "'room'")
        state = _text(body, "state")
        if state not in ("serving", "paused", "closed"):
            raise MessageError("'state' must be serving, paused or closed")
        return cls(id=_text(body, "id"), state=state, reason=_text_or_none(body, "reason"),
                   since=_text_or_none(body, "since"), languages=_ids(body, "languages"))

    @classmethod
    def read(cls, row: Any) -> RoomRow | None:
        """Forgiving, for the snapshot: None for a row that cannot be read."""
        try:
            return cls.from_wire(row)
        except MessageError:
            return None


@dataclass(frozen=True)
class RoomAnswer:
    """`{"ok": true, "room": {...}}`: the answer to room/state and room/languages."""

    room: RoomRow

    def to_wire(self) -> dict[str, Any]:
        return {"ok": True, "room": self.room.to_wire()}

    @classmethod
    def from_wire(cls, value: Any) -> RoomAnswer:
        body = _object(value, "an answer")
        if body.get("ok") is not True:
            raise MessageError("a room answer has 'ok': true")
        return cls(RoomRow.from_wire(body.get("room")))


def room_answer(value: Any) -> RoomAnswer | Refusal:
    """The answer to a room command, either kind; MessageError if it is neither."""
    body = _object(value, "an answer")
    return RoomAnswer.from_wire(body) if body.get("ok") is True else Refusal.from_wire(body)


def ticket_answer(value: Any) -> TicketAnswer | Refusal:
    """The answer to a ticket command, either kind; MessageError if it is neither."""
    body = _object(value, "an answer")
    return TicketAnswer.from_wire(body) if body.get("ok") is True else Refusal.from_wire(body)


# -- the retained queue state -------------------------------------------------------------


@dataclass(frozen=True)
class ServiceState:
    """One authority's row: how many wait, the estimate for a newcomer, open or when."""

    id: str
    waiting: int = 0
    eta_minutes: int | None = None
    eta_range: tuple[int, int] | None = None
    open: bool = False
    next_open: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "waiting": self.waiting, "eta_minutes": self.eta_minutes,
                "eta_range": list(self.eta_range) if self.eta_range else None,
                "open": self.open, "next_open": self.next_open}

    @classmethod
    def read(cls, row: Any) -> ServiceState | None:
        """Forgiving: None without an id; a field that cannot be read is the careful value
        (nobody waiting, no estimate, closed)."""
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            return None
        waiting, eta, upcoming = row.get("waiting"), row.get("eta_minutes"), row.get("next_open")
        return cls(id=row["id"], waiting=waiting if _whole(waiting) and waiting >= 0 else 0,
                   eta_minutes=eta if _whole(eta) and eta >= 0 else None,
                   eta_range=_span(row.get("eta_range")), open=row.get("open") is True,
                   next_open=upcoming if isinstance(upcoming, str) else None)


@dataclass(frozen=True)
class Serving:
    """A ticket being served: called to a room (`service` left out on an anonymous site)."""

    ticket: str
    room: str
    call_id: str
    called_at: str | None = None
    service: str | None = None
    lang: str | None = None  # the ticket's language: the display announces in it first

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"ticket": self.ticket, "room": self.room}
        if self.service is not None:
            wire["service"] = self.service
        if self.called_at is not None:
            wire["called_at"] = self.called_at
        wire["call_id"] = self.call_id
        if self.lang is not None:
            wire["lang"] = self.lang
        return wire

    @classmethod
    def read(cls, row: Any) -> Serving | None:
        """None unless the row names a ticket, a room and a call."""
        if not isinstance(row, dict):
            return None
        ticket, room, call_id = row.get("ticket"), row.get("room"), row.get("call_id")
        if not (isinstance(ticket, str) and isinstance(room, str) and isinstance(call_id, str)):
            return None
        called, service = row.get("called_at"), row.get("service")
        return cls(ticket, room, call_id, called if isinstance(called, str) else None,
                   service if isinstance(service, str) else None, _lang(row))


@dataclass(frozen=True)
class LastCall:
    """The newest call of the day, still served or not."""

    ticket: str
    room: str
    call_id: str
    at: str | None = None
    lang: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"ticket": self.ticket, "room": self.room,
                                "call_id": self.call_id}
        if self.at is not None:
            wire["at"] = self.at
        if self.lang is not None:
            wire["lang"] = self.lang
        return wire

    @classmethod
    def read(cls, value: Any) -> LastCall | None:
        if not isinstance(value, dict):
            return None
        ticket, room, call_id, at = (value.get(k) for k in ("ticket", "room", "call_id", "at"))
        if not (isinstance(ticket, str) and isinstance(room, str) and isinstance(call_id, str)):
            return None
        return cls(ticket, room, call_id, at if isinstance(at, str) else None, _lang(value))


def _lang(row: dict[str, Any]) -> str | None:
    lang = row.get("lang")
    return lang if isinstance(lang, str) else None


@dataclass(frozen=True)
class RecentCall:
    """One of the day's last calls, newest first in the snapshot (a recall is a new one):
    the lobby's history below the newest call. `service` is null on an anonymous site."""

    ticket: str
    room: str
    call_id: str
    at: str
    lang: str
    service: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"ticket": self.ticket, "room": self.room, "call_id": self.call_id,
                "at": self.at, "lang": self.lang, "service": self.service}

    @classmethod
    def read(cls, row: Any) -> RecentCall | None:
        if not isinstance(row, dict):
            return None
        texts = [row.get(k) for k in ("ticket", "room", "call_id", "at", "lang")]
        if not all(isinstance(t, str) for t in texts):
            return None
        service = row.get("service")
        return cls(*texts, service=service if isinstance(service, str) else None)


@dataclass(frozen=True)
class HelpWanted:
    """A kiosk's (or a feedback device's) open request for the advisor: a device id and
    since when, nothing about the person who pressed the key."""

    device: str
    since: str

    def to_wire(self) -> dict[str, Any]:
        return {"device": self.device, "since": self.since}

    @classmethod
    def read(cls, row: Any) -> HelpWanted | None:
        if not isinstance(row, dict):
            return None
        device, since = row.get("device"), row.get("since")
        if not (isinstance(device, str) and isinstance(since, str)):
            return None
        return cls(device, since)


@dataclass(frozen=True)
class Snapshot:
    """The retained `queue/state`: every authority's row, the tickets being served (newest
    call first), the day's last call, the ledger's seq and the controller's time `at`; the
    last calls (newest first), every room's state and the open requests for help. Nothing
    about assistance or a visit's further authorities: the snapshot is public."""

    seq: int | None
    day: str | None
    services: tuple[ServiceState, ...] = ()
    serving: tuple[Serving, ...] = ()
    last_call: LastCall | None = None
    at: str | None = None
    recent: tuple[RecentCall, ...] = ()
    rooms: tuple[RoomRow, ...] = ()
    help_wanted: tuple[HelpWanted, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"seq": self.seq, "day": self.day}
        if self.at is not None:
            wire["at"] = self.at
        wire["services"] = [s.to_wire() for s in self.services]
        wire["serving"] = [s.to_wire() for s in self.serving]
        wire["last_call"] = self.last_call.to_wire() if self.last_call else None
        wire["recent"] = [c.to_wire() for c in self.recent]
        wire["rooms"] = [r.to_wire() for r in self.rooms]
        wire["help_wanted"] = [h.to_wire() for h in self.help_wanted]
        return wire

    @classmethod
    def from_wire(cls, value: Any) -> Snapshot:
        """MessageError unless a JSON object; inside it, forgiving row by row (see the
        module's words): a display shows what it can of a damaged state."""
        body = _object(value, "the queue state")
        seq, day, at = body.get("seq"), body.get("day"), body.get("at")
        services: dict[str, ServiceState] = {}
        for row in _rows(body.get("services")):
            service = ServiceState.read(row)
            if service is not None:
                services.setdefault(service.id, service)  # the first row of an id counts
        return cls(
            seq=seq if _whole(seq) and seq >= 0 else None,
            day=day if isinstance(day, str) else None,
            services=tuple(services.values()),
            serving=tuple(s for s in map(Serving.read, _rows(body.get("serving"))) if s),
            last_call=LastCall.read(body.get("last_call")),
            at=at if isinstance(at, str) else None,
            recent=_read_rows(RecentCall.read, body.get("recent")),
            rooms=_read_rows(RoomRow.read, body.get("rooms")),
            help_wanted=_read_rows(HelpWanted.read, body.get("help_wanted")))

    @classmethod
    def from_payload(cls, payload: bytes) -> Snapshot:
        return cls.from_wire(decode(payload))

    def service(self, service_id: str) -> ServiceState | None:
        return next((s for s in self.services if s.id == service_id), None)

    def open_services(self) -> set[str]:
        return {s.id for s in self.services if s.open}

    def call(self, call_id: str) -> Serving | None:
        return next((s for s in self.serving if s.call_id == call_id), None)

    def call_ids(self) -> list[str]:
        """Every call id the snapshot shows, newest call last (the last call last of all)."""
        found = [s.call_id for s in reversed(self.serving)]
        return [*found, self.last_call.call_id] if self.last_call else found

    @classmethod
    def or_empty(cls, snapshot: Snapshot | dict[str, Any]) -> Snapshot:
        """A snapshot as a screen keeps it: the wire's object read, one that is no snapshot
        an empty one (nothing shown rather than something wrong)."""
        if isinstance(snapshot, Snapshot):
            return snapshot
        try:
            return cls.from_wire(snapshot)
        except MessageError:
            return EMPTY_SNAPSHOT

    def calls(self) -> list[tuple[str, str | None, str | None]]:
        """Every call the snapshot shows as (call id, ticket, room), newest last; the last
        call, when it is no longer served, without its ticket and room."""
        rows = {s.call_id: (s.ticket, s.room) for s in self.serving}
        return [(call_id, *rows.get(call_id, (None, None))) for call_id in self.call_ids()]

    def room(self, room_id: str) -> RoomRow | None:
        return next((r for r in self.rooms if r.id == room_id), None)


def _rows(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _read_rows(read: Any, value: Any) -> tuple[Any, ...]:
    """The rows `read` could make sense of, in order; the others left out."""
    return tuple(row for row in map(read, _rows(value)) if row is not None)


EMPTY_SNAPSHOT = Snapshot(seq=None, day=None)


# -- events and alerts --------------------------------------------------------------------

EVENT_KEYS = ("id", "seq", "type", "at", "day")


@dataclass(frozen=True)
class Event:
    """A ledger event on `queue/events`: its own fields, then `id`, `seq`, `type`, `at`
    and `day` (the envelope wins over a field of the same name)."""

    id: str
    seq: int
    type: str
    at: str
    day: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        return {**self.data, "id": self.id, "seq": self.seq, "type": self.type, "at": self.at,
                "day": self.day}

    @classmethod
    def from_wire(cls, value: Any) -> Event:
        body = _object(value, "an event")
        seq = body.get("seq")
        if not (_whole(seq) and seq >= 1):
            raise MessageError("'seq' must be a whole number from 1")
        return cls(id=_text(body, "id"), seq=seq, type=_text(body, "type"),
                   at=_text(body, "at"), day=_text(body, "day"),
                   data={k: v for k, v in body.items() if k not in EVENT_KEYS})


@dataclass(frozen=True)
class Words:
    """A text in the three languages of a service point."""

    fi: str
    sv: str
    en: str

    def to_wire(self) -> dict[str, str]:
        return {"fi": self.fi, "sv": self.sv, "en": self.en}

    @classmethod
    def from_wire(cls, value: Any) -> Words:
        body = _object(value, "'message'")
        texts = [body.get(lang) for lang in ("fi", "sv", "en")]
        if not all(isinstance(t, str) and t for t in texts):
            raise MessageError("'message' must have the words in fi, sv and en")
        return cls(*texts)


ALERT_KEYS = ("id", "at", "kind", "severity", "state", "message")


@dataclass(frozen=True)
class Alert:
    """An alert on `alert/{kind}`: who raised what, in words for the staff, and the kind's
    own fields (`service`, `waiting`, `device`, `roles`...) in `details`."""

    id: str
    at: str
    kind: str
    severity: str  # info, warning, critical
    message: Words
    state: str | None = None  # raised, cleared
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"id": self.id, "at": self.at, "kind": self.kind,
                                "severity": self.severity}
        if self.state is not None:
            wire["state"] = self.state
        wire.update(self.details)
        wire["message"] = self.message.to_wire()
        return wire

    @classmethod
    def from_wire(cls, value: Any) -> Alert:
        body = _object(value, "an alert")
        return cls(id=_text(body, "id"), at=_text(body, "at"), kind=_text(body, "kind"),
                   severity=_text(body, "severity"), message=Words.from_wire(body.get("message")),
                   state=_text_or_none(body, "state"),
                   details={k: v for k, v in body.items() if k not in ALERT_KEYS})

    @property
    def about(self) -> str:
        """Which thing the alert is about: a later alert of the same key replaces it."""
        about = next((self.details[k] for k in ("service", "device", "room")
                      if self.details.get(k)), "")
        return f"{self.kind}:{about}"


# -- following a ticket on a phone --------------------------------------------------------

PUBLIC_VERSION = 1
PUBLIC_STATUSES = ("waiting", "called", "done", "no_show")
LANGS = ("fi", "sv", "en")
_KEY = re.compile(r"[0-9a-f]{32}")
_NUMBER = re.compile(r"[A-Z]?\d{3}")
_ID = re.compile(r"[a-z0-9-]{1,32}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
NEXT_MAX = 8  # a visit's further authorities (as an issue's `then`)


def _names(value: Any, what: str) -> Words:
    body = _object(value, what)
    texts = [body.get(lang) for lang in LANGS]
    if not all(isinstance(t, str) and t for t in texts):
        raise MessageError(f"{what} must have the words in fi, sv and en")
    return Words(*texts)


def _matching(body: dict[str, Any], key: str, pattern: re.Pattern[str], what: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise MessageError(f"'{key}' must be {what}")
    return value


def _moment(body: dict[str, Any], key: str) -> str:
    """A time with its offset, as the controller writes them (2026-12-01T09:00:00+02:00)."""
    value = _text(body, key)
    try:
        known = datetime.fromisoformat(value).tzinfo is not None and "T" in value
    except ValueError:
        known = False
    if not known:
        raise MessageError(f"'{key}' must be a time with its offset")
    return value


@dataclass(frozen=True)
class PublicPlace:
    """An authority or a room on the public page: its id and its name in fi, sv and en."""

    id: str
    name: Words

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.to_wire()}

    @classmethod
    def from_wire(cls, value: Any, what: str) -> PublicPlace:
        body = _object(value, what)
        return cls(_matching(body, "id", _ID, f"{what}'s id"), _names(body.get("name"),
                                                                       f"{what}'s name"))


@dataclass(frozen=True)
class PublicTicket:
    """The retained `public/ticket/{key}`: one ticket as its holder's phone shows it.

    Only what the lobby display shows of that ticket, plus its own place and next step:
    the number, the authority (null on a site with anonymous numbering), where it stands
    (`ahead` and `eta_range` while waiting, null when unknown or not waiting), `almost`
    when few are ahead, the room and call while called, how many times it was called, the
    names of the authorities still to visit. `code_key` is the key of the printed code, so a
    page can find the ticket by it; nothing else of the ticket's secrets is here. `at` is
    when the controller made it; it is published again only when another field changed.
    """

    site: str
    day: str
    at: str
    valid_until: str
    code_key: str
    number: str
    lang: str
    status: str
    service: PublicPlace | None = None
    ahead: int | None = None
    eta_range: tuple[int, int] | None = None
    almost: bool = False
    room: PublicPlace | None = None
    call_id: str | None = None
    calls: int = 0
    next: tuple[Words, ...] = ()
    v: int = PUBLIC_VERSION

    def to_wire(self) -> dict[str, Any]:
        return {"v": self.v, "site": self.site, "day": self.day, "at": self.at,
                "valid_until": self.valid_until, "code_key": self.code_key,
                "number": self.number, "lang": self.lang,
                "service": self.service.to_wire() if self.service else None,
                "status": self.status, "ahead": self.ahead,
                "eta_range": list(self.eta_range) if self.eta_range else None,
                "almost": self.almost,
                "room": self.room.to_wire() if self.room else None,
                "call_id": self.call_id, "calls": self.calls,
                "next": [n.to_wire() for n in self.next]}

    @classmethod
    def from_wire(cls, value: Any) -> PublicTicket:
        """Strict: MessageError for anything but the message (a page shows nothing rather
        than something wrong)."""
        body = _object(value, "a public ticket")
        if body.get("v") != PUBLIC_VERSION or isinstance(body.get("v"), bool):
            raise MessageError(f"'v' must be {PUBLIC_VERSION}")
        status = body.get("status")
        if status not in PUBLIC_STATUSES:
            raise MessageError(f"'status' must be one of {', '.join(PUBLIC_STATUSES)}")
        lang = body.get("lang")
        if lang not in LANGS:
            raise MessageError("'lang' must be fi, sv or en")
        almost, calls = body.get("almost"), body.get("calls")
        if not isinstance(almost, bool):
            raise MessageError("'almost' must be true or false")
        if not (_whole(calls) and calls >= 0):
            raise MessageError("'calls' must be a whole number from 0")
        service, room, upcoming = body.get("service"), body.get("room"), body.get("next")
        if not isinstance(upcoming, list) or len(upcoming) > NEXT_MAX:
            raise MessageError(f"'next' must be a list of at most {NEXT_MAX} names")
        call_id = _text_or_none(body, "call_id")
        for key in ("at", "valid_until"):
            _moment(body, key)
        return cls(
            site=_matching(body, "site", _ID, "a site id"),
            day=_matching(body, "day", _DAY, "a date such as 2026-12-01"),
            at=body["at"], valid_until=body["valid_until"],
            code_key=_matching(body, "code_key", _KEY, "32 hex digits"),
            number=_matching(body, "number", _NUMBER, "a ticket number such as K012"),
            lang=lang, status=status,
            service=None if service is None else PublicPlace.from_wire(service, "'service'"),
            ahead=_count_or_none(body, "ahead"), eta_range=_strict_span(body, "eta_range"),
            almost=almost, room=None if room is None else PublicPlace.from_wire(room, "'room'"),
            call_id=call_id, calls=calls,
            next=tuple(_names(n, "each of 'next'") for n in upcoming))

    @classmethod
    def from_payload(cls, payload: bytes) -> PublicTicket:
        return cls.from_wire(decode(payload))


@dataclass(frozen=True)
class PublicAlive:
    """The retained `public/alive`: the controller is running, as of `at` (every 30 s)."""

    at: str

    def to_wire(self) -> dict[str, Any]:
        return {"at": self.at}

    @classmethod
    def from_wire(cls, value: Any) -> PublicAlive:
        return cls(_moment(_object(value, "the heartbeat"), "at"))


# -- the silent alarm (issue 26) ----------------------------------------------------------
# Three retained messages per room (mqtt_bridge.topics.alarm_*). Strict readers: a payload
# that is not the message raises MessageError, and an alarm is never made up of a guess. An
# empty payload is no message at all: it is how a retained one is removed.

ALARM_VERSION = 1
ALARM_SOURCES = ("key", "console")  # the room unit's alarm key, or the clerk's console page
ALARM_ANSWERS = ("acknowledged", "cleared")
_ALARM_ID = re.compile(r"[0-9a-f]{32}")  # secrets.token_hex(16)
_STAFF_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,64}")


def _version(body: dict[str, Any], version: int) -> None:
    if body.get("v") != version or isinstance(body.get("v"), bool):
        raise MessageError(f"'v' must be {version}")


def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise MessageError(f"'{key}' must be true or false")
    return value


def _one_of(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = body.get(key)
    if value not in allowed:
        raise MessageError(f"'{key}' must be one of {', '.join(allowed)}")
    return str(value)


def _moment_or_none(body: dict[str, Any], key: str) -> str | None:
    return None if body.get(key) is None else _moment(body, key)


@dataclass(frozen=True)
class AlarmRaised:
    """The retained `alarm/{room}/raised`: a clerk asked for help, by the room unit's key or
    the console. `alarm` is a random id; `at` the sender's time; nothing about anyone."""

    alarm: str
    room: str
    at: str
    source: str
    drill: bool = False
    v: int = ALARM_VERSION

    def to_wire(self) -> dict[str, Any]:
        return {"v": self.v, "alarm": self.alarm, "room": self.room, "at": self.at,
                "source": self.source, "drill": self.drill}

    @classmethod
    def from_wire(cls, value: Any) -> AlarmRaised:
        body = _object(value, "an alarm")
        _version(body, ALARM_VERSION)
        return cls(alarm=_matching(body, "alarm", _ALARM_ID, "32 hex digits"),
                   room=_matching(body, "room", _ID, "a room id"), at=_moment(body, "at"),
                   source=_one_of(body, "source", ALARM_SOURCES), drill=_flag(body, "drill"))

    @classmethod
    def from_payload(cls, payload: bytes) -> AlarmRaised:
        return cls.from_wire(decode(payload))


@dataclass(frozen=True)
class AlarmAnswer:
    """The retained `alarm/{room}/answer`: a guard or an advisor acknowledged the alarm
    (`state` acknowledged: help is on its way) or cleared it (it is over). `by` is the
    staff login's name, for the other consoles. It repeats the alarm's own times, so that a
    console, relay or controller that comes later knows the whole alarm from it alone."""

    alarm: str
    room: str
    state: str
    at: str
    by: str
    raised_at: str
    acknowledged_at: str | None = None  # when cleared: when it had been acknowledged
    drill: bool = False
    v: int = ALARM_VERSION

    def to_wire(self) -> dict[str, Any]:
        return {"v": self.v, "alarm": self.alarm, "room": self.room, "state": self.state,
                "at": self.at, "by": self.by, "raised_at": self.raised_at,
                "acknowledged_at": self.acknowledged_at, "drill": self.drill}

    @classmethod
    def from_wire(cls, value: Any) -> AlarmAnswer:
        body = _object(value, "an alarm's answer")
        _version(body, ALARM_VERSION)
        return cls(alarm=_matching(body, "alarm", _ALARM_ID, "32 hex digits"),
                   room=_matching(body, "room", _ID, "a room id"),
                   state=_one_of(body, "state", ALARM_ANSWERS), at=_moment(body, "at"),
                   by=_matching(body, "by", _STAFF_NAME, "a name of 1 to 64 characters"),
                   raised_at=_moment(body, "raised_at"),
                   acknowledged_at=_moment_or_none(body, "acknowledged_at"),
                   drill=_flag(body, "drill"))

    @classmethod
    def from_payload(cls, payload: bytes) -> AlarmAnswer:
        return cls.from_wire(decode(payload))


@dataclass(frozen=True)
class AlarmEscalated:
    """The retained `alarm/{room}/escalated`: nobody acknowledged in time, so the alarm
    role's device `device` escalated it at `at` (`relay`: it switched its relay; false in a
    drill that leaves the building's alarm alone, or with the relay missing)."""

    alarm: str
    room: str
    at: str
    raised_at: str
    device: str
    relay: bool
    drill: bool = False
    v: int = ALARM_VERSION

    def to_wire(self) -> dict[str, Any]:
        return {"v": self.v, "alarm": self.alarm, "room": self.room, "at": self.at,
                "raised_at": self.raised_at, "device": self.device, "relay": self.relay,
                "drill": self.drill}

    @classmethod
    def from_wire(cls, value: Any) -> AlarmEscalated:
        body = _object(value, "an alarm's escalation")
        _version(body, ALARM_VERSION)
        return cls(alarm=_matching(body, "alarm", _ALARM_ID, "32 hex digits"),
                   room=_matching(body, "room", _ID, "a room id"), at=_moment(body, "at"),
                   raised_at=_moment(body, "raised_at"),
                   device=_matching(body, "device", _ID, "a device id"),
                   relay=_flag(body, "relay"), drill=_flag(body, "drill"))

    @classmethod
    def from_payload(cls, payload: bytes) -> AlarmEscalated:
        return cls.from_wire(decode(payload))
