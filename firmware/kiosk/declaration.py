"""The kiosk role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from firmware.roles import BuildContext, ConfigTable, Grant, RoleDeclaration
from firmware.site_config.kiosk import read_kiosk
from firmware.site_config.printer import read_printer
from firmware.site_model import Device, KioskConfig, PrinterConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.clients import KIOSK_COMMANDS

PRINTER = ConfigTable(
    key="printer", read=read_printer, default=lambda: PrinterConfig(kind="none"), place=1,
    anywhere=True,
    missing='missing: a kiosk needs a [devices.printer] table (kind = "none" if it has no '
            'printer)')
KIOSK = ConfigTable(key="kiosk", read=read_kiosk, default=KioskConfig, place=3, anywhere=True)


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    site = config.site.id
    return [("read", topics.queue_state(site)),
            ("read", topics.kiosk_print(site, device.id))]  # its own print jobs only


def commands(config: SiteConfig, device: Device) -> Iterable[str]:
    if config.survey.kiosk:
        return (*KIOSK_COMMANDS, topics.SURVEY)  # the survey mode, during the survey month
    return KIOSK_COMMANDS


def client(device: Device) -> Mapping[str, Any]:
    # The per-kiosk ticket cap applies; only with a printer may its health raise printer alerts.
    return {"kiosk": True, "printer": device.printer.kind != "none"}


def build(context: BuildContext) -> Any:
    from firmware.kiosk.role import KioskRole

    return KioskRole(frames_dir=context.frames_dir)


DECLARATION = RoleDeclaration(
    name="kiosk", offline_words=("vuoronumerolaite", "könummerautomaten", "ticket dispenser"),
    place=20, build=build, tables=(PRINTER, KIOSK), grants=grants,
    commands=commands, client=client, owns_screen=lambda device: True)
