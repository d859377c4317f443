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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from firmware.core import calling
from firmware.core.queue import QueueState
from firmware.site_model import LANGS, SiteConfig

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
    """Rooms that served recently and serve now, with the services they called for.

    A room counts when it called within the estimate window or holds a called ticket now.
    Before any room has called today, every configured room counts as it is configured.
    A paused or closed room does not count: when it will be back is unknown.
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
    if state.rooms:
        active = {r: s for r, s in active.items()
                  if (room := state.rooms.get(r)) is None or room.serving}
    return active


def returning_rooms(state: QueueState, config: SiteConfig, now: datetime
                    ) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Paused rooms whose return can be told (see `back_in`): minutes until then, and the
    services they called for last (else their configured ones)."""
    back: dict[str, tuple[float, tuple[str, ...]]] = {}
    for room_id, room in state.rooms.items():
        if room.serving:
            continue
        minutes = back_in(state, room_id, now)
        configured = config.room(room_id)
        if minutes is None or configured is None:
            continue
        last = state.room_calls.get(room_id)
        back[room_id] = (minutes, last[1] if last else configured.services)
    return back


def back_in(state: QueueState, room_id: str, now: datetime) -> float | None:
    """Minutes until a paused room is expected to serve again: its pause as long as the
    day's finished pauses for the same reason (their median); None when that is unknown (no
    such pause has ended today) or the room is closed."""
    room = state.rooms.get(room_id)
    if room is None or room.serving:
        return 0.0
    typical = state.pauses.get(room.reason or "") if room.state == "paused" else None
    if not typical or room.since is None:
        return None
    usual = statistics.median(typical)
    elapsed = (now - room.since).total_seconds() / 60
    # A break that runs long is likely to end soon, but not this instant.
    return max(usual - elapsed, usual * 0.2)


def _room_free_in(state: QueueState, config: SiteConfig, room_id: str, now: datetime) -> float:
    """Minutes until a room is expected to call again."""
    call = state.serving.get(room_id)
    if call is None:
        return 0.0
    per = minutes_per_customer(state, config, call.service)
    elapsed = (now - call.at).total_seconds() / 60
    # A case that runs long is likely to end soon, but not this instant.
    return max(per - elapsed, per * 0.2)


_step = tuple.__new__  # a Step without the named tuple's Python-level __new__ (per call)


class Step(NamedTuple):
    """One moment of the forecast: a room calls a ticket, or finds nobody it may call."""

    at: float  # minutes from now
    room: str
    number: str | None  # None: nobody the room may call at that moment
    service: str | None


@dataclass(frozen=True)
class Forecast:
    """When each waiting ticket is expected to be called, and when each room runs dry."""

    calls: dict[str, float]  # ticket number -> minutes from now
    # room -> minutes from now when it first finds nobody it may call (it may call again
    # later, when a checked-in appointment becomes due)
    idle_at: dict[str, float]
    rooms: dict[str, tuple[str, ...]]  # the rooms counted, with their services
    steps: tuple[Step, ...]  # every call and every empty-handed moment, in order
    now: datetime  # the moment the forecast starts from

    def moment(self, step: Step) -> datetime:
        """When a step happens, as a time of day."""
        return self.now + timedelta(minutes=step.at)

    def newcomer(self, service_id: str) -> float | None:
        """Minutes a customer taking a number for this service now would wait.

        A new walk-in ticket is the last of the walk-ins, so the first room that serves the
        service and finds nobody else it may call takes it: the same as playing it forward
        with the newcomer included, without doing so once per service. That holds for a
        customer no rule moves ahead (`last_in_every_order`): the lobby's figure is theirs;
        the slip of one a room prefers by language says less (`for_new_ticket`).
        """
        times = [self.idle_at[r] for r, services in self.rooms.items() if service_id in services]
        return min(times) if times else None

    def newcomer_ahead(self, service_id: str) -> int | None:
        """How many tickets of this service are called before a walk-in taking a number now.

        The newcomer is called at the first step where a room serving the service finds
        nobody else (see `newcomer`); up to that step the forecast with it is this one.
        """
        serving = {r for r, services in self.rooms.items() if service_id in services}
        ahead = 0
        for step in self.steps:
            if step.number is None and step.room in serving:
                return ahead
            if step.service == service_id:
                ahead += 1
        return None

    def ahead_of(self, number: str) -> int | None:
        """How many tickets of the same service are called before this one; None when no
        room working now serves it (the order is then unknown)."""
        if number not in self.calls:
            return None
        return self._aheads.get(number)

    @cached_property
    def _aheads(self) -> dict[str, int]:
        """Every forecast ticket's count of the same service called before it, in one pass
        over the steps (the phones ask for each waiting ticket's)."""
        aheads: dict[str, int] = {}
        before: dict[str | None, int] = {}
        for step in self.steps:  # a visit to several authorities: its first (next) call
            if step.number is not None:
                aheads.setdefault(step.number, before.get(step.service, 0))
            before[step.service] = before.get(step.service, 0) + 1
        return aheads


def forecast(state: QueueState, config: SiteConfig, now: datetime,
             joining: calling.Candidate | None = None) -> Forecast:
    """Play the calling policy forward over the rooms working now.

    Rooms free up one after another; each calls whom the calling policy (`calling.py`)
    picks for it at that moment, with its languages and its recent calls (the same decision
    the controller makes when its clerk calls: tickets passed over for their language become
    owed, a room's assistance calls are spaced), and is busy for the authority's typical
    service time. A room with nobody it may call yet waits for the next checked-in
    appointment to become due. A paused room is asked from when it is expected back
    (`back_in`), when that can be told; otherwise, and when closed, it is not asked. Tickets
    no room counted serves are absent (unknown). `joining` is a ticket about to be issued,
    forecast in its place.
    """
    rooms = active_rooms(state, config, now)
    free_at = [(_room_free_in(state, config, r, now), r) for r in sorted(rooms)]
    for room_id, (minutes, services) in returning_rooms(state, config, now).items():
        rooms[room_id] = services
        free_at.append((minutes, room_id))
    lines = calling.Lines.of(state, calling.CallingPolicy.of(config), now, joining)
    askers = {r: calling.Asker.of(state, config, r, services) for r, services in rooms.items()}
    busy: dict[str, float] = {}
    heapq.heapify(free_at)
    calls: dict[str, float] = {}
    idle_at: dict[str, float] = {}
    steps: list[Step] = []
    visits = _Visits(state, config, rooms, lines, now)
    asleep: set[str] = set()  # rooms with nobody to call and no appointment to wait for
    call, pop, push = lines.call_after, heapq.heappop, heapq.heappush
    while free_at:
        at, room_id = pop(free_at)
        services = rooms[room_id]
        picked = call(askers[room_id], at)
        joined = visits.room_calls(room_id, picked[0].number if picked else None, at)
        if joined is not None:
            for other in sorted(r for r in asleep if joined in rooms[r]):
                asleep.discard(other)
                push(free_at, (at, other))  # it may call the returning visitor
        if picked is None:
            idle_at.setdefault(room_id, at)
            steps.append(_step(Step, (at, room_id, None, None)))
            later = lines.next_callable(services, at)
            if later is not None:
                push(free_at, (later, room_id))  # it may call again then
            else:
                asleep.add(room_id)
            continue
        chosen = picked[0]
        calls[chosen.number] = at
        steps.append(_step(Step, (at, room_id, chosen.number, chosen.service)))
        minutes = busy.get(chosen.service)
        if minutes is None:
            minutes = busy[chosen.service] = minutes_per_customer(state, config, chosen.service)
        push(free_at, (at + minutes, room_id))
    return Forecast(calls, idle_at, rooms, tuple(steps), now)


class _Visits:
    """The ticket each room holds in the forecast, and what is left of each visit with
    several authorities: when its room calls again (the clerk is done with it), it joins the
    next authority's queue, placed as the controller places it (rules.complete_and_continue)."""

    def __init__(self, state: QueueState, config: SiteConfig, rooms: Iterable[str],
                 lines: calling.Lines, now: datetime) -> None:
        self.state, self.lines, self.now = state, lines, now
        self.place = config.rules.next_leg_place
        self.holding = {r: call.ticket for r, call in state.serving.items() if r in rooms}
        self.plans = {n: list(t.then) for n in state.chained
                      if (t := state.tickets[n]).then and t.is_open}

    def room_calls(self, room_id: str, number: str | None, at: float) -> str | None:
        """The room calls `number` (None: nobody) at `at` minutes; the service the ticket it
        held goes on to, if it does."""
        done = self.holding.pop(room_id, None)
        if number is not None:
            self.holding[room_id] = number
        if done is None or not self.plans.get(done):
            return None
        ticket = self.state.tickets[done]
        service, *rest = self.plans[done]
        self.plans[done] = rest
        if self.place == "arrival":
            kind, since = calling.Kind.WALK_IN, ticket.issued_at
        else:
            kind = calling.Kind.PRIORITY if self.place == "priority" else calling.Kind.WALK_IN
            since = self.now + timedelta(minutes=at)
        self.lines.join(calling.Candidate(kind, since, done, service, ticket.lang,
                                          ticket.assistance))
        return service


def expected_wait(state: QueueState, config: SiteConfig, service_id: str,
                  now: datetime, plan: Forecast | None = None) -> float | None:
    """Minutes a customer taking a number for this service now would wait, or None.

    `plan` is the forecast of this state and moment when the caller has one already.
    """
    if not any(service_id in r.services for r in config.rooms):
        return None
    return (plan if plan is not None else forecast(state, config, now)).newcomer(service_id)


def for_new_ticket(state: QueueState, config: SiteConfig, joining: calling.Candidate,
                   now: datetime, plan: Forecast | None = None) -> tuple[int, float | None]:
    """People ahead of a ticket about to be issued, and the minutes until it is called.

    Both come from the forecast, so the slip's two figures agree with each other and with
    the order the rooms call. A walk-in is the last of the walk-ins: the forecast without it
    (`plan`, if the caller has it) tells both. An appointment is forecast in its place. With
    no room working for the service the order is unknown: everyone who waits for it counts
    as ahead, and the wait is None.
    """
    unknown = state.waiting_count(joining.service), None
    if not any(joining.service in r.services for r in config.rooms):
        return unknown
    if joining.kind is calling.Kind.WALK_IN and last_in_every_order(state, config, joining, now):
        plan = plan if plan is not None else forecast(state, config, now)
        wait, ahead = plan.newcomer(joining.service), plan.newcomer_ahead(joining.service)
        return unknown if wait is None or ahead is None else (ahead, wait)
    plan = forecast(state, config, now, joining)
    ahead = plan.ahead_of(joining.number)
    return unknown if ahead is None else (ahead, plan.calls[joining.number])


def last_in_every_order(state: QueueState, config: SiteConfig, joining: calling.Candidate,
                        now: datetime) -> bool:
    """Whether a new walk-in is the last every room calls: no rule can move it ahead.

    Assistance (rule 3) can; so can a room's language preference (rule 4) when the room
    prefers its language and does not serve every language. And a visit going on to its next
    authority "at the end" joins behind the newcomer.
    """
    rules = config.rules
    if joining.assistance and rules.assistance_first:
        return False
    if rules.next_leg_place == "end" and any(t.then for t in state.open_tickets()):
        return False
    if not rules.language_preference:
        return True
    for room_id in active_rooms(state, config, now):
        configured = config.room(room_id)
        languages = state.room_state(room_id, configured.languages if configured else LANGS
                                     ).languages or LANGS
        if joining.lang in languages and set(languages) != set(LANGS):
            return False
    return True


def eta_range(wait: float | None) -> tuple[int, int] | None:
    if wait is None:
        return None
    return (int(wait * RANGE_LOW), round(wait * RANGE_HIGH + 0.5))
