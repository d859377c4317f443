"""An alarm relay device's `[devices.alarm]` table: which pin drives the relay module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firmware.site_config.reader import Reader, boolean_field, integer_field

ALARM_KEYS = ("relay_pin", "active_high")
RELAY_PIN = integer_field(0, 27, "the GPIO (BCM) number wired to the relay module's input")
MISSING_TABLE = ("a device with the alarm role needs a [devices.alarm] table with relay_pin, "
                 "the GPIO (BCM) number wired to the relay module's input")


@dataclass(frozen=True)
class AlarmRelayConfig:
    relay_pin: int  # BCM number of the GPIO wired to the relay module's input
    active_high: bool = True  # false for the common modules that switch on a low input


@dataclass(frozen=True)
class NoAlarmRelay:
    """What a device without the alarm role holds for the table: it has no relay. (A device
    with the role must carry the table: the config says so, `MISSING_TABLE`.)"""


def read_alarm_relay(r: Reader, value: Any, path: str) -> AlarmRelayConfig | None:
    table = r.table(value, path, ALARM_KEYS)
    if table is None:
        return None
    pin = r.get(table, path, "relay_pin", RELAY_PIN)  # no default: a relay needs its pin
    active_high = r.get(table, path, "active_high", boolean_field, default=True)
    if pin is None or active_high is None:
        return None
    return AlarmRelayConfig(pin, active_high)
