"""The `[queue]` table: the rules of the day, each field typed by its default in QueueRules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from firmware.site_config.reader import (
    Reader,
    boolean_field,
    integer_field,
    number_field,
    suggest,
)
from firmware.site_model import (
    ASSISTANCE_EVERY_MAX,
    NEXT_LEG_PLACES,
    QueueRules,
)

# Queue rules that must be at least 1 (the others may be 0).
# congestion_clear_minutes is the least time between two congestion alerts: never 0.
RULES_AT_LEAST_ONE = ("estimate_window_minutes", "congestion_waiting", "congestion_eta_minutes",
                      "congestion_clear_minutes")


def read_rules(r: Reader, value: Any, path: str) -> QueueRules | None:
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


def next_leg_place(r: Reader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and value in NEXT_LEG_PLACES:
        return value
    choices = ", ".join(f'"{p}"' for p in NEXT_LEG_PLACES)
    hint = suggest(value, NEXT_LEG_PLACES) if isinstance(value, str) else ""
    r.wrong(path, f"one of {choices} (where a customer continuing to their next authority "
            "joins its queue)", value, hint)
    return None


def _rule_reader(name: str, default: Any) -> Callable[[Reader, Any, str], Any]:
    if name == "next_leg_place":
        return next_leg_place
    if name == "assistance_every":
        return integer_field(1, ASSISTANCE_EVERY_MAX, what="a whole number of calls")
    if isinstance(default, bool):
        return boolean_field
    if isinstance(default, float):
        return number_field(0.0, 1.0)  # a share, such as the congestion clear ratio
    return integer_field(1 if name in RULES_AT_LEAST_ONE else 0, what="a whole number of minutes"
                    if name.endswith("_minutes") else "an integer")
