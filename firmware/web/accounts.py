"""The staff who may log in to the console, and what each of them may do.

A site keeps its logins in a small TOML file (`piste web-user` writes it) with one
`[[users]]` table each: a name, a staff role, the room of a clerk, the languages a clerk
serves in (optional: else the room's), and a slow hash of the password. Nothing else about
the person is kept. The roles:

- clerk: serves the customers of one room (call, recall, no-show, complete, complete and
  continue to another authority, transfer, bring back, cancel, add a next authority), and
  sets the room's state (serving, paused, closed) and the languages it serves;
- advisor (palveluneuvoja): watches the whole lobby, issues tickets for customers (marked as
  needing assistance, with next authorities), marks or unmarks assistance, adds a next
  authority, reprints a ticket on a kiosk, answers a kiosk's call for help, fixes a wrong
  choice (transfer, cancel, bring back) and types in paper feedback forms;
- service: the service team's statistics and device health; reads the lobby;
- technician: device health; reads the lobby; runs a drill of the silent alarm;
- guard (the lobby guard): hears the silent alarm, acknowledges and clears it (so does the
  advisor); their page lists today's alarms and nothing of the queue.

The silent alarm (issue 26): a clerk raises it for their own room, the guard or an advisor
acknowledges and clears it, the technician or an advisor runs a drill.

Every check the console makes is here, pure, so the server and the tests read one table.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from firmware.site_model import LANGS
from firmware.web.staff_commands import (
    ADD_SERVICE,
    ASSIST,
    HELP_ANSWER,
    REPRINT,
    ROOM_LANGUAGES,
    ROOM_STATE,
)
from firmware.web.texts import translator
from mqtt_bridge import topics

STAFF_ROLES = ("clerk", "advisor", "service", "technician", "guard")
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
PASSWORD_MIN = 10  # a phrase, not a PIN: the console is on the site network
USER_KEYS = ("name", "role", "room", "languages", "password")

# The pages of the console and who may open them.
PAGES: dict[str, tuple[str, ...]] = {
    "clerk": ("clerk",),
    "advisor": ("advisor", "service", "technician"),  # only the advisor acts there
    "stats": ("service", "advisor"),
    "report": ("service", "advisor"),  # the day report: who may read the statistics
    "health": ("technician", "service", "advisor"),
    "guard": ("guard", "advisor"),  # today's alarms
}
HOME = {"clerk": "/clerk", "advisor": "/advisor", "service": "/stats", "technician": "/health",
        "guard": "/guard"}
# The silent alarm's actions (POST /alarm/{action}) and who may take them.
ALARM_ACTIONS: dict[str, tuple[str, ...]] = {
    "raise": ("clerk",),  # for their own room
    "ack": ("guard", "advisor"),
    "clear": ("guard", "advisor"),
    "drill": ("technician", "advisor"),
}
# A clerk sends these for their own room only.
ROOM_COMMANDS = (topics.CALL, topics.RECALL, topics.NO_SHOW, topics.COMPLETE, ROOM_STATE,
                 ROOM_LANGUAGES)
# ... and these about a number, whatever its room.
CLERK_TICKET_COMMANDS = (topics.CANCEL, topics.REINSTATE, ADD_SERVICE)
ADVISOR_COMMANDS = (topics.ISSUE, topics.TRANSFER, topics.CANCEL, topics.REINSTATE,
                    topics.FEEDBACK, topics.SURVEY, ASSIST, ADD_SERVICE, REPRINT, HELP_ANSWER)


class UsersFileError(ValueError):
    """The logins file cannot be used; each problem names the user and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class StaffUser:
    name: str
    role: str
    password_hash: str
    room: str | None = None  # a clerk's room
    languages: tuple[str, ...] | None = None  # a clerk's; None: the room's configured ones

    @property
    def home(self) -> str:
        return HOME[self.role]

    def may_open(self, page: str) -> bool:
        return self.role in PAGES.get(page, ())

    def label(self) -> str:
        return f"{self.name} (clerk, room {self.room})" if self.role == "clerk" else \
            f"{self.name} ({self.role})"


def refusal(user: StaffUser, command: str, body: dict[str, Any], lang: str = "en"
            ) -> str | None:
    """Why this user may not send this command (a sentence), or None if they may."""
    t = translator(lang)
    if user.role == "clerk":
        if command in ROOM_COMMANDS or (command == topics.TRANSFER and "ticket" not in body):
            if body.get("room") != user.room:
                return t("why_room", mine=user.room, other=body.get("room"))
            return None
        if command in CLERK_TICKET_COMMANDS:
            return None
        return t("why_clerk", command=command.replace("/", " "))
    if user.role == "advisor":
        if command in ADVISOR_COMMANDS and "room" not in body:
            return None
        return t("why_advisor")
    return t("why_reader", role=user.role)


def alarm_refusal(user: StaffUser, action: str, lang: str = "en") -> str | None:
    """Why this user may not take this alarm action (a sentence), or None if they may."""
    if user.role in ALARM_ACTIONS.get(action, ()):
        return None
    t = translator(lang)
    return t(f"why_alarm_{action}" if action in ALARM_ACTIONS else "said_unknown")


def _user(table: Any, where: str, rooms: set[str] | None, problems: list[str]
          ) -> StaffUser | None:
    if not isinstance(table, dict):
        problems.append(f"{where}: a [[users]] table was expected")
        return None
    unknown = sorted(set(table) - set(USER_KEYS))
    if unknown:
        problems.append(f"{where}: unknown key {', '.join(unknown)}")
    name, role = table.get("name"), table.get("role")
    password, room = table.get("password"), table.get("room")
    languages = table.get("languages")
    start = len(problems)
    if not isinstance(name, str) or not NAME.fullmatch(name):
        problems.append(f"{where}.name: 1-32 characters a-z, 0-9, '.', '_' or '-'")
    if role not in STAFF_ROLES:
        problems.append(f"{where}.role: one of {', '.join(STAFF_ROLES)}")
    if not isinstance(password, str) or not password.startswith("pbkdf2_sha256$"):
        problems.append(f"{where}.password: a hash made by `piste web-user`, never the "
                        "password itself")
    if role == "clerk":
        if not isinstance(room, str) or (rooms is not None and room not in rooms):
            known = f" (rooms: {', '.join(sorted(rooms))})" if rooms else ""
            problems.append(f"{where}.room: a clerk needs the room of the site they serve{known}")
    elif room is not None:
        problems.append(f"{where}.room: only a clerk has a room")
    if languages is not None:
        if role != "clerk":
            problems.append(f"{where}.languages: only a clerk serves in languages")
        elif not _languages_ok(languages):
            problems.append(f"{where}.languages: a list of one to three of "
                            f"{', '.join(LANGS)}, each once")
    if len(problems) > start:
        return None
    return StaffUser(str(name), str(role), str(password), room if role == "clerk" else None,
                     tuple(lang for lang in LANGS if lang in languages) if languages else None)


def _languages_ok(value: Any) -> bool:
    return isinstance(value, list) and 0 < len(value) == len(set(value)) \
        and all(v in LANGS for v in value)


def parse_users(text: str, rooms: set[str] | None = None) -> dict[str, StaffUser]:
    """The logins of a users file; UsersFileError lists every problem at once."""
    try:
        data = tomllib.loads(text)
    # ValueError too: an integer of more than 4300 digits fails in int(), not as TOML.
    except (ValueError, RecursionError) as exc:
        raise UsersFileError([f"not valid TOML: {exc}"]) from None
    tables = data.get("users", [])
    if not isinstance(tables, list) or set(data) - {"users"}:
        raise UsersFileError(["the file holds only [[users]] tables"])
    problems: list[str] = []
    users: dict[str, StaffUser] = {}
    for index, table in enumerate(tables):
        user = _user(table, f"users[{index}]", rooms, problems)
        if user is None:
            continue
        if user.name in users:
            problems.append(f"users[{index}].name: '{user.name}' is there twice")
        users[user.name] = user
    if problems:
        raise UsersFileError(problems)
    return users


def _quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML wants DEL escaped too. A
    hand-edited room or hash with a quote or newline must not become another key."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def users_text(users: list[StaffUser]) -> str:
    """The users file for these logins (what `piste web-user` writes)."""
    lines = ["# Staff logins of the piste console. Written by `piste web-user`; the passwords",
             "# are slow salted hashes. Nothing else about a person is kept here.", ""]
    for user in sorted(users, key=lambda u: u.name):
        lines += ["[[users]]", f"name = {_quoted(user.name)}", f"role = {_quoted(user.role)}"]
        if user.room is not None:
            lines.append(f"room = {_quoted(user.room)}")
        if user.languages:
            lines.append(f"languages = [{', '.join(_quoted(x) for x in user.languages)}]")
        lines += [f"password = {_quoted(user.password_hash)}", ""]
    return "\n".join(lines)
