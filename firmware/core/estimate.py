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
from collections import deque
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Forecast:
    """When each waiting ticket is expected to be called, and when each room runs dry."""

    calls: dict[str, float]  # ticket number -> minutes from now
    idle_at: dict[str, float]  # room -> minutes from now when it has nobody left to call
    rooms: dict[str, tuple[str, ...]]  # the rooms counted, with their services

    def newcomer(self, service_id: str) -> float | None:
        """Minutes a customer taking a number for this service now would wait.

        A new ticket is the last of its queue, so the first room that serves the service
        and runs out of earlier tickets takes it: the same as playing it forward with the
        newcomer included, without doing so once per service.
        """
        times = [self.idle_at[r] for r, services in self.rooms.items() if service_id in services]
        return min(times) if times else None


def forecast(state: QueueState, config: SiteConfig, now: datetime) -> Forecast:
    """Play the calling rule forward over the rooms working now.

    Rooms free up one after another; each takes the longest-waiting ticket among the
    services it serves (the rule the controller uses), and is busy for the authority's
    typical service time. Tickets no active room serves are absent (unknown).
    """
    rooms = active_rooms(state, config, now)
    queues: dict[str, deque[tuple[datetime, str]]] = {}
    for service in {s for services in rooms.values() for s in services}:
        # Appointments go first once due; forecast them at the head by appointment time.
        entries = sorted(state.appointments.get(service, [])) + state.waiting.get(service, [])
        if entries:
            queues[service] = deque(entries)
    per_customer = {s: minutes_per_customer(state, config, s) for s in queues}
    free_at = [(_room_free_in(state, config, r, now), r) for r in sorted(rooms)]
    heapq.heapify(free_at)
    calls: dict[str, float] = {}
    idle_at: dict[str, float] = {}
    while free_at:
        at, room_id = heapq.heappop(free_at)
        heads = [(queues[s][0], s) for s in rooms[room_id] if queues.get(s)]
        if not heads:
            idle_at[room_id] = at  # nothing more this room could take
            continue
        (_, number), service = min(heads)
        queues[service].popleft()
        calls[number] = at
        heapq.heappush(free_at, (at + per_customer[service], room_id))
    return Forecast(calls, idle_at, rooms)


def expected_wait(state: QueueState, config: SiteConfig, service_id: str,
                  now: datetime) -> float | None:
    """Minutes a customer taking a number for this service now would wait, or None."""
    if not any(service_id in r.services for r in config.rooms):
        return None
    return forecast(state, config, now).newcomer(service_id)


def eta_range(wait: float | None) -> tuple[int, int] | None:
    if wait is None:
        return None
    return (int(wait * RANGE_LOW), round(wait * RANGE_HIGH + 0.5))
