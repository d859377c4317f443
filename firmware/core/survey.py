"""The yearly customer survey: its statements, its texts, and what a valid answer is.

Every Suomi-piste asks the same 18 statements on the 4–10 scale so that sites can be compared
nationally; statement 17 only of customers who used self-service, 18 only of those who dropped
off documents. The texts (the survey's and the feedback screen's) live in one TOML data file
that a site may replace with official translations, so the loader is strict and names every
problem at once, like the site config. Answers arrive over the network: there the check is
lenient on extra fields but strict on types and ranges.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any, Literal

from firmware.core.plural import counted

LANGS = ("fi", "sv", "en")
LANG_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}
SCALE_MIN = 4
SCALE_MAX = 10
STATEMENT_COUNT = 18
SELF_SERVICE = "self_service"
DOCUMENTS = "documents"
Condition = Literal["self_service", "documents"]
# The national template: which statements are asked only of some customers.
CONDITIONS: dict[int, Condition] = {17: SELF_SERVICE, 18: DOCUMENTS}
SCREENING_KEYS = (SELF_SERVICE, DOCUMENTS)
# Texts the feedback and survey screens need; each in every language.
FEEDBACK_KEYS = (
    "question", "note", "words_prompt", "send", "skip", "thanks", "masked_notice", "wait",
    "survey_invite", "survey_intro", "survey_skip", "survey_thanks", "yes", "no", "next", "back",
    "announce_title", "announce",  # the queue displays' slide during the survey month
)
FACE_KEYS = ("very_unhappy", "unhappy", "neutral", "happy", "very_happy")
MAX_TEXT_CHARS = 400
SHIPPED_PACKAGE = "firmware.feedback"
SHIPPED_FILE = "survey_texts.toml"
ID_PATTERN = re.compile(r"[a-z0-9-]{1,32}")

Texts = dict[str, str]  # language -> text


# --- the model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    number: int
    texts: Texts
    condition: Condition | None = None

    def text(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts["fi"]


@dataclass(frozen=True)
class Survey:
    """The survey's texts; `feedback` holds the continuous-feedback screen's texts."""

    statements: tuple[Statement, ...]
    screening: dict[str, Texts]  # SELF_SERVICE / DOCUMENTS -> the yes/no question
    scale_labels: dict[int, Texts]  # SCALE_MIN and SCALE_MAX -> the end labels
    feedback: dict[str, Texts] = field(default_factory=dict)  # FEEDBACK_KEYS -> texts
    faces: dict[str, Texts] = field(default_factory=dict)  # FACE_KEYS -> spoken names

    def statement(self, number: int) -> Statement:
        for statement in self.statements:
            if statement.number == number:
                return statement
        raise KeyError(f"no statement {number} in the survey")


def statements_for(survey: Survey, used_self_service: bool, dropped_documents: bool
                   ) -> tuple[Statement, ...]:
    """The statements one customer is asked, in order, after the two screening questions."""
    asked = {None, *([SELF_SERVICE] if used_self_service else []),
             *([DOCUMENTS] if dropped_documents else [])}
    return tuple(s for s in survey.statements if s.condition in asked)


@dataclass(frozen=True)
class SurveyPeriod:
    """The survey month: the first and last day (both included, site days)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(
                f"the survey period ends ({self.end}) before it starts ({self.start})")

    def is_open(self, day: date) -> bool:
        # A datetime is a date too, but comparing the two raises; use its own calendar day.
        if isinstance(day, datetime):
            day = day.date()
        return self.start <= day <= self.end


# --- loading the data file ----------------------------------------------------------------


class SurveyTextError(Exception):
    """Every problem found in one survey texts file."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{self.source or 'survey texts'}: {counted(count, 'problem', 'problems')}"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return f'"{value[:37]}..." (a text)' if len(value) > 40 else f'"{value}" (a text)'
    if isinstance(value, int | float):
        return f"{value} (a number)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{value} (a date or time)"


class _Checker:
    """Collects problems; each check returns the value or None when it is wrong."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def table(self, value: Any, path: str, known: Iterable[str], what: str = "a table"
              ) -> dict[str, Any] | None:
        known = list(known)
        if not isinstance(value, dict):
            self.add(path, f"missing: expected {what}" if value is None
                     else f"expected {what}, found {_shown(value)}")
            return None
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = (f"did you mean '{close[0]}'?" if close
                        else f"expected one of: {', '.join(known)}")
                self.add(path, f"unknown key '{key}'; {hint}")
        return value

    def text(self, value: Any, path: str, what: str) -> str | None:
        if value is None:
            self.add(path, f"missing: expected {what}")
        elif not isinstance(value, str) or not value.strip():
            self.add(path, f"expected {what} (a non-empty text in quotes), "
                           f"found {_shown(value)}")
        elif len(value) > MAX_TEXT_CHARS:
            self.add(path, f"the text is {len(value)} characters; at most {MAX_TEXT_CHARS} "
                           "fit on a screen")
        else:
            return value.strip()
        return None

    def langs(self, table: Mapping[str, Any], path: str) -> Texts | None:
        """The text in each language from a table already checked for unknown keys."""
        texts = {lang: self.text(table.get(lang), f"{path}.{lang}",
                                 f"the {LANG_NAMES[lang]} text") for lang in LANGS}
        if any(text is None for text in texts.values()):
            return None
        return {lang: text for lang, text in texts.items() if text is not None}

    def localized(self, value: Any, path: str) -> Texts | None:
        """A table `{fi = "...", sv = "...", en = "..."}`."""
        table = self.table(value, path, LANGS, "a table of texts in fi, sv and en")
        return None if table is None else self.langs(table, path)

    def keyed_texts(self, table: Mapping[str, Any], path: str, keys: Iterable[str]
                    ) -> dict[str, Texts]:
        """`key = {fi, sv, en}` for each of `keys` in a table; those that are right."""
        out = {key: self.localized(table.get(key), f"{path}.{key}") for key in keys}
        return {key: texts for key, texts in out.items() if texts is not None}

    def items(self, value: Any, path: str, what: str) -> list[tuple[str, Any]]:
        if not isinstance(value, list):
            self.add(path, f"missing: expected {what}" if value is None
                     else f"expected {what}, found {_shown(value)}")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]


_TOP_KEYS = ("scale", "screening", "statements", "feedback")
_STATEMENT_KEYS = ("number", "condition", *LANGS)
_CONDITION_WORDS = {SELF_SERVICE: "who used self-service", DOCUMENTS: "who dropped off documents"}


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _condition(c: _Checker, table: Mapping[str, Any], path: str, number: int | None
               ) -> Condition | None:
    given = table.get("condition")
    if given is not None and given not in _CONDITION_WORDS:
        close = difflib.get_close_matches(str(given), list(_CONDITION_WORDS), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        c.add(f"{path}.condition", f'expected "self_service" or "documents", '
                                   f"found {_shown(given)}{hint}")
        return None
    expected = CONDITIONS.get(number) if number is not None else given
    if number is not None and given != expected:
        # The national template decides who is asked what; a site cannot change it.
        if expected is None:
            c.add(f"{path}.condition", f"statement {number} is asked of everyone; "
                                       "remove its condition")
        else:
            c.add(f"{path}.condition", f"statement {number} is asked only of customers "
                                       f'{_CONDITION_WORDS[expected]}: write condition = '
                                       f'"{expected}"')
    return expected


def _statement(c: _Checker, value: Any, path: str) -> Statement | None:
    table = c.table(value, path, _STATEMENT_KEYS)
    if table is None:
        return None
    raw = table.get("number")
    number = _whole_number(raw)
    if number is None or not 1 <= number <= STATEMENT_COUNT:
        found = "missing" if raw is None else f"found {_shown(raw)}"
        c.add(f"{path}.number", f"expected a whole number from 1 to {STATEMENT_COUNT}, {found}")
        number = None
    else:
        path = f"{path} (statement {number})"
    condition = _condition(c, table, path, number)
    texts = c.langs(table, path)
    if number is None or texts is None:
        return None
    return Statement(number, texts, condition)


def _statements(c: _Checker, value: Any) -> tuple[Statement, ...]:
    read: dict[int, list[str]] = {}
    good: dict[int, Statement] = {}
    for path, item in c.items(value, "statements", "a list of [[statements]] tables"):
        statement = _statement(c, item, path)
        number = _whole_number(item.get("number")) if isinstance(item, dict) else None
        if number is not None:
            read.setdefault(number, []).append(path)
        if statement is not None:
            good.setdefault(statement.number, statement)
    for number, paths in sorted(read.items()):
        if len(paths) > 1 and 1 <= number <= STATEMENT_COUNT:
            c.add("statements", f"statement {number} appears {len(paths)} times "
                                f"({', '.join(paths)}); each number once")
    if isinstance(value, list):
        missing = [str(n) for n in range(1, STATEMENT_COUNT + 1) if n not in read]
        if missing:
            c.add("statements", f"missing statement{'s' if len(missing) > 1 else ''} "
                                f"{', '.join(missing)}; every site asks the same "
                                f"{STATEMENT_COUNT} statements")
    return tuple(good[n] for n in sorted(good))


def _scale(c: _Checker, value: Any) -> dict[int, Texts]:
    table = c.table(value, "scale", ("low", "high"))
    if table is None:
        return {}
    labels = c.keyed_texts(table, "scale", ("low", "high"))
    return {n: labels[k] for n, k in ((SCALE_MIN, "low"), (SCALE_MAX, "high")) if k in labels}


def _feedback(c: _Checker, value: Any) -> tuple[dict[str, Texts], dict[str, Texts]]:
    table = c.table(value, "feedback", (*FEEDBACK_KEYS, "faces"))
    if table is None:
        return {}, {}
    texts = c.keyed_texts(table, "feedback", FEEDBACK_KEYS)
    faces_table = c.table(table.get("faces"), "feedback.faces", FACE_KEYS)
    faces = {} if faces_table is None else c.keyed_texts(faces_table, "feedback.faces",
                                                          FACE_KEYS)
    return texts, faces


def _parse_toml(toml_text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(toml_text)
    except (ValueError, RecursionError, TypeError) as exc:
        # TOMLDecodeError is a ValueError; deep nesting can exhaust the recursion limit.
        detail = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
        raise SurveyTextError([f"not valid TOML: {detail}"], source) from None


def load_survey_texts(toml_text: str, source: str = "") -> Survey:
    """The survey read from the data file's text; SurveyTextError lists every problem."""
    data = _parse_toml(toml_text, source)
    c = _Checker()
    c.table(data, "", _TOP_KEYS)
    statements = _statements(c, data.get("statements"))
    scale = _scale(c, data.get("scale"))
    screening_table = c.table(data.get("screening"), "screening", SCREENING_KEYS)
    screening = ({} if screening_table is None
                 else c.keyed_texts(screening_table, "screening", SCREENING_KEYS))
    feedback, faces = _feedback(c, data.get("feedback"))
    if c.problems:
        raise SurveyTextError(c.problems, source)
    return Survey(statements, screening, scale, feedback, faces)


def shipped_survey() -> Survey:
    """The texts shipped with piste (`firmware/feedback/survey_texts.toml`)."""
    text = resources.files(SHIPPED_PACKAGE).joinpath(SHIPPED_FILE).read_text(encoding="utf-8")
    return load_survey_texts(text, SHIPPED_FILE)


# --- answers from the network ---------------------------------------------------------------


class SurveyAnswerError(ValueError):
    """An answer that cannot be stored; the message names the field and what was expected."""


@dataclass(frozen=True)
class SurveyAnswer:
    lang: str
    device: str
    self_service: bool
    documents: bool
    ratings: dict[int, int | None]  # statement -> 4..10; None: seen and skipped
    # The day the customer answered, as the device saw it: an answer kept on a device while
    # the controller was away still counts for the survey month it was given in.
    answered_day: date | None = None

    def to_event_data(self) -> dict[str, Any]:
        """The data of a `survey.answered` event: nothing personal in it."""
        data: dict[str, Any] = {
            "device": self.device,
            "lang": self.lang,
            "ratings": {str(n): r for n, r in sorted(self.ratings.items())},
            "self_service": self.self_service,
            "documents": self.documents,
        }
        if self.answered_day is not None:
            data["answered_day"] = self.answered_day.isoformat()
        return data


def _flag(payload: Mapping[str, Any], key: str) -> bool:
    value = payload.get(key, False)
    if not isinstance(value, bool):
        raise SurveyAnswerError(f"'{key}' must be true or false")
    return value


def _statement_number(key: Any) -> int | None:
    if isinstance(key, str) and re.fullmatch(r"[1-9][0-9]?", key):
        key = int(key)
    number = _whole_number(key)
    return number if number is not None and 1 <= number <= STATEMENT_COUNT else None


def _ratings(value: Any, self_service: bool, documents: bool) -> dict[int, int | None]:
    if not isinstance(value, Mapping):
        raise SurveyAnswerError(
            f"'ratings' must be an object from statement numbers '1'-'{STATEMENT_COUNT}' to "
            f"ratings {SCALE_MIN}-{SCALE_MAX} or null (skipped)")
    allowed = {SELF_SERVICE: self_service, DOCUMENTS: documents}
    ratings: dict[int, int | None] = {}
    for key, rating in value.items():
        number = _statement_number(key)
        if number is None:
            raise SurveyAnswerError(f"'ratings' has an unknown statement {str(key)[:20]!r}; "
                                    f"the statements are '1'-'{STATEMENT_COUNT}'")
        if rating is not None and (_whole_number(rating) is None
                                   or not SCALE_MIN <= rating <= SCALE_MAX):
            raise SurveyAnswerError(f"rating of statement {number} must be a whole number "
                                    f"{SCALE_MIN}-{SCALE_MAX} or null (skipped)")
        condition = CONDITIONS.get(number)
        if rating is not None and condition is not None and not allowed[condition]:
            raise SurveyAnswerError(f"statement {number} is only for customers "
                                    f"{_CONDITION_WORDS[condition]}, but '{condition}' "
                                    "is false")
        ratings[number] = rating
    if all(r is None for r in ratings.values()):
        raise SurveyAnswerError("no statement was rated; an empty answer is not stored")
    return ratings


def answer_origin(payload: Mapping[str, Any], error: type[ValueError]) -> tuple[str, str]:
    """The `lang` and `device` every customer answer carries, checked alike for survey
    answers and ratings; `device` is "unknown" when absent."""
    lang = payload.get("lang")
    if not isinstance(lang, str) or lang not in LANGS:
        raise error(f"'lang' must be one of {', '.join(LANGS)}")
    device = payload.get("device", "unknown")
    if not isinstance(device, str) or not ID_PATTERN.fullmatch(device):
        raise error("'device' must be an id of 1-32 characters a-z, 0-9 or '-'")
    return lang, device


def validate_answer(payload: Mapping[str, Any]) -> SurveyAnswer:
    """A survey answer from the wire; SurveyAnswerError says what is wrong.

    Unknown extra fields are ignored; `self_service` and `documents` are false when absent,
    `device` is "unknown". A statement missing from `ratings` was not answered.
    """
    if not isinstance(payload, Mapping):
        raise SurveyAnswerError("a survey answer must be an object")
    lang, device = answer_origin(payload, SurveyAnswerError)
    self_service, documents = _flag(payload, SELF_SERVICE), _flag(payload, DOCUMENTS)
    ratings = _ratings(payload.get("ratings"), self_service, documents)
    return SurveyAnswer(lang, device, self_service, documents, ratings,
                        _answered_day(payload.get("answered_day")))


def _answered_day(value: Any) -> date | None:
    if value is None:
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise SurveyAnswerError("'answered_day' must be null or a date such as 2026-12-01")
