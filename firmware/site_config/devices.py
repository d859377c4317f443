"""The `[[devices]]` tables: roles, room, screen, and the role tables each device may carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from firmware.site_config.display import read_display
from firmware.site_config.feedback import read_feedback
from firmware.site_config.kiosk import read_kiosk
from firmware.site_config.printer import read_printer
from firmware.site_config.reader import (
    Reader,
    boolean_field,
    check_unique,
    ident,
    integer_field,
    join_path,
    suggest,
    text_field,
)
from firmware.site_config.room_unit import read_room_unit
from firmware.site_config.web import read_web
from firmware.site_model import (
    ROLES,
    Device,
    DisplayConfig,
    FeedbackConfig,
    KioskConfig,
    PrinterConfig,
    RoomUnitConfig,
    ScreenConfig,
    WebConfig,
)

MAX_SCREEN_SIDE = 16384


DEVICE_KEYS = ("id", "roles", "room", "screen", "printer", "chime", "kiosk", "room_unit",
               "display", "feedback", "web")


SCREEN_KEYS = ("width", "height", "fullscreen")


def _read_roles(r: Reader, value: Any, path: str) -> tuple[str, ...] | None:
    expected = f"a list of roles from {', '.join(ROLES)}"
    if not isinstance(value, list) or not value:
        r.wrong(path, expected, value)
        return None
    roles: list[str] = []
    for p, item in r.items(value, path, "roles"):
        if not isinstance(item, str) or item not in ROLES:
            hint = suggest(item, ROLES) if isinstance(item, str) else ""
            r.wrong(p, f"one of {', '.join(ROLES)}", item, hint)
        elif item in roles:
            r.add(p, f"role '{item}' is listed twice")
        else:
            roles.append(item)
    return tuple(roles) if len(roles) == len(value) else None


def _read_screen(r: Reader, value: Any, path: str) -> ScreenConfig | None:
    table = r.table(value, path, SCREEN_KEYS)
    if table is None:
        return None
    default = ScreenConfig()
    side = integer_field(1, MAX_SCREEN_SIDE, "a number of pixels")
    width = r.get(table, path, "width", side, default=default.width)
    height = r.get(table, path, "height", side, default=default.height)
    full = r.get(table, path, "fullscreen", boolean_field, default=default.fullscreen)
    if width is None or height is None or full is None:
        return None
    return ScreenConfig(width, height, full)


@dataclass
class _DeviceParts:
    path: str
    id: str | None
    roles: tuple[str, ...] | None
    room: str | None
    device: Device | None


def read_device(r: Reader, value: Any, path: str) -> _DeviceParts:
    table = r.table(value, path, DEVICE_KEYS)
    if table is None:
        return _DeviceParts(path, None, None, None, None)
    device_id = r.get(table, path, "id", ident)
    roles = r.get(table, path, "roles", _read_roles)
    room = r.get(table, path, "room", text_field, default=None)
    screen = r.get(table, path, "screen", _read_screen, default=ScreenConfig())
    if "printer" in table:
        printer = read_printer(r, table["printer"], join_path(path, "printer"))
    else:
        printer = PrinterConfig(kind="none")
        if roles and "kiosk" in roles:
            r.add(join_path(path, "printer"), "missing: a kiosk needs a [devices.printer] table "
                  '(kind = "none" if it has no printer)')
    chime = r.get(table, path, "chime", boolean_field, default=True)
    kiosk = r.get(table, path, "kiosk", read_kiosk, default=KioskConfig())
    room_unit = r.get(table, path, "room_unit", read_room_unit, default=RoomUnitConfig())
    if "room_unit" in table and roles and "room" not in roles:
        r.add(join_path(path, "room_unit"), "only a device with the room role has sensors and "
              "clerk keys; add 'room' to its roles or remove this table")
    display = r.get(table, path, "display", read_display, default=DisplayConfig())
    if "display" in table and roles and not {"display", "room"} & set(roles):
        r.add(join_path(path, "display"), "only a device with the display or room role has a "
              "display table; add the role or remove this table")
    feedback = r.get(table, path, "feedback", read_feedback, default=FeedbackConfig())
    if "feedback" in table and roles and "feedback" not in roles:
        r.add(join_path(path, "feedback"), "only a device with the feedback role has a "
              "feedback table; add the role or remove this table")
    web = r.get(table, path, "web", read_web, default=WebConfig())
    if "web" in table and roles and "web" not in roles:
        r.add(join_path(path, "web"), "only a device with the web role serves the staff "
              "console; add 'web' to its roles or remove this table")
    device = None
    if (device_id and roles and screen and printer and chime is not None and kiosk
            and room_unit and display and feedback and web):
        device = Device(device_id, roles, room, screen, printer, chime, kiosk, room_unit,
                        display, feedback, web)
    return _DeviceParts(path, device_id, roles, room, device)


def check_devices(r: Reader, devices: list[_DeviceParts], room_ids: Sequence[str] | None,
                   path: str) -> None:
    check_unique(r, ((join_path(d.path, "id"), d.id) for d in devices), "device id")
    for d in devices:
        _check_device_room(r, d, room_ids)
    controllers = [d for d in devices if d.roles and "controller" in d.roles]
    if not controllers and all(d.roles is not None for d in devices):
        r.add(path, "no device has the controller role; exactly one must (it keeps the queue)")
    for extra in controllers[1:]:
        r.add(join_path(extra.path, "roles"), f"a second controller: {controllers[0].id} already "
              "has the controller role and a site has exactly one")


def _check_device_room(r: Reader, d: _DeviceParts, room_ids: Sequence[str] | None) -> None:
    path = join_path(d.path, "room")
    has_role = d.roles is not None and "room" in d.roles
    if d.room is None:
        if has_role:
            r.add(path, "missing: a device with the room role names its room, such as room = \"1\"")
    elif d.roles is not None and not has_role:
        r.add(path, "only a device with the room role names a room; add 'room' to its roles "
              "or remove this key")
    elif room_ids is not None and d.room not in room_ids:
        known = ", ".join(dict.fromkeys(room_ids))
        hint = suggest(d.room, room_ids) or f"; rooms: {known}"
        r.add(path, f"unknown room '{d.room}'{hint}")
