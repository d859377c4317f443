"""`piste web-user`: the staff logins of the browser console.

    piste web-user add NAME --role clerk|advisor|service|technician|guard [--room ROOM]
                       [--languages fi,sv] [--replace]
    piste web-user remove NAME
    piste web-user list
    piste web-user passwd NAME
each with [--config SITE.toml [--device ID]] [--data-dir DIR | --users-file PATH], and add
and passwd with [--password-file FILE|-] (else the password is asked for twice, not shown).

The file is where the console reads it: --users-file, else the `users_file` of the device's
[devices.web] (with --config and --device), else DATA_DIR/web-users.toml. It is replaced
atomically, mode 0600, and keeps its owner when root writes it, so the console (the piste
user) can still read it. The console reads it again at once: a removed user, or one with a
new role, room or password, is logged out at their next click. Exit status 2: nothing was
changed (a wrong name, role or room, a refused password, a file that cannot be used).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from firmware.admin.files import write_atomic
from firmware.cli.common import DEFAULT_DATA_DIR
from firmware.core.password import hash_secret
from firmware.core.plural import counted
from firmware.site_config import ConfigError, load_site_config
from firmware.site_config.reader import ID_PATTERN
from firmware.site_model import LANGS, SiteConfig, WebConfig
from firmware.web.accounts import (
    NAME,
    PASSWORD_MIN,
    STAFF_ROLES,
    StaffUser,
    UsersFileError,
    parse_users,
    users_text,
)

COMMAND = "web-user"
LOGGED_OUT = "their open sessions end at their next click"


class Refused(Exception):
    """The command cannot do what was asked; the message says why and what to do."""


def register(sub: Any) -> None:
    web = sub.add_parser(COMMAND, help="the staff console's logins: add, remove, list, passwd",
                         description=__doc__.split("\n")[0])
    actions = web.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a login (or with --replace give it a new role, "
                             "room and password)")
    add.add_argument("name", help="1-32 characters a-z, 0-9, '.', '_' or '-'")
    add.add_argument("--role", required=True, help=" | ".join(STAFF_ROLES))
    add.add_argument("--room", help="a clerk's room: its id in the site config")
    add.add_argument("--languages", help="a clerk's languages of service, e.g. fi,sv (default: "
                     "the room's from the site config); the console starts their session so")
    add.add_argument("--replace", action="store_true",
                     help="the name exists: give it this role, room and password")
    remove = actions.add_parser("remove", help="remove a login")
    remove.add_argument("name")
    listing = actions.add_parser("list", help="the logins: names, roles, rooms (never hashes)")
    passwd = actions.add_parser("passwd", help="a new password for a login")
    passwd.add_argument("name")
    for parser in (add, passwd):
        parser.add_argument("--password-file", help="read the password from the first line "
                            "of this file ('-': standard input) instead of asking for it")
    for parser in (add, remove, listing, passwd):
        _where_args(parser)


def _where_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="the site config: checks a clerk's room; "
                        "with --device, the device's [devices.web] users_file is used")
    parser.add_argument("--device", help="the web device's id in --config")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                       help=f"the device's data directory (default {DEFAULT_DATA_DIR})")
    where.add_argument("--users-file", type=Path, help="this users file (wins over the rest)")


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command != COMMAND:
        return None
    actions: dict[str, Callable[[argparse.Namespace], int]] = {
        "add": add_user, "remove": remove_user, "list": list_users, "passwd": change_password}
    try:
        return actions[args.action](args)
    except Refused as exc:
        print(f"piste web-user {args.action}: {exc}", file=sys.stderr)
        return 2


# -- where the file is, and what the site allows ----------------------------------------------


def _site(args: argparse.Namespace) -> tuple[SiteConfig | None, Path]:
    """The site config (when given) and the users file the command works on."""
    if args.device and args.config is None:
        raise Refused("--device needs --config SITE.toml: the device's [devices.web] table "
                      "names its users file")
    config = None
    if args.config is not None:
        try:
            config = load_site_config(args.config)
        except ConfigError as exc:
            raise Refused(f"the site config cannot be used:\n{exc}") from None
    if args.users_file is not None:
        return config, args.users_file
    name = WebConfig().users_file
    if args.device and config is not None:
        name = _web_device(config, args.device).web.users_file
    path = Path(name)
    return config, path if path.is_absolute() else args.data_dir / path


def _web_device(config: SiteConfig, device_id: str) -> Any:
    web = [d.id for d in config.devices if "web" in d.roles]
    device = next((d for d in config.devices if d.id == device_id), None)
    if device is None or "web" not in device.roles:
        what = "no device" if device is None else "no web role on device"
        raise Refused(f"{what} '{device_id}' in the site config; devices with the web role: "
                      f"{', '.join(web) or 'none'}")
    return device


def _rooms(config: SiteConfig | None) -> set[str] | None:
    return {r.id for r in config.rooms} if config is not None else None


def _name(name: str) -> str:
    if NAME.fullmatch(name):
        return name
    hint = f"; did you mean '{name.lower()}'?" if NAME.fullmatch(name.lower()) else ""
    raise Refused(f"'{name}' cannot be a login name: 1-32 characters a-z, 0-9, '.', '_' or "
                  f"'-', the first a letter or digit{hint}")


def _room(role: str, room: str | None, rooms: set[str] | None) -> str | None:
    if role not in STAFF_ROLES:
        raise Refused(f"unknown role '{role}': one of {', '.join(STAFF_ROLES)}")
    if role != "clerk":
        if room is not None:
            raise Refused(f"only a clerk has a room; leave out --room for the {role}")
        return None
    if not room:
        raise Refused("a clerk serves one room: give --room ROOM (its id in the site config)")
    if rooms is not None and room not in rooms:
        raise Refused(f"no room '{room}' in the site config; rooms: {', '.join(sorted(rooms))}")
    if not ID_PATTERN.fullmatch(room):
        raise Refused(f"'{room}' is not a room id (a-z, 0-9 and '-', as in the site config)")
    return room


def _languages(role: str, given: str | None) -> tuple[str, ...] | None:
    if given is None:
        return None
    if role != "clerk":
        raise Refused(f"only a clerk serves in languages; leave out --languages for the {role}")
    chosen = [part.strip() for part in given.split(",") if part.strip()]
    if not chosen or len(set(chosen)) != len(chosen) or any(x not in LANGS for x in chosen):
        raise Refused(f"--languages {given}: one to three of {', '.join(LANGS)}, each once, "
                      "separated by commas (e.g. fi,sv)")
    return tuple(x for x in LANGS if x in chosen)


# -- the file -------------------------------------------------------------------------------


def _permission_hint(exc: OSError) -> str:
    return " (the data directory is the piste user's: run this with sudo)" \
        if isinstance(exc, PermissionError) else ""


def _read(path: Path, rooms: set[str] | None = None) -> dict[str, StaffUser]:
    """The logins in the file; none when there is no file yet. A file that cannot be read or
    parsed is refused: writing over it would lose the logins it still holds."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise Refused(f"cannot read {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}"
                      f"{_permission_hint(exc)}") from None
    try:
        return parse_users(text, rooms)
    except UsersFileError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems)
        count = counted(len(exc.problems), "problem", "problems")
        raise Refused(f"{path} cannot be used ({count}); the console lets nobody in until it "
                      f"is fixed:\n{problems}") from None


def _keep_owner(new: Path, path: Path) -> None:
    """Root (sudo) writes for the console, which runs as the piste user: the new file gets
    the owner of the one it replaces, or of the folder it goes into."""
    if os.geteuid() != 0:
        return
    source = path if path.exists() else path.parent
    owner = source.stat()
    os.chown(new, owner.st_uid, owner.st_gid)


def _write(path: Path, users: dict[str, StaffUser]) -> None:
    # Written whole beside it, given its owner, then renamed over it: the console never
    # reads half a file, nor one it may not open.
    new = path.with_name(f".{path.name}.new")
    try:
        write_atomic(new, users_text(list(users.values())), mode=0o600)
        _keep_owner(new, path)
        os.replace(new, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            new.unlink(missing_ok=True)
        raise Refused(f"cannot write {path}: {exc.strerror or exc}"
                      f"{_permission_hint(exc)}; nothing was changed") from None


def _password(args: argparse.Namespace, name: str) -> str:
    source = args.password_file
    try:
        if source == "-":
            password = sys.stdin.readline().rstrip("\r\n")
        elif source:
            lines = Path(source).read_text(encoding="utf-8").splitlines()
            password = lines[0] if lines else ""
        else:
            password = getpass.getpass(f"password for {name} (at least {PASSWORD_MIN} "
                                       "characters, not shown): ")
    except (OSError, UnicodeDecodeError) as exc:
        raise Refused(f"--password-file {source}: {getattr(exc, 'strerror', None) or exc}") \
            from None
    except EOFError:
        raise Refused("no password given") from None
    if len(password) < PASSWORD_MIN:
        raise Refused(f"a password is at least {PASSWORD_MIN} characters: a phrase, not a PIN "
                      "(the console is on the site network); nothing was changed")
    if not source:
        try:
            again = getpass.getpass("again: ")
        except EOFError:
            again = ""
        if again != password:
            raise Refused("the two passwords differ; nothing was changed")
    return password


# -- the actions ----------------------------------------------------------------------------


def add_user(args: argparse.Namespace) -> int:
    name = _name(args.name)
    config, path = _site(args)
    room = _room(args.role, args.room, _rooms(config))
    users = _read(path)
    old = users.get(name)
    if old is not None and not args.replace:
        raise Refused(f"{old.label()} is already in {path}: add --replace to give them a new "
                      f"role, room and password, or `piste web-user passwd {name}` for only "
                      "a new password")
    languages = _languages(args.role, args.languages)
    users[name] = StaffUser(name, args.role, hash_secret(_password(args, name)), room,
                            languages)
    _write(path, users)
    done = f"replaced {old.label()} with" if old else "added"
    print(f"{done} {users[name].label()} in {path}" + (f"; {LOGGED_OUT}" if old else ""))
    if room is not None and config is None:
        print("the room was not checked against the site: give --config SITE.toml to check "
              "it", file=sys.stderr)
    return 0


def _known(name: str, path: Path, users: dict[str, StaffUser]) -> StaffUser:
    if name not in users:
        raise Refused(f"no login '{name}' in {path}; logins: {', '.join(sorted(users)) or 'none'}")
    return users[name]


def remove_user(args: argparse.Namespace) -> int:
    name = _name(args.name)
    _config, path = _site(args)
    users = _read(path)
    gone = _known(name, path, users)
    del users[name]
    _write(path, users)
    print(f"removed {gone.label()} from {path}; {LOGGED_OUT}")
    return 0


def change_password(args: argparse.Namespace) -> int:
    name = _name(args.name)
    _config, path = _site(args)
    users = _read(path)
    user = _known(name, path, users)
    users[name] = dataclasses.replace(user, password_hash=hash_secret(_password(args, name)))
    _write(path, users)
    print(f"new password for {user.label()}; {LOGGED_OUT}")
    return 0


def list_users(args: argparse.Namespace) -> int:
    """Names, roles and rooms; never the hashes. With --config the rooms are checked as the
    console checks them, so a clerk whose room left the site config is found here."""
    config, path = _site(args)
    if not path.exists():
        print(f"no staff logins in {path} yet: add them with `piste web-user add`")
        return 0
    users = _read(path, _rooms(config))
    if not users:
        print(f"no staff logins in {path}: add them with `piste web-user add`")
        return 0
    rows = [("name", "role", "room", "languages")] + [
        (u.name, u.role, u.room or "-", ",".join(u.languages) if u.languages else
         ("(the room's)" if u.role == "clerk" else "-"))
        for u in sorted(users.values(), key=lambda u: u.name)]
    width = max(len(row[0]) for row in rows)
    for name, role, room, languages in rows:
        print(f"{name:<{width}}  {role:<10}  {room:<4}  {languages}")
    return 0
