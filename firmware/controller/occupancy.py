"""The controller's side of room occupancy: room units' messages into the ledger, once.

A room unit publishes its room's occupancy retained; the controller records each change as
a `room.occupancy` event, raises `alert/sensor` when a sensor fails and clears it when it
works again (the contract lets only the controller write alerts), and empties raw changes
older than the retention after storing the day's utilisation and walking times.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from firmware.core.events import Event, EventType
from firmware.core.utilisation import parse_occupancy, utilisation, walking_report
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming

log = logging.getLogger(__name__)

SENSOR_ALERT = {
    "raised": ("Huoneen {room} läsnäoloanturi ({side}) ei toimi: {state}.",
               "Närvarosensorn ({side}) i rum {room} fungerar inte: {state}.",
               "The occupancy sensor ({side}) of room {room} is not working: {state}."),
    "cleared": ("Huoneen {room} läsnäoloanturit toimivat taas.",
                "Närvarosensorerna i rum {room} fungerar igen.",
                "The occupancy sensors of room {room} work again."),
}


class OccupancyRecorder:
    """The controller role's memory of each room's last recorded occupancy and of the day
    it last pruned: one per controller, so two controllers in one process (tests, the demo)
    never share it."""

    def __init__(self, role: Any) -> None:
        self.role = role
        self.last: dict[str, dict[str, Any]] = {}  # room -> its last recorded change
        self.pruned_on: date | None = None

    def record(self, message: Incoming) -> bool:
        """A room's occupancy change into the ledger, once.

        Returns True when the message was an occupancy message (recorded or not). A retained
        message seen again (a reconnect, a restart) changes nothing; a malformed one is
        logged and dropped. Old raw changes are pruned once a day; a sensor fault raises
        `alert/sensor` and its end clears it.
        """
        role = self.role
        runtime = role.runtime
        room = topics.room_of_occupancy(runtime.site, message.topic)
        if room is None:
            return False
        if runtime.config.room(room) is None:
            log.warning("occupancy for unknown room %r ignored", room)
            return True
        data = parse_occupancy(message.payload)
        if data is None:
            log.warning("malformed occupancy for room %s ignored", room)
            return True
        last = self.last.get(room) or _last_recorded(role.ledger, room)
        data["room"] = room
        if last is not None and all(last.get(k) == data.get(k)
                                    for k in ("state", "staff", "customer", "since")):
            self.last[room] = last
            return True
        role.controller.record(EventType.ROOM_OCCUPANCY, data)
        self.last[room] = data
        _alert_on_fault(role, room, last, data)
        today = runtime.clock.now().date()
        if self.pruned_on != today:
            self.pruned_on = today
            _prune(role, today)
        return True


def _last_recorded(ledger: Any, room: str) -> dict[str, Any] | None:
    row = ledger.db.execute(
        "SELECT data FROM events WHERE type = 'room.occupancy' "
        "AND json_extract(data, '$.room') = ? ORDER BY seq DESC LIMIT 1", [room]).fetchone()
    return json.loads(row[0]) if row else None


def _alert_on_fault(role: Any, room: str, last: dict[str, Any] | None,
                    data: dict[str, Any]) -> None:
    faults = data.get("faults") or {}
    before = (last or {}).get("faults") or {}
    if faults == before:
        return
    state = "raised" if faults else "cleared"
    role.controller.record(EventType.DEVICE_FAULT, {
        "room": room, "part": "occupancy_sensor", "state": state, "sides": faults})
    side = ", ".join(f"{k}: {v}" for k, v in faults.items()) or "-"
    fi, sv, en = SENSOR_ALERT[state]
    values = {"room": room, "side": side, "state": side}
    role.alert("sensor", "warning" if faults else "info", state,
               {"fi": fi.format(**values), "sv": sv.format(**values), "en": en.format(**values)},
               {"room": room, "sides": faults})
    log.warning("occupancy sensors of room %s: %s %s", room, state, faults)


def _prune(role: Any, today: date) -> None:
    """Raw occupancy changes older than the retention lose their contents (about rooms, but
    kept no longer than the statistics need). The day's utilisation and walking times are
    stored first, so `piste stats` still reports the day. The rows themselves stay, emptied:
    the ledger's seq has no holes for a receiver that asks for a replay."""
    days = role.runtime.config.rules.occupancy_retention_days
    cutoff = (today - timedelta(days=days)).isoformat()
    ledger = role.ledger
    old_days = [row[0] for row in ledger.db.execute(
        "SELECT DISTINCT day FROM events WHERE type = 'room.occupancy' AND day < ? "
        "AND data != ?", [cutoff, PRUNED]).fetchall()]
    for day in old_days:
        if ledger.room_report(day) is None:
            ledger.store_room_report(day, room_reports(
                ledger.events_of_day(day), role.runtime.config, day,
                now=role.runtime.clock.now()))
        with ledger.writing():
            cursor = ledger.db.execute(
                "UPDATE events SET data = ? WHERE type = 'room.occupancy' AND day = ?",
                [PRUNED, day])
        log.info("pruned %d occupancy changes of %s (its report is kept)", cursor.rowcount, day)


PRUNED = json.dumps({"pruned": True})


def room_reports(events: list[Event], config: SiteConfig, day: str,
                 now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """Utilisation and walking times, when the day has occupancy data at all."""
    if not any(e.type is EventType.ROOM_OCCUPANCY for e in events):
        return {}
    tz = ZoneInfo(config.site.timezone)
    when = date.fromisoformat(day)
    ranges = [(datetime.combine(when, r.start, tz), datetime.combine(when, r.end, tz))
              for r in config.site.opening_hours.on(when.weekday())]
    # Up to now on the running day; a day recorded on a shifted clock (the demo) up to its
    # last event; a finished day up to closing time.
    latest = max(now or datetime.now(tz), max(e.at for e in events))
    end = min(latest, ranges[-1][1]) if ranges else latest
    return {
        "utilisation": utilisation(events, [r.id for r in config.rooms], ranges, end, tz),
        "walking": walking_report(events, end),
    }
