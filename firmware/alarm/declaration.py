"""The alarm role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from firmware.alarm.config import MISSING_TABLE, NoAlarmRelay, read_alarm_relay
from firmware.roles import BuildContext, ConfigTable, Grant, RoleDeclaration
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics

ALARM = ConfigTable(key="alarm", read=read_alarm_relay, default=NoAlarmRelay, place=9,
                    missing=MISSING_TABLE)


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    site = config.site.id
    # It hears every room's alarm and says only that one escalated: it can neither raise,
    # hide nor answer an alarm.
    return [("read", topics.alarm_filter(site)), ("write", topics.alarm_escalated(site, "+"))]


def build(context: BuildContext) -> Any:
    from firmware.alarm.role import AlarmRelayRole  # gpiozero: only here

    return AlarmRelayRole()


DECLARATION = RoleDeclaration(
    name="alarm", offline_words=("hälytysrele", "larmreläet", "alarm relay"),
    place=45, build=build, tables=(ALARM,), grants=grants)
