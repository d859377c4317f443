"""A room unit's `[devices.room_unit]` table: occupancy sensors, clerk keys and pins."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from firmware.site_config.printer import read_kind
from firmware.site_config.reader import (
    GPIO_PIN,
    MISSING,
    Reader,
    boolean_field,
    integer_field,
    join_path,
    nonempty_text,
    number_field,
)
from firmware.site_model import (
    SENSOR_KINDS,
    RoomUnitConfig,
    SensorConfig,
)

# Which sensor fields each kind needs and which it may have (on_s, off_s, stuck_s: all kinds).
SENSOR_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "none": ((), ()),
    "pir": (("pin",), ()),
    "gpio": (("pin",), ("active_high",)),
    "ld2410": (("serial_port",), ("silence_s",)),
}


SENSOR_COMMON = ("kind", "on_s", "off_s", "stuck_s")


ROOM_UNIT_PINS = ("key_call_next", "key_recall", "key_no_show", "key_complete", "led_pin",
                  "alarm_key", "alarm_led")


def _read_sensor(r: Reader, value: Any, path: str) -> SensorConfig | None:
    every = [f.name for f in dataclasses.fields(SensorConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    kind = read_kind(r, table, path, SENSOR_KINDS)
    if kind is None:
        return None
    readers: dict[str, Callable[[Reader, Any, str], Any]] = {
        "pin": integer_field(0, 27, "a GPIO (BCM) number"),
        "active_high": boolean_field,
        "serial_port": nonempty_text,
        "on_s": number_field(0.0, 600.0),
        "off_s": number_field(0.0, 3600.0),
        "silence_s": number_field(0.5, 600.0),
        "stuck_s": number_field(60.0, 86400.0),
    }
    needs, may = SENSOR_FIELDS[kind]
    values: dict[str, Any] = {"kind": kind}
    for key in (*SENSOR_COMMON[1:], *needs, *may):
        default = MISSING if key in needs else getattr(SensorConfig, key)
        values[key] = r.get(table, path, key, readers[key], default=default)
    for key in table:
        if key in every and key not in values:
            owners = [k for k, (n, m) in SENSOR_FIELDS.items() if key in n + m]
            r.add(join_path(path, key), f"'{key}' is for sensors of kind {' or '.join(owners)}, "
                  f"this one is kind '{kind}'")
    if any(v is None for v in values.values()):
        return None
    return SensorConfig(**values)


def read_room_unit(r: Reader, value: Any, path: str) -> RoomUnitConfig | None:
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
    values["screen_diagonal_in"] = r.get(table, path, "screen_diagonal_in",
                                         number_field(3.0, 100.0),
                                         default=RoomUnitConfig.screen_diagonal_in)
    values["reading_distance_m"] = r.get(table, path, "reading_distance_m",
                                         number_field(0.2, 20.0),
                                         default=RoomUnitConfig.reading_distance_m)
    # Longer than any press meant as one (a firm press lasts well under half a second),
    # short enough that a clerk holding the key knows it is working.
    values["long_press_s"] = r.get(table, path, "long_press_s",
                                   number_field(0.5, 10.0, low_inclusive=True),
                                   default=RoomUnitConfig.long_press_s)
    if any(values[k] is None for k in ("staff", "customer", "screen_diagonal_in",
                                       "reading_distance_m", "long_press_s")) or any(
            values[k] is None and k in table for k in ROOM_UNIT_PINS):
        return None
    pins = [(join_path(path, k), values[k]) for k in ROOM_UNIT_PINS]
    pins += [(join_path(join_path(path, side), "pin"), values[side].pin)
             for side in ("staff", "customer")]
    seen: dict[int, str] = {}
    for where, pin in pins:
        if pin is None:
            continue
        if pin in seen:
            r.add(where, f"GPIO {pin} is already used by {seen[pin]}")
            return None
        seen[pin] = where
    return RoomUnitConfig(**values)
