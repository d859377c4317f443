"""The config watch, the role every device plays without listing it (firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from firmware.roles import BuildContext, Grant, RoleDeclaration
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics


def grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    return [("read", f"{topics.site_root(config.site.id)}/config/#")]  # the pushed site config


def build(context: BuildContext) -> Any:
    from firmware.admin.config_watch import ConfigWatchRole

    return ConfigWatchRole()


# Every device follows the site's centrally pushed config (piste config push). It is built
# after the device's own roles, and its grant stands before theirs in the ACL.
DECLARATION = RoleDeclaration(name="config", place=0, build=build, grants=grants,
                              every_device=True)
