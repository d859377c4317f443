"""The service team's statistics in the console: a day and a month of a real ledger.

The ledger is written by the controller itself on a manual clock (five mornings over two
months, with transfers, no-shows, cancellations, expiries and a room's occupancy sensors).
The day's numbers are `piste stats`'s own, JSON and CSV byte for byte; a month's totals are
the national report's for the same events; every chart's table holds the chart's numbers.
Bad days and months, a day without data and a device without the ledger are answered in
words, never with a traceback; reading never changes the ledger nor waits for its writer.
The last test draws the page in Debian's headless Chromium under the console's CSP.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import itertools
import json
import random
import re
import sqlite3
import statistics
import string
import time
from collections.abc import Callable
from datetime import date, datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.central.national import national_report
from firmware.cli.stats import stats_main
from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core.events import Event, EventType
from firmware.core.stats import day_report, segments
from firmware.site_config import load_site_config
from firmware.site_model import SiteConfig, WebConfig
from firmware.web import routes_stats, stats_data
from firmware.web.app import build_app
from firmware.web.live import Hub
from firmware.web.stats_data import BadInput
from firmware.web.stats_texts import STATS_TEXTS
from firmware.web.texts import SCRIPT_KEYS, TEXTS
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import TZ, at, small_site
from tests.conftest import DEMO_SITE
from tests.web_site import PASSWORD, write_users

# Monday 30 November, then the Wednesday and Friday after it and the next Monday and
# Tuesday: two months, and ISO week 49 reaches from November into December.
DAYS = (date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 4), date(2026, 12, 7),
        date(2026, 12, 8))
NOW = at(date(2026, 12, 9), 9, 0)


# -- a ledger as the controller writes it ---------------------------------------------------


class Morning:
    """One morning: numbers for Kela and Vero every few minutes, rooms 1 to 3 calling, a
    clerk who transfers to Vero, no-shows, a customer who gives up, room 1's sensors."""

    def __init__(self, controller: Controller, clock: ManualClock, rng: random.Random) -> None:
        self.controller, self.clock, self.rng = controller, clock, rng
        self.ids = itertools.count()
        self.occupancy: dict[int, str] = {}
        self.last_number = ""

    def send(self, name: str, **body: Any) -> dict[str, Any]:
        defaults = {topics.ISSUE: {"lang": "fi", "device": "k", "appointment": None},
                    topics.CALL: {"services": []}}.get(name, {})
        request = Command(name, f"t{self.clock.now():%j%H%M}-{next(self.ids)}",
                          {**defaults, **body})
        return self.controller.handle(request).response

    def sensors(self, state: str) -> None:
        staff, customer = {"staff_only": (True, False), "in_session": (True, True),
                           "vacant": (False, False)}[state]
        self.controller.record(EventType.ROOM_OCCUPANCY, {
            "room": "1", "staff": staff, "customer": customer, "state": state,
            "since": self.clock.now().isoformat(timespec="seconds")})

    def minute(self, day: date, minute: int, next_call: dict[str, int]) -> None:
        self.clock.set(at(day, minute // 60, minute % 60))
        if minute % 4 == 0 and minute < 11 * 60:
            answer = self.send(topics.ISSUE, service=self.rng.choice(("kela", "kela", "vero")))
            self.last_number = answer["ticket"]["number"] if answer["ok"] else self.last_number
        if minute == 10 * 60:
            self.send(topics.TRANSFER, room="2", to_service="vero")
        if minute == 10 * 60 + 31:
            self.send(topics.CANCEL, ticket=self.last_number)
        if minute in self.occupancy:
            self.sensors(self.occupancy.pop(minute))
        for room, due in next_call.items():
            if minute < due:
                continue
            if self.rng.random() < 0.12:
                self.send(topics.NO_SHOW, room=room)  # refused when the room holds nobody
            answer = self.send(topics.CALL, room=room)
            called = answer.get("ticket") is not None
            next_call[room] = minute + (self.rng.randint(4, 14) if called else 2)
            if room == "1":
                self.sensors("staff_only")
                if called:
                    self.occupancy[minute + self.rng.randint(1, 3)] = "in_session"

    def run(self, day: date) -> None:
        next_call = {"1": 9 * 60 + 5, "2": 9 * 60 + 8, "3": 9 * 60 + 20}
        self.clock.set(at(day, 8, 50))
        self.sensors("staff_only")
        for minute in range(9 * 60, 11 * 60 + 40):
            self.minute(day, minute, next_call)
        self.sensors("vacant")


def fill_ledger(path: Path, config: SiteConfig, seed: int = 7) -> None:
    clock = ManualClock(at(DAYS[0], 8, 0))
    controller = Controller(config, Ledger(path), clock)
    morning = Morning(controller, clock, random.Random(seed))
    for day in DAYS:
        morning.run(day)
    controller.ledger.close()


def console(config: SiteConfig, data_dir: Path) -> Any:
    """What the routes use of the web role: its site, data directory and clock (the wall
    clock here, as `piste stats` reads it: a running day's rooms are reported up to now)."""
    web = WebConfig(users_file=str(data_dir / "web-users.toml"))
    runtime = SimpleNamespace(config=config, device=SimpleNamespace(web=web))
    return SimpleNamespace(runtime=runtime, data_dir=data_dir, now=lambda: datetime.now(TZ),
                           view=lambda: {})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo site's config (a TOML file, as `piste stats` needs) and its ledger."""
    data_dir = tmp_path_factory.mktemp("demo-ledger")
    config = load_site_config(DEMO_SITE)
    fill_ledger(data_dir / "ledger.sqlite", config)
    return SimpleNamespace(config=config, data_dir=data_dir, console=console(config, data_dir))


def ledger_events(data_dir: Path, day: str) -> list[Event]:
    ledger = Ledger(data_dir / "ledger.sqlite")
    try:
        return ledger.events_of_day(day)
    finally:
        ledger.close()


def cli(data_dir: Path, day: str, fmt: str) -> str:
    out = io.StringIO()
    assert stats_main(DEMO_SITE, data_dir, day, fmt, out) == 0
    return out.getvalue()


# -- parsing the address ----------------------------------------------------------------------


def test_days_and_months_are_read_strictly() -> None:
    assert stats_data.parse_day("2026-12-01") == "2026-12-01"
    assert stats_data.parse_day(None) is None and stats_data.parse_day("") is None
    assert stats_data.parse_month("2026-12") == "2026-12"
    for bad, said in (("garbage", "not a day such as"), ("2026-02-30", "not a day of the"),
                      ("20261201", "not a day such as"), ("2026-W49-1", "not a day such as"),
                      ("２０２６-12-01", "not a day such as"), ("1999-12-31", "2000–2999"),
                      ("2026-12-01 ", "not a day such as")):
        with pytest.raises(BadInput, match=said):
            stats_data.parse_day(bad)
    for bad in ("2026-13", "2026-00", "2026-1", "2026-12-01", "12/2026", "9999-12"):
        with pytest.raises(BadInput):
            stats_data.parse_month(bad)
    assert stats_data.month_bounds("2028-02") == ("2028-02-01", "2028-02-29")
    assert stats_data.weeks_around("2026-12-01", "2026-12-31") == ("2026-11-30", "2027-01-03")


@given(st.one_of(st.text(max_size=40), st.from_regex(r"\A[0-9]{4}-[0-9]{2}(-[0-9]{2})?\Z")))
def test_any_day_or_month_in_the_address_is_a_period_or_a_sentence(text: str) -> None:
    for parse, shape in ((stats_data.parse_day, stats_data.DAY),
                         (stats_data.parse_month, stats_data.MONTH)):
        try:
            value = parse(text)
        except BadInput as exc:
            assert 10 < len(str(exc)) < 120  # a sentence, and a long input cut short
            continue
        if value is None:
            assert text == ""
            continue
        assert value == text and shape.fullmatch(value)
        # Whatever was accepted can be read: the month's days and whole weeks around them.
        first, last = stats_data.month_bounds(value[:7])
        stats_data.weeks_around(first, last)
        if parse is stats_data.parse_day:
            assert first <= value <= last and stats_data.day_label(value)


# -- a day: `piste stats`'s own numbers -------------------------------------------------------


def test_the_day_is_exactly_piste_stats(demo: Any) -> None:
    view = routes_stats.read_day(demo.console, "2026-12-07")
    events = ledger_events(demo.data_dir, "2026-12-07")
    assert view["rows"] == day_report(events, TZ)
    # The same JSON as `piste stats --format json`, with the room tables, for the same day.
    expected = json.loads(cli(demo.data_dir, "2026-12-07", "json"))
    assert {"utilisation", "walking"} <= set(expected)
    assert {k: view[k] for k in expected} == expected
    assert json.loads(json.dumps(view)) == view  # plain JSON, as the route sends it
    # And its CSV byte for byte.
    assert stats_data.day_csv(view) == cli(demo.data_dir, "2026-12-07", "csv")
    # Without a day: the latest day with data, as `piste stats` chooses it.
    latest = routes_stats.read_day(demo.console, None)
    assert latest["day"] == "2026-12-08" == latest["latest"]
    assert stats_data.day_csv(latest) == cli(demo.data_dir, None, "csv")


def test_the_days_charts_draw_the_rows(demo: Any) -> None:
    view = routes_stats.read_day(demo.console, "2026-12-07")
    rows = {(r["service"], r["hour"]): r for r in view["rows"]}
    charts = view["charts"]
    # The rooms' serving and paused time comes up to the console's clock (the wall clock
    # here: the demo days may be ahead of it); tests/test_stats_real_day.py draws it on a set clock.
    assert set(charts) - {"room_time", "authority_time"} == {
        "hourly", "waits", "service_times", "utilisation", "walking", "compared", "languages",
        "legs"}
    hourly = charts["hourly"]
    for series in hourly["series"]:
        if series["key"] != "all":
            for label, value in zip(hourly["labels"], series["values"], strict=True):
                assert value == rows.get((series["key"], label[:2]), {"arrivals": 0})[
                    "arrivals"]
    every = next(s for s in hourly["series"] if s["key"] == "all")
    assert every["table_only"] and sum(every["values"]) == rows[("all", "all")]["arrivals"]
    waits = charts["waits"]
    assert waits["labels"][-1] == "All authorities"
    assert waits["series"][0]["values"][-1] == rows[("all", "all")]["wait_median_min"]
    assert waits["series"][1]["values"][-1] == rows[("all", "all")]["wait_p90_min"]
    times = charts["service_times"]["series"][1]["values"]
    assert times[0] == rows[("kela", "all")]["service_p90_min"]
    room = next(r for r in view["utilisation"] if r["hour"] == "all")
    shares = {s["key"]: s["values"][0] for s in charts["utilisation"]["series"]}
    assert shares["in_session_share"] == round(room["in_session_share"] * 100, 1)
    walking = {s["key"]: s["values"] for s in charts["walking"]["series"]}
    assert walking["walk_median_s"] == [r["walk_median_s"] for r in view["walking"]]
    # Compared with the previous day with data (Friday) and the Monday a week before.
    compared = charts["compared"]
    assert [label.split(" (")[1] for label in compared["labels"]] == [
        "this day)", "previous day)", "a week before)"]
    assert compared["series"][0]["values"] == [
        next(r for r in day_report(ledger_events(demo.data_dir, d), TZ)
             if r["service"] == "all")["arrivals"]
        for d in ("2026-12-07", "2026-12-04", "2026-11-30")]
    assert "arrivals; the busiest hour began at" in hourly["summary"]


# -- a month: days, weeks and the national report's totals ----------------------------------


def test_a_month_by_day_by_week_and_in_total(demo: Any) -> None:
    view = routes_stats.read_month(demo.console, "2026-12")
    december = ["2026-12-02", "2026-12-04", "2026-12-07", "2026-12-08"]
    assert view["days"] == december
    by_day = {d: day_report(ledger_events(demo.data_dir, d), TZ) for d in december}
    assert view["daily"] == [{"day": d, **r} for d in december for r in by_day[d]
                             if r["hour"] == "all"]
    # The month per authority is what the national report says of the same events.
    wire = [("lappeenranta", e.to_wire()) for d in [*december, "2026-11-30"]
            for e in ledger_events(demo.data_dir, d)]
    national = national_report(wire, "2026-12-01", "2026-12-31", TZ)
    assert view["totals"] == national.rows and view["totals"][-1]["service"] == "all"
    # Whole ISO weeks: week 49 counts Monday 30 November too.
    weeks = {(r["week"], r["service"]): r for r in view["weeks"]}
    week49 = weeks[("2026-W49", "all")]
    assert (week49["first_day"], week49["last_day"], week49["days"]) == (
        "2026-11-30", "2026-12-06", 3)
    week_days = ["2026-11-30", "2026-12-02", "2026-12-04"]
    assert week49["arrivals"] == sum(
        next(r for r in day_report(ledger_events(demo.data_dir, d), TZ)
             if r["service"] == "all")["arrivals"] for d in week_days)
    waits = [s.wait_minutes for d in week_days
             for s in segments(ledger_events(demo.data_dir, d)) if s.wait_minutes is not None]
    assert week49["wait_median_min"] == round(statistics.median(waits), 1)
    assert weeks[("2026-W50", "all")]["days"] == 2
    charts = view["charts"]
    assert charts["daily"]["labels"] == ["Wed 2 Dec", "Fri 4 Dec", "Mon 7 Dec", "Tue 8 Dec"]
    every = next(s for s in charts["daily"]["series"] if s["key"] == "all")
    assert every["values"] == [by_day[d][-1]["arrivals"] for d in december]
    line = next(s for s in charts["daily_waits"]["series"] if s["key"] == "all")
    assert charts["daily_waits"]["type"] == "line"
    assert line["values"] == [by_day[d][-1]["wait_median_min"] for d in december]
    assert charts["weeks"]["labels"] == ["Week 49 (30 Nov–6 Dec)", "Week 50 (7 Dec–13 Dec)"]


def test_a_day_with_only_a_late_expiry_is_no_day_of_the_month() -> None:
    config = small_site()
    issued = Event("a", EventType.TICKET_ISSUED, at(date(2026, 12, 1), 9), "2026-12-01",
                   {"number": "K001", "service": "kela"})
    expired = Event("b", EventType.TICKET_CANCELLED, at(date(2026, 12, 2), 7), "2026-12-02",
                    {"number": "K002", "reason": "expired"})
    view = stats_data.month_view(config, "2026-12", {"2026-12-01": [issued],
                                                     "2026-12-02": [expired]}, TZ)
    assert view["days"] == ["2026-12-01"]
    assert [r["customers"] for r in view["totals"]] == [1, 1]
    assert view["charts"]["daily_waits"]["summary"] == "Nobody was called this month."
    empty = stats_data.month_view(config, "2026-11", {"2026-12-02": [expired]}, TZ)
    assert (empty["days"], empty["totals"], empty["weeks"], empty["charts"]) == ([], [], [], {})
    assert stats_data.month_csv(empty).count("\n\n") == 6  # seven tables, headers alone


def _tables(text: str) -> list[list[list[str]]]:
    return [list(csv.reader(io.StringIO(part))) for part in text.split("\n\n")]


def test_the_month_csv_holds_the_days_the_month_and_the_weeks(demo: Any) -> None:
    view = routes_stats.read_month(demo.console, "2026-12")
    days, month, weeks, languages, legs, visits, room_time = _tables(
        stats_data.month_csv(view))
    # Its first table: each day's `piste stats` table, one after another.
    expected = [line for d in view["days"]
                for line in _tables(cli(demo.data_dir, d, "csv"))[0][1:]]
    assert days[0] == _tables(cli(demo.data_dir, "2026-12-02", "csv"))[0][0]
    assert days[1:] == expected
    assert month[0][:4] == ["site", "month", "service", "customers"]
    assert month[-1][:3] == ["lappeenranta", "2026-12", "all"]
    assert weeks[0][:5] == ["site", "week", "first_day", "last_day", "days"]
    assert {line[1] for line in weeks[1:]} == {"2026-W49", "2026-W50"}
    # Then the month per language, per leg, its visits and rooms' time, as the national
    # report has the first three for the same events.
    december = [e for d in view["days"] for e in ledger_events(demo.data_dir, d)]
    national = national_report([("lappeenranta", e.to_wire()) for e in december],
                               "2026-12-01", "2026-12-31", TZ)
    as_text = lambda rows: [[str(v) if v is not None else "" for v in r.values()]  # noqa: E731
                            for r in rows]
    assert languages[1:] == as_text(national.languages)
    assert legs[1:] == as_text(national.legs) and visits[1:] == as_text(national.visits)
    assert room_time[0][:5] == ["site", "month", "room", "serving_min", "paused_min"]
    assert [line[2] for line in room_time[1:]] == [r.id for r in demo.config.rooms]


# -- the routes, the page and its tables ---------------------------------------------------


class Answer(SimpleNamespace):
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """The app called as the server calls it (ASGI), with a browser's cookie jar. It has
    chosen English (the console's own default is Finnish) unless told another language, or
    none (`lang=""`), when only its Accept-Language speaks."""

    def __init__(self, app: Any, lang: str = "en", accept_language: str = "") -> None:
        self.app = app
        self.cookies: dict[str, str] = {"piste_lang": lang} if lang else {}
        self.accept_language = accept_language

    async def call(self, method: str, path: str, body: bytes = b"",
                   kind: str = "") -> Answer:
        path, _, query = path.partition("?")
        headers = [(b"host", b"console")]
        if self.cookies:
            jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers.append((b"cookie", jar.encode()))
        if kind:
            headers.append((b"content-type", kind.encode()))
        if self.accept_language:
            headers.append((b"accept-language", self.accept_language.encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "https", "path": path, "raw_path": path.encode(),
                 "query_string": query.encode(), "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 50000), "server": ("console", 443)}
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        answer = Answer(status=0, headers={}, body=b"")

        async def receive() -> dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                for key, value in message["headers"]:
                    if key == b"set-cookie":
                        self._keep(value.decode())
                    answer.headers[key.decode()] = value.decode()
            elif message["type"] == "http.response.body":
                answer.body += message.get("body", b"")

        await self.app(scope, receive, send)
        return answer

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str) -> Answer:
        return asyncio.run(self.call("GET", path))

    def log_in(self, name: str) -> None:
        form = self.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token is not None
        body = urlencode({"csrf": token.group(1), "name": name, "password": PASSWORD})
        answer = asyncio.run(self.call("POST", "/login", body.encode(),
                                       "application/x-www-form-urlencoded"))
        assert answer.status == 303, answer.text


@pytest.fixture(scope="module")
def app(demo: Any) -> Any:
    write_users(demo.data_dir / "web-users.toml")
    return build_app(demo.console, Hub())


@pytest.fixture(scope="module")
def service(app: Any) -> Client:
    client = Client(app)
    client.log_in("service")
    return client


class Tables(HTMLParser):
    """Each table of a page: its caption and its rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.caption: str | None = None
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_caption = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "caption":
            self.in_caption, self.caption = True, ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.tables[" ".join((self.caption or "").split())] = self.rows
            self.rows, self.caption = [], None

    def handle_data(self, data: str) -> None:
        if self.in_caption:
            self.caption = (self.caption or "") + data
        elif self.cell is not None:
            self.cell.append(data)


def test_the_page_has_a_table_for_every_chart_with_the_same_numbers(service: Client,
                                                                      demo: Any) -> None:
    answer = service.get("/stats?day=2026-12-07")
    assert answer.status == 200
    page = answer.text
    parser = Tables()
    parser.feed(page)
    day = routes_stats.read_day(demo.console, "2026-12-07")
    month = routes_stats.read_month(demo.console, "2026-12")
    assert 'data-stats-source="/stats/day.json?day=2026-12-07"' in page
    assert 'data-stats-source="/stats/month.json?month=2026-12"' in page  # the day's month
    for spec in [*day["charts"].values(), *month["charts"].values()]:
        rows = parser.tables[f"{spec['title']} ({spec['unit']})"]
        assert rows[0] == [spec["axis"], *[s["label"] for s in spec["series"]]]
        assert rows[1:] == [[label, *["–" if s["values"][i] is None else str(s["values"][i])
                                      for s in spec["series"]]]
                            for i, label in enumerate(spec["labels"])]
        assert spec["summary"] in page
    assert len(re.findall(r"<canvas ", page)) == len(day["charts"]) + len(month["charts"])
    totals = parser.tables["2026-12 per authority: 4 days with data"]
    assert totals[-1][:3] == ["All authorities", str(month["totals"][-1]["customers"]),
                              str(month["totals"][-1]["arrivals"])]
    # The content security policy allows no inline script, style or handler: none is there
    # (the scripts' words are a JSON block, which is data the browser never runs).
    assert not re.search(r'<script(?![^>]*\b(src=|type="application/json"))|<style|\sstyle=|'
                         r'\son[a-z]+=', page)
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert '<link rel="stylesheet" href="/static/stats.css">' in page


def test_the_json_and_csv_routes(service: Client, demo: Any) -> None:
    day = service.get("/stats/day.json?day=2026-12-07")
    assert day.status == 200 and day.json() == json.loads(json.dumps(
        routes_stats.read_day(demo.console, "2026-12-07")))
    month = service.get("/stats/month.json?month=2026-12").json()
    assert "rows" not in month and month["days"][0] == "2026-12-02" and month["charts"]
    assert service.get("/stats/month.json").json()["month"] == "2026-12"  # the latest day's
    csv_day = service.get("/stats/day.csv?day=2026-12-07")
    assert csv_day.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_day.headers["content-disposition"] == (
        'attachment; filename="piste-stats-lappeenranta-2026-12-07.csv"')
    assert csv_day.text == cli(demo.data_dir, "2026-12-07", "csv")
    csv_month = service.get("/stats/month.csv?month=2026-12")
    assert 'filename="piste-stats-lappeenranta-2026-12.csv"' in (
        csv_month.headers["content-disposition"])
    assert csv_month.text == stats_data.month_csv(routes_stats.read_month(demo.console,
                                                                          "2026-12"))


def test_a_wrong_or_empty_period_is_said_in_words(service: Client) -> None:
    for path, status, said in (
            ("/stats/day.json?day=garbage", 400, "'garbage' is not a day such as 2026-12-01."),
            ("/stats/day.json?day=2026-02-30", 400, "2026-02-30 is not a day of the calendar."),
            ("/stats/day.csv?day=2026-12-05", 404, "The ledger has nothing for 2026-12-05. "
                                                   "The latest day with data is 2026-12-08."),
            ("/stats/month.json?month=2026-13", 400, "'2026-13' is not a month such as"),
            ("/stats/month.csv?month=2026-10", 404, "The ledger has no customers in 2026-10.")):
        answer = service.get(path)
        assert answer.status == status, path
        assert answer.json()["ok"] is False and answer.json()["message"].startswith(said)
    page = service.get("/stats?day=garbage&month=2026-10")
    assert page.status == 200
    assert "&#39;garbage&#39; is not a day such as 2026-12-01." in page.text
    assert "The ledger has no customers in 2026-10." in page.text
    assert page.text.count('role="alert"') == 2 and "Traceback" not in page.text


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30), st.sampled_from(["day.json?day=", "month.json?month=",
                                              "day.csv?day=", "?day=", "?month="]))
def test_whatever_is_in_the_address_is_answered_without_a_traceback(
        service: Client, text: str, route: str) -> None:
    answer = service.get(f"/stats/{route}{quote(text)}".replace("/?", "?"))
    assert answer.status in (200, 400, 404), (text, answer.status)
    if answer.status != 200:
        assert answer.json()["ok"] is False and answer.json()["message"]
    assert b"Traceback" not in answer.body


def test_only_the_service_team_and_the_advisor_may_read_it(app: Any) -> None:
    stranger = Client(app)
    for path in ("/stats", "/stats/day.json", "/stats/month.json", "/stats/day.csv",
                 "/stats/month.csv"):
        answer = stranger.get(path)
        assert answer.status == 303 and answer.headers["location"].startswith("/login")
    clerk, tech, advisor = Client(app), Client(app), Client(app)
    clerk.log_in("clerk1")
    tech.log_in("tech")
    advisor.log_in("advisor")
    for path in ("/stats", "/stats/day.json", "/stats/month.csv"):
        assert clerk.get(path).status == 403 and tech.get(path).status == 403
        assert advisor.get(path).status == 200


def test_a_console_without_the_ledger_says_where_the_statistics_are(tmp_path: Path) -> None:
    config = small_site()
    write_users(tmp_path / "web-users.toml")
    client = Client(build_app(console(config, tmp_path), Hub()))
    client.log_in("service")
    answer = client.get("/stats/day.json")
    assert answer.status == 404
    assert "This device has no ledger" in answer.json()["message"]
    assert "runs the controller role" in answer.json()["message"]
    page = client.get("/stats")
    assert page.status == 200 and page.text.count("This device has no ledger") == 2
    assert "<canvas" not in page.text
    # A ledger that is no SQLite file at all.
    (tmp_path / "ledger.sqlite").write_text("not a database " * 100)
    answer = client.get("/stats/month.json")
    assert answer.status == 503 and "cannot be read" in answer.json()["message"]


# -- in Finnish, Swedish and English ----------------------------------------------------------

# Titles and words that must not show through on a Finnish or Swedish page.
ENGLISH = ("Arrivals per authority and hour", "Waiting time per authority",
           "Service time per authority", "Room utilisation", "Walking time from the call",
           "This day compared", "Arrivals per authority and day", "Weeks compared",
           "All authorities", "Show the day", "Download", "per authority", "arrivals")
WORDS = ("title", "axis", "unit", "labels", "label", "summary", "names", "row_names")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_statistics_text_is_there_in_finnish_swedish_and_english() -> None:
    assert STATS_TEXTS.items() <= TEXTS.items()  # merged into the console's words
    for key, words in STATS_TEXTS.items():
        assert key.startswith("stats_") and len(words) == 3, key
        assert all(w.strip() for w in words), key
        assert _placeholders(words[0]) == _placeholders(words[1]) == _placeholders(words[2]), key
    for fi, sv, en in (STATS_TEXTS["stats_weekdays"], STATS_TEXTS["stats_months"]):
        assert len(fi.split()) == len(sv.split()) == len(en.split()) in (7, 12)
    script = [k for k in STATS_TEXTS if k.startswith("stats_js_")]
    assert script and set(script) <= set(SCRIPT_KEYS)
    assert stats_data.day_label("2026-12-08", "fi") == "ti 8. joulu"
    assert stats_data.day_label("2026-12-08", "sv") == "tis 8 dec"
    assert stats_data.day_label("2026-12-08") == "Tue 8 Dec"


def _numbers(value: Any) -> Any:
    """A view without its words: what must be the same in every language."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items() if k not in WORDS}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def _words(value: Any) -> list[str]:
    """A view's words alone: its titles, axes, units, labels, sentences and names."""
    if isinstance(value, dict):
        return [w for k, v in value.items()
                for w in ([json.dumps(v, ensure_ascii=False)] if k in WORDS else _words(v))]
    if isinstance(value, list):
        return [w for v in value for w in _words(v)]
    return []


def _titles(view: dict[str, Any]) -> dict[str, str]:
    return {key: spec["title"] for key, spec in view["charts"].items()}


def test_the_json_speaks_the_staff_members_language_with_the_same_numbers(app: Any) -> None:
    english = Client(app)
    finnish = Client(app, "fi")
    swedish = Client(app, "", accept_language="sv-FI,sv;q=0.9,en;q=0.5")  # no choice made yet
    for client in (english, finnish, swedish):
        client.log_in("service")
    views = {lang: {kind: client.get(f"/stats/{kind}.json?{kind}=" + period).json()
                    for kind, period in (("day", "2026-12-07"), ("month", "2026-12"))}
             for lang, client in (("en", english), ("fi", finnish), ("sv", swedish))}
    day, month = views["fi"]["day"], views["fi"]["month"]
    assert _titles(day)["hourly"] == "Saapuneet virastoittain ja tunneittain"
    assert _titles(day)["waits"] == "Odotusaika virastoittain, mediaani ja 90. persentiili"
    assert _titles(day)["walking"] == "Kävelyaika kutsusta huoneeseen, virastoittain"
    assert _titles(month)["weeks"].startswith("Viikot rinnakkain")
    assert month["charts"]["daily"]["labels"] == ["ke 2. joulu", "pe 4. joulu", "ma 7. joulu",
                                                  "ti 8. joulu"]
    assert month["charts"]["weeks"]["labels"][0] == "Viikko 49 (30. marras–6. joulu)"
    assert day["names"]["all"] == "Kaikki virastot" and day["label"] == "ma 7. joulu"
    assert day["charts"]["hourly"]["labels"][0] == "09.00"
    sv_day, sv_month = views["sv"]["day"], views["sv"]["month"]
    assert _titles(sv_day)["hourly"] == "Ankomster per myndighet och timme"
    assert _titles(sv_day)["utilisation"].startswith("Rummens användning")
    assert sv_day["names"]["kela"] == "FPA" and sv_month["names"]["vero"] == (
        "Skatteförvaltningen")
    assert sv_month["charts"]["daily"]["labels"][0] == "ons 2 dec"
    for lang in ("fi", "sv"):
        words = " ".join(_words(views[lang]["day"]) + _words(views[lang]["month"]))
        assert "Saapuneet" in words or "Ankomster" in words
        assert [w for w in ENGLISH if w in words] == [], lang
        for kind in ("day", "month"):  # every number as in English, only the words differ
            assert _numbers(views[lang][kind]) == _numbers(views["en"][kind]), (lang, kind)
            assert views[lang][kind]["charts"].keys() == views["en"][kind]["charts"].keys()
    # The CSV files stay `piste stats`'s own, in any language.
    assert finnish.get("/stats/day.csv?day=2026-12-07").body == english.get(
        "/stats/day.csv?day=2026-12-07").body
    assert finnish.get("/stats/month.csv?month=2026-12").body == english.get(
        "/stats/month.csv?month=2026-12").body


def test_the_page_and_its_sentences_in_finnish_and_swedish(app: Any, demo: Any) -> None:
    finnish, swedish = Client(app, "fi"), Client(app, "sv")
    for client in (finnish, swedish):
        client.log_in("service")
    page = finnish.get("/stats?day=2026-12-07")
    assert page.status == 200 and '<html lang="fi">' in page.text
    tables = Tables()
    tables.feed(page.text)
    for spec in [*routes_stats.read_day(demo.console, "2026-12-07", "fi")["charts"].values(),
                 *routes_stats.read_month(demo.console, "2026-12", "fi")["charts"].values()]:
        assert f"{spec['title']} ({spec['unit']})" in tables.tables
    assert "Saapuneet virastoittain ja tunneittain (asiakkaita)" in tables.tables
    totals = tables.tables["2026-12 virastoittain: tietoja 4 päivältä"]
    assert totals[0][:3] == ["Virasto", "Asiakkaat", "Saapuneet"]
    assert totals[-1][0] == "Kaikki virastot"
    assert "<h1>Tilastot</h1>" in page.text and "Päivä: ma 7. joulu (2026-12-07)" in page.text
    assert "Näytä päivä" in page.text and "Lataa 2026-12-07 CSV-tiedostona" in page.text
    assert [w for w in ENGLISH if w in page.text] == []
    texts = json.loads(re.search(r'id="ui-texts">(.*?)</script>', page.text).group(1))
    assert texts["stats_js_drawing"] == "Piirretään kaavioita…"
    sv_page = swedish.get("/stats?day=2026-12-07").text
    assert "Ankomster per myndighet och timme" in sv_page and "Visa dagen" in sv_page
    assert "Väntetid per myndighet, median och 90:e percentil" in sv_page
    assert [w for w in ENGLISH if w in sv_page] == []
    # What is wrong with the address, or missing from the ledger, in the reader's words.
    bad = finnish.get("/stats/day.json?day=garbage")
    assert bad.status == 400 and bad.json()["message"] == (
        "'garbage' ei ole päivämäärä muotoa 2026-12-01.")
    missing = swedish.get("/stats/month.json?month=2026-10")
    assert missing.status == 404 and missing.json()["message"] == (
        "Händelseloggen har inga kunder för 2026-10. Den senaste dagen med data är 2026-12-08.")
    both = finnish.get("/stats?day=2026-02-30&month=2026-10").text
    assert "Päivää 2026-02-30 ei ole kalenterissa." in both
    assert "Tapahtumalokissa ei ole asiakkaita kuukaudelta 2026-10." in both


# -- reading the controller's ledger ---------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reading_changes_nothing_in_the_ledger(demo: Any, tmp_path: Path) -> None:
    # A copy in the rollback journal: opening it as the controller does would turn on WAL.
    copy = tmp_path / "ledger.sqlite"
    with sqlite3.connect(demo.data_dir / "ledger.sqlite") as source, \
            sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as db:
        db.execute("PRAGMA journal_mode=DELETE").fetchall()
    before = _digest(copy)
    reader = console(demo.config, tmp_path)  # a console of its own: nothing cached yet
    assert routes_stats.read_day(reader, "2026-12-07")["rows"]
    assert routes_stats.read_month(reader, "2026-12")["totals"]
    assert _digest(copy) == before
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    # An empty SQLite file stays empty: no tables are made by reading it.
    empty = tmp_path / "empty"
    empty.mkdir()
    sqlite3.connect(empty / "ledger.sqlite").close()
    with pytest.raises(routes_stats.Unavailable, match="no such table: events"):
        routes_stats.read_day(console(demo.config, empty), None)
    assert (empty / "ledger.sqlite").stat().st_size == 0
    with routes_stats.reading(tmp_path) as ledger, pytest.raises(sqlite3.OperationalError,
                                                                 match="readonly"):
        ledger.db.execute("DELETE FROM events")


def test_a_reader_and_the_controller_do_not_wait_for_each_other(demo: Any,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with sqlite3.connect(demo.data_dir / "ledger.sqlite") as source, \
            sqlite3.connect(path) as target:
        source.backup(target)
    writer = Ledger(path)  # WAL, as the controller keeps it
    writer.db.execute("PRAGMA busy_timeout=0")  # it would fail at once if it had to wait
    try:
        with routes_stats.reading(tmp_path) as reader:
            reader.db.execute("BEGIN")
            count = reader.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            event = Event("x1", EventType.ROOM_IDLE, NOW, "2026-12-09", {"room": "1"})
            writer.append([event], at=NOW)  # while the reader holds its snapshot
            assert reader.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count
            reader.db.execute("COMMIT")
        with routes_stats.reading(tmp_path) as reader:
            assert reader.last_seq == count + 1
    finally:
        writer.close()


def test_a_month_is_read_off_the_servers_loop(service: Client,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(console: Any, month: str | None, lang: str = "en") -> dict[str, Any]:
        time.sleep(0.6)  # a long month on a Pi
        return {"ok": True, "month": month, "site": "s", "rows": [], "charts": {}}

    monkeypatch.setattr(routes_stats, "read_month", slow)

    async def both() -> tuple[float, float]:
        started = time.monotonic()

        async def timed(call: Callable[[], Any]) -> float:
            await call()
            return time.monotonic() - started

        async def login_page() -> Answer:
            await asyncio.sleep(0.05)
            return await service.call("GET", "/login")

        month, other = await asyncio.gather(
            timed(lambda: service.call("GET", "/stats/month.json?month=2026-12")),
            timed(login_page))
        return month, other

    month, other = asyncio.run(both())
    assert month >= 0.6 and other < 0.4


# -- in the browser ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_charts_are_drawn_in_chromium_under_the_csp(memory_broker: Any, tmp_path: Path
                                                        ) -> None:
    from selenium.webdriver.common.by import By

    from tests.web_site import browser, console_errors, console_site, log_in

    # The controller starts on a ledger that has five mornings in it, and keeps writing it.
    (tmp_path / "lobby").mkdir()
    fill_ledger(tmp_path / "lobby" / "ledger.sqlite", small_site())
    clock = ManualClock(datetime.combine(date(2026, 12, 9), NOW.timetz()))
    with console_site(memory_broker, tmp_path, clock) as site, browser(1280, 1000) as page:
        log_in(page, site, "service")
        assert page.current_url.endswith("/stats")

        def drawn() -> list[str]:
            return page.execute_script("""
                return [...document.querySelectorAll("canvas[data-chart]")]
                  .filter((c) => Chart.getChart(c) && c.width > 0)
                  .map((c) => c.dataset.chart);""")

        from tests.helpers import wait_for

        # The day's ten (its languages, legs and rooms' and authorities' time among them) and
        # the month's three.
        wait_for(lambda: len(drawn()) == 13, what="the day's ten and the month's three charts")
        assert "A day: Tue 8 Dec (2026-12-08)" in page.find_element(By.ID, "day-h").text
        assert console_errors(page) == []
        day = page.find_element(By.ID, "day-pick")
        page.execute_script("arguments[0].value = '2026-11-30'", day)
        day.submit()
        wait_for(lambda: "Mon 30 Nov" in page.find_element(By.ID, "day-h").text,
                 what="the chosen day")
        wait_for(lambda: "month.json?month=2026-11" in page.page_source, what="its month")
        wait_for(lambda: len(drawn()) == 13, what="the charts of 30 November and its month")
        page.save_screenshot(str(tmp_path / "stats.png"))
        assert console_errors(page) == []
