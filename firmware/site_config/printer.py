"""A kiosk's `[devices.printer]` table: the fields its kind needs and may have."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from firmware.site_config.reader import (
    MISSING,
    Reader,
    integer_field,
    join_path,
    nonempty_text,
    number_field,
    suggest,
)
from firmware.site_model import (
    PRINTER_KINDS,
    PrinterConfig,
)

PRINTER_COMMON = ("kind", "profile", "timeout_s")


# The fields each printer kind needs (first tuple) and may have (second); the rest of
# PrinterConfig's fields belong to other kinds and are reported when set.
PRINTER_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "file": (("path",), ()),
    "usb": (("usb_vendor", "usb_product"), ()),
    "serial": (("serial_port",), ("baudrate",)),
    "network": (("host",), ("port",)),
    "none": ((), ()),
}


def _printer_readers() -> dict[str, Callable[[Reader, Any, str], Any]]:
    return {
        "profile": nonempty_text,
        "timeout_s": number_field(0.0, 600.0),
        "path": nonempty_text,
        # TOML writes them as in lsusb: usb_vendor = 0x04b8
        "usb_vendor": integer_field(1, 0xFFFF, "a USB id (such as 0x04b8)"),
        "usb_product": integer_field(1, 0xFFFF, "a USB id (such as 0x0e28)"),
        "serial_port": nonempty_text,
        "baudrate": integer_field(1, 4_000_000, "a baud rate"),
        "host": nonempty_text,
        "port": integer_field(1, 65535, "a port"),
    }


def read_kind(r: Reader, table: dict[str, Any], path: str,
               kinds: tuple[str, ...]) -> str | None:
    """The table's `kind`, one of `kinds`; a wrong one is reported with a suggestion."""
    kind = table.get("kind", MISSING)
    if kind not in kinds:
        hint = suggest(kind, kinds) if isinstance(kind, str) else ""
        r.wrong(join_path(path, "kind"), f"one of {', '.join(kinds)}", kind, hint)
        return None
    return str(kind)


def read_printer(r: Reader, value: Any, path: str) -> PrinterConfig | None:
    every = [f.name for f in dataclasses.fields(PrinterConfig)]
    table = r.table(value, path, every)
    if table is None:
        return None
    kind = read_kind(r, table, path, PRINTER_KINDS)
    if kind is None:
        return None
    needs, may = PRINTER_FIELDS[kind]
    readers = _printer_readers()
    values: dict[str, Any] = {"kind": kind}
    for key in (*PRINTER_COMMON[1:], *needs, *may):
        default = MISSING if key in needs else getattr(PrinterConfig, key)
        values[key] = r.get(table, path, key, readers[key], default=default)
    for key in table:
        if key in every and key not in values:
            owner = next(k for k, (n, m) in PRINTER_FIELDS.items() if key in n + m)
            r.add(join_path(path, key), f"'{key}' is for printers of kind '{owner}', "
                  f"this one is kind '{kind}'")
    if any(v is None for v in values.values()):
        return None
    return PrinterConfig(**values)
