"""The `[[rooms]]` tables: each room and the services it serves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from firmware.site_config.reader import (
    LANG_NAMES,
    MISSING,
    Reader,
    ident,
    join_path,
    localized,
    suggest,
)
from firmware.site_model import (
    LANGS,
    Room,
)

ROOM_KEYS = ("id", "name", "services", "languages")


def read_languages(r: Reader, value: Any, path: str) -> tuple[str, ...] | None:
    """A room's (or a login's) languages of service: a non-empty list of fi, sv and en."""
    known = ", ".join(f'"{lang}" ({LANG_NAMES[lang]})' for lang in LANGS)
    items = r.items(value, path, "languages")
    if not isinstance(value, list):
        return None
    if not value:
        r.add(path, f"a room serves in at least one language: {known}")
        return None
    chosen: list[str] = []
    ok = True
    for p, item in items:
        if not isinstance(item, str) or item not in LANGS:
            hint = suggest(item, LANGS) if isinstance(item, str) else ""
            r.wrong(p, f"one of {known}", item, hint)
            ok = False
        elif item in chosen:
            r.add(p, f"'{item}' is listed twice")
            ok = False
        else:
            chosen.append(item)
    return tuple(chosen) if ok else None


def read_room(r: Reader, value: Any, path: str) -> tuple[Room | None, list[tuple[str, str]]]:
    """The room, and its service references (path, id) for the cross check."""
    table = r.table(value, path, ROOM_KEYS)
    if table is None:
        return None, []
    room_id = r.get(table, path, "id", ident)
    name = r.get(table, path, "name", localized)
    refs: list[tuple[str, str]] = []
    services_path = join_path(path, "services")
    for p, item in r.items(table.get("services", MISSING), services_path, "service ids"):
        if not isinstance(item, str):
            r.wrong(p, "a service id in quotes", item)
        elif item in (ref for _, ref in refs):
            r.add(p, f"'{item}' is listed twice")
        else:
            refs.append((p, item))
    languages = r.get(table, path, "languages", read_languages, default=LANGS)
    if (room_id and name and languages and "services" in table
            and isinstance(table["services"], list)):
        return Room(room_id, name, tuple(ref for _, ref in refs), languages), refs
    return None, refs


def check_rooms(r: Reader, refs: list[tuple[str, str]],
                 service_ids: Sequence[str] | None) -> None:
    if service_ids is None:
        return
    for path, ref in refs:
        if ref not in service_ids:
            known = ", ".join(dict.fromkeys(service_ids))
            hint = suggest(ref, service_ids) or f"; services: {known}"
            r.add(path, f"unknown service '{ref}'{hint}")
