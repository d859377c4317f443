"""The statistics per language, per leg and of the rooms' serving and paused time (issue 24):
the same figures as the day report's, in `piste stats`, on the console's statistics page
and in the national report the central collector's store gives."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings

from firmware.central.national import (
    ALARM_MONTH_COLUMNS,
    LANGUAGE_MONTH_COLUMNS,
    national_report,
)
from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core import day_report
from firmware.core import stats as core_stats
from firmware.core.stats import (
    authority_time_rows,
    day_extras,
    language_rows,
    leg_rows,
    room_time_rows,
)
from firmware.site_model import WebConfig
from firmware.web import routes_stats, stats_data
from testkit.site_factory import MONDAY, TZ, at, small_site
from tests.test_day_report import CLOSED_AT, CONFIG, DAY, STEPS, by, morning, random_day
from tests.test_web_report import WEDNESDAY
from tests.test_web_report import morning as controller_morning


def test_languages_and_legs_of_a_morning() -> None:
    events = morning().events
    langs = by(language_rows([events]), "lang")
    assert list(langs) == ["fi", "sv", "en"]
    # K001 (fi) was called twice (Kela, then Vero), its recall is no new call.
    assert (langs["fi"]["customers"], langs["fi"]["calls"], langs["fi"]["wait_median_min"]) \
        == (2, 2, 30.5)
    assert (langs["en"]["calls"], langs["en"]["decided_by_language"]) == (1, 1)
    rows, visits = leg_rows([events])
    legs = by(rows, "service")
    assert (legs["kela"]["legs"], legs["kela"]["served"], legs["kela"]["continued_in"]) == \
        (4, 2, 0)
    assert (legs["vero"]["legs"], legs["vero"]["continued_in"], legs["vero"]["wait_median_min"]) \
        == (1, 1, 40.0)
    assert legs["all"]["legs"] == 5 and visits == {"tickets": 4, "several_authorities": 1}
    # Two days count as the sum of their visits, each day's numbers on their own.
    _, two = leg_rows([events, events])
    assert two == {"tickets": 8, "several_authorities": 2}


def test_piste_stats_counts_the_next_authority_as_a_segment() -> None:
    rows = {(r["service"], r["hour"]): r for r in core_stats.day_report(morning().events, TZ)}
    vero = rows[("vero", "all")]
    # From continuing at 9.33 to the call at 10.13; served 7 minutes.
    assert (vero["arrivals"], vero["served"], vero["wait_median_min"],
            vero["service_median_min"]) == (1, 1, 40.0, 7.0)
    assert rows[("kela", "all")]["served"] == 2


@settings(max_examples=100, deadline=None)
@given(STEPS)
def test_the_statistics_agree_with_the_day_report(steps) -> None:
    d, closed_at = random_day(steps)
    report = day_report.build(d.events, CONFIG, DAY, closed_at)
    rows, visits = leg_rows([d.events])
    legs = by(rows, "service")
    for row in report["authorities"]:
        found = legs.get(row["service"], {"legs": 0, "continued_in": 0, "served": 0,
                                          "wait_median_min": None})
        assert (found["legs"], found["continued_in"], found["served"],
                found["wait_median_min"]) == (row["customers"], row["legs_continued_in"],
                                              row["served"], row["wait_median_min"])
    assert visits == report["visits"]
    languages = {r["lang"]: (r["customers"], r["wait_median_min"], r["decided_by_language"])
                 for r in language_rows([d.events])}
    assert languages == {r["lang"]: (r["customers"], r["wait_median_min"],
                                     r["decided_by_language"]) for r in report["languages"]}
    start = at(MONDAY, 8, 0)
    assert [{k: v for k, v in r.items() if not k.startswith("paused_") or k == "paused_min"}
            for r in room_time_rows([(d.events, start, closed_at)], ["1", "2", "3"])] == \
        [{"room": r["room"], "serving_min": r["serving_min"], "paused_min": r["paused_min"]}
         for r in report["rooms"]]


def test_room_and_authority_time_over_two_days() -> None:
    events = morning().events
    day = (events, at(MONDAY, 8, 0), CLOSED_AT)
    rooms = by(room_time_rows([day, day], ["1", "2", "3"]), "room")
    assert rooms["2"]["paused_min"] == 60.0 and rooms["2"]["paused_lunch_min"] == 60.0
    assert rooms["2"]["serving_min"] == 2 * (525 - 30)
    assert rooms["3"]["serving_min"] == 2 * 7 * 60
    authorities = by(authority_time_rows(list(rooms.values()), {
        "kela": ["1", "2"], "vero": ["2"], "migri": ["3"], "dvv": []}), "service")
    assert authorities["kela"] == {"service": "kela", "rooms": 2,
                                   "serving_min": 2 * 525 + 2 * 495, "paused_min": 60.0}
    assert authorities["dvv"]["rooms"] == 0 and authorities["dvv"]["serving_min"] == 0


def test_day_extras_end_at_the_days_end_or_now() -> None:
    events = morning().events
    late = day_extras(events, CONFIG, DAY, at(MONDAY + timedelta(days=1), 9))
    assert by(late["room_time"], "room")["1"]["serving_min"] == 525.0  # 8.00 to 16.45
    early = day_extras(events, CONFIG, DAY, at(MONDAY, 10, 0))
    assert by(early["room_time"], "room")["1"]["serving_min"] == 120.0
    assert by(early["authority_time"], "service")["vero"]["rooms"] == 1
    assert early["visits"] == [{"tickets": 4, "several_authorities": 1}]
    assert day_extras([], CONFIG, DAY, CLOSED_AT) == {}


def test_the_national_report_per_language_leg_and_room() -> None:
    # Help requests and reprints are no figures of the national report (and, until the
    # ledger's vocabulary has them, types it would pass over as unknown).
    events = [e for e in morning().events
              if e.type not in ("help.requested", "help.answered", "ticket.reprinted")]
    wire = [("s1", e.to_wire()) for e in events]
    report = national_report(wire, "2026-11-01", "2026-11-30", TZ)
    assert report.skipped == 0
    langs = {r["lang"]: r for r in report.languages}
    assert langs["fi"] == {"site": "s1", "month": "2026-11", "lang": "fi", "customers": 2,
                           "wait_median_min": 30.5, "wait_p90_min": 40.0, "calls": 2,
                           "decided_by_language": 0}
    legs = {r["service"]: r for r in report.legs}
    assert legs["vero"]["continued_in"] == 1 and legs["all"]["legs"] == 5
    assert report.visits == [{"site": "s1", "month": "2026-11", "tickets": 4,
                              "several_authorities": 1}]
    # Open from the first ticket event (9.00) to the last one before the day's end (15.50):
    # the tickets closed at 16.45 are not open time.
    rooms = {r["room"]: r for r in report.room_time}
    assert rooms["1"]["serving_min"] == 410.0
    assert (rooms["2"]["serving_min"], rooms["2"]["paused_lunch_min"]) == (380.0, 30.0)
    assert rooms["3"]["serving_min"] == 360.0  # closed from 15.00
    tables = report.csv_text().rstrip("\n").split("\n\n")
    assert len(tables) == 9  # the last, the safety alarms (issue 26), its header alone
    assert tables[-1] == ",".join(ALARM_MONTH_COLUMNS)
    header, *rows = list(csv.reader(io.StringIO(tables[4])))
    assert header == LANGUAGE_MONTH_COLUMNS and [r[2] for r in rows] == ["fi", "sv", "en"]
    assert "K00" not in report.csv_text()
    # A room state that says nothing the figures can read is passed over and counted.
    lunch = next(e for e in events if e.type == "room.state")
    bad = ("s1", {**lunch.to_wire(), "state": "asleep"})
    assert national_report([*wire, bad], "2026-11-01", "2026-11-30", TZ).skipped == 1


def test_the_days_page_draws_the_rooms_time_on_a_set_clock(tmp_path) -> None:
    config = small_site()
    clock = ManualClock(at(WEDNESDAY, 8, 0))
    controller = Controller(config, Ledger(tmp_path / "ledger.sqlite"), clock)
    controller_morning(controller, clock, WEDNESDAY)
    controller.ledger.close()
    web = WebConfig(users_file=str(tmp_path / "web-users.toml"))
    console: Any = SimpleNamespace(
        runtime=SimpleNamespace(config=config, device=SimpleNamespace(web=web)),
        data_dir=tmp_path, now=lambda: at(date(2026, 12, 3), 9), view=lambda: {})
    view = routes_stats.read_day(console, WEDNESDAY.isoformat())
    rooms = by(view["room_time"], "room")
    assert rooms["1"]["serving_min"] == 525.0 and rooms["1"]["paused_min"] == 0.0
    chart = view["charts"]["room_time"]
    assert chart["labels"] == ["Room 1", "Room 2", "Room 3"]
    assert chart["series"][0]["values"] == [525.0] * 3 and chart["stacked"]
    authority = view["charts"]["authority_time"]
    assert authority["labels"] == ["Kela", "Tax Administration", "Finnish Immigration Service"]
    assert authority["series"][0]["values"] == [1050.0, 525.0, 525.0]
    languages = view["charts"]["languages"]
    assert languages["labels"] == ["Finnish", "Swedish", "English"]
    assert languages["summary"] == ("Customers per language: Finnish 2, Swedish 1, English 1. "
                                    "The language preference of the rooms decided 0 calls.")
    legs = view["charts"]["legs"]
    assert legs["summary"] == ("4 numbers were taken; 0 customers visited more than one "
                               "authority on the same number.")
    text = stats_data.day_csv(view)
    assert text.split("\n\n")[-1].splitlines()[0] == "day,service,rooms,serving_min,paused_min"
    fi = routes_stats.read_day(console, WEDNESDAY.isoformat(), "fi")
    assert fi["charts"]["room_time"]["title"] == "Huoneiden palvelu- ja taukoaika"
    assert fi["charts"]["legs"]["summary"].startswith("4 numeroa otettiin; 0 asiakasta asioi")
