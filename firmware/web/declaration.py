"""The web role (the staff console) as the rest of the program sees it (firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from firmware.roles import BuildContext, ConfigTable, Grant, RoleDeclaration
from firmware.site_config.web import read_web
from firmware.site_model import Device, SiteConfig, WebConfig
from mqtt_bridge import topics
from mqtt_bridge.clients import CONSOLE_COMMANDS

WEB = ConfigTable(
    key="web", read=read_web, default=WebConfig, place=7,
    misplaced="only a device with the web role serves the staff console; add 'web' to its "
              "roles or remove this table")


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    """The console sees the lobby as the staff do and sends print jobs to the kiosks; its
    commands (any room's: it checks each person's role itself) are CONSOLE_COMMANDS. With a
    public listener it also reads the tickets' public messages, for the phone pages."""
    site = config.site.id
    root = topics.site_root(site)
    return [
        ("read", topics.queue_state(site)),
        ("read", topics.queue_events(site)),
        ("read", f"{root}/device/+/#"),
        ("read", f"{root}/room/+/occupancy"),
        ("read", f"{root}/alert/#"),
        # The one writer of print jobs: no kiosk, display or room unit may make a kiosk print.
        ("write", topics.kiosk_print(site, "+")),
        # The silent alarm: a clerk's or a technician's raise (any room: the console checks
        # the person), and the guard's or advisor's answer, which no device may write.
        ("read", topics.alarm_filter(site)),
        ("write", topics.alarm_raised(site, "+")),
        ("write", topics.alarm_answer(site, "+")),
        # The tickets followed on phones, for its public listener when the site has one.
        *([("read", topics.public_filter(site))] if serves_phone_pages(config) else []),
    ]


def serves_phone_pages(config: SiteConfig) -> bool:
    """Whether the web role opens its second, public listener for the phone pages."""
    return config.phone.enabled and config.phone.public_port > 0


def commands(config: SiteConfig, device: Device) -> Iterable[str]:
    return CONSOLE_COMMANDS


def build(context: BuildContext) -> Any:
    from firmware.web.role import WebRole  # Starlette loads only here

    return WebRole()


DECLARATION = RoleDeclaration(
    name="web", place=60, build=build, tables=(WEB,), grants=grants, commands=commands,
    client=lambda device: {"console": True})  # acts for any room, for the logged-in staff
