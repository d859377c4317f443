"""The silent alarm as the staff console keeps it (issue 26): the site's alarms folded from
the three retained messages of `alarm/{room}/...`, the console's own raises and answers,
and what of it each staff role's pages may see.

The web role feeds every alarm message here and sends what `raise_alarm` and `answer`
build; the pages get `view()` inside the lobby view, and `shape_alarms` trims it per role:
the guard and the advisors see every alarm (they answer them), a clerk sees the quiet
state of their own room's alarm and every staff member is told when an alarm escalated.

A raise the console sent stays retained until the alarm is acknowledged; then the console
removes it (an empty retained payload), as a room unit removes its own. It recognises its
own raises by their `source` ("console") on the wire, not by memory, so a console that
restarted in the middle still tidies up after itself.

Pure: no paho, no web server; `publish(topic, payload)` is handed in and time comes in.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from firmware.core.alarm import (
    ACKNOWLEDGED,
    CLEARED,
    RAISED,
    AlarmBoard,
    Change,
    Episode,
    moment,
    new_alarm_id,
)
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import AlarmAnswer, AlarmRaised, MessageError

log = logging.getLogger(__name__)
TODAY_KEPT = 100  # alarms kept for the guard's list of today (a flood cannot grow it)
# Who answers alarms and sees them ring.
ANSWERING_ROLES = ("guard", "advisor")
# Outcomes of the console's own actions (the routes put them in words).
SENT, ALREADY, DONE, UNKNOWN, OVER, NO_ROOM = (
    "sent", "already", "done", "unknown", "over", "no_room")

Publish = Callable[[str, bytes], None]  # retained, QoS 1


def _at(value: datetime | None) -> str | None:
    return moment(value) if value is not None else None


class AlarmDesk:
    def __init__(self, config: SiteConfig, publish: Publish) -> None:
        self.config = config
        self.board = AlarmBoard()
        self.version = 0  # grows with every change the pages should see
        self._publish = publish
        self._zone = ZoneInfo(config.site.timezone)
        self._today: OrderedDict[str, Episode] = OrderedDict()  # first alarm id -> episode
        self._retained_raise: dict[str, AlarmRaised] = {}  # room -> its retained raise

    @property
    def site(self) -> str:
        return self.config.site.id

    def filters(self) -> list[str]:
        return [topics.alarm_filter(self.site)]

    # -- the wire ---------------------------------------------------------------------------

    def take(self, topic: str, payload: bytes, now: datetime) -> bool:
        """Fold one message in if it is an alarm topic; False for any other topic."""
        found = topics.parse_alarm(self.site, topic)
        if found is None:
            return False
        room, part = found
        if part == "raised":
            self._note_raise(room, payload)
        try:
            changes = self.board.on_payload(part, payload, now)
        except MessageError as exc:
            log.warning("console: an alarm message on %s that is no such message: %s",
                        topic, exc)
            return True
        self._apply(changes)
        self._tidy(room)
        return True

    def _note_raise(self, room: str, payload: bytes) -> None:
        if not payload:
            self._retained_raise.pop(room, None)
            return
        try:
            raised = AlarmRaised.from_payload(payload)
        except MessageError:
            return  # the board says so
        if raised.room == room:
            self._retained_raise[room] = raised

    def _apply(self, changes: list[Change]) -> None:
        for change in changes:
            if change.kind == RAISED:
                self._today[change.episode.alarm] = change.episode
                while len(self._today) > TODAY_KEPT:
                    self._today.popitem(last=False)
        if changes:
            self.version += 1

    def _tidy(self, room: str) -> None:
        """Remove this console's retained raise of `room` once its alarm is answered."""
        raised = self._retained_raise.get(room)
        if raised is None or raised.source != "console":
            return
        episode = self.board.episode(raised.alarm)
        if episode is not None and episode.state != RAISED:
            del self._retained_raise[room]
            self._publish(topics.alarm_raised(self.site, room), b"")

    # -- the console's own actions ------------------------------------------------------------

    def raise_alarm(self, room: str, drill: bool, now: datetime) -> str:
        """A clerk's raise (or a drill) for `room`: SENT, ALREADY when the room's alarm is
        still on (nothing is sent: one room, one banner) or NO_ROOM."""
        if self.config.room(room) is None:
            return NO_ROOM
        current = self.board.of_room(room)
        if current is not None and current.state != CLEARED:
            return ALREADY
        message = AlarmRaised(alarm=new_alarm_id(), room=room, at=moment(now),
                              source="console", drill=drill)
        self._send(topics.alarm_raised(self.site, room), message.to_wire())
        self.take(topics.alarm_raised(self.site, room), _payload(message.to_wire()), now)
        return SENT

    def answer(self, alarm: str, state: str, by: str, now: datetime) -> tuple[str, Episode | None]:
        """A guard's or advisor's acknowledge or clear: (DONE, episode), (ALREADY, episode)
        when it was acknowledged before (nothing is sent), (OVER, episode) when cleared
        already, or (UNKNOWN, None)."""
        episode = self.board.episode(alarm)
        if episode is None:
            return UNKNOWN, None
        if episode.state == CLEARED:
            return OVER, episode
        if state == ACKNOWLEDGED and episode.state == ACKNOWLEDGED:
            return ALREADY, episode
        message = AlarmAnswer(
            alarm=episode.alarm, room=episode.room, state=state, at=moment(now), by=by,
            raised_at=moment(episode.raised_at),
            acknowledged_at=_at(episode.acknowledged_at) if state == CLEARED else None,
            drill=episode.drill)
        topic = topics.alarm_answer(self.site, episode.room)
        self._send(topic, message.to_wire())
        self.take(topic, _payload(message.to_wire()), now)
        return DONE, episode

    def _send(self, topic: str, body: dict[str, Any]) -> None:
        self._publish(topic, _payload(body))

    # -- what the pages read --------------------------------------------------------------

    def view(self, now: datetime) -> dict[str, Any]:
        """Every alarm not yet cleared (oldest first) and today's alarms (newest first)."""
        today = now.astimezone(self._zone).date()
        return {
            "alarms": [self._row(e) for e in self.board.active()],
            "alarm_today": [self._row(e) for e in reversed(self._today.values())
                            if e.raised_at.astimezone(self._zone).date() == today
                            or e.state != CLEARED],
        }

    def _row(self, episode: Episode) -> dict[str, Any]:
        room = self.config.room(episode.room)
        return {
            "alarm": episode.alarm, "room": episode.room,
            "names": room.name.as_dict() if room is not None else {},
            "state": episode.state, "ringing": episode.ringing, "drill": episode.drill,
            "source": episode.source, "raised_at": moment(episode.raised_at),
            "again_at": _at(episode.again_at),
            "acknowledged_at": _at(episode.acknowledged_at),
            "acknowledged_by": episode.acknowledged_by,
            "escalated_at": _at(episode.escalated_at), "relay": episode.relay,
            "cleared_at": _at(episode.cleared_at), "cleared_by": episode.cleared_by,
        }


def _payload(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def shape_alarms(view: dict[str, Any], role: str, room: str | None) -> dict[str, Any]:
    """The alarm part of the live view for one role: the guard and advisors everything;
    every role the escalation notices; a clerk the quiet state of their own room's alarm."""
    alarms = view.get("alarms", [])
    notices = [{k: a[k] for k in ("alarm", "room", "names", "escalated_at", "drill")}
               for a in alarms if a.get("escalated_at")]
    shaped: dict[str, Any] = {"alarm_notices": notices}
    if role in ANSWERING_ROLES:
        shaped["alarms"] = alarms
        shaped["alarm_today"] = view.get("alarm_today", [])
    if role == "clerk":
        own = next((a for a in alarms if a["room"] == room), None)
        shaped["alarm_own"] = None if own is None else {
            k: own[k] for k in ("alarm", "state", "raised_at", "acknowledged_at", "drill")}
    return shaped
