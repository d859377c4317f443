"""The controller role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from firmware.roles import BuildContext, Grant, RoleDeclaration
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    """It alone keeps the queue: reads the commands, writes the queue, alerts and answers."""
    root = topics.site_root(config.site.id)
    granted = [
        ("read", f"{root}/cmd/#"),
        ("write", f"{root}/queue/#"),
        ("write", f"{root}/alert/#"),
        ("write", f"{root}/reply/#"),
        ("read", f"{root}/room/+/occupancy"),
        ("read", f"{root}/device/+/#"),  # every device's status and health
        ("read", topics.alarm_filter(config.site.id)),  # recorded, never written
    ]
    if config.phone.enabled:
        granted.append(("write", f"{root}/public/#"))  # the tickets followed on phones
    if config.site.home_assistant_discovery:
        granted.append(("write", "homeassistant/#"))  # the discovery configs
    return granted


def build(context: BuildContext) -> Any:
    from firmware.controller.role import ControllerRole

    if context.recheck_s is None:
        return ControllerRole()
    return ControllerRole(recheck_s=context.recheck_s)


DECLARATION = RoleDeclaration(name="controller", place=10, build=build, grants=grants)
