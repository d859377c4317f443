"""The waiting estimate: how long until a customer with N people ahead is called.

Robust and honest rather than precise: the median of the authority's recent service
durations (one long case does not swing it; the configured mean stands in until there are
a few), spread over the rooms that actually serve the authority now, with a range around
it, and no number at all when no room serves the authority.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig

MIN_SAMPLES = 3  # fewer recent durations than this: lean on the configured mean
RANGE_LOW, RANGE_HIGH = 0.7, 1.4  # service times are skewed: longer waits are likelier


def minutes_per_customer(state: QueueState, config: SiteConfig, service_id: str) -> float:
    service = config.service(service_id)
    default = service.mean_service_minutes if service else 10.0
    recent = list(state.durations.get(service_id, ()))
    if len(recent) >= MIN_SAMPLES:
        return statistics.median(recent)
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


def serving_capacity(state: QueueState, config: SiteConfig, service_id: str,
                     now: datetime) -> float:
    """How many rooms' worth of staff work for this service now.

    A room shared by several authorities splits its time between them in proportion to
    their queues (it always takes the longest-waiting ticket, so that is where time goes).
    """
    capacity = 0.0
    for services in active_rooms(state, config, now).values():
        if service_id not in services:
            continue
        load = {s: state.waiting_count(s) for s in services}
        total = sum(load.values())
        capacity += (load[service_id] / total) if total else 1.0 / len(services)
    return capacity


def expected_wait(state: QueueState, config: SiteConfig, service_id: str, ahead: int,
                  now: datetime) -> float | None:
    """Minutes until a customer with `ahead` people before them is called, or None."""
    if not any(service_id in r.services for r in config.rooms):
        return None
    capacity = serving_capacity(state, config, service_id, now)
    if capacity <= 0:
        # Rooms exist but none serves this authority at the moment: unknown, not zero.
        return None
    per_customer = minutes_per_customer(state, config, service_id)
    # A customer at the head still waits for about half a service in progress.
    return (ahead + 0.5) * per_customer / capacity


def eta_range(wait: float | None) -> tuple[int, int] | None:
    if wait is None:
        return None
    return (int(wait * RANGE_LOW), round(wait * RANGE_HIGH + 0.5))
