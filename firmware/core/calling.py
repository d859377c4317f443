"""Who a room calls next: the site's one calling policy.

The caller (`rules.call_next`), the waiting forecast (`estimate.forecast`, which plays this
policy forward room by room) and the "people ahead" on a new ticket all ask this module, so
what a customer is told is the order in which the rooms really call.

Among the tickets a room may call (for the services it calls for), in this order:

1. a checked-in appointment once its time minus the priority margin has come, earliest
   appointment first (one checked in early waits: it is not called at all until then);
2. a ticket passed over for its language at least `language_bound_minutes` ago ("owed"),
   the one passed over first first: nobody waits longer than that because of language;
3. when `assistance_first` and none of the room's last N-1 calls was of a ticket needing
   assistance (N = `assistance_every`): tickets needing assistance, in plain order;
4. when `language_preference`: tickets in a language the room serves, in plain order;
5. everyone in plain order: returning visitors (`next_leg_place = "priority"`) by the time
   they continued, then walk-ins by their place (original issue time, or the time they
   continued for `"end"`); a transferred ticket keeps its original issue time.

When rule 3 or 4 calls someone other than the plain order's first, the call says so
(`by_assistance` / `by_language`), and the tickets ahead of it that rule 4 skipped for their
language are `passed_over`: the fold starts their bound (`Ticket.passed_since`).

The waiting lines are the state's own sorted lists, viewed without copying: each line keeps
how far it has been taken from its head, and for the rules that look past the head (a
language, assistance) a pointer of its own per rule. Tickets only ever leave the lines, so
each pointer only moves forward, and a decision costs a few steps per line whatever its length.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import NamedTuple

from firmware.core.queue import QueueState, Ticket, TicketStatus
from firmware.site_model import LANGS, SiteConfig

Place = tuple[datetime, str]  # a ticket's place in its line: (time, number)
Key = tuple[object, ...]  # a candidate's place in the calling order: smallest goes first


class Kind(IntEnum):
    """The lines of a service. The value is the first part of the order key."""

    APPOINTMENT = 0  # checked-in bookings, by appointment time
    PRIORITY = 1  # visitors returning for their next authority at raised priority
    WALK_IN = 2  # everyone else, by original issue time (or the time they continued)


KINDS = tuple(Kind)  # iterating the enum itself is slow, and the forecast does it per room


class Candidate(NamedTuple):
    """A ticket that could be called next. Its first three fields are its plain order."""

    kind: Kind
    at: datetime  # the appointment time, or the time that places a walk-in in its line
    number: str
    service: str
    lang: str = "fi"
    assistance: bool = False

    @classmethod
    def new_ticket(cls, number: str, service: str, issued_at: datetime,
                   appointment_at: datetime | None = None, lang: str = "fi",
                   assistance: bool = False) -> Candidate:
        """A ticket about to be issued, in the line it will join."""
        if appointment_at is not None:
            return cls(Kind.APPOINTMENT, appointment_at, number, service, lang, assistance)
        return cls(Kind.WALK_IN, issued_at, number, service, lang, assistance)


class Choice(NamedTuple):
    """The calling policy's answer to a room: whom, and which rule decided."""

    number: str
    by_language: bool  # rule 4 chose it over the plain order's first
    by_assistance: bool  # rule 3 did
    passed_over: tuple[str, ...]  # skipped for their language now, for the first time


@dataclass(frozen=True)
class CallingPolicy:
    """The rules of the calling order (the site's `[queue]` table)."""

    appointment_margin: timedelta  # an appointment goes first from its time minus this
    language_preference: bool = False
    language_bound: float = 10.0  # minutes
    assistance_first: bool = False
    assistance_every: int = 3

    @classmethod
    def of(cls, config: SiteConfig) -> CallingPolicy:
        rules = config.rules
        return cls(timedelta(minutes=rules.appointment_priority_minutes),
                   rules.language_preference, float(rules.language_bound_minutes),
                   rules.assistance_first, rules.assistance_every)

    def callable_from(self, candidate: Candidate) -> datetime | None:
        """From when a ticket may be called; None when it may be called any time."""
        if candidate.kind is Kind.APPOINTMENT:
            return candidate.at - self.appointment_margin
        return None


class Asker:
    """A room asking for a customer: its services, languages and recent calls."""

    __slots__ = ("history", "languages", "room", "services")

    def __init__(self, room: str | None, services: Iterable[str], languages: Iterable[str],
                 history: Iterable[bool] = (), keep: int = 0) -> None:
        self.room = room
        self.services = tuple(services)
        self.languages = frozenset(languages)
        # Whether each of its last `keep` calls was of a ticket needing assistance.
        self.history: deque[bool] = deque(history, maxlen=keep)

    @classmethod
    def of(cls, state: QueueState, config: SiteConfig, room: str | None,
           services: Iterable[str]) -> Asker:
        keep = max(config.rules.assistance_every - 1, 0)
        if room is None:  # no room, no languages of its own or history: plain order
            return cls(None, services, LANGS, (), keep)
        configured = config.room(room)
        defaults = configured.languages if configured is not None else LANGS
        languages = state.room_state(room, defaults).languages or LANGS
        return cls(room, services, languages, state.room_history.get(room, ()), keep)

    def may_take_assistance(self) -> bool:
        return not any(self.history)


_new_candidate = tuple.__new__  # a Candidate without the named tuple's Python-level __new__


class _Line:
    """One sorted line of the state and how far each rule has looked into it."""

    __slots__ = ("gate", "head", "kind", "lines", "places", "plain", "pointers", "scan",
                 "service")

    def __init__(self, lines: Lines, places: Sequence[Place], kind: Kind, service: str) -> None:
        self.lines, self.places, self.kind, self.service = lines, places, kind, service
        self.plain = 0  # every place before it is taken
        self.scan = 0  # every place before it is taken or passed over already
        self.pointers: dict[object, int] = {}  # per rule (a language, assistance): likewise
        self.head: Candidate | None = None  # the plain head, worked out once per head
        self.gate: float | None = None  # minutes after the lines' origin it may be called
        self._advance()

    def _advance(self) -> None:
        places, taken = self.places, self.lines.taken
        i = self.plain
        while i < len(places) and places[i][1] in taken:
            i += 1
        self.plain = i
        if i < len(places):
            head = self.lines.candidate(self, places[i])
            start = self.lines.policy.callable_from(head)
            self.head = head
            self.gate = None if start is None else self.lines.minutes_after(start)
        else:
            self.head, self.gate = None, None

    def taken_one(self, number: str) -> None:
        head = self.head
        if head is not None and head.number == number:
            self._advance()

    def first(self, rule: object) -> Candidate | None:
        """The first ticket of the line the rule (a language, or True: needs assistance)
        accepts."""
        lines = self.lines
        places, taken, tickets = self.places, lines.taken, lines.tickets
        i = max(self.pointers.get(rule, 0), self.plain)
        n = len(places)
        assistance = rule is True
        while i < n:
            number = places[i][1]
            if number not in taken:
                joining = lines.joining
                if joining is not None and number == joining.number:
                    wanted = joining.assistance if assistance else joining.lang == rule
                else:
                    ticket = tickets[number]
                    wanted = ticket.assistance if assistance else ticket.lang == rule
                if wanted:
                    break
            i += 1
        self.pointers[rule] = i
        return lines.candidate(self, places[i]) if i < n else None

    def skipped_before(self, chosen: Candidate, languages: frozenset[str],
                       out: list[Candidate]) -> None:
        """Tickets ahead of `chosen` not in these languages and not passed over yet."""
        lines = self.lines
        places, taken, passed = self.places, lines.taken, lines.passed
        i = max(self.scan, self.plain)
        contiguous = True  # the scan pointer may move past places all passed or taken
        key = (chosen.kind, chosen.at, chosen.number)
        while i < len(places):
            at, number = places[i]
            if (self.kind, at, number) >= key:
                break
            if number not in taken and number not in passed:
                candidate = lines.candidate(self, places[i])
                if candidate.lang not in languages:
                    out.append(candidate)
                else:
                    contiguous = False
            if contiguous:
                self.scan = i + 1
            i += 1


class Lines:
    """The waiting lines of a day, three per service, each in plain order, under a policy.

    A view over the state's own sorted lists: a call takes a ticket out of the view and never
    changes the state, so the forecast can play calls forward without copying the queue.

    Moments are minutes after an origin (the forecast's "now"): plain numbers, which the
    forecast adds and compares at every step far faster than datetimes.
    """

    def __init__(self, policy: CallingPolicy, origin: datetime,
                 lines: Mapping[tuple[str, Kind], Sequence[Place]],
                 tickets: Mapping[str, Ticket], joining: Candidate | None = None,
                 passed: Mapping[str, datetime] | None = None) -> None:
        self.policy, self.origin = policy, origin
        self.tickets, self.joining = tickets, joining
        self.taken: set[str] = set()  # numbers called out of the lines
        self.joined: dict[str, list[Candidate]] = {}  # per service, visits continued to it
        self._places = lines
        self._lines: dict[tuple[str, Kind], _Line | None] = {}  # made when first asked for
        self._of_services: dict[tuple[str, ...], list[_Line]] = {}
        # Tickets passed over for their language (minutes after the origin), and per service
        # a heap of them, the first passed over first, for rule 2.
        self.passed: dict[str, float] = {}
        self._owed: dict[str, list[tuple[float, Candidate]]] = {}
        for number, since in (passed or {}).items():
            ticket = tickets.get(number)
            if ticket is not None and ticket.status is TicketStatus.WAITING:
                self._pass(self._candidate_of(ticket), self.minutes_after(since))

    @classmethod
    def of(cls, state: QueueState, policy: CallingPolicy, origin: datetime,
           joining: Candidate | None = None) -> Lines:
        """The state's lines, with `joining` (a ticket about to be issued) in its place."""
        lines: dict[tuple[str, Kind], Sequence[Place]] = {}
        for kind, per_service in ((Kind.APPOINTMENT, state.appointments),
                                  (Kind.PRIORITY, state.priority),
                                  (Kind.WALK_IN, state.waiting)):
            for service, places in per_service.items():
                lines[service, kind] = places
        if joining is not None:
            line = (joining.service, joining.kind)
            lines[line] = sorted([*lines.get(line, ()), (joining.at, joining.number)])
        passed = {n: t.passed_since for n in state.passed_over
                  if (t := state.tickets.get(n)) is not None and t.passed_since is not None}
        return cls(policy, origin, lines, state.tickets, joining, passed)

    def minutes_after(self, moment: datetime) -> float:
        return (moment - self.origin).total_seconds() / 60

    def candidate(self, line: _Line, place: Place) -> Candidate:
        at, number = place
        joining = self.joining
        if joining is not None and number == joining.number:  # the ticket about to be issued
            return joining
        ticket = self.tickets[number]
        return _new_candidate(Candidate, (line.kind, at, number, line.service, ticket.lang,
                                          ticket.assistance))

    def _candidate_of(self, ticket: Ticket) -> Candidate:
        kind = Kind.PRIORITY if ticket.place == "priority" else Kind.WALK_IN
        return _new_candidate(Candidate, (kind, ticket.line_at, ticket.number, ticket.service,
                                          ticket.lang, ticket.assistance))

    # -- the policy ---------------------------------------------------------------------------

    def choose(self, asker: Asker, minutes: float
               ) -> tuple[Candidate, bool, bool, list[Candidate]] | None:
        """Whom the policy gives this room at this many minutes after the origin: the
        ticket, by_language, by_assistance, and the tickets passed over for their language."""
        lines = self._lines_of(asker.services)
        joined = [c for s in asker.services for c in self.joined.get(s, ())] \
            if self.joined else []
        due: Candidate | None = None
        plain: Candidate | None = min(joined) if joined else None
        for line in lines:
            head = line.head
            if head is None:
                continue
            if line.kind is Kind.APPOINTMENT:
                if (line.gate is None or line.gate <= minutes) and (due is None or head < due):
                    due = head
            elif plain is None or head < plain:
                plain = head
        if due is not None:  # 1
            return due, False, False, []
        if plain is None:
            return None
        policy = self.policy
        if self._owed:  # 2
            owed = self._first_owed(asker.services, minutes - policy.language_bound)
            if owed is not None:
                return owed, False, False, []
        if policy.assistance_first and asker.may_take_assistance():  # 3
            helped = self._first_of(lines, True, [c for c in joined if c.assistance])
            if helped is not None:
                return helped, False, helped.number != plain.number, []
        languages = asker.languages
        if policy.language_preference and plain.lang not in languages:  # 4
            best: Candidate | None = None
            for lang in languages:
                found = self._first_of(lines, lang, [c for c in joined if c.lang == lang])
                if found is not None and (best is None or found < best):
                    best = found
            if best is not None:
                skipped = [c for c in joined if c < best and c.lang not in languages
                           and c.number not in self.passed]
                for line in lines:
                    if line.kind is not Kind.APPOINTMENT:
                        line.skipped_before(best, languages, skipped)
                skipped.sort()
                return best, True, False, skipped
        return plain, False, False, []  # 5

    def take(self, asker: Asker, chosen: Candidate, passed_over: Sequence[Candidate],
             minutes: float) -> None:
        """A step of the forecast: the room called `chosen`, as `choose` said."""
        number = chosen.number
        joined = self.joined.get(chosen.service)
        if joined and chosen in joined:  # a visit back for its next authority
            joined.remove(chosen)
        else:
            self.taken.add(number)
            line = self._line(chosen.service, chosen.kind)
            if line is not None:
                line.taken_one(number)
        self.passed.pop(number, None)
        for skipped in passed_over:
            self._pass(skipped, minutes)
        asker.history.append(chosen.assistance)

    def join(self, candidate: Candidate) -> None:
        """A visit continuing to its next authority joins that authority's queue now (a step
        of the forecast; the few such tickets are kept beside the lines)."""
        self.joined.setdefault(candidate.service, []).append(candidate)

    def call_after(self, asker: Asker, minutes: float
                   ) -> tuple[Candidate, bool, bool, list[Candidate]] | None:
        """`choose`, and the ticket chosen leaves its line: a step of the forecast."""
        chosen = self.choose(asker, minutes)
        if chosen is not None:
            self.take(asker, chosen[0], chosen[3], minutes)
        return chosen

    def next_callable(self, services: Iterable[str], minutes: float) -> float | None:
        """Minutes after the origin when a ticket for these services that may not be called
        yet at `minutes` may be, if one waits."""
        gates = [line.gate for line in self._lines_of(services)
                 if line.head is not None and line.gate is not None and line.gate > minutes]
        return min(gates, default=None)

    def _pass(self, candidate: Candidate, since: float) -> None:
        self.passed[candidate.number] = since
        heapq.heappush(self._owed.setdefault(candidate.service, []), (since, candidate))

    def _first_owed(self, services: Sequence[str], passed_by: float) -> Candidate | None:
        """The ticket passed over first, if at or before `passed_by`, among these services
        (ties: in plain order)."""
        best: tuple[float, Candidate] | None = None
        passed = self.passed
        for service in services:
            heap = self._owed.get(service)
            while heap and passed.get(heap[0][1].number) != heap[0][0]:
                heapq.heappop(heap)  # called since
            if heap and heap[0][0] <= passed_by and (best is None or heap[0] < best):
                best = heap[0]
        return best[1] if best is not None else None

    @staticmethod
    def _first_of(lines: list[_Line], rule: object, extra: list[Candidate]) -> Candidate | None:
        best: Candidate | None = min(extra) if extra else None
        for line in lines:
            if line.kind is Kind.APPOINTMENT or line.head is None:
                continue
            found = line.first(rule)
            if found is not None and (best is None or found < best):
                best = found
        return best

    def _lines_of(self, services: Iterable[str]) -> list[_Line]:
        services = tuple(services)
        lines = self._of_services.get(services)
        if lines is None:  # a room asks again and again for the same services
            lines = [line for s in services for kind in KINDS
                     if (line := self._line(s, kind)) is not None]
            self._of_services[services] = lines
        return lines

    def _line(self, service: str, kind: Kind) -> _Line | None:
        key = (service, kind)
        if key not in self._lines:
            places = self._places.get(key)
            self._lines[key] = _Line(self, places, kind, service) if places else None
        return self._lines[key]


def next_ticket(state: QueueState, config: SiteConfig, services: Iterable[str],
                now: datetime, room: str | None = None) -> Choice | None:
    """Whom a room calling for these services gets now, or None: nobody to call.

    `room` gives the room's languages and its recent calls (rules 3 and 4); without it only
    appointments, owed tickets and plain order count.
    """
    asker = Asker.of(state, config, room, services)
    chosen = Lines.of(state, CallingPolicy.of(config), now).choose(asker, 0.0)
    if chosen is None:
        return None
    candidate, by_language, by_assistance, skipped = chosen
    return Choice(candidate.number, by_language, by_assistance,
                  tuple(s.number for s in skipped))

