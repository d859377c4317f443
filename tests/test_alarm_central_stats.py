"""The safety alarms in the national statistics (`piste stats --central`): two sites'
controllers record their alarms in their own ledgers, the collector's store (SQLite and
PostgreSQL) holds the wire events, and the central figures are each site's own."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from firmware.central.national import ALARM_MONTH_COLUMNS
from firmware.central.store import CentralStore
from firmware.cli.central_stats import central_stats_main
from firmware.controller.alarm_record import AlarmRecorder
from firmware.controller.local_queue import LocalQueue
from firmware.core.alarm import moment, new_alarm_id
from firmware.core.alarm_stats import alarm_months
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from testkit.site_factory import TZ, small_site
from tests.postgres import fresh_database, postgres_url  # noqa: F401 (pytest finds it here)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.sqlite'}"
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as database:
        yield database


def config_of(site_id: str) -> SiteConfig:
    config = small_site()
    return dataclasses.replace(config, site=dataclasses.replace(config.site, id=site_id))


class Site:
    """A site's controller (on its own ledger and clock) hearing its alarms."""

    def __init__(self, site_id: str, start: datetime) -> None:
        self.id = site_id
        self.queue = LocalQueue(config_of(site_id), start)
        self.recorder = AlarmRecorder(site_id, self.queue.controller)

    def hear(self, part: str, room: str, wire: dict[str, Any], at: datetime) -> None:
        self.queue.clock.set(at)
        topic = {"raised": topics.alarm_raised, "answer": topics.alarm_answer,
                 "escalated": topics.alarm_escalated}[part](self.id, room)
        assert self.recorder.record(Incoming(topic, json.dumps(wire).encode(), True))

    def alarm(self, room: str, raised: datetime, *, drill: bool = False,
              escalated: bool = False, ack_after_s: float | None = None,
              cleared_after_s: float | None = None) -> None:
        alarm = new_alarm_id()
        self.hear("raised", room, AlarmRaised(alarm, room, moment(raised), "key", drill)
                  .to_wire(), raised)
        if escalated:
            at = raised + timedelta(seconds=20)
            self.hear("escalated", room, AlarmEscalated(
                alarm, room, moment(at), moment(raised), "lobby-1", True, drill).to_wire(), at)
        acked = None if ack_after_s is None else raised + timedelta(seconds=ack_after_s)
        if acked is not None:
            self.hear("answer", room, AlarmAnswer(
                alarm, room, "acknowledged", moment(acked), "vartija", moment(raised), None,
                drill).to_wire(), acked)
        if cleared_after_s is not None:
            at = raised + timedelta(seconds=cleared_after_s)
            self.hear("answer", room, AlarmAnswer(
                alarm, room, "cleared", moment(at), "vartija", moment(raised),
                moment(acked) if acked else None, drill).to_wire(), at)

    def wire(self) -> list[dict[str, Any]]:
        return [e.to_wire() for e in self.queue.controller.ledger.events_from(0)]

    def own_figures(self) -> list[dict[str, Any]]:
        events = list(self.queue.controller.ledger.events_from(0))
        return [{"site": self.id, **row} for row in alarm_months(events, TZ)]


def helsinki(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(scope="module")
def sites() -> list[Site]:
    joensuu = Site("joensuu", helsinki(1, 8))
    joensuu.queue.send(topics.ISSUE, service="kela")  # the queue's own events beside them
    joensuu.alarm("1", helsinki(1, 10, 5), escalated=True, ack_after_s=31.2,
                  cleared_after_s=400)
    joensuu.alarm("2", helsinki(3, 14, 40), ack_after_s=8.4, cleared_after_s=120)
    joensuu.alarm("2", helsinki(9, 11), cleared_after_s=60)  # cleared, never acknowledged
    joensuu.alarm("3", helsinki(10, 9), drill=True, escalated=True, ack_after_s=45.0,
                  cleared_after_s=300)
    kemi = Site("kemi", helsinki(28, 8, month=11))
    kemi.alarm("1", helsinki(30, 15, month=11), ack_after_s=12.0, cleared_after_s=90)
    kemi.alarm("1", helsinki(2, 9), escalated=True, ack_after_s=25.5, cleared_after_s=200)
    return [joensuu, kemi]


def central(url: str, sites: list[Site], fmt: str, **period: str) -> str:
    with CentralStore.open(url) as store:
        for site in sites:
            store.add_many(site.id, site.wire())
    out = io.StringIO()
    assert central_stats_main(url, period.get("month"), period.get("first"),
                              period.get("last"), fmt, "Europe/Helsinki", out=out) == 0
    return out.getvalue()


def test_the_central_figures_are_each_sites_own(url: str, sites: list[Site]) -> None:
    report = json.loads(central(url, sites, "json", first="2026-11-01", last="2026-12-31"))
    alarms = report["alarms"]
    assert alarms == [row for site in sites for row in site.own_figures()]
    assert report["skipped"] == 0
    joensuu = {r["kind"]: r for r in alarms if r["site"] == "joensuu"}
    assert joensuu["alarm"] == {
        "site": "joensuu", "month": "2026-12", "kind": "alarm", "count": 3, "escalated": 1,
        "acknowledged": 2, "ack_median_s": 19.8, "ack_p90_s": 28.9, "ack_longest_s": 31.2,
        "cleared_unacknowledged": 1}
    assert joensuu["drill"]["count"] == 1 and joensuu["drill"]["ack_longest_s"] == 45.0
    assert [(r["month"], r["kind"], r["count"]) for r in alarms if r["site"] == "kemi"] == [
        ("2026-11", "alarm", 1), ("2026-11", "drill", 0),
        ("2026-12", "alarm", 1), ("2026-12", "drill", 0)]


def test_the_csv_ends_with_the_alarm_table_and_a_month_is_a_month(
        url: str, sites: list[Site]) -> None:
    text = central(url, sites, "csv", month="2026-11")
    header, *rows = list(csv.reader(io.StringIO(text.rstrip("\n").split("\n\n")[-1])))
    assert header == ALARM_MONTH_COLUMNS
    assert [row[:4] for row in rows] == [["kemi", "2026-11", "alarm", "1"],
                                         ["kemi", "2026-11", "drill", "0"]]
