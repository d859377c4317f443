"""The day report in the console, as the advisor opens it: `/report` (today so far, or a
day), `/report.csv`; a closed day's own report; its words in Finnish, Swedish and English;
tables a screen reader can read; anything missing said in words, never a traceback.

The ledger is the controller's own, written on a manual clock; the numbers on the page and
in the CSV are the report builder's for the same events.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core import day_report
from firmware.core.events import Event, EventType
from firmware.site_model import SiteConfig, WebConfig
from firmware.web import routes_report
from firmware.web.app import build_app
from firmware.web.live import Hub
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, at, small_site
from tests.test_web_stats import Client, Tables
from tests.web_site import write_users

WEDNESDAY = date(2026, 12, 2)
NOW = at(WEDNESDAY, 10, 30)  # the console's clock: Wednesday morning, Monday long closed


def morning(controller: Controller, clock: ManualClock, day: date) -> None:
    """Kela and Vero customers in Finnish and Swedish, a no-show, a transfer."""
    ids = itertools.count()

    def send(name: str, minute: int, **body: Any) -> None:
        clock.set(at(day, 9 + minute // 60, minute % 60))
        defaults = {topics.ISSUE: {"device": "k", "appointment": None},
                    topics.CALL: {"services": []}}.get(name, {})
        controller.handle(Command(name, f"r{day:%j}-{next(ids)}", {**defaults, **body}))

    send(topics.ISSUE, 0, service="kela", lang="fi")
    send(topics.ISSUE, 2, service="kela", lang="sv")
    send(topics.ISSUE, 3, service="vero", lang="en")
    send(topics.ISSUE, 5, service="kela", lang="fi")
    send(topics.CALL, 10, room="1")
    send(topics.COMPLETE, 22, room="1")
    send(topics.CALL, 23, room="1")
    send(topics.NO_SHOW, 28, room="1")
    send(topics.CALL, 30, room="2", services=["vero"])
    send(topics.COMPLETE, 41, room="2")


def console(config: SiteConfig, data_dir: Path, now: datetime = NOW) -> Any:
    web = WebConfig(users_file=str(data_dir / "web-users.toml"))
    runtime = SimpleNamespace(config=config, device=SimpleNamespace(web=web))
    return SimpleNamespace(runtime=runtime, data_dir=data_dir, now=lambda: now,
                           view=lambda: {})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir = tmp_path_factory.mktemp("report-ledger")
    config = small_site()
    clock = ManualClock(at(MONDAY, 8, 0))
    controller = Controller(config, Ledger(data_dir / "ledger.sqlite"), clock)
    morning(controller, clock, MONDAY)
    morning(controller, clock, WEDNESDAY)
    controller.ledger.close()
    write_users(data_dir / "web-users.toml")
    here = console(config, data_dir)
    return SimpleNamespace(config=config, data_dir=data_dir, console=here,
                           app=build_app(here, Hub()))


@pytest.fixture(scope="module")
def advisor(site: Any) -> Client:
    client = Client(site.app)
    client.log_in("advisor")
    return client


def events_of(data_dir: Path, day: date) -> list[Event]:
    ledger = Ledger(data_dir / "ledger.sqlite")
    try:
        return ledger.events_of_day(day.isoformat())
    finally:
        ledger.close()


def expected(site: Any, day: date, closed_at: datetime) -> dict[str, Any]:
    return day_report.build(events_of(site.data_dir, day), site.config, day.isoformat(),
                            closed_at)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def shown(value: Any) -> str:
    return "–" if value is None else str(value)


def test_today_so_far_with_the_builders_numbers(site: Any, advisor: Client) -> None:
    answer = advisor.get("/report")
    assert answer.status == 200
    page = answer.text
    assert "Day report: Wed 2 Dec (2026-12-02)" in page
    assert "So far (at 10:30): the day is not closed yet." in page
    report = expected(site, WEDNESDAY, NOW)
    found = tables(page)
    authorities = found["Customers per authority"]
    assert authorities[0][:4] == ["Authority", "Customers (visits to the authority)", "Served",
                                  "No-show"]
    assert authorities[1:] == [[name, *[shown(r[c]) for c in (
        "customers", "served", "no_shows", "cancelled", "open_at_close", "wait_median_min",
        "wait_p90_min", "service_median_min", "legs_continued_in")]]
        for name, r in zip(("Kela", "Tax Administration", "Finnish Immigration Service"),
                           report["authorities"], strict=True)]
    # What the morning was: Kela 3 (1 served, 1 no-show, 1 waiting), Vero 1 served.
    assert authorities[1][1:6] == ["3", "1", "1", "0", "1"]
    assert authorities[2][1:3] == ["1", "1"]
    assert found["Languages"][1:] == [["Finnish", "2", "10.0", "0"],
                                      ["Swedish", "1", "21.0", "0"],
                                      ["English", "1", "27.0", "0"]]
    rooms = {row[0]: row for row in found["Rooms' serving and paused time (min)"][1:]}
    assert rooms["Room 1"][1:3] == ["150.0", "0.0"]  # opened at 8.00, now 10.30
    assert found["Visits"][1:] == [["Numbers taken", "4"], ["Visits to several authorities",
                                                            "0"]]
    assert '<a href="/report.csv?day=2026-12-02" download>' in page


def test_every_table_is_named_and_reachable_by_keyboard(advisor: Client) -> None:
    page = advisor.get("/report?day=2026-11-30").text
    assert page.count("<table>") == 5
    assert page.count('<caption id="') == 5
    regions = re.findall(r'<div class="table-wrap" role="region" tabindex="0" '
                         r'aria-labelledby="([a-z-]+)">', page)
    assert len(regions) == 5 and all(f'<caption id="{r}">' in page for r in regions)
    heads = re.findall(r"<th scope=\"(col|row)\"", page)
    # Every header cell says what it heads.
    assert heads and len(re.findall(r"<th[ >]", page)) == len(heads)
    assert '<label for="report-day">' in page and 'id="report-day"' in page
    assert not re.search(r'<script(?![^>]*\b(src=|type="application/json"))|<style|\sstyle=|'
                         r'\son[a-z]+=', page)


def unclosed_site(tmp_path: Path) -> Any:
    """Monday's morning in a ledger whose controller has not run since (off from 10 am):
    nobody has closed the day yet. (A controller that starts again closes it late.)"""
    config = small_site()
    clock = ManualClock(at(MONDAY, 8, 0))
    controller = Controller(config, Ledger(tmp_path / "ledger.sqlite"), clock)
    morning(controller, clock, MONDAY)
    controller.ledger.close()
    write_users(tmp_path / "web-users.toml")
    here = console(config, tmp_path)
    return SimpleNamespace(config=config, data_dir=tmp_path, console=here,
                           app=build_app(here, Hub()))


def test_a_past_day_the_controller_never_closed_is_built_to_its_end(tmp_path: Path) -> None:
    site = unclosed_site(tmp_path)
    advisor = Client(site.app)
    advisor.log_in("advisor")
    page = html.unescape(advisor.get("/report?day=2026-11-30").text)
    # small_site closes at 16.15; the day ends 30 minutes after.
    assert "it is built from the ledger up to the day's end at 16:45." in page
    report = expected(site, MONDAY, at(MONDAY, 16, 45))
    assert routes_report.read_report(site.console, "2026-11-30") == {
        "day": "2026-11-30", "state": "unclosed", "report": report}
    rooms = {row[0]: row for row in tables(page)["Rooms' serving and paused time (min)"][1:]}
    assert rooms["Room 2"][1] == str(8 * 60 + 45) + ".0"


def test_the_csv_is_the_reports(site: Any, advisor: Client) -> None:
    answer = advisor.get("/report.csv?day=2026-11-30")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="piste-report-test-site-2026-11-30.csv"')
    assert answer.text == day_report.to_csv(expected(site, MONDAY, at(MONDAY, 16, 45)))
    first = list(csv.DictReader(io.StringIO(answer.text.split("\n\n")[0])))
    assert [(r["service"], r["customers"], r["served"]) for r in first] == [
        ("kela", "3", "1"), ("vero", "1", "1"), ("migri", "0", "0")]
    assert not re.search(r"\b[KVM]\d{3}\b", answer.text)  # no ticket numbers
    today = advisor.get("/report.csv")
    assert 'filename="piste-report-test-site-2026-12-02.csv"' in (
        today.headers["content-disposition"])


def test_a_wrong_day_or_a_missing_ledger_is_said_in_words(site: Any, advisor: Client,
                                                          tmp_path: Path) -> None:
    for path, status, said in (
            ("/report.csv?day=garbage", 400, "'garbage' is not a day such as 2026-12-01."),
            ("/report.csv?day=2026-11-29", 404, "The ledger has nothing for 2026-11-29. "
                                                "The latest day with data is 2026-12-02."),
            ("/report.csv?day=2026-12-03", 404, "2026-12-03 has not begun yet (today is "
                                                "2026-12-02).")):
        answer = advisor.get(path)
        assert answer.status == status, path
        assert answer.json() == {"ok": False, "message": said}
    page = advisor.get("/report?day=2026-02-30")
    assert page.status == 200 and 'role="alert">2026-02-30 is not a day of the calendar.' \
        in page.text and "<table>" not in page.text
    write_users(tmp_path / "web-users.toml")
    bare = Client(build_app(console(site.config, tmp_path), Hub()))
    bare.log_in("advisor")
    assert "This device has no ledger" in bare.get("/report").text


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30), st.sampled_from(["/report?day=", "/report.csv?day="]))
def test_whatever_is_in_the_address_is_answered_without_a_traceback(
        advisor: Client, text: str, route: str) -> None:
    answer = advisor.get(f"{route}{quote(text)}")
    assert answer.status in (200, 400, 404), (text, answer.status)
    assert b"Traceback" not in answer.body


def test_the_advisor_and_the_service_team_may_read_it(site: Any) -> None:
    stranger = Client(site.app)
    for path in ("/report", "/report.csv"):
        answer = stranger.get(path)
        assert answer.status == 303 and answer.headers["location"].startswith("/login")
    clerk, tech, service = Client(site.app), Client(site.app), Client(site.app)
    clerk.log_in("clerk1")
    tech.log_in("tech")
    service.log_in("service")
    for path in ("/report", "/report.csv"):
        assert clerk.get(path).status == 403 and tech.get(path).status == 403
        assert service.get(path).status == 200
    # The console's bar leads there who may read it, and marks it as the page open.
    assert '<a href="/report" aria-current="page">Day report</a>' in service.get("/report").text
    assert '<a href="/report">Day report</a>' in service.get("/stats").text
    for other in (clerk.get("/clerk").text, tech.get("/health").text):
        assert 'href="/report"' not in other


def test_a_day_closed_late_shows_the_report_made_when_the_controller_came_back(
        site: Any, advisor: Client) -> None:
    """The fixture's controller went from Monday to Wednesday: it closed Monday on its way,
    as at Monday's end, with the open tickets expired."""
    found = routes_report.read_report(site.console, "2026-11-30")
    assert found["state"] == "closed"
    assert found["report"] == expected(site, MONDAY, at(MONDAY, 16, 45))
    kela = next(r for r in found["report"]["authorities"] if r["service"] == "kela")
    assert kela["open_at_close"] == 1  # the fourth customer, never called


def test_the_page_in_finnish_and_swedish(site: Any, tmp_path: Path) -> None:
    finnish, swedish = Client(site.app, "fi"), Client(unclosed_site(tmp_path).app, "sv")
    for client in (finnish, swedish):
        client.log_in("advisor")
    fi = finnish.get("/report").text
    assert '<html lang="fi">' in fi and "Päiväraportti: ke 2. joulu (2026-12-02)" in fi
    assert "Tähän mennessä (klo 10.30): päivää ei ole vielä suljettu." in fi
    found = tables(fi)
    assert found["Asiakkaat virastoittain"][1][0] == "Kela"
    assert [row[0] for row in found["Kielet"][1:]] == ["suomi", "ruotsi", "englanti"]
    sv = swedish.get("/report?day=2026-11-30").text
    assert "Dagsrapport: mån 30 nov (2026-11-30)" in sv
    assert "fram till dagens slut kl. 16.45" in sv and "Skatteförvaltningen" in sv
    for page in (fi, sv):
        assert [w for w in ("Customers per authority", "Languages", "Show the report",
                            "Download the report", "So far", "Open at close") if w in page] == []
    assert "Lataa raportti CSV-tiedostona (2026-12-02)" in fi


def test_a_closed_day_shows_the_report_it_was_closed_with(site: Any, tmp_path: Path) -> None:
    clock = ManualClock(at(MONDAY, 8, 0))
    controller = Controller(site.config, Ledger(tmp_path / "ledger.sqlite"), clock)
    morning(controller, clock, MONDAY)
    clock.set(at(MONDAY, 16, 45))
    sent = day_report.build(controller.ledger.events_of_day(MONDAY.isoformat()), site.config,
                            MONDAY.isoformat(), at(MONDAY, 16, 45))
    controller.record(EventType("day.closed"), {"report": sent})
    controller.ledger.close()
    write_users(tmp_path / "web-users.toml")
    here = console(site.config, tmp_path)
    assert routes_report.read_report(here, "2026-11-30") == {
        "day": "2026-11-30", "state": "closed", "report": sent}
    client = Client(build_app(here, Hub()))
    client.log_in("advisor")
    page = client.get("/report?day=2026-11-30").text
    assert "The day was closed at 16:45: this is the report sent to the service team." in page
    assert client.get("/report.csv?day=2026-11-30").text == day_report.to_csv(sent)


# -- in a real browser: WCAG 2.2 AA by axe-core, the keyboard, a phone's width -------------


@pytest.mark.slow
def test_the_report_in_chromium_by_keyboard_axe_and_at_320_px(memory_broker: Any,
                                                               tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.helpers import wait_for
    from tests.test_web_a11y import axe_source, axe_violations, narrow
    from tests.web_site import browser, console_errors, console_site, log_in

    source = axe_source()
    with console_site(memory_broker, tmp_path, ManualClock(at(MONDAY, 9, 0))) as site:
        with site.client() as kiosk:
            for lang in ("fi", "sv", "en"):
                kiosk.request(topics.ISSUE, {"service": "kela", "lang": lang})
        with browser() as page:
            page.set_script_timeout(30)
            log_in(page, site, "advisor", "/report")
            found: dict[str, list[str]] = {}
            for lang in ("fi", "sv", "en"):
                page.get(f"{site.url}/lang/{lang}?next=/report")
                wait_for(lambda: page.find_elements(By.CSS_SELECTOR, "[data-report-state]"),
                         what=f"the report in {lang}")
                found[lang] = axe_violations(page, source)
            assert {lang: v for lang, v in found.items() if v} == {}
            assert page.find_element(By.CSS_SELECTOR, "[data-report-state]").get_attribute(
                "data-report-state") == "so_far"
            # The keyboard reaches the day, its button, the CSV and every table's region.
            page.find_element(By.TAG_NAME, "body").click()
            reached = []
            for _ in range(40):
                page.switch_to.active_element.send_keys(Keys.TAB)
                active = page.switch_to.active_element
                reached.append(active.get_attribute("id") or active.get_attribute("href")
                               or active.get_attribute("aria-labelledby") or active.tag_name)
            assert "report-day" in reached
            assert any(str(r).endswith("/report.csv?day=2026-11-30") for r in reached)
            assert {"authorities-c", "languages-c", "rooms-c", "visits-c", "other-c"} <= \
                set(reached)
            narrow(page, 320)
            page.get(f"{site.url}/report")
            wide = page.execute_script("""
                return [document.documentElement.scrollWidth,
                        [...document.querySelectorAll('body *')].filter((e) =>
                          !e.closest('.table-wrap') && e.getBoundingClientRect().right > 320.5)
                          .map((e) => e.tagName + '.' + e.className).slice(0, 5)];""")
            assert wide[0] <= 320, wide
            assert console_errors(page) == []
