"""The staff console's rules, as properties: the logins file, who may send what, sessions and
slowed-down guessing, and the `[devices.web]` table of the site config."""

from __future__ import annotations

import io
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.cli.check_config import check_config_main
from firmware.core.password import hash_secret, verify_secret
from firmware.site_config import ConfigError, parse_site_config
from firmware.site_model import WebConfig
from firmware.web import accounts
from firmware.web.accounts import (
    ADVISOR_COMMANDS,
    ROOM_COMMANDS,
    STAFF_ROLES,
    StaffUser,
    UsersFileError,
    parse_users,
    refusal,
    users_text,
)
from firmware.web.sessions import FIRST_WAIT_S, FREE_TRIES, LOCK_MAX_S, SessionStore
from mqtt_bridge import topics
from tests.test_site_config import problems_of, small_config, to_toml, toml_value

HASH = "pbkdf2_sha256$1000$00$00"  # the shape the file checks; never verified here

# --- the logins file -------------------------------------------------------------------------

names = st.from_regex(accounts.NAME, fullmatch=True)
# Any value TOML can carry, nested a little: what a hand-edited file may hold.
toml_scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(),
                         st.floats(allow_nan=False), st.sampled_from(STAFF_ROLES), names,
                         st.just(HASH), st.just("pbkdf2_sha256$"))
toml_values = st.recursive(toml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)
user_keys = st.one_of(st.sampled_from(accounts.USER_KEYS), st.text(min_size=1, max_size=8))


def users_file_text(tables: list[dict[str, Any]], extra: dict[str, Any]) -> str:
    body = "".join(f"{toml_value(k)} = {toml_value(v)}\n" for k, v in extra.items())
    for table in tables:
        body += "[[users]]\n" + "".join(f"{toml_value(k)} = {toml_value(v)}\n"
                                        for k, v in table.items())
    return body


def parses_or_explains(text: str, rooms: set[str] | None = None) -> None:
    try:
        users = parse_users(text, rooms)
    except UsersFileError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    assert all(isinstance(u, StaffUser) for u in users.values())


@given(st.text())
def test_any_text_is_parsed_or_explained(text: str) -> None:
    parses_or_explains(text)


@given(st.lists(st.dictionaries(user_keys, toml_values, max_size=5), max_size=4),
       st.dictionaries(st.text(min_size=1, max_size=8), toml_values, max_size=2),
       st.none() | st.sets(st.sampled_from(["1", "2", "x"])))
def test_any_toml_is_parsed_or_explained(tables, extra, rooms) -> None:
    parses_or_explains(users_file_text(tables, extra), rooms)


@pytest.mark.parametrize("text", [
    "users = " + "1" * 5000,  # int() refuses it with a plain ValueError, not a TOML error
    "[[users]]\nname = " + "9" * 4301,
    "users = " + "[" * 2000 + "]" * 2000,
    "users = 3", "users = [1, 2]", "[users]\nname = 'a'", "other = 1",
])
def test_hostile_files_are_explained(text: str) -> None:
    with pytest.raises(UsersFileError):
        parse_users(text)


@st.composite
def staff(draw: st.DrawFn) -> list[StaffUser]:
    """Logins as `piste web-user` could write them; rooms and hashes with any characters
    (a hand-edited file may hold quotes, backslashes, newlines or DEL)."""
    found = []
    for name in draw(st.lists(names, unique=True, max_size=6)):
        role = draw(st.sampled_from(STAFF_ROLES))
        room = draw(st.text()) if role == "clerk" else None
        found.append(StaffUser(name, role, "pbkdf2_sha256$" + draw(st.text()), room))
    return found


@given(staff())
def test_what_users_text_writes_reads_back_the_same(users: list[StaffUser]) -> None:
    assert parse_users(users_text(users)) == {u.name: u for u in users}
    rooms = {u.room for u in users if u.room is not None}
    assert parse_users(users_text(users), rooms) == {u.name: u for u in users}


def test_a_written_password_still_verifies() -> None:
    user = StaffUser("clerk1", "clerk", hash_secret("a long phrase", rounds=1000), "1")
    read = parse_users(users_text([user]))["clerk1"]
    assert verify_secret("a long phrase", read.password_hash)
    assert not verify_secret("a long phrasE", read.password_hash)


def test_every_problem_of_a_file_is_named_at_once() -> None:
    text = users_file_text([
        {"name": "Anna", "role": "clerk", "room": "9", "password": "hunter22"},
        {"name": "bo", "role": "advisor", "room": "1", "password": HASH},
        {"name": "cy", "role": "boss", "password": HASH, "email": "x"},
        {"name": "dd", "role": "service", "password": HASH},
        {"name": "dd", "role": "service", "password": HASH},
    ], {})
    with pytest.raises(UsersFileError) as caught:
        parse_users(text, {"1", "2"})
    problems = caught.value.problems
    assert "users[0].name: 1-32 characters a-z, 0-9, '.', '_' or '-'" in problems
    assert any(p.startswith("users[0].password: a hash made by `piste web-user`")
               for p in problems)
    assert "users[0].room: a clerk needs the room of the site they serve (rooms: 1, 2)" \
        in problems
    assert "users[1].room: only a clerk has a room" in problems
    assert "users[2].role: one of clerk, advisor, service, technician, guard" in problems
    assert "users[2]: unknown key email" in problems
    assert "users[4].name: 'dd' is there twice" in problems


# --- who may send what -----------------------------------------------------------------------

ALL_COMMANDS = (topics.ISSUE, topics.CALL, topics.RECALL, topics.NO_SHOW, topics.COMPLETE,
                topics.TRANSFER, topics.CANCEL, topics.REINSTATE, topics.REPLAY,
                topics.FEEDBACK, topics.SURVEY)
commands = st.one_of(st.sampled_from(ALL_COMMANDS), st.text(max_size=20))
rooms_ = st.sampled_from(["1", "2", "6"])
bodies = st.dictionaries(
    st.one_of(st.sampled_from(["room", "ticket", "service", "to_service", "lang"]), st.text()),
    st.one_of(rooms_, st.text(max_size=5), st.integers(), st.none()), max_size=4)


def clerk(room: str) -> StaffUser:
    return StaffUser("clerk1", "clerk", HASH, room)


def answer_is_a_sentence_or_none(answer: str | None) -> bool:
    return answer is None or (isinstance(answer, str) and len(answer) > 5)


@given(rooms_, st.sampled_from(ROOM_COMMANDS), bodies)
def test_a_clerk_acts_only_for_their_own_room(room, command, body) -> None:
    answer = refusal(clerk(room), command, body)
    assert answer_is_a_sentence_or_none(answer)
    assert (answer is None) == (body.get("room") == room)


@given(rooms_, bodies)
def test_a_clerk_transfers_from_their_room_only(room, body) -> None:
    body.pop("ticket", None)
    assert (refusal(clerk(room), topics.TRANSFER, body) is None) == (body.get("room") == room)
    # Naming a ticket instead would reach customers the room does not serve.
    assert refusal(clerk(room), topics.TRANSFER, {**body, "ticket": "K001"}) is not None


@given(rooms_, commands, bodies)
def test_a_clerk_may_do_nothing_outside_the_counter(room, command, body) -> None:
    answer = refusal(clerk(room), command, body)
    assert answer_is_a_sentence_or_none(answer)
    counter = (*ROOM_COMMANDS, topics.TRANSFER, topics.CANCEL, topics.REINSTATE)
    if command not in counter:
        assert answer == f"a clerk does not {command.replace('/', ' ')}"
    if command in (topics.CANCEL, topics.REINSTATE):
        assert answer is None


@given(commands, bodies)
def test_the_advisor_never_acts_for_a_room(command, body) -> None:
    advisor = StaffUser("advisor", "advisor", HASH)
    answer = refusal(advisor, command, body)
    assert answer_is_a_sentence_or_none(answer)
    assert (answer is None) == (command in ADVISOR_COMMANDS and "room" not in body)
    assert refusal(advisor, command, {**body, "room": "1"}) is not None


@given(st.sampled_from(["service", "technician"]), commands, bodies)
def test_the_service_team_and_technicians_only_read(role, command, body) -> None:
    answer = refusal(StaffUser("someone", role, HASH), command, body)
    assert answer == f"the {role} role only reads; it changes nothing in the queue"


def test_pages_follow_the_roles() -> None:
    opens = {role: sorted(p for p in accounts.PAGES
                          if StaffUser("x", role, HASH, "1" if role == "clerk" else None)
                          .may_open(p))
             for role in STAFF_ROLES}
    assert opens == {"clerk": ["clerk"],
                     "advisor": ["advisor", "guard", "health", "report", "stats"],
                     "service": ["advisor", "health", "report", "stats"],
                     "technician": ["advisor", "health"], "guard": ["guard"]}
    assert StaffUser("g", "guard", HASH).home == "/guard"


def test_only_the_guard_and_advisors_answer_alarms_and_clerks_raise_them() -> None:
    who = {action: sorted(role for role in STAFF_ROLES if accounts.alarm_refusal(
        StaffUser("x", role, HASH, "1" if role == "clerk" else None), action) is None)
        for action in ("raise", "ack", "clear", "drill")}
    assert who == {"raise": ["clerk"], "ack": ["advisor", "guard"],
                   "clear": ["advisor", "guard"], "drill": ["advisor", "technician"]}
    assert accounts.alarm_refusal(StaffUser("x", "clerk", HASH, "1"), "ack", "sv") == \
        "bara en väktare eller en servicerådgivare kvitterar ett larm"
    # A guard changes nothing in the queue.
    assert refusal(StaffUser("g", "guard", HASH), topics.CALL, {"room": "1"}) == \
        "the guard role only reads; it changes nothing in the queue"
    assert not StaffUser("x", "advisor", HASH).may_open("no-such-page")


# --- sessions ----------------------------------------------------------------------------------

gaps = st.lists(st.floats(min_value=0, max_value=4000, allow_nan=False), max_size=12)


@given(st.integers(1, 3600), st.integers(1, 36_000), gaps)
def test_a_session_lives_while_used_and_never_past_its_day(idle, most, steps) -> None:
    store = SessionStore(idle_s=float(idle), max_s=float(most))
    session = store.start("clerk1", 100.0)
    now, alive = 100.0, True
    for gap in steps:
        last, now = now, now + gap
        alive = alive and now - last <= idle and now - 100.0 <= most
        found = store.get(session.token, now)
        assert (found is session) == alive
        assert (session.token in store.sessions) == alive  # an expired one is gone for good


@given(st.floats(min_value=1, max_value=3600), st.floats(min_value=0, max_value=7200))
def test_a_look_without_touching_does_not_keep_a_session_alive(idle, later) -> None:
    store = SessionStore(idle_s=idle, max_s=10 * idle)
    session = store.start("advisor", 0.0)
    for step in (0.5, 0.9):
        assert store.get(session.token, idle * step, touch=False) is session
    assert store.get(session.token, idle + later + 0.001) is None


def test_pruning_and_logging_out_everywhere() -> None:
    store = SessionStore(idle_s=60, max_s=3600)
    a1, a2, b = store.start("a", 0), store.start("a", 0), store.start("b", 50)
    store.end_user("a")
    assert set(store.sessions) == {b.token}
    store.prune(100)
    assert b.token in store.sessions
    store.prune(111)
    assert store.sessions == {}
    assert store.get(a1.token, 0) is None and store.get(a2.token, 0) is None
    assert store.get(None, 0) is None and store.get("", 0) is None
    store.end(None)


@given(st.one_of(st.none(), st.text()))
def test_only_the_session_own_csrf_token_passes(offered) -> None:
    store = SessionStore(idle_s=60, max_s=3600)
    session = store.start("clerk1", 0)
    other = store.start("clerk1", 0)
    assert store.csrf_ok(session, session.csrf)
    assert not store.csrf_ok(session, other.csrf)
    assert store.csrf_ok(session, offered) is (offered == session.csrf)  # never raises


def test_a_csrf_token_with_non_ascii_characters_is_refused_not_an_error() -> None:
    session = SessionStore(idle_s=60, max_s=3600).start("x", 0)
    assert SessionStore.csrf_ok(session, "ä" + session.csrf[1:]) is False


def expected_wait(failures: int) -> float:
    if failures <= FREE_TRIES:
        return 0.0
    return min(LOCK_MAX_S, FIRST_WAIT_S * 2 ** min(failures - FREE_TRIES - 1, 64))


@settings(deadline=None, max_examples=30)
@given(st.integers(0, 2500))
def test_wrong_passwords_wait_longer_each_time_up_to_the_cap(count) -> None:
    store = SessionStore(idle_s=60, max_s=3600)
    before = 0.0
    for n in range(1, count + 1):
        store.failed("clerk1", 1000.0)  # thousands of tries never overflow
        wait = store.wait_s("clerk1", 1000.0)
        assert wait == expected_wait(n)
        assert before <= wait <= LOCK_MAX_S
        before = wait
    assert store.wait_s("someone-else", 1000.0) == 0.0  # per name
    assert store.wait_s("clerk1", 1000.0 + LOCK_MAX_S) == 0.0  # the wait passes
    if count > FREE_TRIES + 20:
        assert before == LOCK_MAX_S


@given(st.integers(0, 40), st.integers(0, 40))
def test_a_success_clears_the_failures(first, second) -> None:
    store = SessionStore(idle_s=60, max_s=3600)
    for _ in range(first):
        store.failed("clerk1", 0.0)
    store.start("clerk1", 0.0)
    assert store.wait_s("clerk1", 0.0) == 0.0
    for _ in range(second):
        store.failed("clerk1", 0.0)
    assert store.wait_s("clerk1", 0.0) == expected_wait(second)  # counted from zero again


# --- the [devices.web] table -------------------------------------------------------------------


def with_web(table: Any, roles: tuple[str, ...] = ("controller", "kiosk", "display", "web")
             ) -> dict[str, Any]:
    data = small_config()
    data["devices"][0]["roles"] = list(roles)
    data["devices"][0]["web"] = table
    return data


def test_a_good_web_table_is_read() -> None:
    config = parse_site_config(to_toml(with_web({
        "bind": "127.0.0.1", "port": 9443, "cert_file": "tls/c.pem", "key_file": "tls/k.pem",
        "users_file": "/etc/piste/web-users.toml", "session_idle_minutes": 15,
        "session_max_hours": 8})), "site.toml")
    assert config.device("lobby-1").web == WebConfig(
        "127.0.0.1", 9443, "tls/c.pem", "tls/k.pem", "/etc/piste/web-users.toml", 15, 8)
    assert parse_site_config(to_toml(with_web({})), "s").device("lobby-1").web == WebConfig()


@pytest.mark.parametrize(("table", "path", "says"), [
    ({"port": 0}, "port", "expected a port from 1 to 65535, found 0"),
    ({"port": "8443"}, "port", "(write it without quotes: 8443)"),
    ({"prot": 8443}, "prot", "unknown key 'prot'; did you mean 'port'?"),
    ({"bind": 127}, "bind", "expected a text in quotes, found 127"),
    ({"cert_file": "c.pem"}, "key_file",
     "give both cert_file and key_file, or neither (a self-signed pair is made)"),
    ({"key_file": "k.pem"}, "cert_file", "give both cert_file and key_file"),
    ({"users_file": ""}, "users_file", "the staff logins file needs a name"),
    ({"session_idle_minutes": 0}, "session_idle_minutes", "minutes from 1 to 1440"),
    ({"session_max_hours": 25}, "session_max_hours", "hours from 1 to 24"),
    ({"session_max_hours": True}, "session_max_hours", "found true"),
])
def test_a_bad_web_table_is_explained_at_its_place(table, path, says) -> None:
    found = problems_of(with_web(table))
    assert says in found[f"devices[0].web.{path}"], found


def test_the_web_table_lists_all_its_problems_at_once() -> None:
    found = problems_of(with_web({"cert_file": "c.pem", "users_file": "", "port": -1}))
    assert set(found) == {"devices[0].web.key_file", "devices[0].web.users_file",
                          "devices[0].web.port"}


def test_a_web_table_needs_the_web_role() -> None:
    found = problems_of(with_web({"port": 8443}, roles=("controller", "kiosk", "display")))
    assert found["devices[0].web"] == ("only a device with the web role serves the staff "
                                       "console; add 'web' to its roles or remove this table")
    assert "expected a table" in problems_of(with_web(8443))["devices[0].web"]


def test_check_config_refuses_a_bad_web_table_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(to_toml(with_web({"port": 70000, "session_idle_minutes": "30"})),
                    encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert check_config_main(str(path), as_json=False, out=out, err=err) == 2
    assert out.getvalue() == ""
    assert err.getvalue().startswith(f"{path}: 2 problems\n")
    assert "  devices[0].web.port: expected a port from 1 to 65535, found 70000" in err.getvalue()
    assert "  devices[0].web.session_idle_minutes: expected minutes from 1 to 1440 (write it " \
        "without quotes: 30)" in err.getvalue()


web_keys = st.one_of(st.sampled_from(("bind", "port", "cert_file", "key_file", "users_file",
                                      "session_idle_minutes", "session_max_hours")),
                     st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12))


@settings(deadline=None)
@given(st.dictionaries(web_keys, toml_values, max_size=5))
def test_any_web_table_is_read_or_explained(table) -> None:
    try:
        config = parse_site_config(to_toml(with_web(table)), "site.toml")
    except ConfigError as exc:
        assert exc.problems and all(p.path.startswith("devices[0].web") for p in exc.problems)
        return
    web = config.device("lobby-1").web
    assert 1 <= web.port <= 65535 and web.users_file
    assert bool(web.cert_file) == bool(web.key_file)


def test_sessions_left_without_logging_out_do_not_pile_up() -> None:
    store = SessionStore(idle_s=60, max_s=3600)
    for i in range(100):
        store.start(f"user{i % 5}", i * 100.0)  # each one abandoned before the next
    assert len(store.sessions) == 1
