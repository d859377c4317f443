"""The site config as the technician meets it: the demo loads, and a broken file is explained
all at once, each problem at its place in the file, in words that say how to fix it."""

from __future__ import annotations

import copy
import io
import json
import math
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.cli.check_config import check_config_main
from firmware.site_config import (
    ConfigError,
    ConfigProblem,
    load_site_config,
    parse_site_config,
)
from firmware.site_config.summary import summarize, to_json_dict
from firmware.site_model import SiteConfig, TimeRange
from tests.conftest import DEMO_SITE

# --- writing configs in tests: a dict, serialised to TOML by hand -------------------------


def toml_value(value: Any) -> str:
    """One TOML value; tables and lists inline, so any nesting fits on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's, except that TOML also wants DEL escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def to_toml(data: dict[str, Any]) -> str:
    return "".join(f"{toml_value(k)} = {toml_value(v)}\n" for k, v in data.items())


def names(fi: str, sv: str, en: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


WEEKDAYS_OPEN = {d: ["08:00-16:15"] for d in ("mon", "tue", "wed", "thu", "fri")}


def small_config() -> dict[str, Any]:
    """A valid little site; each test breaks it in its own ways."""
    return {
        "site": {"id": "testila", "name": names("Testilä", "Testby", "Testville"),
                 "timezone": "Europe/Helsinki", "opening_hours": dict(WEEKDAYS_OPEN)},
        "services": [
            {"id": "kela", "prefix": "K", "name": names("Kela", "FPA", "Kela"),
             "hours": {"mon": ["08:00-16:00"], "fri": ["08:00-15:00"]}},
            {"id": "vero", "prefix": "V",
             "name": names("Verohallinto", "Skatteförvaltningen", "Finnish Tax Administration"),
             "hours": {"tue": ["09:00-12:00", "13:00-15:00"]}},
        ],
        "rooms": [{"id": "1", "name": names("Huone 1", "Rum 1", "Room 1"),
                   "services": ["kela", "vero"]}],
        "devices": [
            {"id": "lobby-1", "roles": ["controller", "kiosk", "display"],
             "printer": {"kind": "file", "path": "tickets"}},
            {"id": "room-1", "roles": ["room"], "room": "1"},
        ],
    }


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    """The problems of a config as path -> message (one per path in these tests)."""
    with pytest.raises(ConfigError) as caught:
        parse_site_config(to_toml(data), "site.toml")
    return {p.path: p.message for p in caught.value.problems}


# --- the demo ---------------------------------------------------------------------------


def test_the_demo_site_loads_with_its_authorities_rooms_and_devices() -> None:
    config = load_site_config(DEMO_SITE)

    assert config.site.id == "lappeenranta" and config.site.timezone == "Europe/Helsinki"
    assert len(config.services) == 9
    prefixes = [s.prefix for s in config.services]
    assert len(set(prefixes)) == 9 and not {"I", "O"} & set(prefixes)
    assert config.service("vero").name.sv == "Skatteförvaltningen"
    kela = config.service("kela")
    assert kela.hours.on(4) == (TimeRange(time(8), time(15)),)  # Friday until 15:00
    migri = config.service("migri")
    assert [bool(migri.hours.on(d)) for d in range(7)] == [False, True, False, True] + [False] * 3
    assert [r.id for r in config.rooms] == ["1", "2", "3", "4", "5", "6"]
    assert config.device("room-3").room == "3"
    assert [d.id for d in config.devices if "controller" in d.roles] == ["lobby-1"]


def test_site_closed_days_close_every_service_and_a_service_keeps_its_own_exception() -> None:
    config = load_site_config(DEMO_SITE)

    for service in config.services:
        christmas_eve = next(e for e in service.exceptions if e.day == date(2026, 12, 24))
        assert christmas_eve.ranges == () and "Jouluaatto" in christmas_eve.reason
    new_years_eve = next(e for e in config.service("kela").exceptions
                         if e.day == date(2026, 12, 31))
    assert new_years_eve.ranges == (TimeRange(time(8), time(12)),)


def test_check_config_prints_a_summary_and_exits_0() -> None:
    out, err = io.StringIO(), io.StringIO()

    assert check_config_main(str(DEMO_SITE), as_json=False, out=out, err=err) == 0

    text = out.getvalue()
    assert "site lappeenranta" in text and "Europe/Helsinki" in text
    assert "9 services" in text and "K kela" in text
    assert "lobby-1        controller, kiosk, display, web" in text
    assert "room-6         room (room 6)" in text
    assert err.getvalue() == ""


def test_piste_check_config_runs_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from firmware.cli.main import main

    bad = tmp_path / "site.toml"
    bad.write_text(to_toml(broken_config()), encoding="utf-8")

    assert main(["check-config", str(DEMO_SITE)]) == 0
    assert "9 services" in capsys.readouterr().out
    assert main(["check-config", "--json", str(bad)]) == 2
    assert "10 problems" in capsys.readouterr().err


def test_check_config_json_has_the_fields_the_tools_read() -> None:
    out = io.StringIO()

    assert check_config_main(str(DEMO_SITE), as_json=True, out=out, err=io.StringIO()) == 0

    data = json.loads(out.getvalue())
    assert data["site"]["id"] == "lappeenranta"
    assert [s["id"] for s in data["services"]][:3] == ["kela", "vero", "migri"]
    assert [r["id"] for r in data["rooms"]] == ["1", "2", "3", "4", "5", "6"]
    lobby = data["devices"][0]
    assert lobby["id"] == "lobby-1" and lobby["roles"] == ["controller", "kiosk", "display", "web"]
    assert lobby["printer"] == {"kind": "file", "profile": "TM-T20II", "timeout_s": 3.0,
                                "path": "tickets"}
    assert data["site"]["opening_hours"]["fri"] == ["08:00-16:15"]


def test_the_broker_password_never_leaves_masked() -> None:
    data = small_config()
    data["broker"] = {"host": "broker.local", "port": 8883, "username": "piste",
                      "password": "hunter2"}
    config = parse_site_config(to_toml(data), "site.toml")

    shown = to_json_dict(config)

    assert shown["broker"]["password"] == "********"
    assert "hunter2" not in json.dumps(shown) and "hunter2" not in summarize(config)
    assert config.broker.password == "hunter2"  # the program itself still has it


# --- many problems at once ------------------------------------------------------------------


def broken_config() -> dict[str, Any]:
    data = small_config()
    data["site"]["timezon"] = data["site"].pop("timezone")       # typo'd key
    data["services"][0]["id"] = "kela/lappeenranta"                 # would split a topic
    data["services"][1]["id"] = "vero+"                             # an MQTT wildcard
    data["services"][1]["hours"]["tue"] = ["09:00-12:00", "11:30-14:00"]  # overlap
    data["services"][1]["hours"]["wed"] = ["07:00-12:00"]           # before the doors open
    data["rooms"][0]["services"] = ["kela", "migri"]                # no such service
    data["rooms"][0]["name"] = {"fi": "Huone 1", "en": ""}          # sv missing, en empty
    return data


def test_every_problem_is_reported_at_once_at_its_path() -> None:
    found = problems_of(broken_config())

    assert found["site.timezon"] == "unknown key 'timezon'; did you mean 'timezone'?"
    assert found["site.timezone"] == 'missing: expected an IANA time zone such as ' \
        '"Europe/Helsinki"'
    assert "MQTT topic levels and '/' would split the level" in found["services[0].id"]
    assert 'found "kela/lappeenranta"' in found["services[0].id"]
    assert "'+' is an MQTT wildcard" in found["services[1].id"]
    assert found["services[1].hours.tue[1]"] == \
        "11:30-14:00 overlaps 09:00-12:00 at services[1].hours.tue[0]"
    assert found["services[1].hours.wed[0]"] == (
        "07:00-12:00 is outside the site's opening hours on Wednesday "
        "(the site is open 08:00-16:15; see site.opening_hours)")
    assert found["rooms[0].services[1]"].startswith("unknown service 'migri'")
    assert found["rooms[0].name.sv"] == ("missing: expected a non-empty text in Swedish "
                                         "(every name needs fi, sv and en)")
    assert found["rooms[0].name.en"].endswith('found "" (a text)')
    assert len(found) == 10


def test_the_error_text_names_the_file_and_counts_the_problems() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_site_config(to_toml(broken_config()), "/etc/piste/site.toml")

    lines = str(caught.value).splitlines()

    assert lines[0] == "/etc/piste/site.toml: 10 problems"
    assert "  site.timezon: unknown key 'timezon'; did you mean 'timezone'?" in lines
    assert len(lines) == 11 and all(line.startswith("  ") for line in lines[1:])


def test_check_config_lists_every_problem_on_stderr_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(to_toml(broken_config()), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    assert check_config_main(str(path), as_json=True, out=out, err=err) == 2

    assert out.getvalue() == ""
    assert err.getvalue().startswith(f"{path}: 10 problems\n")
    assert "  rooms[0].services[1]: unknown service 'migri'" in err.getvalue()


def test_a_typo_in_a_reference_gets_a_suggestion() -> None:
    data = small_config()
    data["rooms"][0]["services"] = ["kelaa"]
    data["devices"][1]["room"] = "l"
    data["devices"][0]["roles"] = ["controler", "kiosk"]
    data["site"]["timezone"] = "Europe/Helsinky"
    data["site"]["opening_hours"]["wen"] = data["site"]["opening_hours"].pop("wed")

    found = problems_of(data)

    assert found["rooms[0].services[0]"] == "unknown service 'kelaa'; did you mean 'kela'?"
    assert found["devices[1].room"] == "unknown room 'l'; rooms: 1"
    assert found["devices[0].roles[0]"].endswith("found \"controler\" (a text); "
                                                 "did you mean 'controller'?")
    assert found["site.timezone"].endswith("did you mean 'Europe/Helsinki'?")
    assert found["site.opening_hours.wen"] == "unknown key 'wen'; did you mean 'wed'?"


def test_ids_and_prefixes_are_unique() -> None:
    data = small_config()
    data["services"][1]["id"] = "kela"
    data["services"][1]["prefix"] = "K"
    data["devices"][1]["id"] = "lobby-1"

    found = problems_of(data)

    assert found["services[1].id"] == "duplicate service id 'kela': services[0].id already has it"
    assert found["services[1].prefix"] == "duplicate prefix 'K': services[0].prefix already has it"
    assert found["devices[1].id"].startswith("duplicate device id 'lobby-1'")


@pytest.mark.parametrize(("bad", "says"), [
    ("Kela", "write it in lower case, 'kela'"),
    ("kela#1", "'#' is an MQTT wildcard"),
    ("a" * 33, "keep them short"),
    ("kelä", "use only a-z, 0-9 and '-'"),
    ("", "found \"\" (a text)"),
])
def test_an_id_that_cannot_be_a_topic_level_says_why(bad: str, says: str) -> None:
    data = small_config()
    data["site"]["id"] = bad

    assert says in problems_of(data)["site.id"]


def test_exactly_one_controller() -> None:
    none = small_config()
    none["devices"][0]["roles"] = ["kiosk", "display"]
    two = small_config()
    two["devices"][1]["roles"] = ["room", "controller"]

    assert problems_of(none)["devices"] == \
        "no device has the controller role; exactly one must (it keeps the queue)"
    assert problems_of(two)["devices[1].roles"] == (
        "a second controller: lobby-1 already has the controller role and a site has "
        "exactly one")


def test_room_key_belongs_to_the_room_role() -> None:
    data = small_config()
    del data["devices"][1]["room"]
    data["devices"][0]["room"] = "1"

    found = problems_of(data)

    assert found["devices[1].room"].startswith("missing: a device with the room role names")
    assert found["devices[0].room"].startswith("only a device with the room role names a room")


def test_time_ranges_are_read_strictly() -> None:
    data = small_config()
    data["services"][0]["hours"] = {"mon": ["16:00-08:00", "8-12", "09:00–10:00", 9]}

    found = problems_of(data)

    assert found["services[0].hours.mon[0]"].startswith(
        'expected a start before the end, found "16:00-08:00"')
    assert found["services[0].hours.mon[1]"] == (
        'expected a time range "HH:MM-HH:MM" such as "08:00-16:15", found "8-12" (a text)')
    assert "use a plain '-' between the times" in found["services[0].hours.mon[2]"]
    assert found["services[0].hours.mon[3]"].endswith("found 9 (an integer)")


def test_service_hours_on_a_closed_weekday_are_outside_the_opening_hours() -> None:
    data = small_config()
    data["services"][0]["hours"]["sat"] = ["10:00-12:00"]

    assert problems_of(data)["services[0].hours.sat[0]"] == (
        "10:00-12:00 is outside the site's opening hours on Saturday "
        "(the site is closed; see site.opening_hours)")


def test_date_exceptions_and_closed_days() -> None:
    data = small_config()
    data["site"]["closed_days"] = [{"date": date(2026, 12, 24), "reason": "Jouluaatto"}]
    data["services"][0]["exceptions"] = [
        {"date": date(2026, 12, 24), "hours": ["08:00-12:00"]},   # the site is closed
        {"date": date(2026, 12, 26), "hours": ["10:00-12:00"]},   # a Saturday
        {"date": "2026-12-31", "hours": []},                      # a text, not a date
    ]

    found = problems_of(data)

    assert found["services[0].exceptions[0].hours"] == \
        "the whole site is closed on 2026-12-24 (see site.closed_days)"
    assert found["services[0].exceptions[1].hours"] == (
        "10:00-12:00 is outside the site's opening hours on 2026-12-26 "
        "(Saturday: the site is closed)")
    assert found["services[0].exceptions[2].date"] == (
        "expected a date such as 2026-12-24 (write it without quotes: 2026-12-31), "
        'found "2026-12-31" (a text)')


@pytest.mark.parametrize(("printer", "path", "says"), [
    ({"kind": "usb", "usb_vendor": 0x04B8}, "usb_product", "missing: expected a USB id"),
    ({"kind": "usb", "usb_vendor": "0x04b8", "usb_product": 0x0E28}, "usb_vendor",
     "write it without quotes: 0x04b8"),
    ({"kind": "serial"}, "serial_port", "missing: expected a non-empty text"),
    ({"kind": "network", "host": "192.0.2.10", "port": 0}, "port",
     "expected a port from 1 to 65535, found 0"),
    ({"kind": "file", "path": "t", "host": "x"}, "host",
     "'host' is for printers of kind 'network', this one is kind 'file'"),
    ({"kind": "lpt"}, "kind", "expected one of file, usb, serial, network, none"),
    ({"kind": "fil"}, "kind", "did you mean 'file'?"),
])
def test_each_printer_kind_needs_its_own_fields(printer: dict[str, Any], path: str,
                                                says: str) -> None:
    data = small_config()
    data["devices"][0]["printer"] = printer

    assert says in problems_of(data)[f"devices[0].printer.{path}"]


def test_usb_ids_read_as_toml_hex_integers() -> None:
    text = to_toml(small_config()).replace(
        '{ "kind" = "file", "path" = "tickets" }',
        '{ kind = "usb", usb_vendor = 0x04b8, usb_product = 0x0e28 }')

    printer = parse_site_config(text, "site.toml").device("lobby-1").printer

    assert (printer.kind, printer.usb_vendor, printer.usb_product) == ("usb", 0x04B8, 0x0E28)


def test_a_kiosk_without_a_printer_table_is_told_how_to_say_so() -> None:
    data = small_config()
    del data["devices"][0]["printer"]

    assert problems_of(data)["devices[0].printer"] == (
        'missing: a kiosk needs a [devices.printer] table (kind = "none" if it has no printer)')


def test_screen_and_broker_numbers() -> None:
    data = small_config()
    data["devices"][0]["screen"] = {"width": 0, "height": "1080", "fullscreen": "true"}
    data["broker"] = {"port": 70000}

    found = problems_of(data)

    assert found["devices[0].screen.width"] == \
        "expected a number of pixels from 1 to 16384, found 0 (an integer)"
    assert "write it without quotes: 1080" in found["devices[0].screen.height"]
    assert "write true or false without quotes" in found["devices[0].screen.fullscreen"]
    assert found["broker.port"] == "expected a port from 1 to 65535, found 70000 (an integer)"


def test_missing_sections_and_unknown_top_level_keys() -> None:
    found = problems_of({"sevices": []})

    assert found["sevices"] == "unknown key 'sevices'; did you mean 'services'?"
    for section in ("site", "rooms", "devices"):
        assert found[section].startswith("missing: expected")
    assert found["services"] == "missing: expected a list of [[services]] tables"


# --- the file itself ----------------------------------------------------------------------


def test_a_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_site_config(tmp_path / "nowhere.toml")

    assert caught.value.problems == [ConfigProblem("", "no such file")]
    assert str(caught.value) == f"{tmp_path / 'nowhere.toml'}: 1 problem\n  no such file"


def test_invalid_toml_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nid = "x"\nname = {fi = "a"\n', encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_site_config(path)

    [problem] = caught.value.problems
    assert problem.message.startswith("not valid TOML: ")
    assert "line 3, column" in problem.message and 'name = {fi = "a"' in problem.message


def test_a_file_that_is_not_utf8_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_bytes('[site]\nid = "h\xe4me"\n'.encode("latin-1"))

    with pytest.raises(ConfigError) as caught:
        load_site_config(path)

    assert "not UTF-8 text" in caught.value.problems[0].message


# --- nothing but ConfigError ---------------------------------------------------------------

KNOWN_KEYS = ["site", "services", "rooms", "devices", "broker", "queue", "id", "name", "fi",
              "sv", "en", "timezone", "opening_hours", "hours", "mon", "sat", "prefix", "roles",
              "room", "printer", "kind", "path", "usb_vendor", "screen", "width", "exceptions",
              "date", "closed_days", "port", "note", "mean_service_minutes", "chime"]
PLAUSIBLE = ["08:00-16:15", "16:00-08:00", "kela", "1", "K", "Europe/Helsinki", "file", "usb",
             "room", "controller", "a/b", "#", ""]

keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=6)
leaves = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
    | st.sampled_from(PLAUSIBLE)
    | st.dates()
    | st.times().map(lambda t: t.replace(microsecond=0))
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


def assert_config_or_config_error(text: str) -> None:
    try:
        result = parse_site_config(text, "fuzz.toml")
    except ConfigError as exc:
        assert exc.problems and all(isinstance(p, ConfigProblem) for p in exc.problems)
        assert str(exc).startswith("fuzz.toml: ")
    else:
        assert isinstance(result, SiteConfig)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_config_or_a_config_error(text: str) -> None:
    assert_config_or_config_error(text)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=6))
def test_any_toml_document_gives_a_config_or_a_config_error(data: dict[str, Any]) -> None:
    text = to_toml(data)
    tomllib.loads(text)  # the serialiser itself is right, so the validator is what is tested
    assert_config_or_config_error(text)


DEMO_DATA = tomllib.loads(DEMO_SITE.read_text(encoding="utf-8"))


@st.composite
def mutated_demo(draw: st.DrawFn) -> dict[str, Any]:
    """The demo with a few values deep inside replaced, dropped or added: random input that
    gets past the first checks, into the hours, references and printer kinds."""
    data = copy.deepcopy(DEMO_DATA)
    for _ in range(draw(st.integers(1, 4))):
        node: Any = data
        while True:
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            if not children:
                break
            key, child = draw(st.sampled_from(children))
            if not isinstance(child, dict | list) or draw(st.booleans()):
                action = draw(st.sampled_from(["replace", "drop", "add"]))
                if action == "replace":
                    node[key] = draw(values)
                elif action == "drop":
                    del node[key]
                elif isinstance(node, dict):
                    node[draw(keys)] = draw(values)
                else:
                    node.append(draw(values))
                break
            node = child
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_demo())
def test_a_demo_with_random_changes_gives_a_config_or_a_config_error(
        data: dict[str, Any]) -> None:
    assert_config_or_config_error(to_toml(data))


def test_the_congestion_holds_are_read_with_defaults_and_checked() -> None:
    from firmware.site_model import QueueRules

    rules = parse_site_config(to_toml(small_config()), "site.toml").rules
    assert (rules.congestion_clear_minutes, rules.congestion_quiet_minutes) == (
        QueueRules().congestion_clear_minutes, QueueRules().congestion_quiet_minutes)
    data = small_config()
    data["queue"] = {"congestion_clear_minutes": 0, "congestion_quiet_minutes": -1}
    found = problems_of(data)
    # A clear hold of 0 would let an alert flap: it is the least time between two alerts.
    assert found["queue.congestion_clear_minutes"].startswith("expected a whole number of minutes")
    assert "found 0" in found["queue.congestion_clear_minutes"]
    assert "found -1" in found["queue.congestion_quiet_minutes"]
    data["queue"] = {"congestion_clear_minutes": 10, "congestion_quiet_minutes": 0}
    rules = parse_site_config(to_toml(data), "site.toml").rules
    assert (rules.congestion_clear_minutes, rules.congestion_quiet_minutes) == (10, 0)
