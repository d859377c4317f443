"""A simulated service day, driven through the real controller with a manual clock.

Customers arrive at random for each authority; each room's clerk calls the next customer
when free and serves for a random time whose true mean differs from the configured one (the
configured mean is a planner's guess; the day is what it is). Returns, for every ticket,
the estimate it was given, the naive estimate, and how long it really waited.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from firmware.controller.local_queue import LocalQueue
from firmware.site_model import SiteConfig
from mqtt_bridge import topics


@dataclass
class Prediction:
    service: str
    ahead: int
    ours: float  # minutes
    naive: float
    actual: float | None = None


def simulate_day(config: SiteConfig, day: date, seed: int,
                 arrivals_per_hour: float = 14.0, ledger_path: str = ":memory:"
                 ) -> list[Prediction]:
    rng = random.Random(seed)
    tz = ZoneInfo(config.site.timezone)
    lobby = LocalQueue(config, datetime.combine(day, time(7, 59), tzinfo=tz), ledger_path)
    clock, send = lobby.clock, lobby.send
    # The day's truth: each authority's real mean service time is off from the config.
    true_mean = {s.id: s.mean_service_minutes * rng.uniform(0.5, 1.8) for s in config.services}
    weights = {s.id: rng.uniform(0.5, 3.0) for s in config.services}
    total_weight = sum(weights.values())
    counter = iter(range(10**9))  # keeps equal times in the event heap apart

    queue: list[tuple[datetime, int, str, str]] = []  # (when, order, kind, subject)
    start = datetime.combine(day, time(8, 0), tzinfo=tz)
    end = datetime.combine(day, time(16, 15), tzinfo=tz)
    t = start
    while t < end:
        t += timedelta(minutes=rng.expovariate(arrivals_per_hour / 60))
        service = rng.choices(list(weights), [w / total_weight for w in weights.values()])[0]
        heapq.heappush(queue, (t, next(counter), "arrive", service))
    for room in config.rooms:
        heapq.heappush(queue, (start, next(counter), "free", room.id))

    predictions: dict[str, Prediction] = {}
    while queue:
        when, _, kind, subject = heapq.heappop(queue)
        if when > end + timedelta(hours=2):
            break
        clock.set(when)
        if kind == "arrive":
            answer = send(topics.ISSUE, service=subject, device="sim")
            if answer["ok"] and answer["ticket"]["eta_minutes"] is not None:
                ticket = answer["ticket"]
                mean = config.service(subject).mean_service_minutes  # type: ignore[union-attr]
                predictions[ticket["number"]] = Prediction(
                    subject, ticket["ahead"], float(ticket["eta_minutes"]),
                    ticket["ahead"] * mean,
                )
            continue
        answer = send(topics.CALL, room=subject)
        ticket = answer.get("ticket")
        if ticket is None:
            if when < end:
                heapq.heappush(queue, (when + timedelta(minutes=1), next(counter), "free",
                                       subject))
            continue
        prediction = predictions.get(ticket["number"])
        if prediction is not None and prediction.actual is None:
            issued = datetime.fromisoformat(ticket["issued_at"])
            prediction.actual = (when - issued).total_seconds() / 60
        duration = rng.lognormvariate(0, 0.45) * true_mean[ticket["service"]]
        heapq.heappush(queue, (when + timedelta(minutes=duration), next(counter), "free",
                               subject))
    lobby.close()
    return [p for p in predictions.values() if p.actual is not None]


def simulate_weekdays(config: SiteConfig, first: date, last: date, ledger_path: str,
                      arrivals_per_hour: float = 9.0) -> int:
    """Every weekday from `first` to `last` simulated into one ledger file, as a controller
    would have kept them (the console's statistics read it); the number of days."""
    days = 0
    day = first
    while day <= last:
        if day.weekday() < 5:
            simulate_day(config, day, seed=day.toordinal(), arrivals_per_hour=arrivals_per_hour,
                         ledger_path=ledger_path)
            days += 1
        day += timedelta(days=1)
    return days
