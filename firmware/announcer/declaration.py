"""The announcer role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from firmware.announcer.config import AnnouncerConfig, announcer_summary, read_announcer
from firmware.roles import BuildContext, ConfigTable, Grant, RoleDeclaration
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics

ANNOUNCER = ConfigTable(key="announcer", read=read_announcer, default=AnnouncerConfig,
                        place=8, summary=announcer_summary)


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    return [("read", topics.queue_state(config.site.id))]  # the calls; it sends nothing


def build(context: BuildContext) -> Any:
    from firmware.announcer.role import AnnouncerRole  # the mixer and espeak-ng: only here

    return AnnouncerRole()


DECLARATION = RoleDeclaration(
    name="announcer", offline_words=("kuulutuslaite", "utropsenheten", "announcer"),
    place=70, build=build, tables=(ANNOUNCER,), grants=grants)
