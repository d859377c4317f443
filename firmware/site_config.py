"""Reading a site's TOML config into the typed model, and saying everything that is wrong.

A technician fixing a config on a ladder wants the whole list at once, each item naming the
field (`services[2].hours.wed[0]`), what was expected and what was found, with a "did you
mean" for typos. So nothing here stops at the first problem: every check adds to one list and
`ConfigError` carries all of it. The checks that span sections (unique ids, rooms' services,
hours inside the opening hours) run on whatever parts were readable.

The format is documented by `config/demo-site.toml`.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO, TypeVar
from zoneinfo import available_timezones

from firmware.site_model import (
    LANGS,
    ORIENTATIONS,
    PRINTER_KINDS,
    ROLES,
    SENSOR_KINDS,
    WEEKDAYS,
    BrokerConfig,
    DateException,
    Device,
    DisplayConfig,
    InfoSlide,
    KioskConfig,
    Localized,
    PrinterConfig,
    QueueRules,
    Room,
    RoomUnitConfig,
    ScreenConfig,
    SensorConfig,
    Service,
    Site,
    SiteConfig,
    TimeRange,
    WeeklyHours,
)

T = TypeVar("T")

PASSWORD_MASK = "********"
# Ids become MQTT topic levels (piste/<site>/room/<room>/...), so they stay in a set that
# needs no escaping anywhere: no wildcards, no separators, no case games.
ID_PATTERN = re.compile(r"[a-z0-9-]{1,32}")
RANGE_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", re.ASCII)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LANG_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}
MAX_SCREEN_SIDE = 16384


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a config: where (`rooms[1].services[0]`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """Every problem found in one config file."""

    def __init__(self, problems: list[ConfigProblem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{self.source or 'config'}: {count} problem{'' if count == 1 else 's'}"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class _Missing:
    """Marks a key that is not in its table (None is not a TOML value, but be explicit)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


# --- paths and descriptions -------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    shown = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}.{shown}" if path else shown


def _show(value: Any) -> str:
    """A value as the technician wrote it, with its TOML type, for "found ..." texts."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"{json.dumps(text, ensure_ascii=False)} (a text)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value} (a decimal number)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime):
        return f"{value.isoformat()} (a date and time)"
    if isinstance(value, date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, time):
        return f"{value.isoformat()} (a time)"
    return repr(value)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _fmt_range(r: TimeRange) -> str:
    return f"{r.start:%H:%M}-{r.end:%H:%M}"


def _fmt_ranges(ranges: Sequence[TimeRange]) -> str:
    return ", ".join(_fmt_range(r) for r in ranges)


# --- the collector and its readers -------------------------------------------------------


class _Reader:
    """Collects problems; each read returns the converted value or None when it is wrong."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ConfigProblem(path, message))

    def wrong(self, path: str, expected: str, value: Any, hint: str = "") -> None:
        """"expected X, found Y", or "missing: expected X"; a hint ("; did you mean") last."""
        if value is MISSING:
            self.add(path, f"missing: expected {expected}{hint}")
        else:
            self.add(path, f"expected {expected}, found {_show(value)}{hint}")

    def table(self, value: Any, path: str, known: Sequence[str],
              what: str = "a table") -> dict[str, Any] | None:
        """The table itself, with every key it has that the format does not know reported."""
        if not isinstance(value, dict):
            self.wrong(path, what, value)
            return None
        for key in value:
            if key not in known:
                hint = _suggest(key, known) or f"; expected one of: {', '.join(known)}"
                self.add(_join(path, key), f"unknown key '{key}'{hint}")
        return value

    def get(self, table: dict[str, Any], path: str, key: str,
            read: Callable[[_Reader, Any, str], T | None], default: Any = MISSING) -> T | None:
        """Read `table[key]`; a missing key is reported unless a default is given."""
        if key not in table and default is not MISSING:
            return default
        return read(self, table.get(key, MISSING), _join(path, key))

    def items(self, value: Any, path: str, what: str) -> list[tuple[str, Any]]:
        """The entries of a list, each with its path; a non-list is reported."""
        if not isinstance(value, list):
            self.wrong(path, f"a list of {what}", value)
            return []
        return [(_join(path, i), item) for i, item in enumerate(value)]


def _text(r: _Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return value
    r.wrong(path, "a text in quotes", value)
    return None


def _nonempty_text(r: _Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    r.wrong(path, "a non-empty text", value)
    return None


def _boolean(r: _Reader, value: Any, path: str) -> bool | None:
    if isinstance(value, bool):
        return value
    hint = " (write true or false without quotes)" if value in ("true", "false") else ""
    r.wrong(path, "true or false" + hint, value)
    return None


def _integer(low: int, high: int | None = None, what: str = "an integer"
             ) -> Callable[[_Reader, Any, str], int | None]:
    span = f"{what} from {low} to {high}" if high is not None else f"{what} of at least {low}"

    def read(r: _Reader, value: Any, path: str) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and low <= value and (high is None or value <= high):
            return int(value)
        hint = ""
        if isinstance(value, str) and _parses_as_int(value):
            hint = f" (write it without quotes: {value.strip()})"
        r.wrong(path, span + hint, value)
        return None

    return read


def _parses_as_int(text: str) -> bool:
    try:
        int(text.strip(), 0)
    except ValueError:
        return False
    return True


def _parses_as_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(low: float, high: float | None = None, *, low_inclusive: bool = False
            ) -> Callable[[_Reader, Any, str], float | None]:
    above = f"at least {low:g}" if low_inclusive else f"above {low:g}"
    span = f"a number {above}" + (f" and below {high:g}" if high is not None else "")

    def read(r: _Reader, value: Any, path: str) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        # `value == value` is false for nan, which TOML allows.
        if ok and value == value and (low <= value if low_inclusive else low < value) and (
                high is None or value < high):
            return float(value)
        hint = ""
        if isinstance(value, str) and _parses_as_float(value):
            hint = f" (write it without quotes: {value.strip()})"
        r.wrong(path, span + hint, value)
        return None

    return read


def _ident(r: _Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return value
    expected = "an id of 1 to 32 characters a-z, 0-9 or '-'"
    if not isinstance(value, str):
        r.wrong(path, f"{expected} in quotes", value)
        return None
    r.wrong(path, expected + _id_hint(value), value)
    return None


def _id_hint(value: str) -> str:
    """Why an id text is wrong, in the terms that matter: ids become MQTT topic levels."""
    if "/" in value:
        return " (ids become MQTT topic levels and '/' would split the level)"
    wild = [f"'{c}'" for c in "+#" if c in value]
    if wild:
        verb = "is an MQTT wildcard" if len(wild) == 1 else "are MQTT wildcards"
        return f" (ids become MQTT topic levels and {' and '.join(wild)} {verb})"
    if value.lower() != value and ID_PATTERN.fullmatch(value.lower()):
        return f" (ids become MQTT topic levels: write it in lower case, '{value.lower()}')"
    if len(value) > 32:
        return " (ids become MQTT topic levels: keep them short)"
    if not value:
        return ""
    return " (ids become MQTT topic levels: use only a-z, 0-9 and '-')"


def _prefix(r: _Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and len(value) == 1 and "A" <= value <= "Z":
        return value
    hint = f" (write '{value.upper()}')" if isinstance(value, str) and len(value) == 1 and \
        "A" <= value.upper() <= "Z" else ""
    r.wrong(path, "one capital letter A-Z" + hint, value)
    return None


def _localized(r: _Reader, value: Any, path: str) -> Localized | None:
    table = r.table(value, path, LANGS, what="a table of texts in fi, sv and en")
    if table is None:
        return None
    texts: dict[str, str] = {}
    for lang in LANGS:
        text = table.get(lang, MISSING)
        if isinstance(text, str) and text.strip():
            texts[lang] = text
        else:
            # Every text a customer sees exists in the three languages of the service point.
            r.wrong(_join(path, lang), f"a non-empty text in {LANG_NAMES[lang]} "
                    "(every name needs fi, sv and en)", text)
    if len(texts) != len(LANGS):
        return None
    return Localized(texts["fi"], texts["sv"], texts["en"])


# --- hours ---------------------------------------------------------------------------------


def _time_range(r: _Reader, value: Any, path: str) -> TimeRange | None:
    expected = 'a time range "HH:MM-HH:MM" such as "08:00-16:15"'
    if not isinstance(value, str):
        r.wrong(path, expected, value)
        return None
    match = RANGE_PATTERN.fullmatch(value.strip())
    if match is None:
        hint = " (use a plain '-' between the times)" if "–" in value or "—" in value else ""
        r.wrong(path, expected + hint, value)
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    result = TimeRange(time(h1, m1), time(h2, m2))
    if result.start >= result.end:
        r.add(path, f"expected a start before the end, found \"{value}\" "
              "(a day's hours cannot run past midnight)")
        return None
    return result


def _day_ranges(r: _Reader, value: Any, path: str) -> list[TimeRange | None]:
    """One day's ranges in the order written (None where an entry is wrong), overlaps reported.

    The order is kept so that later checks can name an entry by its index.
    """
    ranges = [_time_range(r, item, p) for p, item in r.items(value, path, '"HH:MM-HH:MM" texts')]
    for i, this in enumerate(ranges):
        for j in range(i):
            other = ranges[j]
            if this and other and this.start < other.end and other.start < this.end:
                r.add(_join(path, i), f"{_fmt_range(this)} overlaps {_fmt_range(other)} "
                      f"at {_join(path, j)}")
                break
    return ranges


# A week as read: weekday index -> the ranges in written order, None for unreadable entries.
RawWeek = dict[int, list[TimeRange | None]]


def _week(r: _Reader, value: Any, path: str) -> RawWeek | None:
    table = r.table(value, path, WEEKDAYS, what="a table of weekdays (mon ... sun)")
    if table is None:
        return None
    return {i: _day_ranges(r, table[day], _join(path, day))
            for i, day in enumerate(WEEKDAYS) if day in table}


def _weekly_hours(raw: RawWeek | None) -> WeeklyHours:
    raw = raw or {}
    return WeeklyHours(tuple(_sorted_valid(raw.get(i, [])) for i in range(len(WEEKDAYS))))


def _sorted_valid(ranges: Iterable[TimeRange | None]) -> tuple[TimeRange, ...]:
    return tuple(sorted((r for r in ranges if r is not None), key=lambda r: r.start))


def _within(inner: TimeRange, outer: Sequence[TimeRange]) -> bool:
    return any(o.start <= inner.start and inner.end <= o.end for o in outer)


def _check_inside_opening(r: _Reader, ranges: list[TimeRange | None], path: str,
                          opening: Sequence[TimeRange], when: str) -> None:
    """A service's ranges must lie inside the site's: nobody is served behind locked doors."""
    for i, rng in enumerate(ranges):
        if rng is None or _within(rng, opening):
            continue
        site = f"the site is open {_fmt_ranges(opening)}" if opening else "the site is closed"
        r.add(_join(path, i), f"{_fmt_range(rng)} is outside the site's opening hours "
              f"on {when} ({site}; see site.opening_hours)")


# --- sections ------------------------------------------------------------------------------

TOP_KEYS = ("config_version", "site", "broker", "queue", "services", "rooms", "devices")
SITE_KEYS = ("id", "name", "timezone", "opening_hours", "anonymous_numbering", "closed_days",
             "home_assistant_discovery")
CLOSED_DAY_KEYS = ("date", "reason")
SERVICE_KEYS = ("id", "prefix", "name", "mean_service_minutes", "note", "hours", "exceptions")
EXCEPTION_KEYS = ("date", "hours", "reason")
ROOM_KEYS = ("id", "name", "services")
DEVICE_KEYS = ("id", "roles", "room", "screen", "printer", "chime", "kiosk", "room_unit",
               "display")
SLIDE_KEYS = ("title", "text", "start", "end")
SCREEN_KEYS = ("width", "height", "fullscreen")
BROKER_KEYS = ("host", "port", "username", "password", "ca_file", "cert_file", "key_file")
PRINTER_COMMON = ("kind", "profile", "timeout_s")
# The fields each printer kind needs (first tuple) and may have (second); the rest of
# PrinterConfig's fields belong to other kinds and are reported when set.
PRINTER_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "file": (("path",), ()),
    "usb": (("usb_vendor", "usb_product"), ()),
    "serial": (("serial_port",), ("baudrate",)),
    "network": (("host",), ("port",)),
    "none": ((), ()),
}
# Queue rules that must be at least 1 (the others may be 0).
RULES_AT_LEAST_ONE = ("estimate_window_minutes", "congestion_waiting", "congestion_eta_minutes")


def _toml_date(r: _Reader, value: Any, path: str) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    hint = ""
    if isinstance(value, str):
        try:
            date.fromisoformat(value)
            hint = f" (write it without quotes: {value})"
        except ValueError:
            pass
    r.wrong(path, "a date such as 2026-12-24" + hint, value)
    return None


def _timezone(r: _Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and value in _zones():
        return value
    hint = _suggest(value, _zones()) if isinstance(value, str) else ""
    r.wrong(path, 'an IANA time zone such as "Europe/Helsinki"', value, hint)
    return None


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    # Asked once: the list comes from the tzdata package and the system's zoneinfo files.
    return frozenset(available_timezones())


@dataclass
class _SiteParts:
    site: Site | None = None
    opening: RawWeek | None = None
    closed: dict[date, str] = dataclasses.field(default_factory=dict)


def _read_site(r: _Reader, value: Any, path: str) -> _SiteParts:
    parts = _SiteParts()
    table = r.table(value, path, SITE_KEYS)
    if table is None:
        return parts
    site_id = r.get(table, path, "id", _ident)
    name = r.get(table, path, "name", _localized)
    zone = r.get(table, path, "timezone", _timezone)
    parts.opening = r.get(table, path, "opening_hours", _week)
    anonymous = r.get(table, path, "anonymous_numbering", _boolean, default=False)
    discovery = r.get(table, path, "home_assistant_discovery", _boolean, default=False)
    parts.closed = _closed_days(r, table.get("closed_days", []), _join(path, "closed_days"))
    if (site_id and name and zone and parts.opening is not None and anonymous is not None
            and discovery is not None):
        parts.site = Site(site_id, name, zone, _weekly_hours(parts.opening), anonymous,
                          discovery)
    return parts


def _closed_days(r: _Reader, value: Any, path: str) -> dict[date, str]:
    """Days the whole site is closed (public holidays): every service gets a closed exception."""
    closed: dict[date, str] = {}
    for p, item in r.items(value, path, "tables with a date"):
        table = r.table(item, p, CLOSED_DAY_KEYS)
        if table is None:
            continue
        day = r.get(table, p, "date", _toml_date)
        reason = r.get(table, p, "reason", _text, default="")
        if day is None or reason is None:
            continue
        if day in closed:
            r.add(_join(p, "date"), f"{day} is listed twice")
        closed[day] = reason
    return closed


def _read_broker(r: _Reader, value: Any, path: str) -> BrokerConfig | None:
    table = r.table(value, path, BROKER_KEYS)
    if table is None:
        return None
    default = BrokerConfig()
    host = r.get(table, path, "host", _nonempty_text, default=default.host)
    port = r.get(table, path, "port", _integer(1, 65535, "a port"), default=default.port)
    username = r.get(table, path, "username", _text, default=default.username)
    password = r.get(table, path, "password", _text, default=default.password)
    files = {key: r.get(table, path, key, _text, default="")
             for key in ("ca_file", "cert_file", "key_file")}
    if host is None or port is None or username is None or password is None:
        return None
    if any(v is None for v in files.values()):
        return None
    if (files["cert_file"] or files["key_file"]) and not files["ca_file"]:
        r.add(_join(path, "ca_file"), "a client certificate needs TLS: set ca_file as well")
    if bool(files["cert_file"]) != bool(files["key_file"]):
        r.add(_join(path, "key_file" if files["cert_file"] else "cert_file"),
              "cert_file and key_file go together")
    return BrokerConfig(host, port, username, password, **files)  # type: ignore[arg-type]


def _read_rules(r: _Reader, value: Any, path: str) -> QueueRules | None:
    """The `[queue]` table: each field's type follows the default in QueueRules."""
    fields = [f.name for f in dataclasses.fields(QueueRules)]
    table = r.table(value, path, fields)
    if table is None:
        return None
    defaults = QueueRules()
    values: dict[str, Any] = {}
    for name in fields:
        default = getattr(defaults, name)
        values[name] = r.get(table, path, name, _rule_reader(name, default), default=default)
    if any(v is None for v in values.values()):
        return None
    return QueueRules(**values)


def _rule_reader(name: str, default: Any) -> Callable[[_Reader, Any, str], Any]:
    if isinstance(default, bool):
        return _boolean
    if isinstance(default, float):
        return _number(0.0, 1.0)  # a share, such as the congestion clear ratio
    return _integer(1 if name in RULES_AT_LEAST_ONE else 0, what="a whole number of minutes"
                    if name.endswith("_minutes") else "an integer")


@dataclass
class _ServiceParts:
    index: int
    path: str
    id: str | None
    prefix: str | None
    hours: RawWeek | None
    exceptions: list[tuple[str, DateException]]
    service: Service | None


def _read_service(r: _Reader, index: int, value: Any, path: str) -> _ServiceParts:
    table = r.table(value, path, SERVICE_KEYS)
    if table is None:
        return _ServiceParts(index, path, None, None, None, [], None)
    service_id = r.get(table, path, "id", _ident)
    prefix = r.get(table, path, "prefix", _prefix)
    name = r.get(table, path, "name", _localized)
    minutes = r.get(table, path, "mean_service_minutes", _number(0.0, 24 * 60),
                    default=Service.mean_service_minutes)
    note = r.get(table, path, "note", _localized, default=None)
    hours = r.get(table, path, "hours", _week)
    exceptions = _exceptions(r, table.get("exceptions", []), _join(path, "exceptions"))
    note_ok = note is not None or "note" not in table
    service = None
    if service_id and prefix and name and minutes is not None and hours is not None and note_ok:
        service = Service(service_id, prefix, name, _weekly_hours(hours),
                          tuple(e for _, e in exceptions), minutes, note)
    return _ServiceParts(index, path, service_id, prefix, hours, exceptions, service)


def _exceptions(r: _Reader, value: Any, path: str) -> list[tuple[str, DateException]]:
    """A service's date exceptions, each with its path; hours = [] (or none) means closed."""
    found: list[tuple[str, DateException]] = []
    seen: dict[date, str] = {}
    for p, item in r.items(value, path, "tables with a date and hours"):
        table = r.table(item, p, EXCEPTION_KEYS)
        if table is None:
            continue
        day = r.get(table, p, "date", _toml_date)
        ranges = _day_ranges(r, table.get("hours", []), _join(p, "hours"))
        reason = r.get(table, p, "reason", _text, default="")
        if day is None or reason is None:
            continue
        if day in seen:
            r.add(_join(p, "date"), f"{day} already has an exception at {seen[day]}")
            continue
        seen[day] = p
        found.append((p, DateException(day, _sorted_valid(ranges), reason)))
    return found


def _read_room(r: _Reader, value: Any, path: str) -> tuple[Room | None, list[tuple[str, str]]]:
    """The room, and its service references (path, id) for the cross check."""
    table = r.table(value, path, ROOM_KEYS)
    if table is None:
        return None, []
    room_id = r.get(table, path, "id", _ident)
    name = r.get(table, path, "name", _localized)
    refs: list[tuple[str, str]] = []
    services_path = _join(path, "services")
    for p, item in r.items(table.get("services", MISSING), services_path, "service ids"):
        if not isinstance(item, str):
            r.wrong(p, "a service id in quotes", item)
        elif item in (ref for _, ref in refs):
            r.add(p, f"'{item}' is listed twice")
        else:
            refs.append((p, item))
    if room_id and name and "services" in table and isinstance(table["services"], list):
        return Room(room_id, name, tuple(ref for _, ref in refs)), refs
    return None, refs


def _read_roles(r: _Reader, value: Any, path: str) -> tuple[str, ...] | None:
    expected = f"a list of roles from {', '.join(ROLES)}"
    if not isinstance(value, list) or not value:
        r.wrong(path, expected, value)
        return None
    roles: list[str] = []
    for p, item in r.items(value, path, "roles"):
        if not isinstance(item, str) or item not in ROLES:
            hint = _suggest(item, ROLES) if isinstance(item, str) else ""
            r.wrong(p, f"one of {', '.join(ROLES)}", item, hint)
        elif item in roles:
            r.add(p, f"role '{item}' is listed twice")
        else:
            roles.append(item)
    return tuple(roles) if len(roles) == len(value) else None


def _read_screen(r: _Reader, value: Any, path: str) -> ScreenConfig | None:
    table = r.table(value, path, SCREEN_KEYS)
    if table is None:
        return None
    default = ScreenConfig()
    side = _integer(1, MAX_SCREEN_SIDE, "a number of pixels")
    width = r.get(table, path, "width", side, default=default.width)
    height = r.get(table, path, "height", side, default=default.height)
    full = r.get(table, path, "fullscreen", _boolean, default=default.fullscreen)
    if width is None or height is None or full is None:
        return None
    return ScreenConfig(width, height, full)


def _printer_readers() -> dict[str, Callable[[_Reader, Any, str], Any]]:
    return {
        "profile": _nonempty_text,
        "timeout_s": _number(0.0, 600.0),
        "path": _nonempty_text,
        # TOML writes them as in lsusb: usb_vendor = 0x04b8
        "usb_vendor": _integer(1, 0xFFFF, "a USB id (such as 0x04b8)"),
        "usb_product": _integer(1, 0xFFFF, "a USB id (such as 0x0e28)"),
        "serial_port": _nonempty_text,
        "baudrate": _integer(1, 4_000_000, "a baud rate"),
        "host": _nonempty_text,
        "port": _integer(1, 65535, "a port"),
    }


# A BCM GPIO number on the Raspberry Pi's header.
GPIO_PIN = _integer(0, 27, "a GPIO (BCM) number")


def _read_kind(r: _Reader, table: dict[str, Any], path: str,
               kinds: tuple[str, ...]) -> str | None:
    """The table's `kind`, one of `kinds`; a wrong one is reported with a suggestion."""
    kind = table.get("kind", MISSING)
    if kind not in kinds:
        hint = _suggest(kind, kinds) if isinstance(kind, str) else ""
        r.wrong(_join(path, "kind"), f"one of {', '.join(kinds)}", kind, hint)
        return None
    return str(kind)


def _read_printer(r: _Reader, value: Any, path: str) -> PrinterConfig | None:
    every = [f.name for f in dataclasses.fields(PrinterConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    kind = _read_kind(r, table, path, PRINTER_KINDS)
    if kind is None:
        return None
    needs, may = PRINTER_FIELDS[kind]
    readers = _printer_readers()
    values: dict[str, Any] = {"kind": kind}
    for key in (*PRINTER_COMMON[1:], *needs, *may):
        default = MISSING if key in needs else getattr(PrinterConfig, key)
        values[key] = r.get(table, path, key, readers[key], default=default)
    for key in table:
        if key in every and key not in values:
            owner = next(k for k, (n, m) in PRINTER_FIELDS.items() if key in n + m)
            r.add(_join(path, key), f"'{key}' is for printers of kind '{owner}', "
                  f"this one is kind '{kind}'")
    if any(v is None for v in values.values()):
        return None
    return PrinterConfig(**values)


def _pin_hash(r: _Reader, value: Any, path: str) -> str | None:
    pattern = r"pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]{64}"
    if isinstance(value, str) and re.fullmatch(pattern, value):
        return value
    r.wrong(path, "a hash made by `python -m firmware.kiosk_lockdown` "
            "(pbkdf2_sha256$ROUNDS$SALT$HASH)", "********" if isinstance(value, str) else value)
    return None


def _date(r: _Reader, value: Any, path: str) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    r.wrong(path, "a date without quotes, such as 2026-12-01", value)
    return None


def _read_slide(r: _Reader, value: Any, path: str) -> InfoSlide | None:
    table = r.table(value, path, SLIDE_KEYS)
    if table is None:
        return None
    title = r.get(table, path, "title", _localized)
    text = r.get(table, path, "text", _localized)
    start = r.get(table, path, "start", _date, default=None)
    end = r.get(table, path, "end", _date, default=None)
    if start is not None and end is not None and end < start:
        r.add(_join(path, "end"), f"expected a last day on or after the first ({start}), "
              f"found {end}")
        return None
    if title is None or text is None or (start is None and "start" in table) or (
            end is None and "end" in table):
        return None
    return InfoSlide(title, text, start, end)


def _orientation(r: _Reader, value: Any, path: str) -> str | None:
    if value in ORIENTATIONS:
        return str(value)
    hint = _suggest(value, ORIENTATIONS) if isinstance(value, str) else ""
    r.wrong(path, f"one of {', '.join(ORIENTATIONS)}", value, hint)
    return None


def _read_display(r: _Reader, value: Any, path: str) -> DisplayConfig | None:
    every = [f.name for f in dataclasses.fields(DisplayConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    readers: dict[str, Callable[[_Reader, Any, str], Any]] = {
        "width_mm": _number(20.0, 10_000.0),
        "height_mm": _number(20.0, 10_000.0),
        "viewing_distance_m": _number(0.3, 100.0),
        "orientation": _orientation,
        "stale_after_s": _number(5.0, 3600.0, low_inclusive=True),
        "slide_seconds": _number(3.0, 600.0, low_inclusive=True),
        "slides": lambda rr, v, p: [_read_slide(rr, item, ip)
                                    for ip, item in rr.items(v, p, "[[devices.display.slides]]")],
        "voice": _boolean,
        "volume": _integer(0, 100, "a volume in percent"),
        "quiet_hours": lambda rr, v, p: _day_ranges(rr, v, p),
        "quiet_volume": _integer(0, 100, "a volume in percent"),
        **dict.fromkeys(("buzzer_pin", "door_led_pin", "door_buzzer_pin"), GPIO_PIN),
    }
    values = {key: r.get(table, path, key, readers[key], default=getattr(DisplayConfig, key))
              for key in every}
    if any(values[k] is None and k in table for k in every):
        return None
    for key in ("slides", "quiet_hours"):
        items = values[key]
        if key in table and any(v is None for v in items):
            return None
        values[key] = tuple(items)
    values["quiet_hours"] = _sorted_valid(values["quiet_hours"])
    pins = [(k, v) for k, v in values.items() if k.endswith("_pin") and v is not None]
    for i, (key, pin) in enumerate(pins):
        if any(pin == other for _, other in pins[:i]):
            r.add(_join(path, key), f"GPIO {pin} is used twice in this display")
            return None
    return DisplayConfig(**values)


def _read_kiosk(r: _Reader, value: Any, path: str) -> KioskConfig | None:
    every = [f.name for f in dataclasses.fields(KioskConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    readers: dict[str, Callable[[_Reader, Any, str], Any]] = {
        "screen_diagonal_in": _number(3.0, 100.0),
        **dict.fromkeys(("key_up", "key_down", "key_select", "key_help", "led_pin"), GPIO_PIN),
        "scanner_port": _nonempty_text,
        "scanner_baudrate": _integer(1, 4_000_000, "a baud rate"),
        "idle_timeout_s": _number(5.0, 3600.0),
        "warning_s": _number(3.0, 600.0),
        "tickets_per_minute": _integer(1, 120, "a number of tickets"),
        "technician_pin_hash": _pin_hash,
        "speech_volume": _integer(10, 100, "a volume in percent"),
    }
    values = {key: r.get(table, path, key, readers[key], default=getattr(KioskConfig, key))
              for key in every}
    if any(values[k] is None and k in table for k in every):
        return None
    pins = [(k, v) for k, v in values.items() if k.startswith(("key_", "led_")) and v is not None]
    for i, (key, pin) in enumerate(pins):
        if any(pin == other for _, other in pins[:i]):
            r.add(_join(path, key), f"GPIO {pin} is used twice in this kiosk")
            return None
    return KioskConfig(**values)


# Which sensor fields each kind needs and which it may have (on_s, off_s, stuck_s: all kinds).
SENSOR_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "none": ((), ()),
    "pir": (("pin",), ()),
    "gpio": (("pin",), ("active_high",)),
    "ld2410": (("serial_port",), ("silence_s",)),
}
SENSOR_COMMON = ("kind", "on_s", "off_s", "stuck_s")
ROOM_UNIT_PINS = ("key_call_next", "key_recall", "key_no_show", "key_complete", "led_pin")


def _read_sensor(r: _Reader, value: Any, path: str) -> SensorConfig | None:
    every = [f.name for f in dataclasses.fields(SensorConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    kind = _read_kind(r, table, path, SENSOR_KINDS)
    if kind is None:
        return None
    readers: dict[str, Callable[[_Reader, Any, str], Any]] = {
        "pin": _integer(0, 27, "a GPIO (BCM) number"),
        "active_high": _boolean,
        "serial_port": _nonempty_text,
        "on_s": _number(0.0, 600.0),
        "off_s": _number(0.0, 3600.0),
        "silence_s": _number(0.5, 600.0),
        "stuck_s": _number(60.0, 86400.0),
    }
    needs, may = SENSOR_FIELDS[kind]
    values: dict[str, Any] = {"kind": kind}
    for key in (*SENSOR_COMMON[1:], *needs, *may):
        default = MISSING if key in needs else getattr(SensorConfig, key)
        values[key] = r.get(table, path, key, readers[key], default=default)
    for key in table:
        if key in every and key not in values:
            owners = [k for k, (n, m) in SENSOR_FIELDS.items() if key in n + m]
            r.add(_join(path, key), f"'{key}' is for sensors of kind {' or '.join(owners)}, "
                  f"this one is kind '{kind}'")
    if any(v is None for v in values.values()):
        return None
    return SensorConfig(**values)


def _read_room_unit(r: _Reader, value: Any, path: str) -> RoomUnitConfig | None:
    every = [f.name for f in dataclasses.fields(RoomUnitConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    values: dict[str, Any] = {
        side: r.get(table, path, side, _read_sensor, default=SensorConfig())
        for side in ("staff", "customer")
    }
    for key in ROOM_UNIT_PINS:
        values[key] = r.get(table, path, key, GPIO_PIN, default=None)
    if any(values[k] is None for k in ("staff", "customer")) or any(
            values[k] is None and k in table for k in ROOM_UNIT_PINS):
        return None
    pins = [(_join(path, k), values[k]) for k in ROOM_UNIT_PINS]
    pins += [(_join(_join(path, side), "pin"), values[side].pin) for side in ("staff", "customer")]
    seen: dict[int, str] = {}
    for where, pin in pins:
        if pin is None:
            continue
        if pin in seen:
            r.add(where, f"GPIO {pin} is already used by {seen[pin]}")
            return None
        seen[pin] = where
    return RoomUnitConfig(**values)


@dataclass
class _DeviceParts:
    path: str
    id: str | None
    roles: tuple[str, ...] | None
    room: str | None
    device: Device | None


def _read_device(r: _Reader, value: Any, path: str) -> _DeviceParts:
    table = r.table(value, path, DEVICE_KEYS)
    if table is None:
        return _DeviceParts(path, None, None, None, None)
    device_id = r.get(table, path, "id", _ident)
    roles = r.get(table, path, "roles", _read_roles)
    room = r.get(table, path, "room", _text, default=None)
    screen = r.get(table, path, "screen", _read_screen, default=ScreenConfig())
    if "printer" in table:
        printer = _read_printer(r, table["printer"], _join(path, "printer"))
    else:
        printer = PrinterConfig(kind="none")
        if roles and "kiosk" in roles:
            r.add(_join(path, "printer"), "missing: a kiosk needs a [devices.printer] table "
                  '(kind = "none" if it has no printer)')
    chime = r.get(table, path, "chime", _boolean, default=True)
    kiosk = r.get(table, path, "kiosk", _read_kiosk, default=KioskConfig())
    room_unit = r.get(table, path, "room_unit", _read_room_unit, default=RoomUnitConfig())
    if "room_unit" in table and roles and "room" not in roles:
        r.add(_join(path, "room_unit"), "only a device with the room role has sensors and "
              "clerk keys; add 'room' to its roles or remove this table")
    display = r.get(table, path, "display", _read_display, default=DisplayConfig())
    if "display" in table and roles and not {"display", "room"} & set(roles):
        r.add(_join(path, "display"), "only a device with the display or room role has a "
              "display table; add the role or remove this table")
    device = None
    if (device_id and roles and screen and printer and chime is not None and kiosk
            and room_unit and display):
        device = Device(device_id, roles, room, screen, printer, chime, kiosk, room_unit,
                        display)
    return _DeviceParts(path, device_id, roles, room, device)


# --- checks across sections --------------------------------------------------------------


def _check_unique(r: _Reader, ids: Iterable[tuple[str, str | None]], what: str) -> None:
    """Each (path, id) pair's id must be new; the second and later uses are reported."""
    first: dict[str, str] = {}
    for path, value in ids:
        if value is None:
            continue
        if value in first:
            r.add(path, f"duplicate {what} '{value}': {first[value]} already has it")
        else:
            first[value] = path


def _check_services(r: _Reader, site: _SiteParts, services: list[_ServiceParts]) -> None:
    _check_unique(r, ((_join(s.path, "id"), s.id) for s in services), "service id")
    _check_unique(r, ((_join(s.path, "prefix"), s.prefix) for s in services), "prefix")
    if site.opening is None:
        return  # the site's hours are unreadable; their own problems are already listed
    for s in services:
        for day, ranges in (s.hours or {}).items():
            _check_inside_opening(r, ranges, _join(_join(s.path, "hours"), WEEKDAYS[day]),
                                  _sorted_valid(site.opening.get(day, [])), DAY_NAMES[day])
        for p, exc in s.exceptions:
            _check_exception(r, site, p, exc)


def _check_exception(r: _Reader, site: _SiteParts, path: str, exc: DateException) -> None:
    assert site.opening is not None
    if exc.day in site.closed and exc.ranges:
        r.add(_join(path, "hours"), f"the whole site is closed on {exc.day} "
              "(see site.closed_days)")
        return
    weekday = exc.day.weekday()
    opening = _sorted_valid(site.opening.get(weekday, []))
    # Checked in sorted order, so name entries by their time rather than their index.
    for rng in exc.ranges:
        if not _within(rng, opening):
            where = f"open {_fmt_ranges(opening)}" if opening else "closed"
            r.add(_join(path, "hours"), f"{_fmt_range(rng)} is outside the site's opening "
                  f"hours on {exc.day} ({DAY_NAMES[weekday]}: the site is {where})")


def _check_rooms(r: _Reader, refs: list[tuple[str, str]],
                 service_ids: Sequence[str] | None) -> None:
    if service_ids is None:
        return
    for path, ref in refs:
        if ref not in service_ids:
            known = ", ".join(dict.fromkeys(service_ids))
            hint = _suggest(ref, service_ids) or f"; services: {known}"
            r.add(path, f"unknown service '{ref}'{hint}")


def _check_devices(r: _Reader, devices: list[_DeviceParts], room_ids: Sequence[str] | None,
                   path: str) -> None:
    _check_unique(r, ((_join(d.path, "id"), d.id) for d in devices), "device id")
    for d in devices:
        _check_device_room(r, d, room_ids)
    controllers = [d for d in devices if d.roles and "controller" in d.roles]
    if not controllers and all(d.roles is not None for d in devices):
        r.add(path, "no device has the controller role; exactly one must (it keeps the queue)")
    for extra in controllers[1:]:
        r.add(_join(extra.path, "roles"), f"a second controller: {controllers[0].id} already "
              "has the controller role and a site has exactly one")


def _check_device_room(r: _Reader, d: _DeviceParts, room_ids: Sequence[str] | None) -> None:
    path = _join(d.path, "room")
    has_role = d.roles is not None and "room" in d.roles
    if d.room is None:
        if has_role:
            r.add(path, "missing: a device with the room role names its room, such as room = \"1\"")
    elif d.roles is not None and not has_role:
        r.add(path, "only a device with the room role names a room; add 'room' to its roles "
              "or remove this key")
    elif room_ids is not None and d.room not in room_ids:
        known = ", ".join(dict.fromkeys(room_ids))
        hint = _suggest(d.room, room_ids) or f"; rooms: {known}"
        r.add(path, f"unknown room '{d.room}'{hint}")


# --- the whole file ---------------------------------------------------------------------


def _declared_ids(values: Any) -> list[str] | None:
    """Every id written as a text, valid or not, so a bad id is not reported twice; None when
    the section itself is unreadable (its problem is listed, references cannot be checked)."""
    if not isinstance(values, list):
        return None
    return [v["id"] for v in values if isinstance(v, dict) and isinstance(v.get("id"), str)]


def _validate(data: dict[str, Any], source: str) -> SiteConfig:
    r = _Reader()
    r.table(data, "", TOP_KEYS)
    site = _read_site(r, data.get("site", MISSING), "site")
    broker = r.get(data, "", "broker", _read_broker, default=BrokerConfig())
    rules = r.get(data, "", "queue", _read_rules, default=QueueRules())
    config_version = r.get(data, "", "config_version",
                           _integer(0, 2**31 - 1, "a version number"), default=0)
    services = [_read_service(r, i, v, p)
                for i, (p, v) in enumerate(r.items(data.get("services", MISSING), "services",
                                                   "[[services]] tables"))]
    _check_services(r, site, services)
    rooms: list[Room | None] = []
    room_paths: list[tuple[str, str | None]] = []
    for p, v in r.items(data.get("rooms", MISSING), "rooms", "[[rooms]] tables"):
        room, refs = _read_room(r, v, p)
        rooms.append(room)
        _check_rooms(r, refs, _declared_ids(data.get("services")))
        raw_id = v.get("id") if isinstance(v, dict) else None
        room_paths.append((_join(p, "id"), raw_id if isinstance(raw_id, str) else None))
    _check_unique(r, room_paths, "room id")
    devices = [_read_device(r, v, p)
               for p, v in r.items(data.get("devices", MISSING), "devices", "[[devices]] tables")]
    if isinstance(data.get("devices"), list):  # else its own problem says it all
        _check_devices(r, devices, _declared_ids(data.get("rooms")), "devices")
    if r.problems:
        raise ConfigError(sorted(r.problems, key=_file_order), source)
    assert site.site is not None and broker is not None and rules is not None
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
    )


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
            node[keys[-1]] = _override_value(text.strip())
        elif node is not None:
            problems.append(ConfigProblem(where, f"'{'.'.join(keys[:-1])}' is not a table"))
    return problems


def parse_site_config(text: str, source: str = "<text>",
                      overrides: Sequence[str] = ()) -> SiteConfig:
    """Validate a config given as TOML text; `source` names it in messages."""
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
    return _validate(data, source)


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
    return parse_site_config(text, source, overrides)


# --- showing a config ----------------------------------------------------------------------


def _week_dict(hours: WeeklyHours) -> dict[str, list[str]]:
    return {day: [_fmt_range(r) for r in hours.on(i)]
            for i, day in enumerate(WEEKDAYS) if hours.on(i)}


def _week_text(hours: WeeklyHours) -> str:
    """Compact weekly hours: consecutive days with equal hours run together ("mon-thu")."""
    groups: list[tuple[int, int, str]] = []
    for i in range(len(WEEKDAYS)):
        text = _fmt_ranges(hours.on(i))
        if not text:
            continue
        if groups and groups[-1][1] == i - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], i, text)
        else:
            groups.append((i, i, text))
    parts = [f"{WEEKDAYS[a]}{'-' + WEEKDAYS[b] if b != a else ''} {t}" for a, b, t in groups]
    return "; ".join(parts) or "closed"


def summarize(config: SiteConfig) -> str:
    """A few lines a technician can read to see that the file says what they meant."""
    site = config.site
    lines = [
        f"site {site.id}: {site.name.fi} / {site.name.sv} / {site.name.en}",
        f"  timezone {site.timezone}; open {_week_text(site.opening_hours)}"
        + ("; anonymous numbering (no prefixes on tickets)" if site.anonymous_numbering else ""),
        f"{len(config.services)} services:",
        *(f"  {s.prefix} {s.id:<14} {s.name.fi}: {_week_text(s.hours)}" for s in config.services),
        f"{len(config.rooms)} rooms:",
        *(f"  {r.id:<6} {', '.join(r.services) or '(no services)'}" for r in config.rooms),
        f"{len(config.devices)} devices:",
        *(f"  {d.id:<14} {', '.join(d.roles)}" + (f" (room {d.room})" if d.room else "")
          for d in config.devices),
        f"broker {config.broker.host}:{config.broker.port}",
    ]
    return "\n".join(lines)


def to_json_dict(config: SiteConfig) -> dict[str, Any]:
    """The effective config as JSON-ready data (defaults filled in); the password masked."""
    site = config.site
    broker = dataclasses.asdict(config.broker)
    broker["password"] = PASSWORD_MASK if config.broker.password else ""
    return {
        "source": config.source,
        "config_version": config.config_version,
        "site": {"id": site.id, "name": site.name.as_dict(), "timezone": site.timezone,
                 "anonymous_numbering": site.anonymous_numbering,
                 "home_assistant_discovery": site.home_assistant_discovery,
                 "opening_hours": _week_dict(site.opening_hours)},
        "broker": broker,
        "queue": dataclasses.asdict(config.rules),
        "services": [_service_dict(s) for s in config.services],
        "rooms": [{"id": r.id, "name": r.name.as_dict(), "services": list(r.services)}
                  for r in config.rooms],
        "devices": [_device_dict(d) for d in config.devices],
    }


def _service_dict(s: Service) -> dict[str, Any]:
    return {
        "id": s.id, "prefix": s.prefix, "name": s.name.as_dict(),
        "mean_service_minutes": s.mean_service_minutes,
        "note": s.note.as_dict() if s.note else None,
        "hours": _week_dict(s.hours),
        "exceptions": [{"date": e.day.isoformat(), "hours": [_fmt_range(r) for r in e.ranges],
                        "reason": e.reason} for e in s.exceptions],
    }


def _device_dict(d: Device) -> dict[str, Any]:
    needs, may = PRINTER_FIELDS.get(d.printer.kind, ((), ()))
    # Only the printer fields its kind uses: the rest are defaults that mean nothing here.
    printer = {k: getattr(d.printer, k) for k in (*PRINTER_COMMON, *needs, *may)}
    return {"id": d.id, "roles": list(d.roles), "room": d.room,
            "screen": dataclasses.asdict(d.screen), "printer": printer, "chime": d.chime,
            "kiosk": {**dataclasses.asdict(d.kiosk),
                      "technician_pin_hash": PASSWORD_MASK if d.kiosk.technician_pin_hash
                      else ""},
            **({"room_unit": dataclasses.asdict(d.room_unit)} if "room" in d.roles else {}),
            **({"display": _display_dict(d.display)}
               if {"display", "room"} & set(d.roles) else {})}


def _display_dict(display: DisplayConfig) -> dict[str, Any]:
    data = dataclasses.asdict(display)
    data["quiet_hours"] = [_fmt_range(r) for r in display.quiet_hours]
    data["slides"] = [{"title": s.title.as_dict(), "text": s.text.as_dict(),
                       "start": s.start.isoformat() if s.start else None,
                       "end": s.end.isoformat() if s.end else None} for s in display.slides]
    return data


def check_config_main(path: str, as_json: bool, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """`piste check-config [--json] FILE`: 0 and a summary, or 2 and every problem.

    The streams default to sys.stdout and sys.stderr as they are at the call, not at import,
    so a redirected or captured stream is honoured.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_site_config(path)
    except ConfigError as exc:
        print(exc, file=err)
        return 2
    if as_json:
        print(json.dumps(to_json_dict(config), ensure_ascii=False, indent=2), file=out)
    else:
        print(summarize(config), file=out)
    from firmware.prefix_advice import prefix_warnings

    for warning in prefix_warnings(config):
        print(f"warning: {warning}", file=err)
    return 0
