"""The day report as the service team reads it: customers per authority and per leg, waits,
no-shows, open at close, languages, paused rooms; its CSV; nothing personal in either."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core import day_report
from firmware.core.events import Event, EventType
from testkit.site_factory import MONDAY, at, small_site

DAY = MONDAY.isoformat()
CONFIG = small_site()


class Day:
    """A day's ledger written as the controller writes it, minute by minute."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.seq = count(1)

    def add(self, name: str, when: datetime, **data: object) -> None:
        n = next(self.seq)
        self.events.append(Event(f"e{n}", EventType(name), when, DAY, dict(data), n))


def morning() -> Day:
    d = Day()
    # K001 (fi) for Kela, then Vero: one number, two legs.
    d.add("ticket.issued", at(MONDAY, 9, 0), number="K001", service="kela", lang="fi",
          seq_no=1, then=["vero"])
    # K002 (sv) needs assistance.
    d.add("ticket.issued", at(MONDAY, 9, 2), number="K002", service="kela", lang="sv",
          seq_no=2, assistance=True)
    d.add("ticket.issued", at(MONDAY, 9, 4), number="K003", service="kela", lang="en", seq_no=3)
    d.add("ticket.called", at(MONDAY, 9, 10), number="K002", room="1", call_id="c1",
          lang="sv", assistance=True, by_assistance=True)
    d.add("ticket.completed", at(MONDAY, 9, 20), number="K002", room="1", service="kela")
    d.add("ticket.called", at(MONDAY, 9, 21), number="K001", room="1", call_id="c2", lang="fi")
    d.add("ticket.recalled", at(MONDAY, 9, 23), number="K001", room="1", call_id="c3",
          lang="fi")
    d.add("ticket.completed", at(MONDAY, 9, 33), number="K001", room="1", service="kela")
    d.add("ticket.continued", at(MONDAY, 9, 33), number="K001", from_service="kela",
          to_service="vero", place="arrival", leg=2, then=[])
    d.add("room.state", at(MONDAY, 9, 40), room="2", state="paused", reason="lunch", by="anna")
    d.add("ticket.called", at(MONDAY, 9, 45), number="K003", room="1", call_id="c4",
          lang="en", by_language=True)
    d.add("ticket.no_show", at(MONDAY, 9, 50), number="K003", room="1")
    d.add("room.state", at(MONDAY, 10, 10), room="2", state="serving", reason=None, by="anna")
    d.add("ticket.called", at(MONDAY, 10, 13), number="K001", room="2", call_id="c5",
          lang="fi")
    d.add("ticket.completed", at(MONDAY, 10, 20), number="K001", room="2", service="vero")
    d.add("ticket.issued", at(MONDAY, 15, 50), number="K004", service="kela", lang="fi",
          seq_no=4)
    d.add("help.requested", at(MONDAY, 11, 0), device="kiosk-1")
    d.add("help.answered", at(MONDAY, 11, 2), device="kiosk-1", by="advisor-1")
    d.add("ticket.reprinted", at(MONDAY, 11, 5), number="K004", device="kiosk-1")
    d.add("room.state", at(MONDAY, 15, 0), room="3", state="closed", reason=None, by="bo")
    d.add("ticket.cancelled", at(MONDAY, 16, 45), number="K004", reason="closed")
    return d


def by(rows: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows}


CLOSED_AT = at(MONDAY, 16, 45)


def test_a_bilingual_morning_in_the_report() -> None:
    report = day_report.build(morning().events, CONFIG, DAY, CLOSED_AT)
    kela, vero = by(report["authorities"], "service")["kela"], \
        by(report["authorities"], "service")["vero"]
    assert (kela["customers"], kela["served"], kela["no_shows"], kela["open_at_close"]) == \
        (4, 2, 1, 1)
    # Waits to each leg's first call: K002 10 min, K001 21 min (not to its recall), K003 41.
    assert kela["wait_median_min"] == 21.0 and kela["wait_p90_min"] == 41.0
    assert kela["service_median_min"] == 10.0  # K002 10 min, K001 10 min from its recall
    # The second leg waits from its continuation (9:33) to its call (10:13).
    assert (vero["customers"], vero["served"], vero["legs_continued_in"]) == (1, 1, 1)
    assert vero["wait_median_min"] == 40.0 and vero["service_median_min"] == 7.0
    assert report["visits"] == {"tickets": 4, "several_authorities": 1}
    langs = by(report["languages"], "lang")
    assert list(langs) == ["fi", "sv", "en"]
    assert langs["fi"]["customers"] == 2 and langs["fi"]["wait_median_min"] == 30.5
    assert langs["en"]["decided_by_language"] == 1 and langs["fi"]["decided_by_language"] == 0
    assert report["assistance"] == {"tickets": 1, "wait_median_min": 8.0}
    assert (report["help_requests"], report["reprints"]) == (1, 1)


def test_rooms_serving_paused_and_closed_time() -> None:
    rooms = by(day_report.build(morning().events, CONFIG, DAY, CLOSED_AT)["rooms"], "room")
    day_minutes = (CLOSED_AT - at(MONDAY, 8, 0)).total_seconds() / 60  # opened at 8.00
    assert rooms["1"] == {"room": "1", "serving_min": day_minutes, "paused_min": 0.0,
                          "paused_by_reason": {}}
    assert rooms["2"]["paused_min"] == 30.0 and rooms["2"]["paused_by_reason"] == {"lunch": 30.0}
    assert rooms["2"]["serving_min"] == day_minutes - 30
    # Closed from 15.00: neither serving nor paused.
    assert rooms["3"]["serving_min"] == 7 * 60 and rooms["3"]["paused_min"] == 0.0


def test_a_report_so_far_counts_open_tickets_as_open() -> None:
    d = morning()
    report = day_report.build(d.events[:3], CONFIG, DAY, at(MONDAY, 9, 5))
    kela = by(report["authorities"], "service")["kela"]
    assert (kela["customers"], kela["open_at_close"], kela["wait_median_min"]) == (3, 3, None)
    assert by(report["rooms"], "room")["1"]["serving_min"] == 65.0


def test_an_empty_day_has_every_authority_and_room_at_zero() -> None:
    report = day_report.build([], CONFIG, DAY, CLOSED_AT)
    assert [r["service"] for r in report["authorities"]] == ["kela", "vero", "migri"]
    assert all(r["customers"] == 0 and r["wait_median_min"] is None
               for r in report["authorities"])
    assert report["languages"] == [] and report["visits"]["tickets"] == 0
    json.dumps(report)  # JSON-able as the `day.closed` event carries it


def test_day_end_follows_closing_time() -> None:
    # small_site's site closes at 16.15 on weekdays; nothing on Sunday.
    assert day_report.day_end(CONFIG, DAY) == at(MONDAY, 16, 45)
    sunday = MONDAY + timedelta(days=6)
    assert day_report.day_end(CONFIG, sunday.isoformat()) == at(MONDAY + timedelta(days=7), 0)


def test_the_csv_has_one_table_per_section() -> None:
    report = day_report.build(morning().events, CONFIG, DAY, CLOSED_AT)
    text = day_report.to_csv(report)
    blocks = [list(csv.DictReader(io.StringIO(b))) for b in text.split("\n\n")]
    assert [b[0]["table"] for b in blocks] == ["authorities", "visits", "languages", "rooms",
                                               "assistance", "other"]
    assert all(row["day"] == DAY for block in blocks for row in block)
    kela = blocks[0][0]
    assert (kela["service"], kela["customers"], kela["no_shows"]) == ("kela", "4", "1")
    room_2 = by(blocks[3], "room")["2"]
    assert room_2["paused_lunch_min"] == "30.0" and room_2["paused_break_min"] == "0.0"
    assert blocks[5][0]["help_requests"] == "1"
    assert "K00" not in text and "kiosk-1" not in text and "anna" not in text


# -- properties over random days ----------------------------------------------------------

SERVICES = ["kela", "vero", "migri"]
STEPS = st.lists(st.tuples(
    st.sampled_from(["issue", "call", "recall", "complete", "continue", "no_show", "reinstate",
                     "transfer", "cancel", "assist", "pause", "resume", "close_room", "help",
                     "reprint"]),
    st.integers(0, 30), st.integers(0, 2), st.sampled_from(["fi", "sv", "en"]),
    st.integers(1, 20)), max_size=60)


def random_day(steps: list[tuple[str, int, int, str, int]]) -> tuple[Day, datetime]:
    """A day the controller could have written: each step on a ticket in a state that
    allows it, minutes apart; open tickets closed at the day's end."""
    d, now, made = Day(), at(MONDAY, 8, 0), 0
    status: dict[str, str] = {}
    for action, pick, service, lang, minutes in steps:
        now += timedelta(minutes=minutes)
        numbers = sorted(status)
        number = numbers[pick % len(numbers)] if numbers else None
        state = status.get(number or "")
        room = str(service + 1)
        if action == "issue":
            made += 1
            number = f"K{made:03d}"
            d.add("ticket.issued", now, number=number, service=SERVICES[service], lang=lang,
                  seq_no=made, **({"assistance": True} if pick % 4 == 0 else {}))
            status[number] = "waiting"
        elif action in ("call", "recall") and state in ("waiting", "called"):
            d.add("ticket.called" if state == "waiting" else "ticket.recalled", now,
                  number=number, room=room, call_id=f"c{now:%H%M}", lang=lang,
                  **({"by_language": True} if pick % 3 == 0 else {}))
            status[number] = "called"
        elif action == "complete" and state == "called":
            d.add("ticket.completed", now, number=number, room=room)
            status[number] = "done"
        elif action == "continue" and state == "called":
            d.add("ticket.completed", now, number=number, room=room)
            d.add("ticket.continued", now, number=number, from_service="kela",
                  to_service=SERVICES[service], place="arrival", leg=2, then=[])
            status[number] = "waiting"
        elif action == "no_show" and state == "called":
            d.add("ticket.no_show", now, number=number, room=room)
            status[number] = "no_show"
        elif action == "reinstate" and state == "no_show":
            d.add("ticket.reinstated", now, number=number)
            status[number] = "waiting"
        elif action == "transfer" and state in ("waiting", "called"):
            d.add("ticket.transferred", now, number=number, to_service=SERVICES[service])
            status[number] = "waiting"
        elif action == "cancel" and state in ("waiting", "called"):
            d.add("ticket.cancelled", now, number=number, reason="advisor")
            status[number] = "done"
        elif action == "assist" and number is not None:
            d.add("ticket.assistance", now, number=number, assistance=pick % 2 == 0)
        elif action in ("pause", "resume", "close_room"):
            state_name = {"pause": "paused", "resume": "serving", "close_room": "closed"}
            d.add("room.state", now, room=room, state=state_name[action],
                  reason="lunch" if action == "pause" and pick % 2 else None, by="x")
        elif action == "help":
            d.add("help.requested", now, device="kiosk-1")
        elif action == "reprint" and number is not None:
            d.add("ticket.reprinted", now, number=number, device="kiosk-1")
    closed_at = max(now, at(MONDAY, 16, 45))
    for number, state in status.items():
        if state in ("waiting", "called"):
            d.add("ticket.cancelled", closed_at, number=number, reason="closed")
    return d, closed_at


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_every_leg_ends_once_and_the_counts_add_up(steps) -> None:
    d, closed_at = random_day(steps)
    report = day_report.build(d.events, CONFIG, DAY, closed_at)
    legs = len([e for e in d.events if e.type in ("ticket.issued", "ticket.continued")])
    rows = report["authorities"]
    assert sum(r["customers"] for r in rows) == legs
    for r in rows:
        assert r["served"] + r["no_shows"] + r["cancelled"] + r["open_at_close"] == \
            r["customers"]
        assert r["legs_continued_in"] <= r["customers"]
    tickets = report["visits"]["tickets"]
    assert report["visits"]["several_authorities"] <= tickets
    assert sum(x["customers"] for x in report["languages"]) == tickets
    assert report["assistance"]["tickets"] <= tickets


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_serving_and_paused_time_fit_in_the_day(steps) -> None:
    d, closed_at = random_day(steps)
    report = day_report.build(d.events, CONFIG, DAY, closed_at)
    day_minutes = (closed_at - at(MONDAY, 8, 0)).total_seconds() / 60
    for room in report["rooms"]:
        assert room["serving_min"] + room["paused_min"] <= day_minutes + 0.1  # rounding
        assert abs(sum(room["paused_by_reason"].values()) - room["paused_min"]) <= 0.3


@settings(max_examples=100, deadline=None)
@given(STEPS)
def test_nothing_personal_in_the_report_or_its_csv(steps) -> None:
    d, closed_at = random_day(steps)
    report = day_report.build(d.events, CONFIG, DAY, closed_at)
    text = json.dumps(report) + day_report.to_csv(report)
    assert "K0" not in text and "kiosk-1" not in text and '"x"' not in text
