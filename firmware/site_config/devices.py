"""The `[[devices]]` tables: roles, room, screen, and the role tables each device may carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from firmware.roles import Roles, declared
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
from firmware.site_model import Device, ScreenConfig

MAX_SCREEN_SIDE = 16384

# The keys of every device; each role's declaration brings its own tables after these.
CORE_KEYS = ("id", "roles", "room", "screen")


def device_keys(roles: Roles) -> tuple[str, ...]:
    return CORE_KEYS + tuple(t.key for t in roles.tables)


SCREEN_KEYS = ("width", "height", "fullscreen")


def _read_roles(r: Reader, value: Any, path: str) -> tuple[str, ...] | None:
    names = declared().names
    expected = f"a list of roles from {', '.join(names)}"
    if not isinstance(value, list) or not value:
        r.wrong(path, expected, value)
        return None
    roles: list[str] = []
    for p, item in r.items(value, path, "roles"):
        if not isinstance(item, str) or item not in names:
            hint = suggest(item, names) if isinstance(item, str) else ""
            r.wrong(p, f"one of {', '.join(names)}", item, hint)
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
    roles_declared = declared()
    table = r.table(value, path, device_keys(roles_declared))
    if table is None:
        return _DeviceParts(path, None, None, None, None)
    device_id = r.get(table, path, "id", ident)
    roles = r.get(table, path, "roles", _read_roles)
    room = r.get(table, path, "room", text_field, default=None)
    screen = r.get(table, path, "screen", _read_screen, default=ScreenConfig())
    tables = _read_role_tables(r, table, path, roles, roles_declared)
    device = None
    if device_id and roles and screen and tables is not None:
        named = {f.name for f in fields(Device)}
        device = Device(device_id, roles, room, screen,
                        **{k: v for k, v in tables.items() if k in named},
                        more=tuple((k, v) for k, v in tables.items() if k not in named))
    return _DeviceParts(path, device_id, roles, room, device)


def _read_role_tables(r: Reader, table: dict[str, Any], path: str,
                      roles: tuple[str, ...] | None, declared_roles: Roles,
                      ) -> dict[str, Any] | None:
    """Each declared table of the device, or its default; None if any is wrong."""
    values: dict[str, Any] = {}
    for t in declared_roles.tables:
        values[t.key] = r.get(table, path, t.key, t.read, default=t.default())
        where = join_path(path, t.key)
        if t.key not in table and t.missing and roles and declared_roles.owner(t) in roles:
            r.add(where, t.missing)
        users = declared_roles.users(t)
        if t.key in table and roles and not t.anywhere and not set(users) & set(roles):
            r.add(where, t.misplaced_message(users))
    # A table read as False (chime = false) is there; only None says it was wrong.
    return None if any(v is None for v in values.values()) else values


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
