"""`piste web-user`: the staff logins as a technician keeps them, from the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from firmware.cli import web_user
from firmware.cli.main import main
from firmware.core.password import verify_secret
from firmware.web.accounts import parse_users
from tests.conftest import DEMO_SITE, ROOT

PASSWORD = "correct horse battery"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def piste(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["web-user", *args])
    out, err = capsys.readouterr()
    return code, out, err


def users_in(path: Path) -> dict:
    return parse_users(path.read_text(encoding="utf-8"))


def test_add_writes_a_private_file_with_a_hash_that_verifies(tmp_path, secret, capsys) -> None:
    code, out, _ = piste(capsys, "add", "clerk1", "--role", "clerk", "--room", "2", "--config",
                         str(DEMO_SITE), "--data-dir", str(tmp_path), "--password-file",
                         str(secret))
    path = tmp_path / "web-users.toml"
    assert code == 0 and out == f"added clerk1 (clerk, room 2) in {path}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    user = users_in(path)["clerk1"]
    assert (user.role, user.room) == ("clerk", "2")
    assert verify_secret(PASSWORD, user.password_hash)
    assert PASSWORD not in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["password", "web-users.toml"]


def test_list_shows_names_roles_and_rooms_never_hashes(tmp_path, secret, capsys) -> None:
    file = str(tmp_path / "logins.toml")
    for name, role in (("tech", "technician"), ("advisor", "advisor"), ("service", "service"),
                       ("vahti", "guard")):
        assert piste(capsys, "add", name, "--role", role, "--users-file", file,
                     "--password-file", str(secret))[0] == 0
    assert piste(capsys, "add", "anna.k", "--role", "clerk", "--room", "1", "--users-file",
                 file, "--password-file", str(secret))[0] == 0
    assert piste(capsys, "add", "bo", "--role", "clerk", "--room", "2", "--languages", "sv,fi",
                 "--users-file", file, "--password-file", str(secret))[0] == 0

    code, out, err = piste(capsys, "list", "--users-file", file)

    assert code == 0 and err == ""
    assert out.splitlines() == [
        "name     role        room  languages",
        "advisor  advisor     -     -",
        "anna.k   clerk       1     (the room's)",
        "bo       clerk       2     fi,sv",
        "service  service     -     -",
        "tech     technician  -     -",
        "vahti    guard       -     -",
    ]
    assert users_in(Path(file))["vahti"].home == "/guard"
    assert users_in(Path(file))["bo"].languages == ("fi", "sv")
    assert "pbkdf2" not in out and "$" not in out


@pytest.mark.parametrize(("args", "said"), [
    (["--role", "clerk", "--room", "1", "--languages", "fi,de"], "one to three of fi, sv, en"),
    (["--role", "clerk", "--room", "1", "--languages", ","], "one to three of fi, sv, en"),
    (["--role", "clerk", "--room", "1", "--languages", "fi,fi"], "one to three of fi, sv, en"),
    (["--role", "advisor", "--languages", "fi"], "only a clerk serves in languages"),
    (["--role", "guard", "--room", "1"], "only a clerk has a room"),
])
def test_a_clerks_languages_are_checked(tmp_path, secret, capsys, args, said) -> None:
    file = tmp_path / "logins.toml"
    code, _, err = piste(capsys, "add", "x", *args, "--users-file", str(file),
                         "--password-file", str(secret))
    assert code == 2 and said in err and not file.exists()


def test_replace_remove_and_passwd(tmp_path, secret, capsys) -> None:
    where = ["--data-dir", str(tmp_path)]
    path = tmp_path / "web-users.toml"
    assert piste(capsys, "add", "bo", "--role", "clerk", "--room", "1", *where,
                 "--password-file", str(secret))[0] == 0
    before = path.read_bytes()

    code, _, err = piste(capsys, "add", "bo", "--role", "advisor", *where,
                         "--password-file", str(secret))
    assert code == 2 and "bo (clerk, room 1) is already in" in err and "--replace" in err
    assert path.read_bytes() == before

    new = tmp_path / "new"
    new.write_text("another long phrase\n")
    code, out, _ = piste(capsys, "add", "bo", "--role", "advisor", "--replace", *where,
                         "--password-file", str(new))
    assert code == 0 and "replaced bo (clerk, room 1) with bo (advisor)" in out
    assert "sessions end" in out
    bo = users_in(path)["bo"]
    assert (bo.role, bo.room) == ("advisor", None)
    assert verify_secret("another long phrase", bo.password_hash)

    assert piste(capsys, "passwd", "bo", *where, "--password-file", str(secret))[0] == 0
    assert verify_secret(PASSWORD, users_in(path)["bo"].password_hash)
    assert users_in(path)["bo"].role == "advisor"

    code, out, _ = piste(capsys, "remove", "bo", *where)
    assert code == 0 and out.startswith("removed bo (advisor) from")
    assert users_in(path) == {} and stat.S_IMODE(path.stat().st_mode) == 0o600
    code, _, err = piste(capsys, "remove", "bo", *where)
    assert code == 2 and "no login 'bo'" in err
    code, _, err = piste(capsys, "passwd", "nobody", *where, "--password-file", str(secret))
    assert code == 2 and "no login 'nobody'" in err


@pytest.mark.parametrize(("args", "says"), [
    (["add", "x", "--role", "boss"],
     "unknown role 'boss': one of clerk, advisor, service, technician"),
    (["add", "x", "--role", "clerk"], "a clerk serves one room: give --room ROOM"),
    (["add", "x", "--role", "advisor", "--room", "1"], "only a clerk has a room"),
    (["add", "x", "--role", "clerk", "--room", "9", "--config", str(DEMO_SITE)],
     "no room '9' in the site config; rooms: 1, 2, 3, 4, 5, 6"),
    (["add", "x", "--role", "clerk", "--room", "Huone 1"], "'Huone 1' is not a room id"),
    (["add", "Anna", "--role", "advisor"],
     "'Anna' cannot be a login name: 1-32 characters a-z, 0-9, '.', '_' or '-', the first a "
     "letter or digit; did you mean 'anna'?"),
    (["add", "_x", "--role", "advisor"], "'_x' cannot be a login name"),
    (["add", "a" * 33, "--role", "advisor"], "cannot be a login name"),
    (["add", "x", "--role", "advisor", "--device", "lobby-1"], "--device needs --config"),
    (["add", "x", "--role", "advisor", "--config", str(DEMO_SITE), "--device", "room-1"],
     "no web role on device 'room-1' in the site config; devices with the web role: lobby-1"),
    (["list", "--config", str(DEMO_SITE), "--device", "lobby-9"], "no device 'lobby-9'"),
])
def test_wrong_commands_are_refused_with_status_2(tmp_path, secret, capsys, args, says) -> None:
    if args[0] == "add":
        args = [*args, "--password-file", str(secret)]
    code, out, err = piste(capsys, *args, "--data-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert says in err
    assert not (tmp_path / "web-users.toml").exists()


def test_a_short_password_is_refused(tmp_path, capsys) -> None:
    short = tmp_path / "short"
    short.write_text("123456789\n")
    code, _, err = piste(capsys, "add", "tech", "--role", "technician", "--data-dir",
                         str(tmp_path), "--password-file", str(short))
    assert code == 2 and "a password is at least 10 characters" in err
    assert not (tmp_path / "web-users.toml").exists()
    code, _, err = piste(capsys, "add", "tech", "--role", "technician", "--data-dir",
                         str(tmp_path), "--password-file", str(tmp_path / "missing"))
    assert code == 2 and "--password-file" in err and "No such file" in err


def test_without_a_file_the_password_is_asked_twice(tmp_path, capsys, monkeypatch) -> None:
    answers = iter(["a long enough phrase", "a long enough phrase"])
    monkeypatch.setattr(web_user.getpass, "getpass", lambda prompt="": next(answers))
    assert piste(capsys, "add", "tech", "--role", "technician", "--data-dir",
                 str(tmp_path))[0] == 0
    assert verify_secret("a long enough phrase",
                         users_in(tmp_path / "web-users.toml")["tech"].password_hash)

    answers = iter(["a long enough phrase", "a long enough phrasf"])
    code, _, err = piste(capsys, "passwd", "tech", "--data-dir", str(tmp_path))
    assert code == 2 and "the two passwords differ; nothing was changed" in err

    asked = []
    monkeypatch.setattr(web_user.getpass, "getpass", lambda prompt="": asked.append(1) or "short")
    code, _, err = piste(capsys, "passwd", "tech", "--data-dir", str(tmp_path))
    assert code == 2 and "at least 10" in err and asked == [1]  # not asked again for nothing


def test_the_password_may_come_on_standard_input(tmp_path, capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("from a pipe, long enough\n"))
    assert piste(capsys, "add", "tech", "--role", "technician", "--data-dir", str(tmp_path),
                 "--password-file", "-")[0] == 0
    assert verify_secret("from a pipe, long enough",
                         users_in(tmp_path / "web-users.toml")["tech"].password_hash)


@pytest.mark.parametrize(("content", "says"), [
    (b'[[users]]\nname = "Bad Name"\nrole = "boss"\npassword = "hunter2"\n',
     "cannot be used (3 problems); the console lets nobody in until it is fixed:\n"
     "  users[0].name: 1-32 characters"),
    (b"[[users]\n", "cannot be used (1 problem)"),
    (b"\xff\xfe not text", "it is not UTF-8 text"),
])
def test_a_broken_file_is_listed_and_never_overwritten(tmp_path, secret, capsys, content,
                                                       says) -> None:
    path = tmp_path / "web-users.toml"
    path.write_bytes(content)
    for args in (["list"], ["remove", "x"], ["add", "y", "--role", "advisor", "--password-file",
                                            str(secret)]):
        code, out, err = piste(capsys, *args, "--users-file", str(path))
        assert code == 2 and out == "" and says in err, err
    assert path.read_bytes() == content


def test_an_unreadable_file_is_named(tmp_path, capsys) -> None:
    code, _, err = piste(capsys, "list", "--users-file", str(tmp_path))
    assert code == 2 and f"cannot read {tmp_path}: Is a directory" in err


def test_list_checks_the_rooms_as_the_console_does(tmp_path, secret, capsys) -> None:
    file = str(tmp_path / "u.toml")
    assert piste(capsys, "add", "c", "--role", "clerk", "--room", "7", "--users-file", file,
                 "--password-file", str(secret))[0] == 0
    assert piste(capsys, "list", "--users-file", file)[0] == 0
    code, _, err = piste(capsys, "list", "--users-file", file, "--config", str(DEMO_SITE))
    assert code == 2 and "users[0].room: a clerk needs the room of the site they serve" in err


def test_list_without_a_file_says_how_to_begin(tmp_path, capsys) -> None:
    code, out, _ = piste(capsys, "list", "--data-dir", str(tmp_path))
    assert code == 0 and "no staff logins" in out and "piste web-user add" in out


def test_the_device_config_names_the_file(tmp_path, secret, capsys) -> None:
    site = tmp_path / "site.toml"
    site.write_text(DEMO_SITE.read_text(encoding="utf-8").replace(
        'users_file = "web-users.toml"', 'users_file = "staff/logins.toml"', 1))
    code, out, _ = piste(capsys, "add", "advisor", "--role", "advisor", "--config", str(site),
                         "--device", "lobby-1", "--data-dir", str(tmp_path),
                         "--password-file", str(secret))
    assert code == 0 and str(tmp_path / "staff" / "logins.toml") in out
    assert "advisor" in users_in(tmp_path / "staff" / "logins.toml")
    # --users-file wins over the device's table.
    other = tmp_path / "other.toml"
    assert piste(capsys, "add", "tech", "--role", "technician", "--config", str(site),
                 "--device", "lobby-1", "--users-file", str(other),
                 "--password-file", str(secret))[0] == 0
    assert list(users_in(other)) == ["tech"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_keeps_the_owner_the_console_reads_as(tmp_path, secret, capsys) -> None:
    data = tmp_path / "piste"
    data.mkdir()
    os.chown(data, 4321, 4321)  # the piste user's data directory
    args = ["--data-dir", str(data), "--password-file", str(secret)]
    assert piste(capsys, "add", "tech", "--role", "technician", *args)[0] == 0
    path = data / "web-users.toml"
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4321)
    os.chown(path, 4322, 4322)
    assert piste(capsys, "passwd", "tech", *args)[0] == 0
    assert (path.stat().st_uid, stat.S_IMODE(path.stat().st_mode)) == (4322, 0o600)


def test_the_piste_command_runs_it(tmp_path, secret) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "firmware.cli", "web-user", *args,
                               "--data-dir", str(tmp_path)], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)

    added = run("add", "clerk1", "--role", "clerk", "--room", "1", "--password-file",
                str(secret))
    assert added.returncode == 0, added.stderr
    listed = run("list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split() == ["clerk1", "clerk", "1", "(the", "room's)"]
    assert "pbkdf2" not in listed.stdout
    wrong = run("add", "x", "--role", "boss", "--password-file", str(secret))
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == ("piste web-user add: unknown role 'boss': one of clerk, "
                                    "advisor, service, technician, guard")
    assert "Traceback" not in wrong.stderr
