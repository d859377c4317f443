"""The customer's phone page, in a real headless Chromium at a phone's size, served by uvicorn
on loopback from a store fed directly with messages of the contract's shape.

What a customer notices: the page in their ticket's language with a switch to the other two;
their place falling without a reload; "K012, please go to Room 5" shown, announced (an
assertive live region) and buzzed, and again on a recall; the next authority; the end of the
visit; plain words when the data is old or the lobby is offline. And what a prober notices:
nothing — the same 404 for every wrong secret, a plain 429 when they hurry, no cookie, no
path in any log. WCAG 2.2 AA by axe-core, the keyboard, 320 CSS px and doubled text.
"""

from __future__ import annotations

import http.client
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from starlette.testclient import TestClient

from firmware.core.phone_tokens import key_of, new_code, new_token
from firmware.core.wait_words import wait_line
from firmware.phone.app import build_public_app, scrub
from firmware.phone.store import PublicTickets
from firmware.phone.texts import TEXTS
from testkit.phone_pages import (
    KELA,
    ROOM_5,
    VERO,
    feed,
    feed_alive,
    new_ticket,
    serve,
    site_now,
)
from testkit.waiting import wait_until
from tests.test_web_a11y import axe_source, axe_violations
from tests.web_site import browser, console_errors, shown_text

pytestmark = pytest.mark.slow

SITE = "lappeenranta"
PHONE = (360, 740)
LANGS = ("fi", "sv", "en")
PAGE_LIMIT = 30 * 1024


@dataclass
class Phone:
    store: PublicTickets
    url: str

    def path(self, url: str) -> str:
        return self.url + url


@pytest.fixture
def phone() -> Iterator[Phone]:
    store = PublicTickets(site=SITE)  # as the site's own listener: its own tickets only
    feed_alive(store, SITE, site_now())
    with serve(build_public_app(store, rate_per_minute=600)) as url:
        yield Phone(store, url)


def text(page: Any, css: str) -> str | None:
    return shown_text(page, css)


def wait_text(page: Any, css: str, expected: str, timeout: float = 10.0) -> None:
    wait_until(lambda: text(page, css) == expected, timeout,
               what=f"{css} to say {expected!r} (it says {text(page, css)!r})")


def open_live(page: Any, url: str, lang: str) -> None:
    page.get(url)
    wait_text(page, "#conn", TEXTS[lang]["live"])


WATCH = """
    window.samePage = true;
    window.buzzed = [];
    navigator.vibrate = (pattern) => { window.buzzed.push(pattern); return true; };
    window.said = [];
    const say = document.getElementById('say');
    new MutationObserver(() => { if (say.textContent) window.said.push(say.textContent); })
      .observe(say, { childList: true, characterData: true, subtree: true });"""


def hhmm(*moments: str) -> str:
    return max(datetime.fromisoformat(m) for m in moments).strftime("%H:%M")


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_follows_the_ticket_live_to_the_call_and_the_end_in_its_language(
        phone: Phone, lang: str) -> None:
    words = TEXTS[lang]
    ticket = new_ticket(lang=lang)
    feed(phone.store, ticket)
    with browser(*PHONE) as page:
        open_live(page, phone.path(f"/t/{ticket.token}"), lang)
        assert page.execute_script("return document.documentElement.lang") == lang
        assert text(page, "#num") == "K012"
        assert text(page, "#service") == KELA["name"][lang]
        assert text(page, "#ahead") == words["ahead"].format(ahead=3)
        assert text(page, "#wait") == wait_line(3, (5, 10), lang)
        page.execute_script(WATCH)

        feed(phone.store, ticket, ahead=1, eta_range=[0, 4], almost=True)
        wait_text(page, "#ahead", words["ahead"].format(ahead=1))
        assert text(page, "#wait") == wait_line(1, (0, 4), lang)
        assert text(page, "#note") == words["almost"]

        feed(phone.store, ticket, ahead=0, eta_range=[0, 0])
        wait_text(page, "#wait", wait_line(0, None, lang))  # "you are next in line"

        call = words["call"].format(number="K012", room=ROOM_5["name"][lang])
        feed(phone.store, ticket, status="called", ahead=None, eta_range=None, almost=False,
             room=ROOM_5, call_id=str(uuid.uuid4()), calls=1, next=[VERO])
        wait_until(lambda: page.execute_script("return window.said") == [call],
                   what="the call to be said")
        assert page.find_element(By.ID, "say").get_attribute("aria-live") == "assertive"
        assert text(page, "#say") == call
        assert text(page, "#ahead") == ""
        assert len(page.execute_script("return window.buzzed")) == 1

        feed(phone.store, ticket, calls=2)  # the clerk calls again
        wait_until(lambda: page.execute_script("return window.said") == [call, call],
                   what="the recall to be said again")
        assert len(page.execute_script("return window.buzzed")) == 2

        feed(phone.store, ticket, at=site_now().isoformat())  # nothing new: nothing said
        feed(phone.store, ticket, status="done", room=None, call_id=None)
        wait_text(page, "#next", words["next"].format(names=VERO[lang]))
        assert text(page, "#say") == "" and text(page, "#note") == ""

        feed(phone.store, ticket, next=[])
        wait_text(page, "#note", words["done"])
        assert page.execute_script("return window.samePage") is True  # never reloaded
        assert page.execute_script("return window.said").count(call) == 2
        assert console_errors(page) == []

        phone.store.update(ticket.topic, b"")  # the controller's removal, 30 min later
        wait_text(page, "#note", words["gone"])


def test_a_call_in_a_room_without_a_name_and_an_anonymous_ticket(phone: Phone) -> None:
    ticket = new_ticket(lang="en", number="042", service=None)
    feed(phone.store, ticket)
    with browser(*PHONE) as page:
        open_live(page, phone.path(f"/t/{ticket.token}"), "en")
        assert not page.find_element(By.ID, "service").is_displayed()
        feed(phone.store, ticket, status="called", ahead=None, eta_range=None, room=None,
             calls=1, call_id=str(uuid.uuid4()))
        wait_text(page, "#say", "042, it is your turn.")


def test_the_language_switch_and_the_keyboard(phone: Phone) -> None:
    ticket = new_ticket(lang="fi")
    feed(phone.store, ticket)
    with browser(*PHONE) as page:
        open_live(page, phone.path(f"/t/{ticket.token}"), "fi")
        links = page.find_elements(By.CSS_SELECTOR, "nav a")
        assert [(a.text, a.get_attribute("lang")) for a in links] == [
            ("På svenska", "sv"), ("In English", "en")]
        focused = []
        for _ in range(3):
            ActionChains(page).send_keys(Keys.TAB).perform()
            focused.append(page.execute_script("""
                const e = document.activeElement, s = getComputedStyle(e);
                return [e.id || e.textContent, s.outlineStyle, parseFloat(s.outlineWidth)];"""))
        assert [f[0] for f in focused] == ["På svenska", "In English", "sound"]
        assert all(style != "none" and width >= 2 for _, style, width in focused), focused

        button = page.find_element(By.ID, "sound")
        assert button.text == TEXTS["fi"]["sound_on"]
        page.execute_script("""
            window.tones = 0;
            const start = OscillatorNode.prototype.start;
            OscillatorNode.prototype.start = function (...args) {
              window.tones += 1; return start.apply(this, args); };""")
        ActionChains(page).send_keys(Keys.ENTER).perform()
        wait_until(lambda: button.text == TEXTS["fi"]["sound_off"], what="the sound to turn on")
        assert page.execute_script("return document.activeElement.id") == "sound"
        # the key press lets the page sound: a tone to say so, and one at the call
        wait_until(lambda: page.execute_script("return window.tones") == 1, what="a tone")
        feed(phone.store, ticket, status="called", ahead=None, room=ROOM_5, calls=1,
             call_id=str(uuid.uuid4()))
        wait_until(lambda: page.execute_script("return window.tones") == 2,
                   what="the call's tone")

        ActionChains(page).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT) \
            .send_keys(Keys.ENTER).perform()
        wait_until(lambda: page.execute_script("return document.documentElement.lang") == "en",
                   what="the page in English")
        wait_text(page, "#conn", TEXTS["en"]["live"])
        assert text(page, "#service") == KELA["name"]["en"]


def test_the_code_typed_as_a_person_types_it_opens_the_page(phone: Phone) -> None:
    ticket = new_ticket(lang="sv")
    feed(phone.store, ticket)
    with browser(*PHONE) as page:
        page.get(phone.path("/?lang=sv"))
        assert text(page, "label") == TEXTS["sv"]["code_label"]
        field = page.find_element(By.ID, "code")
        field.send_keys(ticket.code.lower().replace("-", " "), Keys.ENTER)
        wait_text(page, "#conn", TEXTS["sv"]["live"])
        assert urlsplit(page.current_url).path == f"/t/{ticket.code}"
        assert text(page, "#num") == "K012"


def test_old_data_and_an_offline_lobby_are_said_plainly(phone: Phone) -> None:
    words = TEXTS["en"]
    ticket = new_ticket(lang="en")
    feed(phone.store, ticket)
    with browser(*PHONE) as page:
        open_live(page, phone.path(f"/t/{ticket.token}"), "en")
        last = site_now() - timedelta(seconds=120)
        feed_alive(phone.store, SITE, last)  # the controller fell silent two minutes ago
        wait_text(page, "#conn", words["offline"] + " " + words["data_from"].format(
            time=hhmm(ticket.message["at"], last.isoformat())))
        feed_alive(phone.store, SITE, site_now())
        wait_text(page, "#conn", words["live"])


def test_offline_already_at_load_is_said_at_once() -> None:
    store = PublicTickets()
    ticket = new_ticket(lang="fi", at=(site_now() - timedelta(minutes=10)).isoformat())
    assert store.update(ticket.topic, json.dumps(ticket.message).encode())
    last = site_now() - timedelta(minutes=5)
    feed_alive(store, SITE, last)
    with serve(build_public_app(store, rate_per_minute=60)) as url:
        status, _headers, body = get(url + f"/t/{ticket.token}")
    words = TEXTS["fi"]
    assert status == 200
    assert (words["offline"] + " " + words["data_from"].format(time=last.strftime("%H:%M"))
            ).encode() in body


def test_a_lost_stream_says_updating_and_the_page_comes_back_by_itself() -> None:
    words = TEXTS["sv"]
    store = PublicTickets()
    feed_alive(store, SITE, site_now())
    ticket = new_ticket(lang="sv")
    feed(store, ticket)
    app = build_public_app(store, rate_per_minute=600)
    with browser(*PHONE) as page:
        with serve(app) as url:
            open_live(page, f"{url}/t/{ticket.token}", "sv")
            page.execute_script(WATCH)
        # the server is gone: the page says so, with the time of what it shows
        wait_text(page, "#conn", words["updating"] + " " + words["data_from"].format(
            time=hhmm(ticket.message["at"], store.alive(SITE).at.isoformat())))
        feed(store, ticket, ahead=2)
        with serve(app, port=urlsplit(url).port):
            wait_text(page, "#ahead", words["ahead"].format(ahead=2), timeout=20)
            wait_text(page, "#conn", words["live"])
        assert page.execute_script("return window.samePage") is True


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_the_first_load_is_small_whole_and_leaves_no_cookie(phone: Phone) -> None:
    ticket = new_ticket(lang="en", status="called", room=ROOM_5, ahead=None, calls=1,
                        next=[VERO, VERO, VERO], call_id=str(uuid.uuid4()))
    feed(phone.store, ticket)
    status, headers, body = get(phone.path(f"/t/{ticket.token}"))
    assert status == 200 and len(body) <= PAGE_LIMIT, len(body)
    with browser(*PHONE) as page:
        open_live(page, phone.path(f"/t/{ticket.token}"), "en")
        loaded = page.execute_script("""
            const nav = performance.getEntriesByType('navigation')[0];
            return [nav.transferSize, performance.getEntriesByType('resource').map(r => r.name),
                    document.cookie];""")
        assert loaded[0] <= PAGE_LIMIT
        assert all(name.endswith("/live") for name in loaded[1]), loaded[1]  # nothing else
        assert loaded[2] == ""
        assert page.get_cookies() == []
    for path in ("/", "/?lang=sv", f"/t/{ticket.token}", f"/t/{ticket.code}",
                 f"/t/?code={ticket.code}", f"/t/{new_token()}", "/login"):
        status, headers, body = get(phone.path(path))
        assert "set-cookie" not in headers, path
        assert headers["cache-control"] == "no-store", path
        assert headers["referrer-policy"] == "no-referrer", path
        csp = headers["content-security-policy"]
        assert "unsafe-eval" not in csp and "unsafe-inline" not in csp, path
        assert "server" not in headers, path


def without_date(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "date"}


def test_every_wrong_secret_gets_the_same_404(phone: Phone) -> None:
    known = new_ticket()
    feed(phone.store, known)
    expired = new_ticket(valid_until=(site_now() - timedelta(seconds=1)).isoformat())
    feed(phone.store, expired)
    removed = new_ticket()
    feed(phone.store, removed)
    phone.store.update(removed.topic, b"")
    elsewhere = new_ticket(site="imatra")
    assert not phone.store.update(elsewhere.topic, elsewhere.payload())  # not this site's
    wrong = [new_token(), new_code(), expired.token, expired.code, removed.token,
             removed.code, elsewhere.token, elsewhere.code, known.token[:-1] + "A",
             key_of(known.token), "x", "%C3%A4", "%FF", "a" * 5000]
    paths = [f"/t/{s}" for s in wrong] + [f"/t/{s}/live" for s in wrong] + [
        f"/t/?code={expired.code}", f"/t/?code={new_code()}", "/t/?code=", "/login",
        "/clerk", "/advisor", "/health", "/stats", "/api/view", "/static/app.js",
        "/favicon.ico", f"/t/{known.token}/x"]
    answers = {path: get(phone.path(path)) for path in paths}
    answers["POST known"] = get(phone.path(f"/t/{known.token}"), "POST")
    first = answers[paths[0]]
    assert first[0] == 404
    for path, (status, headers, body) in answers.items():
        assert (status, without_date(headers), body) == (first[0], without_date(first[1]),
                                                         first[2]), path
    assert get(phone.path(f"/t/{known.token}"))[0] == 200  # and the right one is found


def test_enumerating_tokens_and_codes_finds_nothing_and_is_slowed_per_client() -> None:
    store = PublicTickets()
    tickets = [new_ticket(number=f"K{n:03}") for n in range(50)]
    for ticket in tickets:
        feed(store, ticket)
    # One client for all (one event loop): 4000 requests, 2000 secrets, page and stream.
    with TestClient(build_public_app(store, rate_per_minute=10**6)) as client:
        reference = client.get(f"/t/{new_token()}")
        assert reference.status_code == 404
        tries = [new_token() for _ in range(1000)] + [new_code() for _ in range(1000)]
        for secret in tries:
            for path in (f"/t/{secret}", f"/t/{secret}/live"):
                answer = client.get(path)
                assert (answer.status_code, answer.headers, answer.content) == (
                    404, reference.headers, reference.content), path
        assert client.get(f"/t/{tickets[0].code}").status_code == 200  # the real ones still are

    now = [0.0]
    app = build_public_app(store, rate_per_minute=60, clock=lambda: now[0])
    prober = TestClient(app, client=("203.0.113.7", 40000))
    customer = TestClient(app, client=("198.51.100.23", 40001))
    statuses = [prober.get(f"/t/{new_token()}").status_code for _ in range(200)]
    assert statuses == [404] * 60 + [429] * 140
    slowed = prober.get(f"/t/{tickets[0].token}")  # even the right token waits its turn
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
    assert b"Too many requests" in slowed.content and "set-cookie" not in slowed.headers
    assert customer.get(f"/t/{tickets[0].token}").status_code == 200  # another client is not
    now[0] += 2.0  # a minute refills 60: two seconds, two
    assert [prober.get(f"/t/{tickets[0].token}").status_code for _ in range(3)] == [
        200, 200, 429]


_ANY_SECRET_STORE = PublicTickets()
for _n in range(5):
    feed(_ANY_SECRET_STORE, new_ticket(number=f"K{_n:03}"))
_ANY_SECRET_CLIENT = TestClient(build_public_app(_ANY_SECRET_STORE, rate_per_minute=10**9))
_NOT_FOUND = _ANY_SECRET_CLIENT.get(f"/t/{new_token()}")


@given(secret=st.text(min_size=1, max_size=80), live=st.booleans(), lang=st.text(max_size=4))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_for_a_secret_is_the_same_404(secret: str, live: bool, lang: str) -> None:
    path = f"/t/{quote(secret, safe='')}" + ("/live" if live else "")
    answer = _ANY_SECRET_CLIENT.get(path, params={"lang": lang})
    assert (answer.status_code, answer.headers, answer.content) == (
        404, _NOT_FOUND.headers, _NOT_FOUND.content)


def read_event(response: http.client.HTTPResponse) -> tuple[str, dict[str, Any] | None]:
    event, data = "", None
    while True:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif line.startswith("retry: "):
            event = line
        elif line == "" and event:
            return event, data


def test_the_stream_sends_the_ticket_on_each_change_without_its_secrets(phone: Phone) -> None:
    ticket = new_ticket()
    feed(phone.store, ticket)
    parts = urlsplit(phone.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"/t/{ticket.code}/live")
    response = connection.getresponse()
    try:
        assert response.status == 200
        assert response.getheader("content-type").startswith("text/event-stream")
        assert response.getheader("cache-control") == "no-store"
        assert read_event(response) == ("retry: 3000", None)
        event, data = read_event(response)
        assert event == "ticket" and data["number"] == "K012" and data["ahead"] == 3
        assert "code_key" not in data and "site" not in data
        event, data = read_event(response)
        assert event == "alive" and data["offline"] is False and data["age_s"] <= 5
        feed(phone.store, ticket, ahead=2)
        event, data = read_event(response)
        assert (event, data["ahead"]) == ("ticket", 2)
        phone.store.update(ticket.topic, b"")
        assert read_event(response)[0] == "alive"
        assert read_event(response) == ("gone", {})
    finally:
        connection.close()


def serve_and_probe(store: PublicTickets, ticket: Any, log_level: str,
                    loggers: list[logging.Logger], handler: logging.Handler) -> None:
    with serve(build_public_app(store, rate_per_minute=5), log_level=log_level) as url:
        for logger in loggers:
            logger.addHandler(handler)
        try:
            for path in (f"/t/{ticket.token}", f"/t/{ticket.code}", f"/t/{new_token()}",
                         f"/t/?code={ticket.code}", f"/t/{ticket.token}/nothing") * 3:
                get(url + path)
        finally:
            for logger in loggers:
                logger.removeHandler(handler)


def test_no_log_line_holds_a_token_or_a_code(caplog: pytest.LogCaptureFixture) -> None:
    store = PublicTickets()
    ticket = new_ticket()
    feed(store, ticket)
    caplog.set_level(1)
    # As the listeners run it (no access log), at debug level: nothing about any request.
    serve_and_probe(store, ticket, "debug", [logging.getLogger("uvicorn")], caplog.handler)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/t/" not in logged and ticket.token not in logged, logged

    # With the access log turned on after all (a handler on it), and uvicorn's trace level,
    # which logs whole requests: the lines are there, the secrets are not.
    caplog.clear()
    serve_and_probe(store, ticket, "trace", [logging.getLogger("uvicorn"),
                                             logging.getLogger("uvicorn.access")],
                    caplog.handler)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert '"GET /t/… HTTP/1.1" 200' in logged and "Started scope=" in logged
    assert "/t/?code=…" in logged
    assert ticket.token not in logged and ticket.code not in logged
    assert ticket.code.replace("-", "") not in logged
    assert scrub(f"GET /t/{ticket.token}/live?lang=sv") == "GET /t/…/live?lang=sv"


def test_at_320_css_pixels_and_with_doubled_text_nothing_scrolls_sideways(
        phone: Phone) -> None:
    long_names = {"fi": "Digi- ja väestötietovirasto", "sv":
                  "Myndigheten för digitalisering och befolkningsdata",
                  "en": "Digital and Population Data Services Agency"}
    with browser(*PHONE) as page:
        page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": 320, "height": 740, "deviceScaleFactor": 1,
                              "mobile": True})
        for lang in LANGS:
            ticket = new_ticket(lang=lang, status="called", ahead=None, calls=1,
                                room=ROOM_5, next=[long_names], call_id=str(uuid.uuid4()),
                                service={"id": "dvv", "name": long_names})
            feed(phone.store, ticket)
            feed_alive(phone.store, SITE, site_now() - timedelta(minutes=3))  # the long line
            page.get(phone.path(f"/t/{ticket.token}"))
            wait_until(lambda lang=lang: TEXTS[lang]["offline"] in (text(page, "#conn") or ""),
                       what="the offline line")
            size = page.execute_script(
                "return parseFloat(getComputedStyle(document.getElementById('num')).fontSize)")
            for scale in ("100%", "200%"):
                wide = page.execute_script("""
                    document.documentElement.style.fontSize = arguments[0];
                    const over = [...document.querySelectorAll('body *')]
                      .filter((e) => e.getBoundingClientRect().right > 320.5)
                      .map((e) => e.tagName + '#' + e.id);
                    return [document.documentElement.scrollWidth, over.slice(0, 5),
                            parseFloat(getComputedStyle(document.getElementById('num'))
                              .fontSize)];""", scale)
                assert wide[0] <= 320 and wide[1] == [], (lang, scale, wide)
                if scale == "200%":
                    assert wide[2] == pytest.approx(2 * size)  # relative units all through
            feed_alive(phone.store, SITE, site_now())


def test_axe_finds_nothing_in_any_state_or_language(phone: Phone) -> None:
    source = axe_source()
    found: dict[str, list[str]] = {}
    with browser(*PHONE) as page:
        page.set_script_timeout(30)
        for lang in LANGS:
            ticket = new_ticket(lang=lang, almost=True, next=[VERO])
            feed(phone.store, ticket)
            open_live(page, phone.path(f"/t/{ticket.token}"), lang)
            found[f"waiting {lang}"] = axe_violations(page, source)
            feed(phone.store, ticket, status="called", ahead=None, room=ROOM_5, calls=1,
                 call_id=str(uuid.uuid4()))
            wait_until(lambda: text(page, "#say"), what="the call")
            found[f"called {lang}"] = axe_violations(page, source)
            feed_alive(phone.store, SITE, site_now() - timedelta(minutes=5))
            wait_until(lambda lang=lang: TEXTS[lang]["offline"] in (text(page, "#conn") or ""),
                       what="the offline line")
            found[f"offline {lang}"] = axe_violations(page, source)
            feed_alive(phone.store, SITE, site_now())
            feed(phone.store, ticket, status="done", next=[])
            wait_text(page, "#note", TEXTS[lang]["done"])
            found[f"done {lang}"] = axe_violations(page, source)
            page.get(phone.path(f"/?lang={lang}"))
            found[f"code form {lang}"] = axe_violations(page, source)
        page.get(phone.path(f"/t/{new_token()}"))
        found["not found"] = axe_violations(page, source)
        assert console_errors(page) == [] or all("404" in e for e in console_errors(page))
    bad = [f"{where}: {v}" for where, there in found.items() for v in there]
    assert bad == [], "\n".join(bad)
