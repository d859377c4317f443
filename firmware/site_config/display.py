"""A display's `[devices.display]` table: orientation, quiet hours and info slides."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from firmware.site_config.hours import day_ranges, sorted_valid
from firmware.site_config.reader import (
    GPIO_PIN,
    Reader,
    boolean_field,
    integer_field,
    join_path,
    localized,
    number_field,
    plain_date,
    suggest,
)
from firmware.site_model import (
    ORIENTATIONS,
    DisplayConfig,
    InfoSlide,
)

SLIDE_KEYS = ("title", "text", "start", "end")


def _read_slide(r: Reader, value: Any, path: str) -> InfoSlide | None:
    table = r.table(value, path, SLIDE_KEYS)
    if table is None:
        return None
    title = r.get(table, path, "title", localized)
    text = r.get(table, path, "text", localized)
    start = r.get(table, path, "start", plain_date, default=None)
    end = r.get(table, path, "end", plain_date, default=None)
    if start is not None and end is not None and end < start:
        r.add(join_path(path, "end"), f"expected a last day on or after the first ({start}), "
              f"found {end}")
        return None
    if title is None or text is None or (start is None and "start" in table) or (
            end is None and "end" in table):
        return None
    return InfoSlide(title, text, start, end)


def _orientation(r: Reader, value: Any, path: str) -> str | None:
    if value in ORIENTATIONS:
        return str(value)
    hint = suggest(value, ORIENTATIONS) if isinstance(value, str) else ""
    r.wrong(path, f"one of {', '.join(ORIENTATIONS)}", value, hint)
    return None


def read_display(r: Reader, value: Any, path: str) -> DisplayConfig | None:
    every = [f.name for f in dataclasses.fields(DisplayConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    readers: dict[str, Callable[[Reader, Any, str], Any]] = {
        "width_mm": number_field(20.0, 10_000.0),
        "height_mm": number_field(20.0, 10_000.0),
        "viewing_distance_m": number_field(0.3, 100.0),
        "reading_distance_m": number_field(0.2, 20.0),
        "orientation": _orientation,
        "stale_after_s": number_field(5.0, 3600.0, low_inclusive=True),
        "slide_seconds": number_field(3.0, 600.0, low_inclusive=True),
        "slides": lambda rr, v, p: [_read_slide(rr, item, ip)
                                    for ip, item in rr.items(v, p, "[[devices.display.slides]]")],
        "history": integer_field(0, 8, "a number of calls"),
        "voice": boolean_field,
        "volume": integer_field(0, 100, "a volume in percent"),
        "quiet_hours": lambda rr, v, p: day_ranges(rr, v, p),
        "quiet_volume": integer_field(0, 100, "a volume in percent"),
        **dict.fromkeys(("buzzer_pin", "door_led_pin", "door_buzzer_pin"), GPIO_PIN),
    }
    values = {key: r.get(table, path, key, readers[key], default=getattr(DisplayConfig, key))
              for key in every}
    if any(values[k] is None and k in table for k in every):
        return None
    for key in ("slides", "quiet_hours"):
        items = values[key]
        if key in table and any(v is None for v in items):
            return None
        values[key] = tuple(items)
    values["quiet_hours"] = sorted_valid(values["quiet_hours"])
    pins = [(k, v) for k, v in values.items() if k.endswith("_pin") and v is not None]
    for i, (key, pin) in enumerate(pins):
        if any(pin == other for _, other in pins[:i]):
            r.add(join_path(path, key), f"GPIO {pin} is used twice in this display")
            return None
    return DisplayConfig(**values)
