"""The display role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from firmware.roles import BuildContext, ConfigTable, Grant, RoleDeclaration
from firmware.site_config.display import read_display
from firmware.site_config.reader import boolean_field
from firmware.site_model import Device, DisplayConfig, SiteConfig
from mqtt_bridge import topics

CHIME = ConfigTable(key="chime", read=boolean_field, default=lambda: True, place=2,
                    anywhere=True)
DISPLAY = ConfigTable(key="display", read=read_display, default=DisplayConfig, place=5)


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    site = config.site.id
    return [("read", topics.queue_state(site)),
            ("read", f"{topics.site_root(site)}/device/+/status")]  # is the controller there?


def build(context: BuildContext) -> Any:
    from firmware.display.role import DisplayRole

    return DisplayRole(frames_dir=context.frames_dir)


DECLARATION = RoleDeclaration(
    name="display", offline_words=("aulanäyttö", "väntsalsskärmen", "lobby display"),
    place=30, build=build, tables=(CHIME, DISPLAY), grants=grants,
    owns_screen=lambda device: True)
