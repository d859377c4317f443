"""The retained `queue/state` snapshot and the waiting estimate it carries."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from firmware.core import service_hours
from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig


def rooms_serving(config: SiteConfig, service_id: str) -> int:
    return sum(1 for r in config.rooms if service_id in r.services)


def eta_minutes(state: QueueState, config: SiteConfig, service_id: str, ahead: int) -> int | None:
    """Minutes until a customer with `ahead` people before them is called, or None if unknown.

    Median of recent service durations (robust to one long case), the configured mean before
    there is data, divided over the rooms that serve the service.
    """
    service = config.service(service_id)
    rooms = rooms_serving(config, service_id)
    if service is None or rooms == 0:
        return None
    recent = state.durations.get(service_id)
    per_customer = statistics.median(recent) if recent else service.mean_service_minutes
    return round(ahead * per_customer / rooms)


def build(state: QueueState, config: SiteConfig, now: datetime) -> dict[str, Any]:
    services = []
    for service in config.services:
        waiting = state.waiting_count(service.id)
        is_open = service_hours.is_open(service, config.site, now)
        upcoming = None if is_open else service_hours.next_open(service, config.site, now)
        services.append(
            {
                "id": service.id,
                "waiting": waiting,
                "eta_minutes": eta_minutes(state, config, service.id, waiting),
                "open": is_open,
                "next_open": upcoming.isoformat(timespec="minutes") if upcoming else None,
            }
        )
    # An anonymous site does not tell the lobby which authority a called number visits.
    anonymous = config.site.anonymous_numbering
    serving = [
        {
            "ticket": call.ticket,
            "room": call.room,
            **({} if anonymous else {"service": call.service}),
            "called_at": call.at.isoformat(timespec="seconds"),
            "call_id": call.call_id,
        }
        for call in sorted(state.serving.values(), key=lambda c: c.at, reverse=True)
    ]
    last = state.last_call
    return {
        "seq": state.seq,
        "day": state.day,
        "at": now.isoformat(timespec="seconds"),
        "services": services,
        "serving": serving,
        "last_call": (
            {
                "ticket": last.ticket,
                "room": last.room,
                "call_id": last.call_id,
                "at": last.at.isoformat(timespec="seconds"),
            }
            if last
            else None
        ),
    }
