"""The room role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from firmware.roles import BuildContext, ConfigTable, Grant, RoleDeclaration
from firmware.site_config.room_unit import read_room_unit
from firmware.site_model import Device, RoomUnitConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.clients import ROOM_COMMANDS

ROOM_UNIT = ConfigTable(
    key="room_unit", read=read_room_unit, default=RoomUnitConfig, place=4,
    misplaced="only a device with the room role has sensors and clerk keys; add 'room' to "
              "its roles or remove this table")


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    if not device.room:
        return ()
    site = config.site.id
    # It reports only its own room's occupancy, and raises only its own room's silent alarm
    # (reading back its raise, the answer and any escalation of that room, nobody else's).
    return [("read", topics.queue_state(site)),
            ("readwrite", topics.room_occupancy(site, device.room)),
            ("readwrite", topics.alarm_raised(site, device.room)),
            ("read", topics.alarm_filter(site, device.room))]


def commands(config: SiteConfig, device: Device) -> Iterable[str]:
    return ROOM_COMMANDS if device.room else ()


def client(device: Device) -> Mapping[str, Any]:
    return {"room": device.room}  # the one room it may act for


def build(context: BuildContext) -> Any:
    from firmware.room.role import RoomRole

    return RoomRole(frames_dir=context.frames_dir)


DECLARATION = RoleDeclaration(
    name="room", offline_words=("huoneyksikkö", "rumsenheten", "room unit"),
    place=40, build=build, tables=(ROOM_UNIT,), uses=("display",), grants=grants,
    commands=commands, client=client)
