"""The whole file: TOML in, every section read, cross-checks, one ConfigError with all problems."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from firmware.site_config.alarm import read_alarm
from firmware.site_config.broker import read_broker
from firmware.site_config.devices import check_devices, read_device
from firmware.site_config.phone import read_phone
from firmware.site_config.printer import PRINTER_FIELDS
from firmware.site_config.queue import read_rules
from firmware.site_config.reader import (
    MISSING,
    ConfigError,
    ConfigProblem,
    Reader,
    check_unique,
    integer_field,
    join_path,
)
from firmware.site_config.room_unit import SENSOR_FIELDS
from firmware.site_config.rooms import check_rooms, read_room
from firmware.site_config.services import check_services, read_service
from firmware.site_config.site import read_site
from firmware.site_config.survey import read_survey
from firmware.site_model import (
    AlarmConfig,
    BrokerConfig,
    DateException,
    Device,
    PhoneConfig,
    QueueRules,
    Room,
    Service,
    SiteConfig,
    SurveyConfig,
)

# --- sections ------------------------------------------------------------------------------

TOP_KEYS = ("config_version", "site", "broker", "queue", "services", "rooms", "devices",
            "survey", "phone", "alarm")


# --- the whole file ---------------------------------------------------------------------


def _declared_ids(values: Any) -> list[str] | None:
    """Every id written as a text, valid or not, so a bad id is not reported twice; None when
    the section itself is unreadable (its problem is listed, references cannot be checked)."""
    if not isinstance(values, list):
        return None
    return [v["id"] for v in values if isinstance(v, dict) and isinstance(v.get("id"), str)]


def _validate(data: dict[str, Any], source: str, base_dir: Path | None = None) -> SiteConfig:
    r = Reader()
    r.table(data, "", TOP_KEYS)
    site = read_site(r, data.get("site", MISSING), "site")
    broker = r.get(data, "", "broker", read_broker, default=BrokerConfig())
    rules = r.get(data, "", "queue", read_rules, default=QueueRules())
    survey = (read_survey(r, data["survey"], "survey", base_dir) if "survey" in data
              else SurveyConfig())
    phone = r.get(data, "", "phone", read_phone, default=PhoneConfig())
    alarm = r.get(data, "", "alarm", read_alarm, default=AlarmConfig())
    config_version = r.get(data, "", "config_version",
                           integer_field(0, 2**31 - 1, "a version number"), default=0)
    services = [read_service(r, i, v, p)
                for i, (p, v) in enumerate(r.items(data.get("services", MISSING), "services",
                                                   "[[services]] tables"))]
    check_services(r, site, services)
    rooms: list[Room | None] = []
    room_paths: list[tuple[str, str | None]] = []
    for p, v in r.items(data.get("rooms", MISSING), "rooms", "[[rooms]] tables"):
        room, refs = read_room(r, v, p)
        rooms.append(room)
        check_rooms(r, refs, _declared_ids(data.get("services")))
        raw_id = v.get("id") if isinstance(v, dict) else None
        room_paths.append((join_path(p, "id"), raw_id if isinstance(raw_id, str) else None))
    check_unique(r, room_paths, "room id")
    devices = [read_device(r, v, p)
               for p, v in r.items(data.get("devices", MISSING), "devices", "[[devices]] tables")]
    if isinstance(data.get("devices"), list):  # else its own problem says it all
        check_devices(r, devices, _declared_ids(data.get("rooms")), "devices")
    if phone is not None:
        _check_public_port(r, phone, [d.device for d in devices if d.device])
    if r.problems:
        raise ConfigError(sorted(r.problems, key=_file_order), source)
    assert site.site is not None and broker is not None and rules is not None
    assert survey is not None and phone is not None and alarm is not None
    return SiteConfig(
        site=site.site,
        broker=broker,
        services=tuple(_with_closed_days(s.service, site.closed) for s in services
                       if s.service),
        rooms=tuple(room for room in rooms if room),
        devices=tuple(d.device for d in devices if d.device),
        source=source,
        rules=rules,
        config_version=config_version or 0,
        survey=survey,
        phone=phone,
        alarm=alarm,
    )


def _check_public_port(r: Reader, phone: PhoneConfig, devices: list[Device]) -> None:
    """The public pages listen beside the staff console, never on its port."""
    if not phone.public_port:
        return
    for device in devices:
        if "web" in device.roles and device.web.port == phone.public_port:
            r.add("phone.public_port", f"{phone.public_port} is the staff console's port on "
                  f"{device.id}; the public pages need a port of their own (such as "
                  f"{device.web.port + 1})")


_SECTION = re.compile(r"([^.\[]*)(?:\[(\d+)\])?")


def _file_order(problem: ConfigProblem) -> tuple[int, int]:
    """Problems grouped by section and entry, as the file reads; cross checks found late
    then sit beside the entry they concern. The sort is stable, so order within stays."""
    match = _SECTION.match(problem.path)
    top, index = (match.group(1), match.group(2)) if match else ("", None)
    rank = TOP_KEYS.index(top) if top in TOP_KEYS else len(TOP_KEYS)
    return (-1 if not problem.path else rank, int(index) if index else -1)


def _with_closed_days(service: Service, closed: dict[date, str]) -> Service:
    """The site's closed days become closed exceptions of every service (its own win)."""
    own = {e.day for e in service.exceptions}
    extra = [DateException(day, (), reason) for day, reason in closed.items() if day not in own]
    merged = sorted((*service.exceptions, *extra), key=lambda e: e.day)
    return dataclasses.replace(service, exceptions=tuple(merged))


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_problem(exc: tomllib.TOMLDecodeError, text: str) -> ConfigProblem:
    """The parser's message, with the line it complains about so it can be found at once."""
    message = f"not valid TOML: {exc}"
    match = _TOML_POSITION.search(str(exc))
    if match:
        lines = text.splitlines()
        number = int(match.group(1))
        if 1 <= number <= len(lines):
            message += f": {lines[number - 1].strip()[:80]}"
    return ConfigProblem("", message)


def _override_value(text: str) -> Any:
    """A --set value as TOML (17, true, 2.5, "x", [..]); anything else is a plain text, so
    `serial_port=/dev/ttyUSB0` needs no quotes."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return text  # too many digits or brackets: the checks below say what is wrong


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> list[ConfigProblem]:
    """Set single fields from `PATH=VALUE` (as `piste run --set`), before validation, so an
    override is checked exactly like the file. In a list of tables an entry is named by its
    id or its index: `devices.room-1.room_unit.staff.pin=22`, `services.0.prefix=Q`."""
    problems = []
    switched: list[tuple[dict[str, Any], str]] = []  # (table, its table name) given a new kind
    given: set[tuple[int, str]] = set()  # (id(table), key) set by an override
    for item in overrides:
        path, sep, text = item.partition("=")
        keys = [k for k in path.strip().split(".") if k]
        where = f"--set {path.strip()}"
        if not sep or not keys:
            problems.append(ConfigProblem(where, "expected PATH=VALUE, such as "
                                          "devices.room-1.room_unit.staff.pin=22"))
            continue
        node: Any = data
        for i, key in enumerate(keys[:-1]):
            if isinstance(node, list):
                match = [t for t in node if isinstance(t, dict) and t.get("id") == key]
                if not match and key.isdigit() and int(key) < len(node):
                    match = [node[int(key)]]
                if not match:
                    ids = ", ".join(str(t.get("id")) for t in node if isinstance(t, dict))
                    problems.append(ConfigProblem(where, f"no entry '{key}' in "
                                                  f"{'.'.join(keys[:i]) or 'the file'}; "
                                                  f"ids: {ids}"))
                    node = None
                    break
                node = match[0]
            elif isinstance(node, dict):
                node = node.setdefault(key, {})
            else:
                problems.append(ConfigProblem(where, f"'{'.'.join(keys[:i])}' is not a table"))
                node = None
                break
        if isinstance(node, dict):
            value = _override_value(text.strip())
            if keys[-1] == "kind" and len(keys) > 1 and node.get("kind") != value:
                switched.append((node, keys[-2]))
            node[keys[-1]] = value
            given.add((id(node), keys[-1]))
        elif node is not None:
            problems.append(ConfigProblem(where, f"'{'.'.join(keys[:-1])}' is not a table"))
    for table, name in switched:
        _drop_other_kinds_fields(table, name, given)
    return problems


def _variant_fields(name: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The fields per kind of a table that has kinds (a printer, a sensor), by its name."""
    return {"printer": PRINTER_FIELDS, "staff": SENSOR_FIELDS,
            "customer": SENSOR_FIELDS}.get(name, {})


def _drop_other_kinds_fields(table: dict[str, Any], name: str,
                             given: set[tuple[int, str]]) -> None:
    """`--set devices.lobby-1.printer.kind=usb` switches the kind: the file's fields for its
    old kind (a file printer's `path`) go, so the new kind is checked with its own fields,
    given by other --set. Fields for every kind (profile, timeout_s, on_s...) stay."""
    fields = _variant_fields(name)
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in fields:
        return  # an unknown kind: the check names the kinds there are
    needs, may = fields[kind]
    specific = {key for n, m in fields.values() for key in n + m}
    for key in list(table):
        if key in specific and key not in needs + may and (id(table), key) not in given:
            del table[key]


def parse_site_config(text: str, source: str = "<text>", overrides: Sequence[str] = (),
                      base_dir: Path | None = None) -> SiteConfig:
    """Validate a config given as TOML text; `source` names it in messages, and files it
    names (the survey's texts) are found relative to `base_dir`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_toml_problem(exc, text)], source) from None
    except RecursionError:
        raise ConfigError([ConfigProblem("", "not a site config: arrays or tables are nested "
                                         "far too deeply")], source) from None
    except ValueError:  # tomllib lets int() refuse a number of 4300 digits or more
        raise ConfigError([ConfigProblem("", "not a site config: a number has thousands of "
                                         "digits")], source) from None
    if overrides:
        problems = apply_overrides(data, overrides)
        if problems:
            raise ConfigError(problems, source)
        shown = " ".join(o if len(o) <= 60 else o[:57] + "..." for o in overrides)
        source = f"{source} (with --set {shown})"
    return _validate(data, source, base_dir)


def load_site_config(path: str | Path, overrides: Sequence[str] = ()) -> SiteConfig:
    """Read and validate a site config file; raises ConfigError listing every problem."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("", "no such file")], source) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem("", "is a directory, expected a TOML file")],
                          source) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem("", f"cannot read the file: {exc.strerror or exc}")],
                          source) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem("", f"not UTF-8 text (byte {exc.start}); save the "
                                         "file as UTF-8")], source) from None
    return parse_site_config(text, source, overrides, Path(path).parent)
