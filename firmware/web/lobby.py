"""The whole lobby as the staff console sees it, folded from what the broker carries.

The web role feeds every message it receives here: the retained queue snapshot, each
device's status and health, each room's occupancy, the alerts and the queue events. The
console's pages and its live push read `view()`, one JSON-ready dict. Pure: no paho, no
web server; the role calls it on the runtime's thread and hands copies to the server.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from firmware.site_model import LANGS, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import EMPTY_SNAPSHOT, RoomRow, ServiceState, Snapshot
from mqtt_bridge.payloads import state_of

RECENT_EVENTS = 40  # the advisor's "what just happened" list
RECENT_ALERTS = 30
# The queue events the advisor's "just now" list shows (a number, never a person).
EVENT_TYPES = ("ticket.issued", "ticket.called", "ticket.recalled", "ticket.no_show",
               "ticket.completed", "ticket.transferred", "ticket.cancelled",
               "ticket.reinstated", "ticket.continued", "ticket.leg_added", "ticket.reprinted")
# What the console keeps of a ticket for the clerk who calls it and the advisor (never on a
# public screen): its language, whether it needs assistance, its next authorities and leg.
NOTE_KEYS = ("lang", "assistance", "then", "leg")
# The events that leave a room free again: what its clerk last did, once nobody is served.
ROOM_ENDINGS = ("ticket.completed", "ticket.no_show", "ticket.transferred")
# A room unit's sensor side in these states is fine (starting: no reading settled yet).
SENSOR_FINE = ("ok", "starting")


def _alert_key(alert: dict[str, Any]) -> str:
    """Which thing an alert is about: a later alert of the same key replaces it."""
    about = alert.get("service") or alert.get("device") or alert.get("room") or ""
    return f"{alert.get('kind', '?')}:{about}"


@dataclass
class LobbyView:
    config: SiteConfig
    version: int = 0  # grows with every change: the live push sends only new versions
    snapshot: Snapshot | None = None  # the controller's latest queue/state
    status: dict[str, dict[str, Any]] = field(default_factory=dict)
    health: dict[str, dict[str, Any]] = field(default_factory=dict)
    occupancy: dict[str, dict[str, Any]] = field(default_factory=dict)
    active_alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    recent_alerts: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=RECENT_ALERTS))
    recent_events: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=RECENT_EVENTS))
    ticket_services: dict[str, str] = field(default_factory=dict)  # number -> authority
    room_last: dict[str, dict[str, Any]] = field(default_factory=dict)  # room -> its last ending
    ticket_notes: dict[str, dict[str, Any]] = field(default_factory=dict)  # number -> NOTE_KEYS
    link_up: bool = False

    @property
    def site(self) -> str:
        return self.config.site.id

    def filters(self) -> list[str]:
        """The topics the console subscribes to."""
        root = topics.site_root(self.site)
        return [topics.queue_state(self.site), topics.queue_events(self.site),
                f"{root}/device/+/status", f"{root}/device/+/health",
                f"{root}/room/+/occupancy", f"{root}/alert/#"]

    def set_link(self, up: bool) -> None:
        if up != self.link_up:
            self.link_up = up
            self.version += 1

    def take(self, topic: str, payload: bytes) -> str | None:
        """Fold one message in. Returns what changed ("state", "device", "room", "alert",
        "event"), or None for a message the console does not use (or cannot read)."""
        levels = topics.levels(self.site, topic)
        if levels is None:
            return None
        parts = list(levels)
        if not _used(parts):
            # A device with the controller role too hands the console every command it gets:
            # those are not decoded here at all.
            return None
        data = state_of(payload) if payload else {}
        if data is None:
            return None
        changed = self._take(parts, data)
        if changed:
            self.version += 1
        return changed

    def _take(self, parts: list[str], data: dict[str, Any]) -> str | None:  # see _used
        match parts:
            case ["queue", "state"]:
                state = Snapshot.from_wire(data) if data else None  # empty: retained cleared
                if (self.snapshot.day if self.snapshot else None) != (
                        state.day if state else None):
                    self.room_last.clear()  # yesterday's last number is not today's
                    self.ticket_notes.clear()
                self.snapshot = state
                return "state"
            case ["queue", "events"]:
                return self._event(data)
            case ["device", device, "status"]:
                self.status[device] = data
                return "device"
            case ["device", device, "health"]:
                self.health[device] = data
                return "device"
            case ["room", room, "occupancy"]:
                self.occupancy[room] = data
                return "room"
            case ["alert", _]:
                return self._alert(data)
        return None

    def note_ticket(self, ticket: dict[str, Any]) -> None:
        """What a command's answer told of a ticket (the console's own actions)."""
        number = ticket.get("number")
        if isinstance(number, str):
            self._note(number, ticket)
            self.version += 1

    def _note(self, number: str, data: dict[str, Any]) -> None:
        note = self.ticket_notes.setdefault(number, {})
        if data.get("lang") in LANGS:
            note["lang"] = data["lang"]
        if isinstance(data.get("assistance"), bool):
            note["assistance"] = data["assistance"]
        if isinstance(data.get("then"), list):
            note["then"] = [s for s in data["then"] if isinstance(s, str)]
        if isinstance(data.get("leg"), int) and not isinstance(data.get("leg"), bool):
            note["leg"] = data["leg"]

    def _event(self, data: dict[str, Any]) -> str | None:
        kind = data.get("type")
        number = data.get("number") or data.get("ticket")
        if kind in ("ticket.assistance", "ticket.issued", "ticket.called", "ticket.recalled",
                    "ticket.leg_added", "ticket.continued") and isinstance(number, str):
            self._note(number, data)
        if kind not in EVENT_TYPES or not isinstance(number, str):
            return None
        # The authority it waits for or is served by now (an added leg is for later).
        service = data.get("to_service") or (data.get("service")
                                             if kind != "ticket.leg_added" else None)
        if isinstance(service, str):
            self.ticket_services[number] = service
        self.recent_events.appendleft({
            "at": data.get("at"), "type": kind, "number": number,
            "service": self.ticket_services.get(number), "room": data.get("room")})
        if kind in ROOM_ENDINGS and isinstance(data.get("room"), str):
            self.room_last[data["room"]] = {"type": kind, "number": number, "at": data.get("at")}
        return "event"

    def _alert(self, data: dict[str, Any]) -> str | None:
        if not isinstance(data.get("kind"), str):
            return None
        if data.get("id") is not None and any(a.get("id") == data["id"]
                                              for a in self.recent_alerts):
            # The controller's outbox sends again what the broker had not acknowledged when
            # a link dropped: an old "raised" arriving after its "cleared" must not raise it
            # again on the console, nor stand twice in the list.
            return None
        key = _alert_key(data)
        if data.get("state") == "cleared":
            self.active_alerts.pop(key, None)
        else:
            self.active_alerts[key] = data
        self.recent_alerts.appendleft(data)
        return "alert"

    # -- what the pages read --------------------------------------------------------------

    def services(self) -> list[dict[str, Any]]:
        state = self.snapshot or EMPTY_SNAPSHOT
        return [self._service(s.id, s.prefix, s.name.as_dict(),
                              state.service(s.id) or ServiceState(s.id))
                for s in self.config.services]

    def _service(self, service_id: str, letter: str, names: dict[str, str],
                 row: ServiceState) -> dict[str, Any]:
        is_open = row.open
        return {"id": service_id, "letter": letter, "names": names,
                "waiting": row.waiting, "eta_minutes": row.eta_minutes,
                "open": is_open, "next_open": row.next_open,
                # A closed authority is never called congested, whatever alert was last
                # heard (the controller clears it on closing; one from before a restart of
                # the controller may linger).
                "congested": is_open and f"congestion:{service_id}" in self.active_alerts}

    def rooms(self) -> list[dict[str, Any]]:
        snapshot = self.snapshot or EMPTY_SNAPSHOT
        serving = {c.room: c for c in snapshot.serving}
        rows = []
        for room in self.config.rooms:
            call = serving.get(room.id)
            ticket = None
            if call:
                note = self.ticket_notes.get(call.ticket, {})
                ticket = {"number": call.ticket, "called_at": call.called_at,
                          "service": call.service or self.ticket_services.get(call.ticket),
                          "lang": call.lang if call.lang in LANGS else note.get("lang"),
                          "assistance": bool(note.get("assistance")),
                          "then": list(note.get("then", []))}
            occupancy = self.occupancy.get(room.id, {})
            state = snapshot.room(room.id) or RoomRow(room.id)  # not told of: serving
            rows.append({"id": room.id, "names": room.name.as_dict(),
                         "services": list(room.services),
                         "serving": ticket, "last": self.room_last.get(room.id),
                         "occupancy": occupancy.get("state"),
                         "occupancy_since": occupancy.get("since"),
                         "state": state.state, "reason": state.reason,
                         "state_since": state.since,
                         "languages": [x for x in LANGS if x in state.languages]
                         or list(room.languages)})
        return rows

    def devices(self) -> list[dict[str, Any]]:
        rows = []
        for device in self.config.devices:
            status = self.status.get(device.id, {})
            health = self.health.get(device.id, {})
            printer = health.get("printer") if isinstance(health.get("printer"), dict) else None
            rows.append({
                "id": device.id, "roles": list(device.roles), "room": device.room,
                "state": status.get("state", "unknown"), "since": status.get("since"),
                "version": status.get("version"), "health_at": health.get("at"),
                "printer": printer.get("state") if printer else None,
                "problems": _problems(device.roles, status, health),
                "health": health})
        return rows

    def view(self, now: datetime | None = None) -> dict[str, Any]:
        snapshot = self.snapshot or EMPTY_SNAPSHOT
        return {
            "version": self.version,
            "site": self.site,
            "timezone": self.config.site.timezone,
            "connected": self.link_up,
            "day": snapshot.day,
            "at": snapshot.at or (now.isoformat(timespec="seconds") if now else None),
            "services": self.services(),
            "rooms": self.rooms(),
            "devices": self.devices(),
            "alerts": sorted(self.active_alerts.values(), key=lambda a: str(a.get("at"))),
            "recent_alerts": list(self.recent_alerts),
            "events": list(self.recent_events),
            "last_call": snapshot.last_call.to_wire() if snapshot.last_call else None,
            "help_wanted": [wanted.to_wire() for wanted in snapshot.help_wanted],
        }


def _problems(roles: tuple[str, ...], status: dict[str, Any], health: dict[str, Any]
              ) -> list[dict[str, Any]]:
    """What a technician should look at on this device: each a `kind` the pages put in
    words (in the staff member's language) and its details."""
    state = status.get("state")
    if state is None:
        return [{"kind": "never_seen"}]
    if state != "online":
        return [{"kind": "state", "state": str(state), "since": status.get("since")}]
    problems: list[dict[str, Any]] = []
    printer = health.get("printer")
    if "kiosk" in roles and isinstance(printer, dict) and printer.get("state") not in (
            None, "ok"):
        problems.append({"kind": "printer", "state": str(printer.get("state"))})
    faults = _sensor_faults(health.get("sensors"))
    if faults:
        problems.append({"kind": "sensors", "faults": faults})
    for part, value in health.items():
        if part == "sensors" or not isinstance(value, dict):
            continue
        if value.get("state") == "refused":  # a second controller: says which one serves
            problems.append({"kind": "part", "part": part, "state": "refused",
                             "serving": str(value.get("serving") or "?")})
        elif value.get("state") == "error" or value.get("problem"):
            # The device's own words (English, for the technician) follow the sentence.
            problems.append({"kind": "part", "part": part, "state": "error",
                             "detail": str(value.get("problem") or value.get("error") or "")})
    return problems


def _sensor_faults(sensors: Any) -> list[dict[str, str]]:
    """A room unit's sensor sides that are not fine, each as its side and state: from its
    health (`{"staff": {"state": "silent"}, ...}`) or an older `faults` map."""
    if not isinstance(sensors, dict):
        return []
    sides = sensors.get("faults") if isinstance(sensors.get("faults"), dict) else {
        side: value.get("state") for side, value in sensors.items() if isinstance(value, dict)}
    return [{"side": str(side), "status": str(state)} for side, state in sides.items()
            if state not in SENSOR_FINE]


def _used(parts: list[str]) -> bool:
    """Whether the console uses a message on this topic (below the site's root): the ones
    `LobbyView.filters` subscribes to, and no other."""
    match parts:
        case ["queue", "state" | "events"] | ["device", _, "status" | "health"]:
            return True
        case ["room", _, "occupancy"] | ["alert", _]:
            return True
    return False
