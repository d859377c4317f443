"""The `[queue]` table: the rules of the day, each field typed by its default in QueueRules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from firmware.site_config.reader import Reader, boolean_field, integer_field, number_field
from firmware.site_model import (
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


def _rule_reader(name: str, default: Any) -> Callable[[Reader, Any, str], Any]:
    if isinstance(default, bool):
        return boolean_field
    if isinstance(default, float):
        return number_field(0.0, 1.0)  # a share, such as the congestion clear ratio
    return integer_field(1 if name in RULES_AT_LEAST_ONE else 0, what="a whole number of minutes"
                    if name.endswith("_minutes") else "an integer")
