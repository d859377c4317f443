"""The `[alarm]` table: the silent alarm's key hold, its escalation and where it may go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firmware.site_config.reader import Reader, boolean_field
from firmware.site_model import AlarmConfig

ALARM_KEYS = ("hold_s", "escalate_after_s", "to_central", "drill_switches_relay")
HOLD_S = (0.5, 10.0)  # shorter is a brush of the sleeve; longer, a clerk in danger waits
ESCALATE_AFTER_S = (5.0, 600.0)


def seconds_between(low: float, high: float) -> Callable[[Reader, Any, str], float | None]:
    """A number of seconds from `low` to `high`, both allowed."""
    span = f"a number of seconds from {low:g} to {high:g}"

    def read(r: Reader, value: Any, path: str) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and low <= value <= high:  # nan compares false and is refused with the rest
            return float(value)
        hint = ""
        if isinstance(value, str):
            try:
                float(value)
                hint = f" (write it without quotes: {value.strip()})"
            except ValueError:
                pass
        r.wrong(path, span + hint, value)
        return None

    return read


def read_alarm(r: Reader, value: Any, path: str) -> AlarmConfig | None:
    table = r.table(value, path, ALARM_KEYS)
    if table is None:
        return None
    default = AlarmConfig()
    hold = r.get(table, path, "hold_s", seconds_between(*HOLD_S), default=default.hold_s)
    escalate = r.get(table, path, "escalate_after_s", seconds_between(*ESCALATE_AFTER_S),
                     default=default.escalate_after_s)
    to_central = r.get(table, path, "to_central", boolean_field, default=default.to_central)
    drill_relay = r.get(table, path, "drill_switches_relay", boolean_field,
                        default=default.drill_switches_relay)
    if hold is None or escalate is None or to_central is None or drill_relay is None:
        return None
    return AlarmConfig(hold, escalate, to_central, drill_relay)
