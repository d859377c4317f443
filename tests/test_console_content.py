"""What the staff console shows, as issue 22 found it: health reports on the device's own
clock, the demo's clerk login in a room of its own, sentences instead of codes, and the
room's last served number once nobody is being served."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from firmware.clock import ManualClock, ShiftedClock
from firmware.runtime import HEALTH_EVERY_S, Runtime
from firmware.site_config import load_site_config
from tests.conftest import DEMO_SITE

START = datetime(2027, 3, 2, 8, 50, tzinfo=UTC)


def _runtime(clock: object, tmp_path: Path) -> Runtime:
    config = load_site_config(DEMO_SITE)
    device = config.device("waiting-1")
    assert device is not None
    return Runtime(config, device, clock, tmp_path, [], broker_host="127.0.0.1",  # type: ignore[arg-type]
                   broker_port=1)


def test_health_is_reported_every_minute_of_the_devices_own_clock(tmp_path: Path) -> None:
    # The demo's clock runs three hours in a minute: a report every real minute was three
    # hours old on the Devices page ("Last report 08.53" at 10.56).
    assert _runtime(ManualClock(START), tmp_path).health_every_s == HEALTH_EVERY_S
    assert _runtime(ShiftedClock(START, 1.0), tmp_path).health_every_s == HEALTH_EVERY_S
    assert _runtime(ShiftedClock(START, 60.0), tmp_path).health_every_s == 1.0
    fast = _runtime(ShiftedClock(START, 180.0), tmp_path).health_every_s
    assert 0 < fast * 180.0 <= 2 * 60  # at most two minutes of the demo's clock apart


def test_the_demos_simulated_clerks_leave_the_console_clerks_room_alone(tmp_path: Path) -> None:
    # "Called K005" then "Nobody called yet": the simulated clerk of room 1 completed the
    # number the newcomer had called from the browser.
    from types import SimpleNamespace

    from firmware.cli.demo import (
        Simulation,
        console_clerk_room,
        demo_logins,
        only_what_runs,
        staffed_by_console,
    )

    config = only_what_runs(load_site_config(DEMO_SITE))
    lobby = config.device("lobby-1")
    shown = demo_logins(config, tmp_path / "web-users.toml")
    room = console_clerk_room(config)
    assert room is not None and any(f"(clerk, room {room})" in login for login in shown)

    def simulated(device: object) -> list[str]:
        runtime = SimpleNamespace(config=config, clock=ManualClock(START), device=device)
        staffed = staffed_by_console(runtime)  # type: ignore[arg-type]
        return Simulation(runtime, None, 1, 1.0,  # type: ignore[arg-type]
                          staffed_rooms=staffed).simulated_rooms()

    assert simulated(lobby) == [r.id for r in config.rooms if r.id != room]
    assert len(simulated(lobby)) == len(config.rooms) - 1
    # Without a console nobody else serves that room: the simulation serves them all.
    without_web = SimpleNamespace(roles=("controller", "kiosk", "display"))
    assert simulated(without_web) == [r.id for r in config.rooms]


def test_the_demo_expects_only_the_devices_it_runs() -> None:
    # Six "room-N: never seen on the broker" stayed under "Needs attention" forever: the
    # demo starts only the room unit with the silent alarm's key, so its site has only that.
    from firmware.cli.demo import only_what_runs
    from firmware.web.lobby import LobbyView

    full = load_site_config(DEMO_SITE)
    assert sum("room" in d.roles for d in full.devices) > 1
    config = only_what_runs(full)
    runs = ["lobby-1", "waiting-1", "room-1", "guard-desk", "exit-1"]
    assert [d.id for d in config.devices] == runs
    assert [d["id"] for d in LobbyView(config).view()["devices"]] == runs


# -- every code of the wire has words ----------------------------------------------------

def _doc_enum(schema: str, field: str) -> list[str]:
    """An enum of docs/mqtt-api.yaml: the closed vocabularies the devices send."""
    import yaml

    doc = yaml.safe_load((Path(__file__).parent.parent / "docs" / "mqtt-api.yaml").read_text())
    return list(doc["components"]["schemas"][schema]["properties"][field]["enum"])


def _vocabularies() -> dict[str, list[str]]:
    from firmware.core.errors import ErrorCode
    from firmware.core.occupancy import SIDES, OccupancyState, SensorStatus
    from firmware.web.lobby import EVENT_TYPES
    from ticket_printer.status import PrinterState

    return {
        "err_": [str(c) for c in ErrorCode],
        "ps_": [s.value for s in PrinterState],
        "occ_": [str(s) for s in OccupancyState],
        "ss_": [str(s) for s in SensorStatus],
        "side_": list(SIDES),
        "st_": [*_doc_enum("DeviceStatus", "state"), "unknown"],
        "al_": _doc_enum("Alert", "kind"),
        "ev_": list(EVENT_TYPES),
        # The parts a device's health reports with a state or a problem, and each role (a
        # role whose report failed is named by the role).
        "part_": ["controller", "kiosk", "display", "room", "feedback", "web", "broker",
                  "printer", "keys", "speech", "scanner", "chime", "voice", "sensors", "alarm",
                  "relay"],
    }


SNAKE = r"\b[a-z]+_[a-z_]+\b"


def test_every_code_that_can_reach_a_page_has_a_sentence_in_three_languages() -> None:
    import re

    from firmware.web.texts import LANGS, SCRIPT_KEYS, TEXTS

    for prefix, codes in _vocabularies().items():
        assert codes, prefix
        for code in codes:
            key = prefix + code
            words = TEXTS.get(key)
            assert words is not None and len(words) == len(LANGS), key
            assert all(w.strip() and not re.search(SNAKE, w) for w in words), (key, words)
            assert prefix == "err_" or key in SCRIPT_KEYS, key  # the scripts draw these


def test_a_refusal_is_a_sentence_never_its_code() -> None:
    from firmware.core.errors import ErrorCode
    from firmware.web.texts import describe
    from mqtt_bridge import topics

    for code in ErrorCode:
        for lang in ("fi", "sv", "en"):
            answer = {"ok": False, "error": {"code": str(code), "message": "english words"}}
            said = describe(answer, topics.CALL, lang)
            assert str(code) not in said and "english words" not in said, said
    nothing = {"ok": False, "error": {"code": "no_ticket", "message": "room 1 has no called"}}
    assert describe(nothing, topics.COMPLETE) == "Not done: no number is called to this room."
    assert describe(nothing, topics.COMPLETE, "fi") == (
        "Ei tehty: huoneeseen ei ole kutsuttu numeroa.")
    odd = {"ok": False, "error": {"code": "a_new_code"}}
    assert describe(odd, topics.CALL) == "Not done: the controller refused."


# -- the lobby view ------------------------------------------------------------------------

def _lobby_with(*messages: tuple[str, dict]) -> dict:
    import json

    from firmware.web.lobby import LobbyView
    from mqtt_bridge import topics
    from testkit.site_factory import small_site

    config = small_site()
    root = topics.site_root(config.site.id)
    lobby = LobbyView(config)
    for topic, body in messages:
        lobby.take(f"{root}/{topic}", json.dumps(body).encode())
    return lobby.view()


def _day(day: str, *serving: tuple[str, str]) -> tuple[str, dict]:
    return ("queue/state", {"seq": 1, "day": day, "at": f"{day}T09:00:00+02:00",
                            "services": [], "serving": [
                                {"ticket": t, "room": r, "service": "kela", "call_id": "c",
                                 "called_at": f"{day}T09:00:00+02:00"} for t, r in serving],
                            "last_call": None})


def test_a_free_room_says_what_its_clerk_did_last_today() -> None:
    called = ("queue/events", {"type": "ticket.called", "number": "K005", "room": "1",
                               "service": "kela", "at": "2026-11-30T10:05:00+02:00"})
    done = ("queue/events", {"type": "ticket.completed", "number": "K005", "room": "1",
                             "at": "2026-11-30T10:12:00+02:00"})
    view = _lobby_with(_day("2026-11-30", ("K005", "1")), called, done, _day("2026-11-30"))
    room1 = next(r for r in view["rooms"] if r["id"] == "1")
    assert room1["serving"] is None
    assert room1["last"] == {"type": "ticket.completed", "number": "K005",
                             "at": "2026-11-30T10:12:00+02:00"}
    assert all(r["last"] is None for r in view["rooms"] if r["id"] != "1")
    # The next morning the room starts with nothing done.
    next_day = _lobby_with(_day("2026-11-30"), done, _day("2026-12-01"))
    assert all(r["last"] is None for r in next_day["rooms"])


def test_a_room_units_silent_sensor_is_a_problem_in_words_not_codes() -> None:
    health = {"at": "2026-11-30T09:00:00+02:00",
              "sensors": {"staff": {"kind": "gpio", "state": "silent"},
                          "customer": {"kind": "gpio", "state": "ok"}},
              "keys": {"state": "error", "error": "GPIO busy"}}
    view = _lobby_with(("device/room-1/status", {"state": "online", "since": "x"}),
                       ("device/room-1/health", health))
    unit = next(d for d in view["devices"] if d["id"] == "room-1")
    assert unit["problems"] == [
        {"kind": "sensors", "faults": [{"side": "staff", "status": "silent"}]},
        {"kind": "part", "part": "keys", "state": "error", "detail": "GPIO busy"}]
    assert unit["health_at"] == "2026-11-30T09:00:00+02:00"


def test_the_pages_show_no_code_where_the_wire_has_one(memory_broker, tmp_path: Path) -> None:
    """An unknown printer, a silent sensor, an alert and a refusal, in a real browser: the
    pages say each in words ("printer: ps_unknown", "Not done (no_ticket)" were seen)."""
    import json
    import re
    import uuid

    from selenium.webdriver.common.by import By

    from mqtt_bridge import topics
    from testkit.site_factory import MONDAY, at
    from tests.helpers import wait_for
    from tests.web_site import browser, console_errors, console_site, log_in

    clock = ManualClock(at(MONDAY, 9, 0))
    with console_site(memory_broker, tmp_path, clock) as site, browser() as page:
        site_id = site.config.site.id
        now = at(MONDAY, 9, 0).isoformat(timespec="seconds")
        published = {
            topics.device_status(site_id, "kiosk-1"): {
                "state": "online", "roles": ["kiosk"], "version": "1", "since": now},
            topics.device_health(site_id, "kiosk-1"): {
                "at": now, "printer": {"state": "unknown"}},
            topics.device_status(site_id, "room-1"): {
                "state": "online", "roles": ["room"], "version": "1", "since": now},
            topics.device_health(site_id, "room-1"): {"at": now, "sensors": {
                "staff": {"kind": "gpio", "state": "silent"},
                "customer": {"kind": "gpio", "state": "ok"}}},
            topics.alert(site_id, "device_offline"): {
                "id": str(uuid.uuid4()), "at": now, "kind": "device_offline",
                "severity": "warning", "state": "raised",
                "message": {"fi": "Laite poissa", "sv": "Enhet borta", "en": "A device is off"}},
        }
        with site.client() as client:
            for topic, body in published.items():
                client.publish_raw(topic, json.dumps(body).encode(), retain="alert" not in topic)

        def words() -> str:
            return page.find_element(By.TAG_NAME, "main").text

        log_in(page, site, "tech", "/health")
        wait_for(lambda: "state not known" in words() and "staff side no signal" in words()
                 and "device offline" in words(), what="the devices and the alert in words")
        assert re.findall(SNAKE, words()) == []
        page.find_element(By.CSS_SELECTOR, ".logout button").click()
        wait_for(lambda: "/login" in page.current_url, what="the log-out")

        log_in(page, site, "clerk1")
        page.find_element(By.ID, "btn-complete").click()
        wait_for(lambda: page.find_element(By.ID, "clerk-message").text, what="the answer")
        assert page.find_element(By.ID, "clerk-message").text == (
            "Not done: no number is called to this room.")
        assert re.findall(SNAKE, words()) == []
        # The refusal is the action's answer (409), logged by the browser; no script error.
        assert [e for e in console_errors(page) if "status of 409" not in e] == []
