"""The silent alarm's figures for the safety team (issue 26): per month, how many alarms,
how many escalated, how soon someone acknowledged them, and how many were cleared without
anyone acknowledging them first. Drills are counted apart, in rows of their own, so that a
month of exercises never looks like a month of threats.

From the ledger's `alarm.*` events (the controller records each alarm's raise,
acknowledgement, escalation and clear once, at their own times): events in, rows out, the
same for the console's statistics page (one site) and the national report (each site).

- An alarm belongs to the month (in the site's time zone) of its raise.
- `count`: the alarms (or drills) raised that month; `escalated` and `acknowledged`: how
  many of them were; `cleared_unacknowledged`: cleared with no acknowledgement before (the
  controller records none for such a clear).
- Time to acknowledge: the `after_s` of each acknowledgement (seconds from the raise);
  median, 90th percentile (`statistics.quantiles`, inclusive method: the value itself for
  one alarm) and the longest, to 0.1 s; None when nothing was acknowledged.

Pure: no clock, no ledger, no network.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from firmware.core.events import Event, EventType

ALARM_EVENT_TYPES = (EventType.ALARM_RAISED, EventType.ALARM_ACKNOWLEDGED,
                     EventType.ALARM_ESCALATED, EventType.ALARM_CLEARED)
KINDS = ("alarm", "drill")  # the rows of each month: real alarms, then drills
ALARM_COLUMNS = ["month", "kind", "count", "escalated", "acknowledged", "ack_median_s",
                 "ack_p90_s", "ack_longest_s", "cleared_unacknowledged"]


def readable(kind: EventType, data: Mapping[str, Any]) -> bool:
    """Whether an alarm event has what the figures read: its alarm and room as text, a
    drill flag, an acknowledgement's seconds as a number not below 0."""
    if not (isinstance(data.get("alarm"), str) and data["alarm"]
            and isinstance(data.get("room"), str) and isinstance(data.get("drill"), bool)):
        return False
    if kind is EventType.ALARM_ACKNOWLEDGED:
        after = data.get("after_s")
        return (isinstance(after, int | float) and not isinstance(after, bool)
                and 0 <= after < float("inf"))
    return True


@dataclass
class _Alarm:
    """One alarm as its events tell it."""

    drill: bool = False
    raised_at: datetime | None = None
    first_seen: datetime | None = None  # its earliest event, if its raise is missing
    after_s: float | None = None
    escalated: bool = False
    cleared: bool = False

    @property
    def began(self) -> datetime:
        if self.raised_at is not None:
            return self.raised_at
        assert self.first_seen is not None
        return self.first_seen

    def add(self, event: Event) -> None:
        self.drill = self.drill or bool(event.data.get("drill"))
        at = event.at
        if event.type is EventType.ALARM_RAISED:
            self.raised_at = at
        elif event.type is EventType.ALARM_ACKNOWLEDGED:
            self.after_s = float(event.data["after_s"])
            at = at - timedelta(seconds=self.after_s)  # when it was raised
        elif event.type is EventType.ALARM_ESCALATED:
            self.escalated = True
        elif event.type is EventType.ALARM_CLEARED:
            self.cleared = True
        self.first_seen = at if self.first_seen is None else min(self.first_seen, at)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def p90(values: list[float]) -> float | None:
    """The 90th percentile by `statistics.quantiles` (inclusive), None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def _row(month: str, kind: str, alarms: list[_Alarm]) -> dict[str, Any]:
    times = [a.after_s for a in alarms if a.after_s is not None]
    return {"month": month, "kind": kind, "count": len(alarms),
            "escalated": sum(a.escalated for a in alarms),
            "acknowledged": len(times),
            "ack_median_s": _round(statistics.median(times) if times else None),
            "ack_p90_s": _round(p90(times)),
            "ack_longest_s": _round(max(times, default=None)),
            "cleared_unacknowledged": sum(a.cleared and a.after_s is None for a in alarms)}


def alarm_months(events: Iterable[Event], tz: tzinfo) -> list[dict[str, Any]]:
    """Per month with any alarm or drill (in order): its alarms' row, then its drills'
    (both always, so every month has the same two rows). Other events and alarm events the
    figures cannot read are passed over."""
    alarms: dict[str, _Alarm] = {}
    for event in events:
        if event.type in ALARM_EVENT_TYPES and readable(event.type, event.data):
            alarm = alarms.setdefault(event.data["alarm"], _Alarm())
            try:
                alarm.add(event)
            except OverflowError:  # a time at the calendar's end: not one of ours
                continue
    months: dict[str, dict[str, list[_Alarm]]] = {}
    for alarm in alarms.values():
        if alarm.first_seen is None:
            continue  # none of its events could be read
        try:
            month = alarm.began.astimezone(tz).strftime("%Y-%m")
        except OverflowError:
            continue
        kinds = months.setdefault(month, {kind: [] for kind in KINDS})
        kinds["drill" if alarm.drill else "alarm"].append(alarm)
    return [_row(month, kind, months[month][kind]) for month in sorted(months)
            for kind in KINDS]
