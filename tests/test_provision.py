"""piste provision: checks first, writes /etc/piste, never shows a secret."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from firmware.admin import config_store, paths
from firmware.cli.main import main
from firmware.site_config import load_site_config
from tests.conftest import DEMO_SITE

SECRET = "s3cret-never-shown"


def tls_files(tmp_path: Path) -> dict[str, Path]:
    """A CA and a device certificate signed by it, made with openssl; plus a stray key."""
    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp_path)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "2", "-subj", "/CN=piste test CA")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "device.key", "-out", "device.csr",
        "-subj", "/CN=lobby-1")
    ssl("x509", "-req", "-in", "device.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "device.crt", "-days", "2")
    ssl("genrsa", "-out", "other.key", "2048")
    return {name: tmp_path / f"{name}" for name in
            ("ca.crt", "device.crt", "device.key", "other.key")}


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None,
                                   reason="openssl is missing: apt-get install openssl")


def provision(etc: Path, *args: str) -> int:
    return main(["provision", "--site", str(DEMO_SITE), "--etc", str(etc), *args])


@needs_openssl
def test_provision_writes_identity_and_login_and_prints_no_secret(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tls = tls_files(tmp_path)
    password = tmp_path / "pw"
    password.write_text(SECRET + "\n")
    etc = tmp_path / "etc"
    assert provision(etc, "--device", "lobby-1", "--username", "lobby-1", "--password-file",
                     str(password), "--ca-file", str(tls["ca.crt"]), "--cert-file",
                     str(tls["device.crt"]), "--key-file", str(tls["device.key"])) == 0
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "password set (not shown)" in out and "still to do:" in out
    assert "sudo piste selftest --device lobby-1" in out
    assert paths.read_device_env(etc) == "lobby-1"
    creds = (etc / paths.CREDENTIALS)
    assert creds.stat().st_mode & 0o777 == 0o640
    assert (etc / "tls/device.key").stat().st_mode & 0o777 == 0o640
    assert config_store.read_credentials(etc) == {
        "username": "lobby-1", "password": SECRET, "ca_file": str(etc / "tls/ca.crt"),
        "cert_file": str(etc / "tls/device.crt"), "key_file": str(etc / "tls/device.key")}

    # The unit's ExecStartPre puts the login into the config `piste run` reads, 0600.
    effective, origin = config_store.prepare(etc, tmp_path / "state")
    assert str(etc / paths.SITE_FILE) in origin
    broker = load_site_config(effective).broker
    assert (broker.username, broker.password, broker.key_file) == (
        "lobby-1", SECRET, str(etc / "tls/device.key"))
    assert effective.stat().st_mode & 0o777 == 0o600


@needs_openssl
def test_a_key_that_is_not_the_certificates_is_refused_and_nothing_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tls = tls_files(tmp_path)
    etc = tmp_path / "etc"
    assert provision(etc, "--device", "lobby-1", "--ca-file", str(tls["ca.crt"]),
                     "--cert-file", str(tls["device.crt"]),
                     "--key-file", str(tls["other.key"])) == 2
    err = capsys.readouterr().err
    assert "is the key the one made for this certificate?" in err
    assert "nothing was written" in err and not etc.exists()


def test_every_problem_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    etc = tmp_path / "etc"
    assert provision(etc, "--device", "lobby-9", "--cert-file", str(tmp_path / "x.crt")) == 2
    err = capsys.readouterr().err
    assert "device 'lobby-9' is not in" in err and "lobby-1" in err
    assert "--cert-file/--key-file need --ca-file" in err
    assert "--cert-file and --key-file go together" in err
    assert not etc.exists()


def test_a_broken_site_config_is_refused(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO_SITE.read_text().replace('timezone = "Europe/Helsinki"',
                                                 'timezone = "Europe/Helsnki"'))
    assert main(["provision", "--site", str(bad), "--device", "lobby-1",
                 "--etc", str(tmp_path / "etc")]) == 2
    assert "nothing was written" in capsys.readouterr().err


def test_without_login_the_technician_is_told(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert provision(tmp_path / "etc", "--device", "waiting-1") == 0
    out = capsys.readouterr().out
    assert "no broker login: fine only on a closed lobby network" in out
    assert "no TLS" in out
    assert "broker is on this device (localhost) but waiting-1 is no controller" in out
