"""The `[alarm]` table as a technician writes it: the defaults, the bounds in plain words,
and the settings shown back by `piste check-config`."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from firmware.cli.check_config import check_config_main
from firmware.site_config import parse_site_config
from firmware.site_model import AlarmConfig
from tests.test_site_config import problems_of, small_config, to_toml


def with_alarm(**table: Any) -> dict[str, Any]:
    data = small_config()
    data["alarm"] = table
    return data


def test_a_site_without_the_table_gets_the_defaults() -> None:
    config = parse_site_config(to_toml(small_config()), "site.toml")

    assert config.alarm == AlarmConfig(hold_s=2.0, escalate_after_s=20.0, to_central=False,
                                       drill_switches_relay=False)


def test_every_key_is_read() -> None:
    data = with_alarm(hold_s=3, escalate_after_s=45.5, to_central=True,
                      drill_switches_relay=True)

    config = parse_site_config(to_toml(data), "site.toml")

    assert config.alarm == AlarmConfig(3.0, 45.5, True, True)


@pytest.mark.parametrize("key, value", [
    ("hold_s", 0.5), ("hold_s", 10), ("escalate_after_s", 5), ("escalate_after_s", 600.0)])
def test_the_bounds_themselves_are_allowed(key: str, value: float) -> None:
    config = parse_site_config(to_toml(with_alarm(**{key: value})), "site.toml")

    assert getattr(config.alarm, key) == value


@pytest.mark.parametrize("key, value, words", [
    ("hold_s", 0.4, "expected a number of seconds from 0.5 to 10, found 0.4 (a decimal"),
    ("hold_s", 11, "expected a number of seconds from 0.5 to 10, found 11 (an integer)"),
    ("hold_s", "2", "from 0.5 to 10 (write it without quotes: 2), found \"2\" (a text)"),
    ("hold_s", float("nan"), "expected a number of seconds from 0.5 to 10"),
    ("hold_s", True, "found true (a boolean)"),
    ("escalate_after_s", 4.9, "expected a number of seconds from 5 to 600, found 4.9"),
    ("escalate_after_s", 601, "expected a number of seconds from 5 to 600, found 601"),
    ("escalate_after_s", float("inf"), "from 5 to 600, found inf"),
    ("to_central", "true", "expected true or false (write true or false without quotes)"),
    ("drill_switches_relay", 1, "expected true or false, found 1 (an integer)"),
])
def test_a_wrong_value_is_named_with_its_key_and_what_is_allowed(
        key: str, value: Any, words: str) -> None:
    found = problems_of(with_alarm(**{key: value}))

    assert list(found) == [f"alarm.{key}"]
    assert words in found[f"alarm.{key}"]


def test_an_unknown_key_gets_a_suggestion_and_every_problem_is_listed_at_once() -> None:
    found = problems_of(with_alarm(hold=2, escalate_after_s=1))

    assert found == {
        "alarm.hold": "unknown key 'hold'; did you mean 'hold_s'?",
        "alarm.escalate_after_s": "expected a number of seconds from 5 to 600, "
                                  "found 1 (an integer)",
    }


def test_the_table_must_be_a_table() -> None:
    data = small_config()
    data["alarm"] = True

    assert problems_of(data) == {"alarm": "expected a table, found true (a boolean)"}


def test_check_config_shows_the_alarm_settings(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(to_toml(with_alarm(escalate_after_s=30, to_central=True)), encoding="utf-8")
    text, data = io.StringIO(), io.StringIO()

    assert check_config_main(str(path), as_json=False, out=text, err=io.StringIO()) == 0
    assert check_config_main(str(path), as_json=True, out=data, err=io.StringIO()) == 0

    assert ("silent alarm: key held 2 s; escalates after 30 s; bridged to the central broker"
            in text.getvalue())
    assert json.loads(data.getvalue())["alarm"] == {
        "hold_s": 2.0, "escalate_after_s": 30.0, "to_central": True,
        "drill_switches_relay": False}


def test_check_config_says_nothing_of_an_alarm_left_at_its_defaults(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(to_toml(small_config()), encoding="utf-8")
    out = io.StringIO()

    assert check_config_main(str(path), as_json=False, out=out, err=io.StringIO()) == 0

    assert "alarm" not in out.getvalue()


README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readmes_alarm_table_is_the_defaults_and_its_error_is_the_real_one() -> None:
    """The README's `[alarm]` example reads as the defaults it says it is, and the error it
    quotes is the one a technician gets."""
    block = re.search(r"```toml\n(\[alarm\]\n.*?)```", README, re.S)
    assert block, "the README's [alarm] example"
    config = parse_site_config(to_toml(small_config()) + block.group(1), "site.toml")
    assert config.alarm == AlarmConfig()
    quoted = re.search(r"`(alarm\.hold_s: [^`]+)`", README)
    assert quoted, "the README's example of a wrong value"
    found = problems_of(with_alarm(hold_s=12))
    assert f"alarm.hold_s: {found['alarm.hold_s']}" == quoted.group(1)
