"""The safety alarms on the console's statistics page (issue 26): a year of months up to the
month shown, alarms and drills in rows of their own, the figures of
`firmware.core.alarm_stats` over the ledger the controller wrote, in fi/sv/en, as an
accessible table; no names."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from firmware.clock import ManualClock
from firmware.controller.alarm_record import AlarmRecorder
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core.alarm import moment, new_alarm_id
from firmware.core.alarm_stats import alarm_months
from firmware.web.app import build_app
from firmware.web.live import Hub
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import AlarmAnswer, AlarmEscalated, AlarmRaised
from mqtt_bridge.payloads import Command
from testkit.console_site import console_site
from testkit.site_factory import MONDAY, TZ, at, small_site
from tests.test_web_a11y import axe_source, axe_violations
from tests.test_web_stats import Client, Tables, console
from tests.web_site import browser, log_in, write_users

SITE = "joensuu"


def helsinki(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


class Recording:
    """The controller on the console's data directory, hearing a site's alarms."""

    def __init__(self, data_dir: Path) -> None:
        self.config = dataclasses.replace(
            small_site(), site=dataclasses.replace(small_site().site, id=SITE))
        self.clock = ManualClock(helsinki(11, 2, 8))
        self.controller = Controller(self.config, Ledger(data_dir / "ledger.sqlite"),
                                     self.clock)
        self.recorder = AlarmRecorder(SITE, self.controller)

    def hear(self, part: str, wire: dict[str, Any], at: datetime) -> None:
        self.clock.set(max(at, self.clock.now()))
        topic = {"raised": topics.alarm_raised, "answer": topics.alarm_answer,
                 "escalated": topics.alarm_escalated}[part](SITE, wire["room"])
        self.recorder.record(Incoming(topic, json.dumps(wire).encode(), True))

    def alarm(self, room: str, raised: datetime, *, drill: bool = False,
              escalated: bool = False, ack_after_s: float | None = None) -> None:
        alarm = new_alarm_id()
        self.hear("raised", AlarmRaised(alarm, room, moment(raised), "console", drill)
                  .to_wire(), raised)
        if escalated:
            at = raised + timedelta(seconds=20)
            self.hear("escalated", AlarmEscalated(alarm, room, moment(at), moment(raised),
                                                  "lobby-1", True, drill).to_wire(), at)
        acked = None if ack_after_s is None else raised + timedelta(seconds=ack_after_s)
        if acked is not None:
            self.hear("answer", AlarmAnswer(alarm, room, "acknowledged", moment(acked),
                                            "Vartija Virtanen", moment(raised), None,
                                            drill).to_wire(), acked)
        cleared = raised + timedelta(minutes=10)
        self.hear("answer", AlarmAnswer(alarm, room, "cleared", moment(cleared),
                                        "Vartija Virtanen", moment(raised),
                                        moment(acked) if acked else None, drill).to_wire(),
                  cleared)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir = tmp_path_factory.mktemp("alarm-ledger")
    recording = Recording(data_dir)
    recording.controller.handle(Command(topics.ISSUE, "issue-1", {
        "service": "kela", "lang": "fi", "device": "lobby-1", "appointment": None}))
    recording.alarm("1", helsinki(11, 2, 10), ack_after_s=14.0)
    recording.alarm("2", helsinki(11, 20, 15), escalated=True)  # cleared, unacknowledged
    recording.alarm("1", helsinki(12, 1, 9), escalated=True, ack_after_s=26.4)
    recording.alarm("3", helsinki(12, 3, 11), ack_after_s=9.8)
    recording.alarm("3", helsinki(12, 4, 13), drill=True, ack_after_s=40.0)
    events = list(recording.controller.ledger.events_from(0))
    recording.controller.ledger.close()
    write_users(data_dir / "web-users.toml")
    app = build_app(console(recording.config, data_dir), Hub())
    return SimpleNamespace(app=app, figures=alarm_months(events, TZ), data_dir=data_dir)


def page(site: Any, lang: str, query: str = "month=2026-12") -> str:
    client = Client(site.app, lang)
    client.log_in("service")
    answer = client.get(f"/stats?{query}")
    assert answer.status == 200
    return answer.text


def alarm_table(text: str, caption: str) -> list[list[str]]:
    parser = Tables()
    parser.feed(text)
    return parser.tables[caption]


def cells(row: dict[str, Any]) -> list[str]:
    figures = ("count", "escalated", "acknowledged", "ack_median_s", "ack_p90_s",
               "ack_longest_s", "cleared_unacknowledged")
    return ["–" if row[k] is None else str(row[k]) for k in figures]


def test_a_year_of_months_with_alarms_and_drills_apart(site: Any) -> None:
    text = page(site, "en")
    table = alarm_table(text, "Silent alarms 2026-01–2026-12")
    assert table[0] == ["Month", "Kind", "Number", "Escalated", "Acknowledged",
                        "Acknowledged after, median (s)",
                        "Acknowledged after, 90th percentile (s)",
                        "Longest time to acknowledge (s)", "Cleared without acknowledgement"]
    kinds = {"alarm": "Alarms", "drill": "Drills"}
    assert table[1:] == [[r["month"], kinds[r["kind"]], *cells(r)] for r in site.figures]
    assert table[1:] == [
        ["2026-11", "Alarms", "2", "1", "1", "14.0", "14.0", "14.0", "1"],
        ["2026-11", "Drills", "0", "0", "0", "–", "–", "–", "0"],
        ["2026-12", "Alarms", "2", "1", "2", "18.1", "24.7", "26.4", "0"],
        ["2026-12", "Drills", "1", "0", "1", "40.0", "40.0", "40.0", "0"]]
    assert "2026-01–2026-12: 4 alarms and 1 drill." in text
    section = re.search(r'<section class="panel stats-part" aria-labelledby="alarms-h">'
                        r'\s*<h2 id="alarms-h">Safety alarms</h2>', text)
    assert section is not None
    assert "Virtanen" not in text and "Vartija" not in text  # nobody's name


def test_the_year_ends_with_the_month_asked_for(site: Any) -> None:
    text = page(site, "en", "month=2026-11")
    assert alarm_table(text, "Silent alarms 2025-12–2026-11")[1:] == [
        ["2026-11", "Alarms", "2", "1", "1", "14.0", "14.0", "14.0", "1"],
        ["2026-11", "Drills", "0", "0", "0", "–", "–", "–", "0"]]
    text = page(site, "en", "month=2027-12")  # no day with visits: the month says so
    assert "No silent alarms and no drills 2027-01–2027-12." in text
    assert "Silent alarms 2027-01–2027-12" not in text  # no empty table


@pytest.mark.parametrize("lang, title, caption, kinds, summary", [
    ("fi", "Turvallisuushälytykset", "Hiljaiset hälytykset 2026-01–2026-12",
     ("Hälytykset", "Harjoitukset"), "2026-01–2026-12: 4 hälytystä ja 1 harjoitus."),
    ("sv", "Säkerhetslarm", "Tysta larm 2026-01–2026-12", ("Larm", "Övningar"),
     "2026-01–2026-12: 4 larm och 1 övning.")])
def test_in_finnish_and_swedish(site: Any, lang: str, title: str, caption: str,
                                kinds: tuple[str, str], summary: str) -> None:
    text = page(site, lang)
    assert f'<h2 id="alarms-h">{title}</h2>' in text
    table = alarm_table(text, caption)
    assert [row[1] for row in table[1:]] == [kinds[0], kinds[1]] * 2
    assert [row[2:] for row in table[1:]] == [cells(r) for r in site.figures]
    assert summary in text
    for english in ("Silent alarms", "Drills", "Acknowledged", "Escalated"):
        assert english not in text


@pytest.mark.slow
def test_the_controller_records_and_the_page_shows_it_axe_clean(
        memory_broker: Any, tmp_path: Path) -> None:
    """On a running site: the controller hears an alarm on the broker and records it, and
    the statistics page shows it in a table axe-core finds nothing wrong with, in fi/sv/en."""
    source = axe_source()
    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 9, 0))) as running:
        site_id = running.config.site.id
        with running.client() as clerk:
            events = clerk.watch(topics.queue_events(site_id))
            clerk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
            alarm, raised = new_alarm_id(), at(MONDAY, 8, 55)
            acked, cleared = raised + timedelta(seconds=12.5), raised + timedelta(minutes=4)
            for part, wire in (
                    ("raised", AlarmRaised(alarm, "1", moment(raised), "key")),
                    ("answer", AlarmAnswer(alarm, "1", "acknowledged", moment(acked), "guard",
                                           moment(raised))),
                    ("answer", AlarmAnswer(alarm, "1", "cleared", moment(cleared), "guard",
                                           moment(raised), moment(acked)))):
                clerk.publish_raw(getattr(topics, f"alarm_{part}")(site_id, "1"),
                                  json.dumps(wire.to_wire()).encode(), retain=True)
            recorded = []
            while len(recorded) < 3:
                wire_event = json.loads(events.get(timeout=10)[1])
                if wire_event["type"].startswith("alarm."):
                    recorded.append(wire_event["type"])
        assert recorded == ["alarm.raised", "alarm.acknowledged", "alarm.cleared"]
        found: dict[str, list[str]] = {}
        with browser() as page:
            page.set_script_timeout(30)
            log_in(page, running, "service", "/stats")
            rows: dict[str, list[str]] = {}
            for lang in ("fi", "sv", "en"):
                page.get(f"{running.url}/lang/{lang}?next=/stats")
                rows[lang] = page.execute_script(
                    "return [...document.querySelectorAll('#alarms-h ~ .table-wrap tbody tr')]"
                    ".map((tr) => tr.innerText.split(/\\s+/).join(' '));")
                found[lang] = axe_violations(page, source)
        assert found == {"fi": [], "sv": [], "en": []}
        assert rows["en"] == ["2026-11 Alarms 1 0 1 12.5 12.5 12.5 0",
                              "2026-11 Drills 0 0 0 – – – 0"]
        assert rows["fi"][0].startswith("2026-11 Hälytykset 1 0 1 12.5")
