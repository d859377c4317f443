"""The retained `queue/state` snapshot every display needs, made from the day's queue."""

from __future__ import annotations

from datetime import datetime

from firmware.core import estimate, service_hours
from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig
from mqtt_bridge.messages import (
    HelpWanted,
    LastCall,
    RecentCall,
    RoomRow,
    ServiceState,
    Serving,
    Snapshot,
)


def _service_row(state: QueueState, config: SiteConfig, service_id: str, now: datetime,
                 forecast: estimate.Forecast) -> ServiceState:
    service = config.service(service_id)
    assert service is not None
    is_open = service_hours.is_open(service, config.site, now)
    upcoming = None if is_open else service_hours.next_open(service, config.site, now)
    # The estimate for someone who takes a number now: everyone waiting is ahead. None when
    # no room serves the authority (unknown, not zero).
    served = any(service_id in r.services for r in config.rooms)
    wait = forecast.newcomer(service_id) if served else None
    return ServiceState(
        id=service_id, waiting=state.waiting_count(service_id),
        eta_minutes=round(wait) if wait is not None else None,
        eta_range=estimate.eta_range(wait), open=is_open,
        next_open=_time(upcoming) if upcoming else None)


def build(state: QueueState, config: SiteConfig, now: datetime,
          forecast: estimate.Forecast | None = None) -> Snapshot:
    if forecast is None:  # once for every authority
        forecast = estimate.forecast(state, config, now)
    # An anonymous site does not tell the lobby which authority a called number visits.
    anonymous = config.site.anonymous_numbering
    serving = tuple(
        Serving(ticket=call.ticket, room=call.room, call_id=call.call_id,
                called_at=_time(call.at), service=None if anonymous else call.service,
                lang=call.lang)
        for call in sorted(state.serving.values(), key=lambda c: c.at, reverse=True))
    last = state.last_call
    return Snapshot(
        seq=state.seq, day=state.day, at=_time(now),
        services=tuple(_service_row(state, config, s.id, now, forecast)
                       for s in config.services),
        serving=serving,
        last_call=LastCall(last.ticket, last.room, last.call_id, _time(last.at), last.lang)
        if last else None,
        recent=tuple(RecentCall(ticket=c.ticket, room=c.room, call_id=c.call_id, at=_time(c.at),
                                lang=c.lang, service=None if anonymous else c.service)
                     for c in state.recent),
        rooms=tuple(room_row(state, config, room.id) for room in config.rooms),
        # A kiosk id and since when: who pressed the key is nobody's business.
        help_wanted=tuple(HelpWanted(device, _time(since))
                          for device, since in sorted(state.help_wanted.items(),
                                                      key=lambda item: item[1])))


def room_row(state: QueueState, config: SiteConfig, room_id: str) -> RoomRow:
    """A room as the snapshot and the room commands' answers tell of it."""
    room = config.room(room_id)
    assert room is not None
    now = state.room_state(room_id, room.languages)
    return RoomRow(id=room_id, state=now.state, reason=now.reason,
                   since=_time(now.since) if now.since else None,
                   languages=tuple(now.languages or room.languages))


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
