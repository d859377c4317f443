"""The roles a device can play, each declared once, in its own package's `declaration.py`.

A declaration says everything the rest of the program needs to know about a role: its name,
the tables it reads under `[[devices]]`, the topics it reads and writes and the commands it
may send (the broker's ACL and the controller's client table are made from these), whether it
opens a screen, and how it is built. `site_config`, `device.py`, `mqtt_bridge.acl` and
`mqtt_bridge.clients` loop over the declarations; none of them names a role.

Modelled on Klipper's extras: klippy imports `extras/<section>.py` by the name of a config
section and calls its `load_config`. Here every `firmware/<package>/declaration.py` is found
by looking, imported by name and asked for its `DECLARATION`: a new role is its folder and
that file. Declarations import only light modules (the config readers, the topic names); a
role's own code, with SDL, the printer or Starlette, is imported by its `build` alone, so a
room unit never loads SDL and a display never the printer.

This module sits at the bottom, beside `site_model`: it names no role and imports no config
reader, so everything may use it (site_config, mqtt_bridge, device.py). The declarations it
loads by name import the readers and topic names in turn, as Klipper's extras import klippy's
modules: a plugin's dependency, made when the first config is read, never at import time.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import firmware
from firmware.site_model import Device, SiteConfig

DECLARATION_MODULE = "declaration"

# One broker permission: ("read" | "write" | "readwrite", topic or topic filter).
Grant = tuple[str, str]


@dataclass(frozen=True)
class ConfigTable:
    """A table under `[[devices]]` that a role reads, e.g. `[devices.kiosk]`.

    `read(reader, value, path)` is the site_config reader of the table (it reports its own
    problems and returns None when any); an absent table is `default()`.
    """

    key: str
    read: Callable[[Any, Any, str], Any]
    default: Callable[[], Any]
    # Where the key stands among the device table's keys: the "expected one of" message
    # lists them in this order, and they are read (and their problems listed) in it.
    place: int
    # Any device may carry it; otherwise only one with a role that brings or uses the table.
    anywhere: bool = False
    # The sentence for a table on a device without such a role; "" makes the usual one.
    misplaced: str = ""
    # A device with the role that brings it must carry the table, else this sentence;
    # "": an absent table is simply its default.
    missing: str = ""
    # The table as plain data for `piste check-config --json`; None: dataclasses.asdict.
    summary: Callable[[Any], dict[str, Any]] | None = None

    def misplaced_message(self, users: Sequence[str]) -> str:
        if self.misplaced:
            return self.misplaced
        article = "an" if self.key[:1] in "aeiou" else "a"
        return (f"only a device with the {_either(users)} role has {article} {self.key} "
                "table; add the role or remove this table")


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


@dataclass(frozen=True)
class BuildContext:
    """What `piste run` knows when it builds a device's roles."""

    config: SiteConfig
    device: Device
    frames_dir: Path | None = None  # where screens save their frames (tests, screenshots)
    recheck_s: float | None = None  # the controller's recheck period; None: its default


def _no_grants(config: SiteConfig, device: Device) -> Sequence[Grant]:
    return ()


def _no_commands(config: SiteConfig, device: Device) -> Iterable[str]:
    return ()


def _no_traits(device: Device) -> Mapping[str, Any]:
    return {}


def _no_screen(device: Device) -> bool:
    return False


@dataclass(frozen=True)
class RoleDeclaration:
    """One role, as `roles = [...]` in a device's config names it."""

    name: str
    # Where the role stands among the roles: the config's messages list them in this order,
    # a device builds and starts its roles in it, and the ACL grants their topics in it.
    place: int
    # Makes the role's object (a firmware.runtime.Role); imports the role's code itself.
    build: Callable[[BuildContext], Any]
    tables: tuple[ConfigTable, ...] = ()  # the tables this role brings to [[devices]]
    uses: tuple[str, ...] = ()  # keys of other roles' tables it reads as well
    # What a device with the role may read and write on the broker (beyond its own
    # device/{id}/# and reply/{id}, which every device has), in the terms of mqtt_bridge.topics.
    grants: Callable[[SiteConfig, Device], Sequence[Grant]] = _no_grants
    # The commands it may send the controller (names from mqtt_bridge.topics).
    commands: Callable[[SiteConfig, Device], Iterable[str]] = _no_commands
    # What the controller knows of such a client (mqtt_bridge.clients.Client's fields).
    client: Callable[[Device], Mapping[str, Any]] = _no_traits
    # Whether the device opens its screen for this role.
    owns_screen: Callable[[Device], bool] = _no_screen
    # What the staff call such a device (fi, sv, en) when the controller tells them it has
    # dropped off the network; (): its absence raises no alert (the staff console's would
    # go to the very page that is down).
    offline_words: tuple[str, ...] = ()
    # Played by every device without being listed in its roles (the config watch).
    every_device: bool = False


@dataclass(frozen=True)
class Roles:
    """The declarations found, in their places."""

    declarations: tuple[RoleDeclaration, ...] = field(default_factory=tuple)

    @property
    def listed(self) -> tuple[RoleDeclaration, ...]:
        """The roles a config may list for a device."""
        return tuple(d for d in self.declarations if not d.every_device)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.listed)

    def of(self, device: Device) -> tuple[RoleDeclaration, ...]:
        """The device's own roles, in their places (not in the order its config lists them)."""
        return tuple(d for d in self.listed if d.name in device.roles)

    def owns_screen(self, device: Device) -> bool:
        """Whether the device opens its screen: one of its roles draws on it."""
        return any(d.owns_screen(device) for d in self.of(device))

    @property
    def always(self) -> tuple[RoleDeclaration, ...]:
        return tuple(d for d in self.declarations if d.every_device)

    @property
    def tables(self) -> tuple[ConfigTable, ...]:
        return tuple(sorted((t for d in self.declarations for t in d.tables),
                            key=lambda t: t.place))

    def owner(self, table: ConfigTable) -> str:
        return next(d.name for d in self.declarations if table in d.tables)

    def users(self, table: ConfigTable) -> tuple[str, ...]:
        """The roles that bring or read the table, in their places."""
        return tuple(d.name for d in self.listed if table in d.tables or table.key in d.uses)


def discover(package_paths: Iterable[str]) -> Roles:
    """Every `<package>/declaration.py` under the given paths of the firmware package."""
    files = sorted((f for path in package_paths
                    for f in Path(path).glob(f"*/{DECLARATION_MODULE}.py")),
                   key=lambda f: f.parent.name)
    found = [importlib.import_module(f"firmware.{f.parent.name}.{DECLARATION_MODULE}").DECLARATION
             for f in files if (f.parent / "__init__.py").is_file()]
    for what, values in (("names", [d.name for d in found]), ("places", [d.place for d in found])):
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            raise RuntimeError(f"role {what} declared twice: {', '.join(twice)}")
    return Roles(tuple(sorted(found, key=lambda d: d.place)))


@functools.cache
def _discovered(paths: tuple[str, ...]) -> Roles:
    return discover(paths)


def declared() -> Roles:
    """The roles of this program: found once per set of firmware paths."""
    return _discovered(tuple(firmware.__path__))
