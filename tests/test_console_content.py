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
    # demo starts no room units, so its site has none.
    from firmware.cli.demo import only_what_runs
    from firmware.web.lobby import LobbyView

    full = load_site_config(DEMO_SITE)
    assert any("room" in d.roles for d in full.devices)
    config = only_what_runs(full)
    assert [d.id for d in config.devices] == ["lobby-1", "waiting-1", "exit-1"]
    assert [d["id"] for d in LobbyView(config).view()["devices"]] == [
        "lobby-1", "waiting-1", "exit-1"]


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
                  "printer", "keys", "speech", "scanner", "chime", "voice", "sensors"],
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
