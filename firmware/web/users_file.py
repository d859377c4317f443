"""The staff logins file on disk, read again whenever `piste web-user` changed it.

A user removed, or given another role, room or password, is logged out everywhere at the
next click: the console never acts on a session the file no longer backs.
"""

from __future__ import annotations

import logging
from pathlib import Path

from firmware.web.accounts import StaffUser, UsersFileError, parse_users

log = logging.getLogger(__name__)


class UserDirectory:
    def __init__(self, path: Path, rooms: set[str] | None = None) -> None:
        self.path = path
        self.rooms = rooms
        self.problem = ""
        self._users: dict[str, StaffUser] = {}
        self._stamp: tuple[int, int] | None = None

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._users, self._stamp = {}, None
            self.problem = f"no staff logins yet: add them with `piste web-user add` ({self.path})"
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            self._users = parse_users(self.path.read_text(encoding="utf-8"), self.rooms)
            self.problem = ""
            self._stamp = stamp  # read whole: until it changes, nothing to read again
        except (OSError, UnicodeDecodeError, UsersFileError) as exc:
            # Keep nobody in rather than somebody the broken file may no longer mean; read
            # it again at the next login (a permission fixed, say).
            self._users = {}
            self.problem = f"{self.path}: {exc}"
            log.error("staff logins unusable, nobody can log in: %s", self.problem)

    def get(self, name: str) -> StaffUser | None:
        self._reload()
        return self._users.get(name)

    def all(self) -> list[StaffUser]:
        self._reload()
        return list(self._users.values())
