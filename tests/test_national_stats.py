"""National statistics at the central collector: three sites' real ledgers (each made by the
controller itself on a manual clock) over two months, read back from their wire events."""

from __future__ import annotations

import csv
import dataclasses
import functools
import heapq
import io
import itertools
import json
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.central.national import (
    ALARM_MONTH_COLUMNS,
    FEEDBACK_MONTH_COLUMNS,
    LANGUAGE_MONTH_COLUMNS,
    LEG_MONTH_COLUMNS,
    MONTH_COLUMNS,
    ROOM_TIME_MONTH_COLUMNS,
    SURVEY_MONTH_COLUMNS,
    UTILISATION_MONTH_COLUMNS,
    VISIT_MONTH_COLUMNS,
    national_report,
)
from firmware.controller.local_queue import LocalQueue
from firmware.core.events import EventType
from firmware.core.stats import COLUMNS, day_report
from firmware.site_model import SiteConfig, SurveyConfig
from mqtt_bridge import topics
from testkit.site_factory import TZ, at, small_site

# Monday 30 November, then Wednesday and Friday of the next week: two months, and Vero
# (Mon/Wed 9-15, Fri 9-12) as well as Kela (weekdays) open on each.
NOVEMBER, DEC_2, DEC_4 = date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 4)
SITES = {"joensuu": ((NOVEMBER, DEC_2, DEC_4), 2), "kemi": ((DEC_2, DEC_4), 3),
         "lappeenranta": ((NOVEMBER, DEC_2, DEC_4), 1)}
FIRST, LAST = "2026-11-01", "2026-12-31"


@dataclasses.dataclass(frozen=True)
class SiteRun:
    wire: list[dict[str, Any]]  # the ledger's events as the collector receives them
    day_rows: dict[str, list[dict[str, Any]]]  # the site's own `piste stats` of each day


def site_config(site_id: str) -> SiteConfig:
    config = small_site()
    return dataclasses.replace(config, site=dataclasses.replace(config.site, id=site_id),
                               survey=SurveyConfig(date(2026, 12, 1), date(2026, 12, 31)))


class Day:
    """One morning at a site: customers for Kela and Vero, two rooms calling, a clerk who
    transfers, some no-shows, one customer who gives up, room 1's occupancy sensors,
    feedback at the exit and, in December, the survey. What is still open at 11:40 expires
    when the next day begins."""

    def __init__(self, queue: LocalQueue, day: date, rng: random.Random) -> None:
        self.queue, self.day, self.rng = queue, day, rng
        self.plan: list[tuple[datetime, int, str, str]] = []
        self.order = itertools.count()
        self.last_number = ""

    def at(self, when: datetime, kind: str, subject: str = "") -> None:
        heapq.heappush(self.plan, (when, next(self.order), kind, subject))

    def run(self) -> None:
        day, rng = self.day, self.rng
        t = at(day, 9, 0)
        while t < at(day, 11, 15):
            self.at(t, "issue", rng.choice(("kela", "kela", "vero")))
            t += timedelta(minutes=rng.randint(2, 5))
        self.at(at(day, 8, 50), "occupancy", "staff_only")  # room 1's clerk is in
        self.at(at(day, 9, 6), "call", "1")
        self.at(at(day, 9, 8), "call", "2")
        self.at(at(day, 10, 0), "transfer", "1")
        self.at(at(day, 10, 31), "cancel")
        self.at(at(day, 11, 39), "occupancy", "vacant")
        for minute in range(15, 180, 20):
            self.at(at(day, 9) + timedelta(minutes=minute), "feedback")
        if day.month == 12:
            for minute in (20, 50, 80, 110):
                self.at(at(day, 9) + timedelta(minutes=minute), "survey")
        while self.plan:
            when, _, kind, subject = heapq.heappop(self.plan)
            if when >= at(day, 11, 40):
                break
            self.queue.clock.set(when)
            getattr(self, f"_{kind}")(when, subject)

    def _issue(self, when: datetime, service: str) -> None:
        answer = self.queue.send(topics.ISSUE, service=service)
        self.last_number = answer["ticket"]["number"] if answer["ok"] else self.last_number

    def _cancel(self, when: datetime, _: str) -> None:
        self.queue.send(topics.CANCEL, ticket=self.last_number)

    def _transfer(self, when: datetime, room: str) -> None:
        self.queue.send(topics.TRANSFER, room=room, to_service="vero")

    def _occupancy(self, when: datetime, state: str) -> None:
        sides = {"staff_only": (True, False), "in_session": (True, True),
                 "vacant": (False, False)}[state]
        self.queue.controller.record(EventType.ROOM_OCCUPANCY, {
            "room": "1", "staff": sides[0], "customer": sides[1], "state": state,
            "since": when.isoformat(timespec="seconds")})

    def _call(self, when: datetime, room: str) -> None:
        if self.rng.random() < 0.12:
            self.queue.send(topics.NO_SHOW, room=room)  # refused when the room holds none
        if room == "1":
            self._occupancy(when, "staff_only")  # the last customer has left
        answer = self.queue.send(topics.CALL, room=room)
        if answer.get("ticket") is None:
            self.at(when + timedelta(minutes=2), "call", room)
            return
        self.at(when + timedelta(minutes=self.rng.randint(4, 14)), "call", room)
        if room == "1":
            self.at(when + timedelta(minutes=self.rng.randint(1, 3)), "occupancy", "in_session")

    def _feedback(self, when: datetime, _: str) -> None:
        scale = self.rng.choice((4, 4, 5))  # two devices by the exit with 4 and 5 faces
        answer = self.queue.send(topics.FEEDBACK, device=f"exit-{scale}", lang="fi",
                                 rating=self.rng.randint(1, scale), scale=scale, masked=False)
        assert answer["ok"], answer

    def _survey(self, when: datetime, _: str) -> None:
        ratings = {str(n): self.rng.choice((None, 4, 6, 7, 8, 9, 10)) for n in range(1, 17)}
        answer = self.queue.send(topics.SURVEY, device="exit-4", lang="fi", ratings=ratings,
                                 self_service=False, documents=False)
        assert answer["ok"], answer


@functools.cache
def runs() -> dict[str, SiteRun]:
    result = {}
    for site_id, (days, seed) in SITES.items():
        queue = LocalQueue(site_config(site_id), at(days[0], 8, 0))
        rng = random.Random(seed)
        for day in days:
            Day(queue, day, rng).run()
        ledger = queue.controller.ledger
        wire = [e.to_wire() for e in ledger.events_from(0)]
        rows = {d.isoformat(): day_report(ledger.events_of_day(d.isoformat()), TZ)
                for d in days}
        queue.close()
        result[site_id] = SiteRun(wire, rows)
    return result


def interleaved(sites: list[str], rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """The sites' events mixed at random, each site's still in its own order."""
    pending = {s: list(runs()[s].wire) for s in sites}
    mixed = []
    while pending:
        site = rng.choice(sorted(pending))
        mixed.append((site, pending[site].pop(0)))
        if not pending[site]:
            del pending[site]
    return mixed


def everything(seed: int = 0) -> list[tuple[str, dict[str, Any]]]:
    return interleaved(sorted(SITES), random.Random(seed))


def rows_by_key(report: Any) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(r["site"], r["month"], r["service"]): r for r in report.rows}


def issued(site: str, month: str | None = None, day: str | None = None) -> int:
    return sum(1 for e in runs()[site].wire if e["type"] == "ticket.issued"
               and e["day"].startswith(month or "") and e["day"] == (day or e["day"]))


# -- the queue ------------------------------------------------------------------------------


def test_a_single_day_month_has_the_sites_own_figures_for_each_authority() -> None:
    rows = rows_by_key(national_report(everything(), FIRST, LAST, TZ))
    for site in ("joensuu", "lappeenranta"):
        own = {r["service"]: r for r in runs()[site].day_rows["2026-11-30"]
               if r["hour"] == "all"}
        assert set(own) == {"kela", "vero", "all"}
        for service, theirs in own.items():
            ours = rows[(site, "2026-11", service)]
            for column in COLUMNS[2:]:
                assert ours[column] == theirs[column], (site, service, column)
        # Realistic: customers waited and were served, one went elsewhere, some never came.
        assert own["kela"]["wait_median_min"] is not None
        assert own["all"]["service_p90_min"] is not None
        assert own["kela"]["transferred"] == 1 and own["all"]["expired"] > 0
        assert own["all"]["cancelled"] == 1


def test_site_totals_add_up_and_count_every_number_taken() -> None:
    report = national_report(everything(), FIRST, LAST, TZ)
    months = {(r["site"], r["month"]) for r in report.rows}
    assert len(months) == 5
    totals = rows_by_key(report)
    for site, month in months:
        parts = [r for r in report.rows if (r["site"], r["month"]) == (site, month)
                 and r["service"] != "all"]
        total = totals[(site, month, "all")]
        for column in ("customers", "arrivals", "served", "no_show", "transferred",
                       "cancelled", "expired"):
            assert sum(r[column] for r in parts) == total[column], (site, month, column)
        assert total["customers"] == issued(site, month)
        # A transfer is a second visit, not a second customer.
        assert total["arrivals"] == total["customers"] + total["transferred"]


def test_sites_are_kept_apart() -> None:
    together = national_report(everything(1), FIRST, LAST, TZ)
    for site in SITES:
        alone = national_report(interleaved([site], random.Random(0)), FIRST, LAST, TZ)
        for table in ("rows", "utilisation", "feedback"):
            assert [r for r in getattr(together, table) if r["site"] == site] \
                == getattr(alone, table), (site, table)
        assert [r for r in together.survey if r["site"] == site] \
            == [r for r in alone.survey if r["site"] == site]
    a, b = (rows_by_key(together)[(s, "2026-12", "all")] for s in ("joensuu", "lappeenranta"))
    assert a != b


def test_months_are_split_and_only_the_period_counts() -> None:
    report = national_report(everything(), FIRST, LAST, TZ)
    months = {site: sorted({r["month"] for r in report.rows if r["site"] == site})
              for site in SITES}
    assert months == {"joensuu": ["2026-11", "2026-12"], "kemi": ["2026-12"],
                      "lappeenranta": ["2026-11", "2026-12"]}
    one_day = national_report(everything(), "2026-12-02", "2026-12-02", TZ)
    assert {r["month"] for r in one_day.rows} == {"2026-12"}
    for site in SITES:
        total = rows_by_key(one_day)[(site, "2026-12", "all")]
        assert total["customers"] == issued(site, day="2026-12-02")
    assert national_report(everything(), "2027-01-01", "2027-01-31", TZ).rows == []


# -- rooms ----------------------------------------------------------------------------------


def open_minutes(site: str, month: str) -> float:
    """First to last ticket event of each day, the expiries written next morning left out."""
    spans: dict[str, list[datetime]] = {}
    for e in runs()[site].wire:
        if e["type"].startswith("ticket.") and e.get("reason") != "expired" \
                and e["day"].startswith(month):
            spans.setdefault(e["day"], []).append(datetime.fromisoformat(e["at"]))
    return sum((max(t) - min(t)).total_seconds() for t in spans.values()) / 60


def test_utilisation_counts_the_span_of_each_days_ticket_events_as_open() -> None:
    report = national_report(everything(), FIRST, LAST, TZ)
    assert {(r["site"], r["month"], r["room"]) for r in report.utilisation} == {
        ("joensuu", "2026-11", "1"), ("joensuu", "2026-12", "1"), ("kemi", "2026-12", "1"),
        ("lappeenranta", "2026-11", "1"), ("lappeenranta", "2026-12", "1")}
    for row in report.utilisation:
        assert row["open_min"] == round(open_minutes(row["site"], row["month"]), 1)
        # The clerk was in before the first number each day: every open minute is known.
        assert row["unknown_share"] == 0.0 and row["healthy_min"] == row["open_min"]
        shares = sum(row[k] for k in ("in_session_share", "staff_only_share",
                                      "customer_only_share", "vacant_share"))
        assert abs(shares - 1) < 0.005 and row["in_session_share"] > 0.3
        assert row["sessions"] > 5


def wire(kind: str, when: datetime, **data: Any) -> dict[str, Any]:
    return {**data, "id": f"{kind}{when}", "seq": 0, "type": kind,
            "at": when.isoformat(timespec="seconds"), "day": when.date().isoformat()}


def open_hour(day: date, number: str) -> list[dict[str, Any]]:
    """A day open 9-10 by its ticket events, nothing else."""
    return [wire("ticket.issued", at(day, 9), number=number, service="kela"),
            wire("ticket.cancelled", at(day, 10), number=number, reason="cancelled")]


def test_a_rooms_state_carries_over_and_a_pruned_day_is_left_out() -> None:
    d1, d2, d3 = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
    staff_in = wire("room.occupancy", at(d1, 9, 30), room="1", staff=True, customer=False,
                    state="staff_only", since=at(d1, 9, 30).isoformat())
    carried = [*open_hour(d1, "K001")[:1], staff_in, *open_hour(d1, "K001")[1:],
               *open_hour(d2, "K001")]
    row, = national_report([("s", e) for e in carried], FIRST, LAST, TZ).utilisation
    # Day 1: unknown until 9:30, then staff only; day 2: staff only all the hour.
    assert (row["open_min"], row["healthy_min"]) == (120.0, 90.0)
    assert (row["unknown_share"], row["staff_only_share"]) == (0.25, 1.0)

    pruned = {**staff_in, "at": at(d2, 9, 30).isoformat(), "day": d2.isoformat()}
    pruned = {k: v for k, v in pruned.items() if k in ("id", "seq", "type", "at", "day")}
    pruned["pruned"] = True
    events = [*carried[:4], pruned, carried[4], *open_hour(d3, "K001")]
    report = national_report([("s", e) for e in events], FIRST, LAST, TZ)
    row, = report.utilisation
    # Day 2 is not measured; on day 3 nobody knows the room until it reports again.
    assert (row["open_min"], row["healthy_min"], row["unknown_share"]) == (120.0, 30.0, 0.75)
    assert report.pruned == 1 and report.skipped == 0


# -- customers' voices ----------------------------------------------------------------------


def test_feedback_is_summed_per_site_month_and_scale() -> None:
    report = national_report(everything(), FIRST, LAST, TZ)
    for site in SITES:
        given = Counter((e["day"][:7], e["scale"]) for e in runs()[site].wire
                        if e["type"] == "feedback.given")
        rows = {(r["month"], r["scale"]): r for r in report.feedback if r["site"] == site}
        assert {k: r["count"] for k, r in rows.items()} == dict(given)
        for (month, scale), row in rows.items():
            ratings = [e["rating"] for e in runs()[site].wire if e["type"] == "feedback.given"
                       and e["day"][:7] == month and e["scale"] == scale]
            assert row["mean"] == round(sum(ratings) / len(ratings), 2)
            assert set(row["distribution"]) == {str(v) for v in range(1, scale + 1)}


def test_the_survey_is_summed_per_site_and_for_the_nation() -> None:
    report = national_report(everything(), FIRST, LAST, TZ)
    assert {r["month"] for r in report.survey} == {"2026-12"}  # the survey month only
    by = {(r["site"], r["statement"]): r for r in report.survey}
    assert {s for s, _ in by} == {*SITES, "all"}
    answered = {s: sum(e["type"] == "survey.answered" for e in runs()[s].wire) for s in SITES}
    for (site, statement), row in by.items():
        assert row["answers"] == (sum(answered.values()) if site == "all" else answered[site])
        if site != "all":
            continue
        parts = [by[(s, statement)] for s in SITES if (s, statement) in by]
        assert row["count"] == sum(p["count"] for p in parts)
        for value in map(str, range(4, 11)):
            assert row["distribution"][value] == sum(p["distribution"][value] for p in parts)
        weighted = sum(p["mean"] * p["count"] for p in parts) / row["count"]
        assert abs(row["mean"] - weighted) < 0.01


# -- what the collector may hold --------------------------------------------------------------


BAD_ROWS: list[Any] = [
    "not a pair", ("joensuu",), (None, {"type": "ticket.issued"}), ("", {}),
    ("joensuu", "not an object"), ("joensuu", {}),
    ("joensuu", {"type": "ticket.teleported", "at": "2026-12-02T09:00:00+02:00",
                 "day": "2026-12-02", "number": "K001"}),
    ("joensuu", {"type": "ticket.issued", "at": "2026-12-02T09:00:00", "day": "2026-12-02",
                 "number": "K900", "service": "kela"}),  # no offset
    ("joensuu", {"type": "ticket.issued", "at": "09:00", "day": "2026-12-02",
                 "number": "K900", "service": "kela"}),
    ("joensuu", {"type": "ticket.issued", "at": "2026-12-02T09:00:00+02:00", "day": "20261202",
                 "number": "K900", "service": "kela"}),
    ("kemi", {"type": "ticket.issued", "at": "2026-12-02T09:00:00+02:00", "day": "2026-12-02",
              "number": "K900"}),  # no authority
    ("kemi", {"type": "ticket.transferred", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "number": "K001", "to_service": ["vero"]}),
    ("kemi", {"type": "ticket.called", "at": "2026-12-02T09:00:00+02:00", "day": "2026-12-02",
              "number": {"K": 1}, "room": "1"}),
    ("kemi", {"type": "feedback.given", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "rating": 9, "scale": 4}),
    ("kemi", {"type": "feedback.given", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "rating": True, "scale": 4}),
    ("kemi", {"type": "survey.answered", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "ratings": [8, 9]}),
    ("kemi", {"type": "room.occupancy", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "room": "1", "state": "on fire", "since": "now"}),
    ("kemi", {"type": "room.occupancy", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "room": "1", "staff": True, "customer": True,
              "state": "vacant", "since": "2026-12-02T09:00:00+02:00"}),
    ("kemi", {"type": "room.occupancy", "at": "2026-12-02T09:00:00+02:00",
              "day": "2026-12-02", "room": "1", "staff": True, "customer": True,
              "state": "in_session", "since": datetime(2026, 12, 2, 9, tzinfo=TZ)}),
]


def test_bad_rows_are_passed_over_and_counted() -> None:
    clean = national_report(everything(), FIRST, LAST, TZ)
    rng = random.Random(5)
    mixed: list[Any] = list(everything())
    for bad in BAD_ROWS:
        mixed.insert(rng.randrange(len(mixed) + 1), bad)
    report = national_report(iter(mixed), FIRST, LAST, TZ)
    assert report.skipped == len(BAD_ROWS) and clean.skipped == 0
    assert dataclasses.replace(report, skipped=0) == clean


def test_the_csv_has_its_tables_and_every_row_begins_with_site_and_month() -> None:
    # A silent alarm at Kemi (issue 26), its events after the site's others.
    last_seq = runs()["kemi"].wire[-1]["seq"]
    alarm = {"alarm": "0f" * 16, "room": "1", "drill": False}
    alarms = [("kemi", {**alarm, **more, "id": f"alarm-{i}", "seq": last_seq + i,
                        "type": kind, "at": f"2026-12-04T10:0{i}:00+02:00",
                        "day": "2026-12-04"})
              for i, (kind, more) in enumerate((("alarm.raised", {"source": "key"}),
                                                ("alarm.acknowledged", {"after_s": 61.0}),
                                                ("alarm.cleared", {})), 1)]
    report = national_report([*everything(), *alarms], FIRST, LAST, TZ)
    text = report.csv_text()
    tables = text.rstrip("\n").split("\n\n")
    assert text.splitlines()[0] == ",".join(MONTH_COLUMNS)
    expected = (MONTH_COLUMNS, UTILISATION_MONTH_COLUMNS, FEEDBACK_MONTH_COLUMNS,
                SURVEY_MONTH_COLUMNS, LANGUAGE_MONTH_COLUMNS, LEG_MONTH_COLUMNS,
                VISIT_MONTH_COLUMNS, ROOM_TIME_MONTH_COLUMNS, ALARM_MONTH_COLUMNS)
    sizes = (len(report.rows), len(report.utilisation), len(report.feedback),
             len(report.survey), len(report.languages), len(report.legs), len(report.visits),
             len(report.room_time), len(report.alarms))
    for table, columns, size in zip(tables, expected, sizes, strict=True):
        header, *rows = list(csv.reader(io.StringIO(table)))
        assert header == columns and len(rows) == size > 0
        for row in rows:
            assert row[0] in {*SITES, "all"} and re.fullmatch(r"\d{4}-\d{2}", row[1]), row
            assert len(row) == len(columns)
    feedback = list(csv.DictReader(io.StringIO(tables[2])))
    assert {r["r5"] for r in feedback if r["scale"] == "4"} == {""}  # not on its keys
    assert json.loads(json.dumps(report.as_dict()))["rows"] == report.rows


def test_a_period_that_ends_before_it_begins_is_refused() -> None:
    try:
        national_report([], "2026-12-31", "2026-12-01", TZ)
    except ValueError:
        return
    raise AssertionError("a reversed period was accepted")


@settings(max_examples=40, deadline=None)
@given(sites=st.lists(st.sampled_from(sorted(SITES)), min_size=1, max_size=3, unique=True),
       seed=st.integers(0, 2**32), drop=st.floats(0, 0.3),
       period=st.sampled_from([(FIRST, LAST), ("2026-11-30", "2026-11-30"),
                               ("2026-12-01", "2026-12-31"), ("2026-11-30", "2026-12-02"),
                               ("2026-12-03", "2026-12-04")]))
def test_totals_are_the_numbers_taken_whatever_the_order_and_gaps(
        sites: list[str], seed: int, drop: float, period: tuple[str, str]) -> None:
    rng = random.Random(seed)
    events = [item for item in interleaved(sites, rng) if rng.random() >= drop]
    report = national_report(events, *period, TZ)
    first, last = period
    expected = sum(1 for _, e in events
                   if e["type"] == "ticket.issued" and first <= e["day"] <= last)
    assert sum(r["customers"] for r in report.rows if r["service"] == "all") == expected
    assert sum(r["customers"] for r in report.rows if r["service"] != "all") == expected
    assert {r["site"] for r in report.rows} <= set(sites)
    assert report.skipped == 0
