"""The retained `queue/state` snapshot every display needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from firmware.core import estimate, service_hours
from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig


def _service_row(state: QueueState, config: SiteConfig, service_id: str, now: datetime,
                 forecast: estimate.Forecast) -> dict[str, Any]:
    service = config.service(service_id)
    assert service is not None
    is_open = service_hours.is_open(service, config.site, now)
    upcoming = None if is_open else service_hours.next_open(service, config.site, now)
    # The estimate for someone who takes a number now: everyone waiting is ahead. None when
    # no room serves the authority (unknown, not zero).
    served = any(service_id in r.services for r in config.rooms)
    wait = forecast.newcomer(service_id) if served else None
    span = estimate.eta_range(wait)
    return {
        "id": service_id,
        "waiting": state.waiting_count(service_id),
        "eta_minutes": round(wait) if wait is not None else None,
        "eta_range": list(span) if span else None,
        "open": is_open,
        "next_open": upcoming.isoformat(timespec="seconds") if upcoming else None,
    }


def build(state: QueueState, config: SiteConfig, now: datetime) -> dict[str, Any]:
    forecast = estimate.forecast(state, config, now)  # once for every authority
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
        "services": [_service_row(state, config, s.id, now, forecast)
                     for s in config.services],
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
