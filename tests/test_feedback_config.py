"""The survey month and the feedback device in the site config, the displays' announcement,
and `piste stats --report feedback|survey` on a real ledger."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from firmware.cli.main import main as piste
from firmware.cli.stats import stats_main
from firmware.controller.ledger import Ledger
from firmware.core.events import Event, EventType
from firmware.display.readability import slides_on
from firmware.site_config import parse_site_config
from firmware.site_model import DisplayConfig
from tests.conftest import DEMO_SITE
from tests.test_site_config import problems_of, small_config, to_toml

HELSINKI = ZoneInfo("Europe/Helsinki")


def with_feedback(table: dict[str, Any]) -> dict[str, Any]:
    data = small_config()
    data["devices"].append({"id": "exit-1", "roles": ["feedback"], "feedback": table})
    return data


def test_the_survey_month_and_a_feedback_device_are_read() -> None:
    data = with_feedback({"keys": [5, 6, 13], "leds": [12, 16, 20], "touch": False})
    data["survey"] = {"start": date(2027, 3, 1), "end": date(2027, 3, 31), "kiosk": True}
    config = parse_site_config(to_toml(data))
    exit_device = config.device("exit-1")
    assert exit_device is not None
    assert exit_device.feedback.scale == 3  # three keys: three faces
    assert exit_device.feedback.touch is False
    assert config.survey.is_open(date(2027, 3, 31)) and not config.survey.is_open(
        date(2027, 4, 1))


@pytest.mark.parametrize(("table", "path", "says"), [
    ({"keys": [5, 6, 13], "scale": 4}, "devices[2].feedback.keys", "3 keys for 4 faces"),
    ({"keys": [5, 6, 13], "leds": [12]}, "devices[2].feedback.leds", "1 LEDs for 3 keys"),
    ({"keys": [5, 6, 5]}, "devices[2].feedback", "used twice"),
    ({"touch": False}, "devices[2].feedback.touch", "needs keys"),
    ({"scale": 7}, "devices[2].feedback.scale", "a number of faces"),
    ({"keys": [5, 6, 99]}, "devices[2].feedback.keys[2]", "GPIO"),
    ({"kyes": [5, 6, 13]}, "devices[2].feedback.kyes", "did you mean 'keys'"),
])
def test_a_wrong_feedback_table_says_what_and_where(table: dict[str, Any], path: str,
                                                     says: str) -> None:
    problems = problems_of(with_feedback(table))
    assert says in problems[path]


def test_a_feedback_table_needs_the_feedback_role() -> None:
    data = small_config()
    data["devices"][1]["feedback"] = {"scale": 4}
    assert "feedback role" in problems_of(data)["devices[1].feedback"]


def test_a_survey_that_ends_before_it_starts_or_a_broken_texts_file_is_refused(
        tmp_path: Path) -> None:
    data = small_config()
    data["survey"] = {"start": date(2027, 3, 31), "end": date(2027, 3, 1)}
    assert "before it starts" in problems_of(data)["survey.end"]
    broken = tmp_path / "texts.toml"
    broken.write_text('[scale.low]\nfi = "x"\n')
    data["survey"] = {"start": date(2027, 3, 1), "end": date(2027, 3, 31),
                      "texts": str(broken)}
    assert str(broken) in problems_of(data)["survey.texts"]


def test_the_displays_announce_the_survey_in_its_month_only() -> None:
    config = parse_site_config(DEMO_SITE.read_text())
    inside = slides_on(DisplayConfig(), date(2026, 12, 14), config.survey)
    assert inside and inside[0].title[0] == "Asiakaskysely on käynnissä"
    assert "survey" in inside[0].text[2]
    assert slides_on(DisplayConfig(), date(2027, 1, 4), config.survey) == []


def _ledger_with_answers(data_dir: Path) -> None:
    ledger = Ledger(data_dir / "ledger.sqlite")
    at = datetime(2026, 12, 1, 10, 15, tzinfo=HELSINKI)
    events = [
        Event("a", EventType.FEEDBACK_GIVEN, at, "2026-12-01",
              {"device": "exit-1", "lang": "fi", "rating": 4, "scale": 4, "masked": False}),
        Event("b", EventType.FEEDBACK_GIVEN, at.replace(hour=11), "2026-12-01",
              {"device": "exit-1", "lang": "sv", "rating": 1, "scale": 4, "masked": False}),
        Event("c", EventType.SURVEY_ANSWERED, at, "2026-12-01",
              {"device": "exit-1", "lang": "en", "self_service": False, "documents": False,
               "ratings": {"7": 9, "9": None}}),
        Event("d", EventType.SURVEY_ANSWERED, at, "2026-12-02",
              {"device": "lobby-1", "lang": "fi", "self_service": False, "documents": False,
               "ratings": {"7": 6}}),
    ]
    ledger.append(events, ("r1", "feedback/give", {"ok": True}), at)
    ledger.close()


def test_stats_reports_the_survey_per_statement_and_ratings_per_hour(tmp_path: Path) -> None:
    _ledger_with_answers(tmp_path)
    out = io.StringIO()
    assert stats_main(DEMO_SITE, tmp_path, None, "json", out, report="survey") == 0
    survey = json.loads(out.getvalue())
    assert (survey["from"], survey["to"], survey["answers"]) == ("2026-12-01", "2026-12-31", 2)
    assert survey["statements"] == [{"statement": 7, "count": 2, "mean": 7.5, "distribution":
                                     {**{str(v): 0 for v in range(4, 11)}, "6": 1, "9": 1}}]
    out = io.StringIO()
    assert stats_main(DEMO_SITE, tmp_path, "2026-12-01", "csv", out, report="feedback") == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "site,from,to,day,hour,scale,count,mean,r1,r2,r3,r4,r5"
    assert lines[1].startswith("lappeenranta,2026-12-01,2026-12-01,2026-12-01,10,4,1,4.0,")
    assert lines[-1].startswith("lappeenranta,2026-12-01,2026-12-01,2026-12-01,all,4,2,2.5,1,")


@pytest.mark.parametrize(("args", "says"), [
    (["--report", "survey", "--from", "2026-13-01"], "a date such as"),
    (["--report", "feedback", "--from", "2026-12-05", "--to", "2026-12-01"], "is before"),
    (["--report", "survey", "--from", "2020-01-01", "--to", "2026-01-01"], "at most 400"),
    (["--from", "2026-12-01"], "go with --report feedback or survey"),
])
def test_a_wrong_period_is_refused_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           args: list[str], says: str) -> None:
    _ledger_with_answers(tmp_path)
    code = piste(["stats", "--config", str(DEMO_SITE), "--data-dir", str(tmp_path), *args])
    assert code == 2 and says in capsys.readouterr().err


def test_stats_lists_the_customers_words_for_whoever_handles_feedback(tmp_path: Path) -> None:
    _ledger_with_answers(tmp_path)
    ledger = Ledger(tmp_path / "ledger.sqlite")
    at = datetime(2026, 12, 1, 14, 7, 30, tzinfo=HELSINKI)
    ledger.append([Event("w", EventType.FEEDBACK_GIVEN, at, "2026-12-01", {
        "device": "exit-1", "lang": "sv", "rating": 2, "scale": 4, "masked": True,
        "words": "För lång kö. Ring mig [•••]"})], ("r2", "feedback/give", {"ok": True}), at)
    ledger.close()
    out = io.StringIO()
    assert stats_main(DEMO_SITE, tmp_path, "2026-12-01", "csv", out, report="words") == 0
    lines = out.getvalue().splitlines()
    assert lines == ["site,from,to,day,time,device,lang,rating,scale,words",
                     "lappeenranta,2026-12-01,2026-12-01,2026-12-01,14:07,exit-1,sv,2,4,"
                     "För lång kö. Ring mig [•••]"]  # only the rating that came with words


@pytest.mark.parametrize(("answered_day", "accepted"), [
    ("2026-12-31", True),   # kept on the device over new year: counts for December
    ("2026-11-30", False),  # before the survey month
    ("2027-01-06", False),  # in the future of the controller's day
    (None, False),          # no day given: the controller's own day, January, is closed
])
def test_an_answer_kept_on_a_device_counts_for_the_month_it_was_given_in(
        answered_day: str | None, accepted: bool) -> None:
    from firmware.controller.local_queue import LocalQueue
    from mqtt_bridge import topics
    from mqtt_bridge.payloads import parse_command

    config = parse_site_config(DEMO_SITE.read_text())
    queue = LocalQueue(config, datetime(2027, 1, 5, 10, 0, tzinfo=HELSINKI))
    body = {"request_id": "kept-1", "lang": "fi", "ratings": {"7": 9},
            "answered_day": answered_day}
    command = parse_command(topics.SURVEY, json.dumps(body).encode(), client="exit-1")
    answer = queue.controller.handle(command).response
    assert answer["ok"] is accepted
    if not accepted:
        assert answer["error"]["code"] == "survey_closed"
