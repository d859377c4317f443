"""`piste run` refuses a wrong command line with a plain message and exit status 2, before
it touches any hardware or the network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_screenshots_onto_a_file_are_refused_and_the_file_kept(tmp_path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    done = piste("screenshot", "kiosk", "--config", str(DEMO_SITE), "--out", str(existing))
    refused_plainly(done)
    assert "is a file; --out takes a directory" in done.stderr
    inside_a_file = existing / "shots"
    done = piste("screenshot", "kiosk", "--config", str(DEMO_SITE), "--out", str(inside_a_file))
    refused_plainly(done)
    assert "cannot make the directory" in done.stderr
    assert existing.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_ticket_preview_of_a_missing_file_is_refused_plainly(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "ticket_printer.preview",
                           str(tmp_path / "missing.escpos"), str(tmp_path / "t.png")],
                          capture_output=True, text=True, timeout=60)
    refused_plainly(done)
    assert "missing.escpos: cannot read it (No such file or directory)" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_national_statistics_of_a_mistyped_store_create_nothing(tmp_path) -> None:
    typo = tmp_path / "typo.sqlite"
    done = piste("stats", "--central", "--db", f"sqlite://{typo}")  # sqlite:///ABSOLUTE
    refused_plainly(done)
    assert f"there is no central store at {typo} (no such file)" in done.stderr
    assert done.stdout == ""  # no empty tables, as if there had been no customers
    assert list(tmp_path.iterdir()) == []


def test_national_statistics_of_a_file_that_is_not_a_store_leave_it_alone(tmp_path) -> None:
    import sqlite3

    other = tmp_path / "ledger.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE tickets (n INTEGER)")
    conn.close()
    before = other.read_bytes()
    done = piste("stats", "--central", "--db", str(other))
    refused_plainly(done)
    assert "is not a piste central store" in done.stderr
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.sqlite"]


def test_national_statistics_of_an_empty_postgresql_database_create_no_tables(
        postgres_db: str) -> None:
    import psycopg

    done = piste("stats", "--central", "--db", postgres_db)
    refused_plainly(done)
    assert "is not a piste central store" in done.stderr
    with psycopg.connect(postgres_db) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = 'public'").fetchone() == (0,)


def test_national_statistics_from_a_postgresql_server_that_is_not_there() -> None:
    done = piste("stats", "--central", "--db",
                 "postgresql://piste@127.0.0.1:9/piste?connect_timeout=2")
    refused_plainly(done)
    assert "cannot connect to the central store" in done.stderr


def appointments_import(*args: str) -> subprocess.CompletedProcess[str]:
    return piste("appointments", "import", *args, "--config", str(DEMO_SITE))


def test_an_appointment_list_that_is_not_there_is_called_missing(tmp_path) -> None:
    done = appointments_import(str(tmp_path / "list.csv"), "--data-dir", str(tmp_path))
    refused_plainly(done)
    assert f"{tmp_path / 'list.csv'}: no such file" in done.stderr
    assert "UTF-8" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_appointments_go_only_into_a_controllers_existing_ledger(tmp_path) -> None:
    from firmware.controller.ledger import Ledger

    listing = tmp_path / "list.csv"
    listing.write_text("time,service,code\n2026-12-01 10:00,kela,ABCD1234\n")
    elsewhere = tmp_path / "typo"
    done = appointments_import(str(listing), "--data-dir", str(elsewhere))
    refused_plainly(done)
    assert f"--data-dir {elsewhere} holds no controller ledger (ledger.sqlite)" in done.stderr
    assert not elsewhere.exists()
    if not Path("/var/lib/piste/ledger.sqlite").exists():  # not a controller: nothing there
        done = appointments_import(str(listing))
        refused_plainly(done)
        assert "/var/lib/piste (the default data dir) holds no controller ledger" in done.stderr

    controller = tmp_path / "controller"
    Ledger(controller / "ledger.sqlite").close()  # what a controller's first start leaves
    done = appointments_import(str(listing), "--data-dir", str(controller))
    assert done.returncode == 0, done.stderr
    assert (f"imported 1 appointment for 2026-12-01 into {controller / 'ledger.sqlite'}"
            in done.stdout)


@pytest.mark.parametrize(("broker", "says"), [
    ("mqtt//bad", "is not of the form mqtt://HOST:PORT"),
    ("mqtts://central.example", "asks for TLS, but no CA is set up for it: set --ca-file"),
])
def test_the_collector_refuses_a_broken_broker_url_before_making_its_store(
        tmp_path, broker: str, says: str) -> None:
    done = piste("central", "--db", str(tmp_path / "central.sqlite"), "--broker", broker)
    refused_plainly(done)
    assert says in done.stderr
    assert list(tmp_path.iterdir()) == []
