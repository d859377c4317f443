"""The collector of problems and the readers of single fields (texts, numbers, ids, dates)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from firmware.core.plural import counted
from firmware.site_model import (
    LANGS,
    Localized,
    TimeRange,
)

T = TypeVar("T")


PASSWORD_MASK = "********"


# Ids become MQTT topic levels (piste/<site>/room/<room>/...), so they stay in a set that
# needs no escaping anywhere: no wildcards, no separators, no case games.
ID_PATTERN = re.compile(r"[a-z0-9-]{1,32}")


RANGE_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", re.ASCII)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


LANG_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}


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
        head = f"{self.source or 'config'}: {counted(count, 'problem', 'problems')}"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class _Missing:
    """Marks a key that is not in its table (None is not a TOML value, but be explicit)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


# --- paths and descriptions -------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def join_path(path: str, key: str | int) -> str:
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


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def fmt_range(r: TimeRange) -> str:
    return f"{r.start:%H:%M}-{r.end:%H:%M}"


def fmt_ranges(ranges: Sequence[TimeRange]) -> str:
    return ", ".join(fmt_range(r) for r in ranges)


# --- the collector and its readers -------------------------------------------------------


class Reader:
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
                hint = suggest(key, known) or f"; expected one of: {', '.join(known)}"
                self.add(join_path(path, key), f"unknown key '{key}'{hint}")
        return value

    def get(self, table: dict[str, Any], path: str, key: str,
            read: Callable[[Reader, Any, str], T | None], default: Any = MISSING) -> T | None:
        """Read `table[key]`; a missing key is reported unless a default is given."""
        if key not in table and default is not MISSING:
            return default
        return read(self, table.get(key, MISSING), join_path(path, key))

    def items(self, value: Any, path: str, what: str) -> list[tuple[str, Any]]:
        """The entries of a list, each with its path; a non-list is reported."""
        if not isinstance(value, list):
            self.wrong(path, f"a list of {what}", value)
            return []
        return [(join_path(path, i), item) for i, item in enumerate(value)]


def text_field(r: Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return value
    r.wrong(path, "a text in quotes", value)
    return None


def nonempty_text(r: Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    r.wrong(path, "a non-empty text", value)
    return None


def boolean_field(r: Reader, value: Any, path: str) -> bool | None:
    if isinstance(value, bool):
        return value
    hint = " (write true or false without quotes)" if value in ("true", "false") else ""
    r.wrong(path, "true or false" + hint, value)
    return None


def integer_field(low: int, high: int | None = None, what: str = "an integer"
             ) -> Callable[[Reader, Any, str], int | None]:
    span = f"{what} from {low} to {high}" if high is not None else f"{what} of at least {low}"

    def read(r: Reader, value: Any, path: str) -> int | None:
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


def number_field(low: float, high: float | None = None, *, low_inclusive: bool = False
            ) -> Callable[[Reader, Any, str], float | None]:
    above = f"at least {low:g}" if low_inclusive else f"above {low:g}"
    span = f"a number {above}" + (f" and below {high:g}" if high is not None else "")

    def read(r: Reader, value: Any, path: str) -> float | None:
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


def ident(r: Reader, value: Any, path: str) -> str | None:
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


def prefix_field(r: Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and len(value) == 1 and "A" <= value <= "Z":
        return value
    hint = f" (write '{value.upper()}')" if isinstance(value, str) and len(value) == 1 and \
        "A" <= value.upper() <= "Z" else ""
    r.wrong(path, "one capital letter A-Z" + hint, value)
    return None


def localized(r: Reader, value: Any, path: str) -> Localized | None:
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
            r.wrong(join_path(path, lang), f"a non-empty text in {LANG_NAMES[lang]} "
                    "(every name needs fi, sv and en)", text)
    if len(texts) != len(LANGS):
        return None
    return Localized(texts["fi"], texts["sv"], texts["en"])


def toml_date(r: Reader, value: Any, path: str) -> date | None:
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


# A BCM GPIO number on the Raspberry Pi's header.
GPIO_PIN = integer_field(0, 27, "a GPIO (BCM) number")


def plain_date(r: Reader, value: Any, path: str) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    r.wrong(path, "a date without quotes, such as 2026-12-01", value)
    return None


# --- checks across sections --------------------------------------------------------------


def check_unique(r: Reader, ids: Iterable[tuple[str, str | None]], what: str) -> None:
    """Each (path, id) pair's id must be new; the second and later uses are reported."""
    first: dict[str, str] = {}
    for path, value in ids:
        if value is None:
            continue
        if value in first:
            r.add(path, f"duplicate {what} '{value}': {first[value]} already has it")
        else:
            first[value] = path
