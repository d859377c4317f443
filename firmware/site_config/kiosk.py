"""A kiosk's `[devices.kiosk]` table: languages, keys, limits and the technician PIN hash."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from firmware.site_config.reader import (
    GPIO_PIN,
    Reader,
    integer_field,
    join_path,
    nonempty_text,
    number_field,
)
from firmware.site_model import (
    KioskConfig,
)


def _pin_hash(r: Reader, value: Any, path: str) -> str | None:
    pattern = r"pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]{64}"
    if isinstance(value, str) and re.fullmatch(pattern, value):
        return value
    r.wrong(path, "a hash made by `piste pin-hash` "
            "(pbkdf2_sha256$ROUNDS$SALT$HASH)", "********" if isinstance(value, str) else value)
    return None


def read_kiosk(r: Reader, value: Any, path: str) -> KioskConfig | None:
    every = [f.name for f in dataclasses.fields(KioskConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    readers: dict[str, Callable[[Reader, Any, str], Any]] = {
        "screen_diagonal_in": number_field(3.0, 100.0),
        "reading_distance_m": number_field(0.2, 5.0),
        **dict.fromkeys(("key_up", "key_down", "key_select", "key_help", "led_pin"), GPIO_PIN),
        "scanner_port": nonempty_text,
        "scanner_baudrate": integer_field(1, 4_000_000, "a baud rate"),
        "idle_timeout_s": number_field(5.0, 3600.0),
        "warning_s": number_field(3.0, 600.0),
        "tickets_per_minute": integer_field(1, 120, "a number of tickets"),
        "technician_pin_hash": _pin_hash,
        "speech_volume": integer_field(10, 100, "a volume in percent"),
    }
    values = {key: r.get(table, path, key, readers[key], default=getattr(KioskConfig, key))
              for key in every}
    if any(values[k] is None and k in table for k in every):
        return None
    pins = [(k, v) for k, v in values.items() if k.startswith(("key_", "led_")) and v is not None]
    for i, (key, pin) in enumerate(pins):
        if any(pin == other for _, other in pins[:i]):
            r.add(join_path(path, key), f"GPIO {pin} is used twice in this kiosk")
            return None
    return KioskConfig(**values)
