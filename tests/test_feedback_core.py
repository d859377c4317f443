"""Customer feedback and the yearly survey (issue 12): the pure core.

Masking of personal-looking words, the survey's data file and answers, the one-vote gate of
the exit-route keys, and the figures `piste stats` reports. Hypothesis drives the masking,
the loaders and the gate with generated input.
"""

from __future__ import annotations

import itertools
import string
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from firmware.core.events import Event, EventType
from firmware.core.feedback import (
    FACES_BY_STEPS,
    FeedbackError,
    FeedbackGate,
    RatingScale,
    Verdict,
    validate_feedback,
)
from firmware.core.feedback_stats import (
    ALL,
    FEEDBACK_COLUMNS,
    SURVEY_COLUMNS,
    feedback_by_day_hour,
    survey_answer_count,
    survey_summary,
    to_csv_rows,
)
from firmware.core.survey import (
    FACE_KEYS,
    FEEDBACK_KEYS,
    LANGS,
    SurveyAnswerError,
    SurveyPeriod,
    SurveyTextError,
    load_survey_texts,
    shipped_survey,
    statements_for,
    validate_answer,
)
from firmware.core.text_mask import (
    CENTURY_SIGNS,
    CHECK_CHARS,
    MASK,
    MAX_WORDS_CHARS,
    identity_code_check_char,
    mask_personal,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
SHIPPED_TEXT = resources.files("firmware.feedback").joinpath("survey_texts.toml").read_text(
    encoding="utf-8")
T0 = datetime(2026, 5, 12, 9, 0, tzinfo=HELSINKI)


# --- masking: what a customer would see --------------------------------------------------


@pytest.mark.parametrize(("text", "expected", "kind"), [
    ("Soita 040 123 4567 kiitos", f"Soita {MASK} kiitos", "phone"),
    ("puh. 040-1234567.", f"puh. {MASK}.", "phone"),
    ("numero +358 40 1234567", f"numero {MASK}", "phone"),
    ("vaihde 09 1234 567", f"vaihde {MASK}", "phone"),
    ("(09) 1234 567 arkisin", f"{MASK} arkisin", "phone"),
    ("ring +46 70 123 45 67", f"ring {MASK}", "phone"),
    ("call +1-202-555-0143 please", f"call {MASK} please", "phone"),
    ("tel:0401234567", f"tel:{MASK}", "phone"),
    ("hetu 131052-308T ok", f"hetu {MASK} ok", "identity_code"),
    ("minun 010101A123B", f"minun {MASK}", "identity_code"),
    ("väärä tarkiste 131052-308X", f"väärä tarkiste {MASK}", "identity_code"),
    ("pienellä 131052-308t.", f"pienellä {MASK}.", "identity_code"),
    ("välilyönnillä 131052 308T", f"välilyönnillä {MASK}", "identity_code"),
    ("Mail matti.meikalainen@example.fi!", f"Mail {MASK}!", "email"),
    ("osoite anna+jono@posti.kunta.fi, kiitos", f"osoite {MASK}, kiitos", "email"),
])
def test_personal_looking_text_is_masked_and_the_rest_kept(text: str, expected: str,
                                                           kind: str) -> None:
    result = mask_personal(text)
    assert result.text == expected
    assert result.found == {kind}
    assert result.masked


@pytest.mark.parametrize("text", [
    "Vuonna 2026 jono oli lyhyt.",
    "Lippu A012 kutsuttiin heti.",
    "Hinta 12,50 € oli ok.",
    "Kävin 2026-05-12 klo 8.00-16.15.",
    "Vuodet 2025-2026, 0,50 € ja 1 000 000 ihmistä.",
    "Arvosana 10/10! Odotin 15 min, huone 3.",
    "",
])
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert mask_personal(text) == mask_personal(text)
    assert mask_personal(text).text == text
    assert mask_personal(text).found == frozenset()


def test_several_kinds_in_one_text() -> None:
    result = mask_personal("Olen 131052-308T, soita 0401234567 tai a@b.fi")
    assert result.text == f"Olen {MASK}, soita {MASK} tai {MASK}"
    assert result.found == {"identity_code", "phone", "email"}


def test_tricks_that_hide_a_number_do_not_work() -> None:
    # A zero-width space, a tab or full-width digits from a foreign keyboard.
    assert mask_personal("040\u200b1234567").text == MASK
    assert mask_personal("040\t123 4567").text == MASK
    assert mask_personal("０４０１２３４５６７").text == MASK


def test_control_characters_are_dropped_and_length_capped() -> None:
    assert mask_personal("hyvä\x00 palvelu\x1b[31m\r\n").text == "hyvä palvelu[31m\n"
    long = mask_personal("a" * 5000)
    assert len(long.text) == MAX_WORDS_CHARS
    assert mask_personal(None).text == ""  # type: ignore[arg-type]


def test_identity_code_check_character_table() -> None:
    assert len(CHECK_CHARS) == 31
    assert identity_code_check_char("131052308") == "T"  # the DVV's own example


# --- masking: properties -------------------------------------------------------------------

any_text = st.text(max_size=300)


@st.composite
def identity_codes(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1850, 1, 1), max_value=date(2099, 12, 31)))
    individual = draw(st.integers(2, 899))
    digits = f"{born:%d%m%y}{individual:03d}"
    sign = draw(st.sampled_from(CENTURY_SIGNS))
    valid = identity_code_check_char(digits)
    # A customer may mistype the check character: that must not let the code through.
    check = draw(st.sampled_from([valid, *CHECK_CHARS]))
    code = f"{digits[:6]}{sign}{digits[6:]}{check}"
    return code.lower() if draw(st.booleans()) else code


label = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8)
emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text(alphabet=string.ascii_letters + string.digits + "._%+-", min_size=1, max_size=15),
    st.lists(label, min_size=1, max_size=3).map(".".join),
    st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=6),
)


@st.composite
def phones(draw: st.DrawFn) -> str:
    start = draw(st.sampled_from(["0", "(0", "+358 ", "+358", "+358 (0)", "+46 ", "+1-"]))
    groups = draw(st.lists(st.text(alphabet=string.digits, min_size=1, max_size=4),
                           min_size=2, max_size=5))
    sep = draw(st.sampled_from([" ", "-", "", " - "]))
    # "(0" puts the area code in brackets: "(09) 1234 567".
    number = (f"(0{groups[0]}) {sep.join(groups[1:])}" if start == "(0"
              else start + sep.join(groups))
    assume(sum(c.isdigit() for c in number) >= 7)
    return number


separators = st.sampled_from([" ", "\n", ", ", ": ", " (", ") "])


@given(before=any_text, after=any_text, sep=separators,
       secret=st.one_of(identity_codes(), emails, phones()))
def test_personal_text_is_gone_wherever_it_is(before: str, after: str, sep: str,
                                              secret: str) -> None:
    result = mask_personal(before + sep + secret + sep + after)
    assert secret not in result.text
    assert secret.lower() not in result.text.lower()
    assert result.found


@given(text=st.text(max_size=3000))
def test_never_longer_than_the_cap_and_idempotent(text: str) -> None:
    once = mask_personal(text)
    assert len(once.text) <= MAX_WORDS_CHARS
    twice = mask_personal(once.text)
    assert twice.text == once.text
    assert twice.found == frozenset()


@given(before=any_text, secrets=st.lists(st.one_of(identity_codes(), emails, phones()),
                                         max_size=4))
def test_idempotent_on_text_with_secrets(before: str, secrets: list[str]) -> None:
    once = mask_personal(" ".join([before, *secrets]))
    assert mask_personal(once.text).text == once.text


words = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=10)
short_numbers = st.one_of(
    st.integers(0, 9999).map(str),
    st.integers(0, 999).map(lambda n: f"{n:04d}"),  # leading zeros: "0042"
    st.integers(0, 999).map(lambda n: f"A{n:03d}"),
    st.integers(0, 99).map(lambda n: f"{n},50"),
    st.sampled_from(["2026", "2025-2026", "2026-05-12", "10/10", "8.00-16.15"]),
)


@given(st.lists(st.tuples(st.one_of(st.none(), short_numbers), words), max_size=30),
       st.sampled_from([" ", ", ", "\n"]))
def test_text_without_personal_patterns_is_unchanged(pairs: list[tuple[str | None, str]],
                                                     sep: str) -> None:
    # Every number is followed by a word, as in written sentences.
    text = sep.join(f"{n} {w}" if n is not None else w for n, w in pairs)[:MAX_WORDS_CHARS]
    result = mask_personal(text)
    assert result.text == text
    assert result.found == frozenset()


# --- the survey's data file ----------------------------------------------------------------


def test_shipped_texts_have_18_statements_in_three_languages() -> None:
    survey = shipped_survey()
    assert [s.number for s in survey.statements] == list(range(1, 19))
    for statement in survey.statements:
        assert set(statement.texts) == set(LANGS)
    assert survey.statement(7).texts["fi"] == "Vuoronumerolaitetta oli helppo käyttää."
    assert survey.statement(7).texts["en"] == "The queue-number device was easy to use."
    assert survey.statement(17).condition == "self_service"
    assert survey.statement(18).condition == "documents"
    assert survey.scale_labels[4]["sv"] == "helt av annan åsikt"
    assert survey.scale_labels[10]["en"] == "fully agree"
    assert survey.screening["documents"]["en"] == "Did you drop off documents?"
    assert set(survey.feedback) == set(FEEDBACK_KEYS)
    assert survey.feedback["question"]["en"] == "How was your visit today?"
    assert set(survey.faces) == set(FACE_KEYS)
    for faces in FACES_BY_STEPS.values():
        assert set(faces) <= set(survey.faces)


def test_shipped_texts_keep_no_parentheticals_of_the_template() -> None:
    for statement in shipped_survey().statements:
        assert "Only if" not in statement.texts["fi"]


def test_statements_for_asks_17_and_18_only_of_those_concerned() -> None:
    survey = shipped_survey()
    numbers = {(a, b): [s.number for s in statements_for(survey, a, b)]
               for a in (False, True) for b in (False, True)}
    assert numbers[(False, False)] == list(range(1, 17))
    assert numbers[(True, False)] == [*range(1, 17), 17]
    assert numbers[(False, True)] == [*range(1, 17), 18]
    assert numbers[(True, True)] == list(range(1, 19))


def test_a_broken_file_gets_every_problem_at_once() -> None:
    broken = (SHIPPED_TEXT
              .replace("number = 12\n", "number = 7\n")
              .replace('sv = "Könummerautomaten var lätt att använda."\n', "")
              .replace("words_prompt =", "word_prompt =")
              .replace("number = 3\n", "number = 3\nnumbr = 3\n"))
    with pytest.raises(SurveyTextError) as caught:
        load_survey_texts(broken, "site-texts.toml")
    message = str(caught.value)
    assert message.startswith("site-texts.toml: 6 problems")
    assert "statements[6] (statement 7).sv: missing: expected the Swedish text" in message
    assert "statement 7 appears 2 times (statements[6], statements[11])" in message
    assert "missing statement 12; every site asks the same 18 statements" in message
    assert "unknown key 'word_prompt'; did you mean 'words_prompt'?" in message
    assert "unknown key 'numbr'; did you mean 'number'?" in message
    assert "feedback.words_prompt: missing" in message


def test_the_template_decides_who_is_asked() -> None:
    wrong = SHIPPED_TEXT.replace('condition = "documents"\n', "").replace(
        "number = 2\n", 'number = 2\ncondition = "self_servise"\n')
    with pytest.raises(SurveyTextError) as caught:
        load_survey_texts(wrong)
    problems = caught.value.problems
    assert any("did you mean 'self_service'?" in p for p in problems)
    assert any('statement 18 is asked only of customers who dropped off documents: write '
               'condition = "documents"' in p for p in problems)


def test_not_toml_at_all() -> None:
    with pytest.raises(SurveyTextError, match="not valid TOML"):
        load_survey_texts("[[statements]\nnumber = ")


toml_fragments = st.sampled_from([
    "[[statements]]\n", "[scale]\n", "[scale.low]\n", "[feedback]\n", "[screening]\n",
    "number = ", "condition = ", "fi = ", "sv = ", "en = ", '"', "'", "=", "[", "]", "{", "}",
    "\n", ",", "7", "19", "-1", "true", "1979-05-27", "3.5", '"self_service"', '"teksti"',
    "nan", "[[", "]]", ".", "#", "\\", "\x00",
])


@given(st.lists(st.one_of(toml_fragments, st.text(max_size=8)), max_size=60).map("".join))
def test_garbage_gives_a_survey_text_error_and_nothing_else(garbage: str) -> None:
    with pytest.raises(SurveyTextError) as caught:
        load_survey_texts(garbage)
    assert caught.value.problems


@given(st.data())
def test_removing_any_line_loads_or_names_the_problem(data: st.DataObject) -> None:
    lines = SHIPPED_TEXT.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    removed = lines[index].strip()
    try:
        load_survey_texts("\n".join(lines[:index] + lines[index + 1:]))
    except SurveyTextError as error:
        assert error.problems
    else:
        assert removed == "" or removed.startswith("#")


# --- survey answers ------------------------------------------------------------------------


def test_a_valid_answer_and_its_event_data() -> None:
    answer = validate_answer({"lang": "sv", "device": "feedback-1", "documents": True,
                              "ratings": {"1": 8, "7": 10, "18": 4, "9": None},
                              "session": "ignored extra"})
    assert answer.to_event_data() == {
        "device": "feedback-1", "lang": "sv",
        "ratings": {"1": 8, "7": 10, "9": None, "18": 4},
        "self_service": False, "documents": True,
    }


@pytest.mark.parametrize(("payload", "message"), [
    ({"lang": "fi", "ratings": {"17": 8}},
     "statement 17 is only for customers who used self-service, but 'self_service' is false"),
    ({"lang": "fi", "ratings": {"18": 8}, "self_service": True}, "'documents' is false"),
    ({"lang": "fi", "ratings": {"1": 11}}, "rating of statement 1 must be a whole number 4-10"),
    ({"lang": "fi", "ratings": {"1": True}}, "rating of statement 1 must be"),
    ({"lang": "fi", "ratings": {"1": 7.5}}, "rating of statement 1 must be"),
    ({"lang": "fi", "ratings": {"19": 7}}, "unknown statement '19'"),
    ({"lang": "fi", "ratings": {"1": None}}, "no statement was rated"),
    ({"lang": "de", "ratings": {"1": 5}}, "'lang' must be one of fi, sv, en"),
    ({"ratings": {"1": 5}}, "'lang' must be one of"),
    ({"lang": "fi", "ratings": [5]}, "'ratings' must be an object"),
    ({"lang": "fi", "ratings": {"1": 5}, "self_service": "yes"}, "must be true or false"),
    ({"lang": "fi", "ratings": {"1": 5}, "device": "Kiosk 1"}, "'device' must be an id"),
])
def test_a_wrong_answer_says_what_is_wrong(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(SurveyAnswerError) as caught:
        validate_answer(payload)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                 st.lists(st.integers(), max_size=2))
rating_maps = st.dictionaries(
    st.one_of(st.sampled_from([str(n) for n in range(0, 21)]), st.integers(-1, 20),
              st.text(max_size=3)),
    st.one_of(st.none(), st.integers(0, 12), junk), max_size=20)
answer_payloads = st.fixed_dictionaries({}, optional={
    "lang": st.one_of(st.sampled_from(LANGS), junk),
    "device": st.one_of(st.sampled_from(["feedback-1", "kiosk"]), junk),
    "self_service": st.one_of(st.booleans(), junk),
    "documents": st.one_of(st.booleans(), junk),
    "ratings": st.one_of(rating_maps, junk),
    "extra": junk,
})


@given(answer_payloads)
def test_any_answer_is_valid_or_refused_with_the_documented_error(payload: dict) -> None:
    try:
        answer = validate_answer(payload)
    except SurveyAnswerError as error:
        assert str(error)
        return
    assert answer.lang in LANGS
    assert any(r is not None for r in answer.ratings.values())
    for number, rating in answer.ratings.items():
        assert 1 <= number <= 18
        assert rating is None or (type(rating) is int and 4 <= rating <= 10)
    if answer.ratings.get(17) is not None:
        assert answer.self_service
    if answer.ratings.get(18) is not None:
        assert answer.documents


def test_survey_period_includes_both_ends() -> None:
    may = SurveyPeriod(date(2026, 5, 1), date(2026, 5, 31))
    assert may.is_open(date(2026, 5, 1)) and may.is_open(date(2026, 5, 31))
    assert not may.is_open(date(2026, 4, 30)) and not may.is_open(date(2026, 6, 1))
    assert may.is_open(datetime(2026, 5, 31, 23, 59))
    with pytest.raises(ValueError, match=r"ends \(2026-04-01\) before it starts"):
        SurveyPeriod(date(2026, 5, 1), date(2026, 4, 1))


# --- continuous feedback -------------------------------------------------------------------


def test_rating_scales_of_three_to_five_faces() -> None:
    assert RatingScale().faces == ("very_unhappy", "unhappy", "happy", "very_happy")
    assert RatingScale(3).face(2) == "neutral"
    assert list(RatingScale(5).values) == [1, 2, 3, 4, 5]
    assert 5 not in RatingScale(4) and True not in RatingScale(4)
    for steps in (2, 6):
        with pytest.raises(ValueError, match="3 to 5 steps"):
            RatingScale(steps)


def test_a_double_tap_is_one_vote_and_the_next_customer_counts() -> None:
    gate = FeedbackGate()
    assert gate.press(T0) is Verdict.ACCEPTED
    assert gate.press(T0 + timedelta(seconds=0.4)) is Verdict.DUPLICATE
    assert gate.press(T0 + timedelta(seconds=2.9)) is Verdict.DUPLICATE
    assert gate.press(T0 + timedelta(seconds=3)) is Verdict.ACCEPTED
    assert (gate.accepted, gate.duplicates, gate.flooded) == (2, 2, 0)


def test_a_flood_is_refused_and_counted_then_voting_resumes() -> None:
    gate = FeedbackGate(double_tap_s=3, max_per_minute=12)
    verdicts = [gate.press(T0 + timedelta(seconds=4 * i)) for i in range(15)]
    assert verdicts.count(Verdict.ACCEPTED) == 12
    assert verdicts[12:] == [Verdict.FLOODED] * 3
    assert gate.flooded == 3
    assert gate.press(T0 + timedelta(seconds=61)) is Verdict.ACCEPTED


def test_a_clock_set_back_does_not_lock_the_keys() -> None:
    gate = FeedbackGate()
    gate.press(T0)
    assert gate.press(T0 - timedelta(hours=1)) is Verdict.ACCEPTED


@settings(max_examples=200)
@given(gaps=st.lists(st.floats(0, 20, allow_nan=False), max_size=80),
       double_tap_s=st.floats(0, 5), max_per_minute=st.integers(1, 15))
def test_gate_never_lets_two_votes_too_close_or_too_many_a_minute(
        gaps: list[float], double_tap_s: float, max_per_minute: int) -> None:
    gate = FeedbackGate(double_tap_s=double_tap_s, max_per_minute=max_per_minute)
    now, accepted = T0, []
    for gap in gaps:
        now += timedelta(seconds=gap)
        if gate.press(now) is Verdict.ACCEPTED:
            accepted.append(now)
    assert gate.accepted + gate.duplicates + gate.flooded == len(gaps)
    for earlier, later in itertools.pairwise(accepted):
        assert (later - earlier).total_seconds() >= double_tap_s
    for moment in accepted:
        in_window = [t for t in accepted if 0 <= (moment - t).total_seconds() < 60]
        assert len(in_window) <= max_per_minute


def test_feedback_from_the_wire_is_masked_again() -> None:
    feedback = validate_feedback({"lang": "fi", "device": "exit-1", "rating": 2, "scale": 4,
                                  "words": "  Soita 040 123 4567  ", "masked": False})
    assert feedback.words == f"Soita {MASK}"
    assert feedback.masked
    assert feedback.to_event_data() == {"device": "exit-1", "lang": "fi", "rating": 2,
                                        "scale": 4, "words": f"Soita {MASK}", "masked": True}
    plain = validate_feedback({"lang": "en", "rating": 4, "words": "   "})
    assert plain.words is None and not plain.masked and plain.scale == 4
    assert "words" not in plain.to_event_data()


@pytest.mark.parametrize(("payload", "message"), [
    ({"lang": "fi", "rating": 5}, "'rating' must be a whole number 1-4"),
    ({"lang": "fi", "rating": 5, "scale": 6}, "'scale' must be the number of steps, 3-5"),
    ({"lang": "fi", "rating": 0, "scale": 3}, "1-3"),
    ({"lang": "fi", "rating": "3"}, "'rating' must be"),
    ({"lang": "fi", "rating": 3, "words": "x" * 501}, "at most 500 characters"),
    ({"lang": "fi", "rating": 3, "words": 42}, "'words' must be null or a text"),
    ({"lang": "fi", "rating": 3, "masked": "no"}, "'masked' must be true or false"),
    ({"rating": 3}, "'lang' must be one of fi, sv, en"),
    ([1, 2], "feedback must be an object"),
])
def test_wrong_feedback_says_what_is_wrong(payload: Any, message: str) -> None:
    with pytest.raises(FeedbackError) as caught:
        validate_feedback(payload)
    assert message in str(caught.value)


feedback_payloads = st.fixed_dictionaries({}, optional={
    "lang": st.one_of(st.sampled_from(LANGS), junk),
    "device": st.one_of(st.just("exit-1"), junk),
    "rating": st.one_of(st.integers(-1, 7), junk),
    "scale": st.one_of(st.integers(2, 6), junk),
    "words": st.one_of(st.none(), st.text(max_size=600), junk),
    "masked": st.one_of(st.booleans(), junk),
    "extra": junk,
})


@given(feedback_payloads)
def test_any_feedback_is_valid_or_refused_with_the_documented_error(payload: dict) -> None:
    try:
        feedback = validate_feedback(payload)
    except FeedbackError as error:
        assert str(error)
        return
    assert feedback.rating in RatingScale(feedback.scale)
    assert feedback.lang in LANGS
    if feedback.words is not None:
        assert 0 < len(feedback.words) <= MAX_WORDS_CHARS
        assert mask_personal(feedback.words).text == feedback.words


# --- the figures --------------------------------------------------------------------------


def _event(kind: EventType, at: datetime, data: dict[str, Any], seq: int) -> dict[str, Any]:
    return Event(f"e{seq}", kind, at, at.date().isoformat(), data, seq).to_wire()


def _answer(seq: int, ratings: dict[str, int | None]) -> dict[str, Any]:
    data = {"device": "exit-1", "lang": "fi", "ratings": ratings, "self_service": False,
            "documents": False}
    return _event(EventType.SURVEY_ANSWERED, T0 + timedelta(minutes=seq), data, seq)


def _vote(seq: int, at: datetime, rating: int, scale: int = 4) -> dict[str, Any]:
    data = {"device": "exit-1", "lang": "fi", "rating": rating, "scale": scale,
            "masked": False}
    return _event(EventType.FEEDBACK_GIVEN, at, data, seq)


def test_event_types_for_feedback() -> None:
    assert EventType("feedback.given") is EventType.FEEDBACK_GIVEN
    assert EventType("survey.answered") is EventType.SURVEY_ANSWERED


def test_survey_summary_per_statement() -> None:
    events = [_answer(1, {"1": 8, "7": 10}), _answer(2, {"1": 5, "7": None}),
              _answer(3, {"1": 10}), _vote(4, T0, 3)]
    summary = survey_summary(events)
    assert [s.number for s in summary] == [1, 7]  # nobody rated the others: no rows
    first = summary[0]
    assert (first.count, first.mean) == (3, 7.67)
    assert first.distribution == {4: 0, 5: 1, 6: 0, 7: 0, 8: 1, 9: 0, 10: 1}
    assert summary[1].as_dict() == {"statement": 7, "count": 1, "mean": 10.0, "distribution": {
        "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1}}
    assert survey_answer_count(events) == 3
    rows = to_csv_rows(summary)
    assert list(rows[0]) == SURVEY_COLUMNS
    assert rows[0]["r8"] == 1


def test_nothing_is_invented_for_empty_data() -> None:
    assert survey_summary([]) == []
    assert feedback_by_day_hour([]) == []
    assert survey_answer_count([]) == 0


def test_continuous_ratings_per_day_and_hour_in_site_time() -> None:
    utc_morning = datetime(2026, 5, 12, 6, 30, tzinfo=UTC)  # 09:30 in Helsinki
    events = [_vote(1, utc_morning, 4), _vote(2, utc_morning + timedelta(minutes=10), 1),
              _vote(3, utc_morning + timedelta(hours=2), 3),
              _vote(4, utc_morning, 3, scale=3)]
    rows = feedback_by_day_hour(events, HELSINKI)
    assert [(r.hour, r.scale, r.count, r.mean) for r in rows] == [
        ("09", 3, 1, 3.0), ("09", 4, 2, 2.5), ("11", 4, 1, 3.0),
        (ALL, 3, 1, 3.0), (ALL, 4, 3, 2.67)]
    assert rows[1].distribution == {1: 1, 2: 0, 3: 0, 4: 1}
    csv_rows = to_csv_rows(rows)
    assert list(csv_rows[0]) == FEEDBACK_COLUMNS
    assert (csv_rows[0]["r3"], csv_rows[0]["r4"], csv_rows[0]["r5"]) == (1, "", "")


def test_malformed_ledger_entries_are_passed_over() -> None:
    events = [_answer(1, {"1": 8, "x": 9, "2": 3, "3": True, "²": 5}),
              _vote(2, T0, 9), {"type": "feedback.given", "at": "not a time", "rating": 1,
                                "scale": 4}]
    assert [(s.number, s.count) for s in survey_summary(events)] == [(1, 1)]
    assert feedback_by_day_hour(events) == []


def test_a_face_key_during_a_survey_on_the_screen_keeps_both_answers() -> None:
    from datetime import datetime, timedelta

    from firmware.core.feedback import RatingScale
    from firmware.core.survey import shipped_survey
    from firmware.feedback.flow import FeedbackFlow

    now = datetime(2026, 12, 1, 10, 0)
    flow = FeedbackFlow(shipped_survey(), RatingScale(4))
    flow.survey_open = True
    for action, arg in [("lang", "sv"), ("survey", ""), ("no", ""), ("no", ""),
                        ("score", "9"), ("next", "")]:
        flow.act(action, arg, now)
    flow.act("face", "3", now + timedelta(seconds=5))  # someone else presses a key
    sent = flow.take_ready()
    assert [s.command for s in sent] == ["survey/answer", "feedback/give"]
    assert sent[0].body["ratings"] == {"1": 9} and sent[0].body["lang"] == "sv"
    assert sent[1].body["rating"] == 3 and flow.step == "rate"
