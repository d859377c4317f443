"""Room utilisation and walking times from ledger events: pure, over a made-up morning; and
`piste stats` printing them from a real ledger file."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware.cli.stats import stats_main
from firmware.controller.ledger import Ledger
from firmware.core.events import Event, EventType
from firmware.core.utilisation import parse_occupancy, utilisation, walking_report
from tests.conftest import DEMO_SITE

TZ = ZoneInfo("Europe/Helsinki")
DAY = "2026-12-01"


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 12, 1, hh, mm, ss, tzinfo=TZ)


def occ(when: datetime, room: str, staff: bool | None, customer: bool | None, state: str,
        n: list[int] = [0]) -> Event:  # noqa: B006 - a counter for unique ids
    n[0] += 1
    return Event(f"o{n[0]}", EventType.ROOM_OCCUPANCY, when, DAY,
                 {"room": room, "staff": staff, "customer": customer, "state": state,
                  "since": when.isoformat()})


def call(when: datetime, number: str, room: str, service: str) -> Event:
    return Event(f"c{number}{when}", EventType.TICKET_CALLED, when, DAY,
                 {"number": number, "room": room, "service": service, "call_id": "x"})


def done(when: datetime, number: str, kind: EventType = EventType.TICKET_COMPLETED) -> Event:
    return Event(f"d{number}", kind, when, DAY, {"number": number, "room": "1"})


MORNING = [
    occ(at(9, 0), "1", False, False, "vacant"),
    occ(at(9, 10), "1", True, False, "staff_only"),
    call(at(9, 20), "K001", "1", "kela"),
    occ(at(9, 21, 30), "1", True, True, "in_session"),  # walked 90 s
    done(at(9, 40), "K001"),
    occ(at(9, 41), "1", True, False, "staff_only"),
    call(at(9, 45), "K002", "1", "kela"),
    done(at(9, 50), "K002", EventType.TICKET_NO_SHOW),  # nobody came
    call(at(9, 50), "V001", "1", "vero"),
    occ(at(9, 52), "1", True, True, "in_session"),  # walked 120 s
    occ(at(10, 0), "1", True, None, "unknown"),  # the radar falls silent for 30 min
    occ(at(10, 30), "1", True, False, "staff_only"),
]


def test_shares_per_hour_count_only_healthy_time_and_sessions_by_start() -> None:
    rows = utilisation(MORNING, ["1", "2"], [(at(9, 0), at(11, 0))], at(11, 0), TZ)
    by = {(r["room"], r["hour"]): r for r in rows}
    nine = by[("1", "09")]
    assert nine["open_min"] == 60.0 and nine["healthy_min"] == 60.0
    # in session 09:21:30-09:41 and 09:52-10:00: 19.5 + 8 min of 60
    assert nine["in_session_share"] == round(27.5 / 60, 3)
    assert nine["vacant_share"] == round(10 / 60, 3)
    assert nine["sessions"] == 2
    ten = by[("1", "10")]
    assert ten["healthy_min"] == 30.0 and ten["unknown_share"] == 0.5
    assert ten["staff_only_share"] == 1.0  # of the healthy half hour, never of the unknown
    # a room without sensors is all unknown, never vacant
    assert by[("2", "all")]["unknown_share"] == 1.0 and by[("2", "all")]["vacant_share"] is None


def test_walking_time_per_authority_and_calls_nobody_came_to() -> None:
    rows = {r["service"]: r for r in walking_report(MORNING, at(11, 0))}
    assert rows["kela"]["calls"] == 2 and rows["kela"]["arrived"] == 1
    assert rows["kela"]["not_arrived"] == 1 and rows["kela"]["walk_median_s"] == 90
    assert rows["vero"]["walk_median_s"] == 120
    assert rows["all"]["calls"] == 3


def test_a_call_while_the_sensor_is_unknown_is_unmeasured_not_a_no_show() -> None:
    events = [*MORNING, call(at(10, 5), "K003", "1", "kela"), done(at(10, 20), "K003")]
    rows = {r["service"]: r for r in walking_report(events, at(11, 0))}
    assert rows["kela"]["unmeasured"] == 1 and rows["kela"]["not_arrived"] == 1


def test_occupancy_messages_are_checked() -> None:
    good = {"staff": True, "customer": False, "state": "staff_only",
            "since": "2026-12-01T09:00:00+02:00", "extra": 1}
    assert parse_occupancy(json.dumps(good).encode())["state"] == "staff_only"
    for bad in ({**good, "state": "vacant"}, {**good, "staff": "yes"},
                {**good, "since": "2026-12-01T09:00:00"}, {**good, "state": "party"}):
        assert parse_occupancy(json.dumps(bad).encode()) is None
    assert parse_occupancy(b"\xff") is None and parse_occupancy(b"[]") is None


def tables(text: str) -> dict[str, list[str]]:
    """`piste stats --format csv`: tables one after another, a blank line between, each with
    its header: each table's rows by its header line."""
    found: dict[str, list[str]] = {}
    for table in text.split("\n\n"):
        header, *rows = table.splitlines()
        found[header] = rows
    return found


WALKING = "day,service,calls,arrived,not_arrived,unmeasured,walk_median_s,walk_p90_s"


def test_piste_stats_prints_utilisation_and_walking_after_the_usual_table(
        tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    issued = [Event(f"i{n}", EventType.TICKET_ISSUED, at(9, 5), DAY,
                    {"number": n, "service": s}) for n, s in
              (("K001", "kela"), ("K002", "kela"), ("V001", "vero"))]
    ledger.append(issued + MORNING)
    ledger.close()
    out = io.StringIO()
    assert stats_main(DEMO_SITE, tmp_path, DAY, "csv", out) == 0
    headers = list(tables(out.getvalue()))
    usual, rooms, walking = headers[:3]  # then the day's languages, legs, visits, time
    assert usual.startswith("day,service,hour,arrivals,served")
    assert rooms.startswith("day,room,hour,open_min,healthy_min")
    assert "2026-12-01,1,09,60.0,60.0," in "\n".join(tables(out.getvalue())[rooms])
    assert walking == WALKING
    assert "2026-12-01,kela,2,1,1,0,90,90" in tables(out.getvalue())[walking]
    out = io.StringIO()
    stats_main(DEMO_SITE, tmp_path, DAY, "json", out)
    report = json.loads(out.getvalue())
    assert {"rows", "utilisation", "walking"} <= set(report)


def test_stats_of_a_day_without_sensors_has_no_room_or_walking_table(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.append([Event("i", EventType.TICKET_ISSUED, at(9, 5), DAY,
                         {"number": "K001", "service": "kela"})])
    ledger.close()
    out = io.StringIO()
    stats_main(DEMO_SITE, tmp_path, DAY, "csv", out)
    headers = list(tables(out.getvalue()))
    assert headers[0].startswith("day,service,hour,arrivals,served")
    assert WALKING not in headers
    assert not any(h.startswith("day,room,hour,open_min") for h in headers)
