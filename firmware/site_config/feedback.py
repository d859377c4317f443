"""A feedback device's `[devices.feedback]` table: faces, their keys and LEDs, the screen."""

from __future__ import annotations

from typing import Any

from firmware.core.feedback import MAX_STEPS, MIN_STEPS
from firmware.site_config.reader import (
    GPIO_PIN,
    Reader,
    boolean_field,
    integer_field,
    join_path,
    number_field,
)
from firmware.site_model import FeedbackConfig

NAVIGATION_KEYS = ("key_up", "key_down", "key_select", "key_help")
FEEDBACK_KEYS = ("scale", "keys", "leds", "touch", "words", "screen_diagonal_in",
                 "reading_distance_m", "idle_timeout_s", *NAVIGATION_KEYS)


def _pins(r: Reader, value: Any, path: str) -> tuple[int, ...] | None:
    if not isinstance(value, list) or len(value) > MAX_STEPS:
        r.wrong(path, f"a list of at most {MAX_STEPS} GPIO (BCM) numbers, worst face first",
                value)
        return None
    pins = [GPIO_PIN(r, pin, join_path(path, i)) for i, pin in enumerate(value)]
    if any(pin is None for pin in pins):
        return None
    return tuple(pin for pin in pins if pin is not None)


def read_feedback(r: Reader, value: Any, path: str) -> FeedbackConfig | None:
    table = r.table(value, path, FEEDBACK_KEYS)
    if table is None:
        return None
    default = FeedbackConfig()
    keys = r.get(table, path, "keys", _pins, default=())
    leds = r.get(table, path, "leds", _pins, default=())
    # With keys, the number of keys is the scale unless the file says otherwise.
    scale = r.get(table, path, "scale", integer_field(MIN_STEPS, MAX_STEPS, "a number of faces"),
                  default=len(keys) if keys else default.scale)
    touch = r.get(table, path, "touch", boolean_field, default=default.touch)
    words = r.get(table, path, "words", boolean_field, default=default.words)
    diagonal = r.get(table, path, "screen_diagonal_in", number_field(3.0, 100.0),
                     default=default.screen_diagonal_in)
    reading = r.get(table, path, "reading_distance_m", number_field(0.2, 5.0),
                    default=default.reading_distance_m)
    idle = r.get(table, path, "idle_timeout_s", number_field(5.0, 600.0),
                 default=default.idle_timeout_s)
    navigation = {key: r.get(table, path, key, GPIO_PIN, default=None) for key in NAVIGATION_KEYS}
    values = (keys, leds, scale, touch, words, diagonal, reading, idle)
    if any(v is None for v in values) or any(
            navigation[k] is None and k in table for k in NAVIGATION_KEYS):
        return None
    assert keys is not None and leds is not None and scale is not None
    if keys and len(keys) != scale:
        r.add(join_path(path, "keys"), f"{len(keys)} keys for {scale} faces: give one key "
              "for each face, worst first")
        return None
    if leds and len(leds) != len(keys):
        r.add(join_path(path, "leds"), f"{len(leds)} LEDs for {len(keys)} keys: one LED in "
              "each key, or none")
        return None
    pins = [*keys, *leds, *(pin for pin in navigation.values() if pin is not None)]
    if len(set(pins)) != len(pins):
        r.add(path, "a GPIO is used twice among keys, leds and key_up/down/select/help")
        return None
    if not touch and not keys:
        r.add(join_path(path, "touch"), "a feedback device without a touch screen needs keys")
        return None
    return FeedbackConfig(scale, keys, leds, bool(touch), bool(words), float(diagonal),
                          float(reading), float(idle), **navigation)
