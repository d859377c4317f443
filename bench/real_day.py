"""A real day's calling policy (issue 24): the decision and the forecast with 500 waiting, and
the waiting estimate's error on simulated bilingual days with breaks, against the naive one.

Driven through the pure core (the rules and the fold, as the controller runs them) with a
clock of its own, so a simulated day takes a second, not a day.
Goals: decision <= 1 ms, forecast <= 10 ms, estimate error <= 0.6 x the naive one.
"""

from __future__ import annotations

import heapq
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from bench.common import report
from firmware.core import calling, estimate, rules
from firmware.core.errors import Refusal
from firmware.core.events import Event, EventType
from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig

LANG_SHARE = (("fi", 0.7), ("sv", 0.2), ("en", 0.1))  # a bilingual town's lobby
WAITING = 500


class Lobby:
    """A day's state that changes only by the rules' decisions, at a clock of its own."""

    def __init__(self, config: SiteConfig, now: datetime) -> None:
        self.config, self.now = config, now
        self.state = QueueState(day=now.date().isoformat())
        self.seq = 0

    def apply(self, decisions: list[rules.Decision] | rules.Decision) -> list[rules.Decision]:
        batch = decisions if isinstance(decisions, list) else [decisions]
        for decision in batch:
            self.seq += 1
            self.state.apply(Event(str(self.seq), decision.type, self.now, self.state.day,
                                   decision.data, self.seq))
        return batch


def _lang(rng: random.Random) -> str:
    return rng.choices([lang for lang, _ in LANG_SHARE], [w for _, w in LANG_SHARE])[0]


def crowded_lobby(config: SiteConfig, waiting: int = WAITING, seed: int = 5) -> Lobby:
    """`waiting` tickets for the rooms' services in three languages, some needing assistance,
    some visiting two authorities; every room has called a few (some passed over for their
    language)."""
    rng = random.Random(seed)
    tz = ZoneInfo(config.site.timezone)
    lobby = Lobby(config, datetime.combine(date(2026, 12, 1), clock_time(8, 0), tzinfo=tz))
    served = sorted({s for room in config.rooms for s in room.services})
    counters: dict[str, int] = {}
    for i in range(waiting + 8 * len(config.rooms)):
        lobby.now += timedelta(seconds=20)
        service = served[i % len(served)]
        counters[service] = counters.get(service, 0) + 1
        prefix = config.service(service).prefix  # type: ignore[union-attr]
        data = {"number": f"{prefix}{counters[service]:03d}", "service": service,
                "seq_no": counters[service], "counter": service, "lang": _lang(rng),
                "device": "bench"}
        if rng.random() < 0.05:
            data["assistance"] = True
        if rng.random() < 0.1:
            data["then"] = [rng.choice([s for s in served if s != service])]
        lobby.apply(rules.Decision(EventType.TICKET_ISSUED, data))
    for _ in range(8):
        lobby.now += timedelta(minutes=4)  # some passed over long enough to be owed
        for room in config.rooms:
            lobby.apply(rules.call_next(lobby.state, config, room.id, [], "c", lobby.now))
    return lobby


def decision_and_forecast(config: SiteConfig) -> list[str]:
    lobby = crowded_lobby(config)
    state, now = lobby.state, lobby.now
    waiting = sum(state.waiting_count(s.id) for s in config.services)
    decisions: list[float] = []
    for _ in range(50):
        for room in config.rooms:  # what the controller decides when a clerk calls
            t0 = time.perf_counter()
            rules.call_next(state, config, room.id, [], "c", now)
            decisions.append(time.perf_counter() - t0)
    forecasts: list[float] = []
    for _ in range(100):
        t0 = time.perf_counter()
        estimate.forecast(state, config, now)
        forecasts.append(time.perf_counter() - t0)
    return [
        report(f"calling decision (call_next), {waiting} waiting (goal <= 1 ms)", decisions),
        report(f"forecast, {waiting} waiting, {len(config.rooms)} rooms (goal <= 10 ms)",
               forecasts),
    ]


# -- simulated bilingual days with breaks --------------------------------------------------------


@dataclass
class Prediction:
    ours: float
    naive: float
    actual: float | None = None


@dataclass(frozen=True)
class Break:
    start: datetime
    minutes: float
    reason: str


def _breaks(config: SiteConfig, day: date, tz: ZoneInfo, rng: random.Random
            ) -> dict[str, list[Break]]:
    """Each room's coffee break and its staggered lunch."""
    plan: dict[str, list[Break]] = {}
    for i, room in enumerate(config.rooms):
        coffee = datetime.combine(day, clock_time(9, 30), tzinfo=tz) + timedelta(
            minutes=rng.uniform(0, 60))
        lunch = datetime.combine(day, clock_time(11, 0), tzinfo=tz) + timedelta(
            minutes=30 * (i % 4) + rng.uniform(0, 10))
        plan[room.id] = [Break(coffee, 15, "break"), Break(lunch, 30, "lunch")]
    return plan


def capacity(config: SiteConfig) -> dict[str, float]:
    """Customers per hour each authority's rooms can serve at its configured mean, each room
    sharing its time among its services (the site's own planning: demand follows it)."""
    per_hour: dict[str, float] = {s.id: 0.0 for s in config.services}
    for room in config.rooms:
        for service_id in room.services:
            service = config.service(service_id)
            assert service is not None
            per_hour[service_id] += 60 / service.mean_service_minutes / len(room.services)
    return per_hour


def simulate_day(config: SiteConfig, day: date, seed: int, load: float) -> list[Prediction]:
    """A day at `load` times each authority's capacity (the day's real service times differ
    from the configured means, and every room takes a coffee break and a lunch)."""
    rng = random.Random(seed)
    tz = ZoneInfo(config.site.timezone)
    start = datetime.combine(day, clock_time(8, 0), tzinfo=tz)
    end = datetime.combine(day, clock_time(16, 0), tzinfo=tz)
    lobby = Lobby(config, start)
    true_mean = {s.id: s.mean_service_minutes * rng.uniform(0.7, 1.4) for s in config.services}
    rooms_for = {s.id: sum(1 for r in config.rooms if s.id in r.services)
                 for s in config.services}
    order = iter(range(10**9))
    queue: list[tuple[datetime, int, str, str]] = []
    for service_id, per_hour in capacity(config).items():
        rate = per_hour * load * rng.uniform(0.8, 1.2)
        t = start
        while rate > 0 and t < end:
            t += timedelta(minutes=rng.expovariate(rate / 60))
            heapq.heappush(queue, (t, next(order), "arrive", service_id))
    for room in config.rooms:
        heapq.heappush(queue, (start, next(order), "free", room.id))
    breaks = _breaks(config, day, tz, rng)
    predictions: dict[str, Prediction] = {}

    while queue:
        when, _, kind, subject = heapq.heappop(queue)
        if when > end + timedelta(hours=2):
            break
        lobby.now = when
        state = lobby.state
        if kind == "arrive":
            _arrive(lobby, subject, rng, rooms_for, predictions)
            continue
        due = breaks[subject]
        if kind == "free" and due and due[0].start <= when:
            pause = due.pop(0)  # the clerk finishes the customer and goes
            lobby.apply(rules.room_state(state, config, subject, "paused", pause.reason, "sim"))
            heapq.heappush(queue, (when + timedelta(minutes=pause.minutes), next(order),
                                   "back", subject))
            continue
        decisions = lobby.apply(rules.call_next(state, config, subject, [], "c", when, "sim"))
        called = [d.data for d in decisions if d.type is EventType.TICKET_CALLED]
        if not called:
            if when < end:
                heapq.heappush(queue, (when + timedelta(minutes=1), next(order), "free",
                                       subject))
            continue
        number = called[0]["number"]
        prediction = predictions.get(number)
        if prediction is not None and prediction.actual is None:
            prediction.actual = (when - state.tickets[number].issued_at).total_seconds() / 60
        duration = rng.lognormvariate(0, 0.45) * true_mean[called[0]["service"]]
        heapq.heappush(queue, (when + timedelta(minutes=duration), next(order), "free",
                               subject))
    return [p for p in predictions.values() if p.actual is not None]


def _arrive(lobby: Lobby, service: str, rng: random.Random, rooms_for: dict[str, int],
            predictions: dict[str, Prediction]) -> None:
    """A customer takes a number: our estimate (the slip's) and the naive one."""
    state, config, now = lobby.state, lobby.config, lobby.now
    if not rooms_for.get(service):
        return
    lang = _lang(rng)
    plan = estimate.forecast(state, config, now)
    try:
        decision = rules.issue(state, config, service, lang, "sim", now, plan=plan)
    except Refusal:
        return  # closed now, or too late today
    number = decision.data["number"]
    joining = calling.Candidate.new_ticket(number, service, now, lang=lang)
    _ahead, wait = estimate.for_new_ticket(state, config, joining, now, plan)
    mean = config.service(service).mean_service_minutes  # type: ignore[union-attr]
    naive = state.waiting_count(service) * mean / rooms_for[service]
    lobby.apply(decision)
    if wait is not None:
        predictions[number] = Prediction(wait, naive)


def _workdays(count: int) -> Iterator[date]:
    day = date(2026, 11, 30)  # a Monday
    while count:
        if day.weekday() < 5:
            yield day
            count -= 1
        day += timedelta(days=1)


def estimate_error(config: SiteConfig, days: int = 5, load: float = 0.95) -> str:
    ours: list[float] = []
    naive: list[float] = []
    waits: list[float] = []
    for i, day in enumerate(_workdays(days)):
        for p in simulate_day(config, day, seed=2400 + i, load=load):
            assert p.actual is not None
            ours.append(abs(p.ours - p.actual))
            naive.append(abs(p.naive - p.actual))
            waits.append(p.actual)
    mae_ours, mae_naive = statistics.mean(ours), statistics.mean(naive)
    median_ratio = statistics.median(ours) / statistics.median(naive)
    return (f"estimate error, bilingual days with breaks, {load:.0%} load: mean "
            f"absolute error ours {mae_ours:5.1f} min  naive {mae_naive:5.1f} min  ratio "
            f"{mae_ours / mae_naive:.2f} (goal <= 0.6; median absolute error ratio "
            f"{median_ratio:.2f}; median wait {statistics.median(waits):.0f} min, "
            f"n={len(ours)}, {days} days)")


def run(config: SiteConfig) -> list[str]:
    return [*decision_and_forecast(config),
            *(estimate_error(config, days=10, load=load) for load in (0.8, 0.95))]


if __name__ == "__main__":
    from pathlib import Path

    from firmware.site_config import load_site_config

    demo = load_site_config(Path(__file__).resolve().parent.parent / "config" / "demo-site.toml")
    for line in run(demo):
        print(line, flush=True)
