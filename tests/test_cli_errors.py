"""`piste run` refuses a wrong command line with a plain message and exit status 2, before
it touches any hardware or the network."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import DEMO_SITE


def piste(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware.cli.main", *args],
                          capture_output=True, text=True, timeout=60)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return piste("run", *args)


def refused_plainly(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--device", "lobby-9"], "device 'lobby-9' is not in"),
    (["--device", "waiting-1", "--clock-start", "tomorrow"], "is not an ISO time"),
    (["--device", "waiting-1", "--broker", "http://x"], "is not of the form mqtt://HOST:PORT"),
    (["--device", "waiting-1", "--data-dir", "/proc/no-such-dir"], "cannot use --data-dir"),
    (["--device", "waiting-1", "--set", "broker.port=99999"], "broker.port"),
    (["--device", "waiting-1", "--set", "broker.port=" + "9" * 5000], "broker.port"),
    (["--device", "waiting-1", "--broker", "mqtt://[::1"], "is not of the form"),
    # Once read as host "mqtt" and port 1883: the device then waited for no broker.
    (["--device", "waiting-1", "--broker", "mqtt//bad"], "is not of the form mqtt://HOST:PORT"),
    (["--device", "waiting-1", "--broker", "mqtt:/x"], "is not of the form mqtt://HOST:PORT"),
    (["--device", "waiting-1", "--broker", "mqtt://"], "names no host"),
    (["--device", "waiting-1", "--broker", "mqtt://:1883"], "names no host"),
    (["--device", "waiting-1", "--broker", "mqtt://h:0"], "invalid port '0'"),
    (["--device", "waiting-1", "--broker", "mqtt://h:http"], "invalid port 'http'"),
    (["--device", "waiting-1", "--broker", "mqtt://h:1883/x"], "is not of the form"),
    (["--device", "waiting-1", "--broker", "mqtt://bob:pw@h"], "carries a login"),
    # The demo site has no TLS files: mqtts:// cannot be honoured.
    (["--device", "waiting-1", "--broker", "mqtts://h"], "asks for TLS, but no CA"),
])
def test_wrong_command_lines_exit_2_with_a_reason(tmp_path, args: list[str], says: str) -> None:
    base = ["--config", str(DEMO_SITE)]
    if "--data-dir" not in args:
        base += ["--data-dir", str(tmp_path)]
    done = run(*base, *args)
    refused_plainly(done)
    assert says in done.stderr
    assert len(done.stderr) < 2000  # a huge --set value is not echoed back whole


def test_plain_mqtt_to_a_broker_set_up_for_tls_is_refused(tmp_path) -> None:
    tls_site = tmp_path / "site.toml"
    tls_site.write_text(DEMO_SITE.read_text().replace(
        "[broker]\n", '[broker]\nca_file = "/etc/piste/tls/ca.crt"\n', 1))
    done = run("--config", str(tls_site), "--device", "waiting-1", "--data-dir",
               str(tmp_path / "data"), "--broker", "mqtt://h:8883")
    refused_plainly(done)
    assert "write mqtts://HOST:PORT" in done.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was made


def test_a_broken_config_file_names_the_field(tmp_path) -> None:
    broken = tmp_path / "site.toml"
    broken.write_text(DEMO_SITE.read_text().replace('prefix = "K"', 'prefix = "k1"'))
    done = run("--config", str(broken), "--device", "lobby-1", "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert "services[0].prefix" in done.stderr


@pytest.mark.parametrize(("toml", "says"), [
    ("a = " + "[" * 3000 + "]" * 3000, "nested far too deeply"),
    ("[broker]\nport = " + "9" * 5000, "thousands of digits"),
])
def test_a_config_no_parser_can_hold_is_refused_plainly(tmp_path, toml: str, says: str) -> None:
    hostile = tmp_path / "site.toml"
    hostile.write_text(toml)
    for done in (piste("check-config", str(hostile)), run("--config", str(hostile),
                 "--device", "lobby-1", "--data-dir", str(tmp_path))):
        refused_plainly(done)
        assert says in done.stderr


def test_a_damaged_ledger_is_named_not_traced(tmp_path) -> None:
    # What a failing SD card leaves: the ledger's name, but bytes SQLite cannot read.
    damaged = tmp_path / "ledger.sqlite"
    damaged.write_bytes(bytes(range(256)) * 8)
    before = damaged.read_bytes()
    for done in (piste("stats", "--config", str(DEMO_SITE), "--data-dir", str(tmp_path)),
                 run("--config", str(DEMO_SITE), "--device", "lobby-1", "--data-dir",
                     str(tmp_path), "--broker", "mqtt://127.0.0.1:9")):
        refused_plainly(done)
        assert "is not a readable piste ledger" in done.stderr
    assert damaged.read_bytes() == before  # kept as it was, for recovery
