"""`--out` of broker-acl, central-acl and bridge-config: a wrong folder gets one plain
sentence and exit status 2, with nothing left behind; a second run keeps what the first
added to the site's ACL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from firmware.cli.output_folder import OutputError, output_folder
from tests.conftest import DEMO_SITE


def piste(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware.cli.main", *args],
                          capture_output=True, text=True, timeout=60)


def with_out(command: str, out: Path, tmp_path: Path) -> list[str]:
    if command == "central-acl":
        return ["central-acl", "--out", str(out)]
    if command == "broker-acl":
        return ["broker-acl", "--config", str(DEMO_SITE), "--out", str(out)]
    password = tmp_path / "central-password"
    password.write_text("pw-lappeenranta\n")
    return ["bridge-config", "--config", str(DEMO_SITE), "--central", "central:8883",
            "--password-file", str(password), "--out", str(out)]


def everything_in(folder: Path) -> dict[Path, bytes | None]:
    return {p: (p.read_bytes() if p.is_file() else None) for p in folder.rglob("*")}


COMMANDS = ["broker-acl", "central-acl", "bridge-config"]


@pytest.mark.parametrize("command", COMMANDS)
def test_out_onto_a_file_is_refused_plainly(tmp_path: Path, command: str) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("the technician's notes\n")
    args = with_out(command, file, tmp_path)
    before = everything_in(tmp_path)
    done = piste(*args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"--out {file} is a file; give a folder" in done.stderr
    assert everything_in(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_out_below_a_file_is_refused_plainly(tmp_path: Path, command: str) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("the technician's notes\n")
    args = with_out(command, file / "broker" / "piste", tmp_path)
    before = everything_in(tmp_path)
    done = piste(*args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot be a folder: {file} is a file" in done.stderr
    assert everything_in(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_out_where_no_folder_can_be_made_is_refused_plainly(tmp_path: Path,
                                                            command: str) -> None:
    done = piste(*with_out(command, Path("/proc/piste-broker"), tmp_path))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot make the folder /proc/piste-broker: " in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_cannot_be_written_leaves_the_folder_as_it_was(tmp_path: Path,
                                                                   command: str) -> None:
    out = tmp_path / "piste"
    (out / "acl").mkdir(parents=True)  # every command writes an acl: here it cannot
    args = with_out(command, out, tmp_path)
    before = everything_in(tmp_path)
    done = piste(*args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{out / 'acl'}: is a directory" in done.stderr
    assert everything_in(tmp_path) == before


def test_a_failed_write_takes_back_the_folders_and_files_of_this_run(tmp_path: Path) -> None:
    out = tmp_path / "new" / "piste"
    with pytest.raises(OutputError, match="cannot write"), output_folder(out) as folder:
        folder.write("acl", "user lobby-1\n")
        folder.write("no-such-folder/piste.conf", "listener 8883\n")
    assert list(tmp_path.iterdir()) == []


def test_a_file_with_passwords_is_never_readable_by_others(tmp_path: Path) -> None:
    with output_folder(tmp_path) as folder:
        (tmp_path / ".piste-bridge.conf.piste-new").write_text("left by a crash")
        written = folder.write("piste-bridge.conf", "remote_password s3cret\n", mode=0o600)
    assert written.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["piste-bridge.conf"]


def test_broker_acl_again_keeps_the_bridges_login(tmp_path: Path) -> None:
    out = tmp_path / "piste"
    assert piste(*with_out("broker-acl", out, tmp_path)).returncode == 0
    assert piste(*with_out("bridge-config", out, tmp_path)).returncode == 0
    bridged = (out / "acl").read_text()
    assert bridged.count("user bridge") == 1
    done = piste(*with_out("broker-acl", out, tmp_path))  # the site config changed, say
    assert done.returncode == 0, done.stderr
    assert (out / "acl").read_text() == bridged


def test_bridge_config_writes_the_tls_files_as_absolute_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from firmware.cli.main import main

    monkeypatch.chdir(tmp_path)  # Mosquitto runs from /: a relative path would miss
    assert main(["bridge-config", "--config", str(DEMO_SITE), "--central", "central:8883",
                 "--ca-file", "certs/central-ca.crt", "--out", "broker"]) == 0
    conf = (tmp_path / "broker" / "piste-bridge.conf").read_text()
    assert f"bridge_cafile {tmp_path}/certs/central-ca.crt\n" in conf
