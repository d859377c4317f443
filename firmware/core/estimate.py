"""The waiting estimate: how long until a customer with N people ahead is called.

Robust and honest rather than precise: the median of the authority's recent service
durations (one long case does not swing it; the configured mean stands in until there are
a few), spread over the rooms that actually serve the authority now, with a range around
it, and no number at all when no room serves the authority.
"""

from __future__ import annotations

import heapq
import math
import statistics
from datetime import datetime, timedelta

from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig

MIN_SAMPLES = 3  # fewer recent durations than this: lean on the configured mean
RANGE_LOW, RANGE_HIGH = 0.7, 1.4  # service times are skewed: longer waits are likelier


def robust_mean(durations: list[float]) -> float:
    """The typical service time from recent ones, robust to a single odd case.

    Service times are skewed (most are short, a few long), so their median is below their
    mean and a queue forecast from the median runs early. Taking the median and the median
    absolute deviation of the logarithms and correcting as for a log-normal keeps the
    median's robustness without that bias.
    """
    logs = [math.log(d) for d in durations]
    mid = statistics.median(logs)
    spread = min(1.0, 1.4826 * statistics.median(abs(x - mid) for x in logs))
    return math.exp(mid + spread * spread / 2)


def minutes_per_customer(state: QueueState, config: SiteConfig, service_id: str) -> float:
    service = config.service(service_id)
    default = service.mean_service_minutes if service else 10.0
    recent = [d for d in state.durations.get(service_id, ()) if d > 0]
    if len(recent) >= MIN_SAMPLES:
        return robust_mean(recent)
    # Blend: each real duration moves the figure a step from the configured mean.
    return (default * (MIN_SAMPLES - len(recent)) + sum(recent)) / MIN_SAMPLES


def active_rooms(
    state: QueueState, config: SiteConfig, now: datetime
) -> dict[str, tuple[str, ...]]:
    """Rooms that served recently, with the services they called for.

    A room counts when it called within the estimate window or holds a called ticket now.
    Before any room has called today, every configured room counts as it is configured.
    """
    window = timedelta(minutes=config.rules.estimate_window_minutes)
    active: dict[str, tuple[str, ...]] = {}
    for room_id, (at, services) in state.room_calls.items():
        if now - at <= window or room_id in state.serving:
            active[room_id] = services
    for room_id, call in state.serving.items():
        active.setdefault(room_id, (call.service,))
    if not active and not state.room_calls:
        active = {r.id: r.services for r in config.rooms}
    return active


def _room_free_in(state: QueueState, config: SiteConfig, room_id: str, now: datetime) -> float:
    """Minutes until a room is expected to call again."""
    call = state.serving.get(room_id)
    if call is None:
        return 0.0
    per = minutes_per_customer(state, config, call.service)
    elapsed = (now - call.at).total_seconds() / 60
    # A case that runs long is likely to end soon, but not this instant.
    return max(per - elapsed, per * 0.2)


def forecast(state: QueueState, config: SiteConfig, now: datetime,
             newcomer: str | None = None) -> dict[str, float]:
    """Minutes until each waiting ticket is called, by playing the calling rule forward.

    Rooms free up one after another; each takes the longest-waiting ticket among the
    services it serves (the rule the controller uses), and is busy for the authority's
    typical service time. `newcomer` adds a ticket taken now for that service, returned
    under the key "+". Tickets no active room serves are absent (unknown).
    """
    rooms = active_rooms(state, config, now)
    queues = {s: list(q) for s, q in state.waiting.items() if q}
    for service, entries in state.appointments.items():
        # Appointments go first once due; forecast them at the head by appointment time.
        queues.setdefault(service, [])
        queues[service] = sorted(entries) + queues[service]
    if newcomer is not None:
        queues.setdefault(newcomer, []).append((now, "+"))
    free_at = [(_room_free_in(state, config, r, now), r) for r in sorted(rooms)]
    heapq.heapify(free_at)
    result: dict[str, float] = {}
    while free_at:
        at, room_id = heapq.heappop(free_at)
        heads = [(queues[s][0], s) for s in rooms[room_id] if queues.get(s)]
        if not heads:
            continue  # nothing more this room could take: it drops out of the forecast
        (_, number), service = min(heads)
        queues[service].pop(0)
        result[number] = at
        heapq.heappush(free_at, (at + minutes_per_customer(state, config, service), room_id))
    return result


def expected_wait(state: QueueState, config: SiteConfig, service_id: str, ahead: int,
                  now: datetime) -> float | None:
    """Minutes a customer taking a number for this service now would wait, or None.

    `ahead` is accepted for the callers' clarity; the forecast counts the queue itself.
    """
    del ahead
    if not any(service_id in r.services for r in config.rooms):
        return None
    return forecast(state, config, now, newcomer=service_id).get("+")


def eta_range(wait: float | None) -> tuple[int, int] | None:
    if wait is None:
        return None
    return (int(wait * RANGE_LOW), round(wait * RANGE_HIGH + 0.5))
