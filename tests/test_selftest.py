"""The self-test on the libraries' own fakes: python-escpos Dummy printers that answer or
fail on cue, gpiozero MockFactory pins, SDL's dummy screen and sound, a real broker."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import threading
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from firmware.admin import selftest
from firmware.admin.selftest import Outcome
from firmware.admin.selftest_cli import run_checks
from firmware.broker import LocalBroker, free_port
from firmware.cli.main import main
from firmware.site_config import load_site_config
from firmware.site_model import PrinterConfig
from tests.conftest import DEMO_SITE
from tests.test_ticket_printer import (
    COVER,
    OFFLINE_,
    ONLINE,
    PAPER_END,
    PAPER_NEAR_END,
    PAPER_OK,
    STOPPED_NO_PAPER,
    AnsweringPrinter,
    UnpluggedMidTicket,
)
from ticket_printer.connection import TicketPrinter

CONFIG = load_site_config(DEMO_SITE)
LOBBY = CONFIG.device("lobby-1")
USB_LOBBY = dataclasses.replace(LOBBY, printer=PrinterConfig(kind="usb", usb_vendor=0x04B8,
                                                             usb_product=0x0E15))


@pytest.mark.parametrize(("answers", "outcome", "words"), [
    ({1: ONLINE, 4: PAPER_OK}, Outcome.PASS, "ready"),
    ({1: ONLINE, 4: PAPER_NEAR_END}, Outcome.PASS, "paper is running low"),
    ({1: OFFLINE_, 2: STOPPED_NO_PAPER, 4: PAPER_END}, Outcome.FAIL, "load a new paper roll"),
    ({1: OFFLINE_, 2: COVER, 4: PAPER_OK}, Outcome.FAIL, "close the printer cover"),
    ({}, Outcome.FAIL, "did not answer"),  # silence is not "plenty of paper"
])
def test_printer_status(answers: dict, outcome: Outcome, words: str) -> None:
    printer = TicketPrinter(AnsweringPrinter(answers), description="usb 04b8:0e15")
    result = selftest.check_printer(USB_LOBBY, printer, test_ticket=False)
    assert result.outcome is outcome
    assert words in result.detail + result.fix


def test_a_test_ticket_on_a_printer_unplugged_mid_ticket_fails_with_the_fix() -> None:
    printer = TicketPrinter(UnpluggedMidTicket(good_writes=3), description="usb 04b8:0e15")
    result = selftest.check_printer(USB_LOBBY, printer, test_ticket=True)
    assert result.outcome is Outcome.FAIL
    assert "No such device" in result.detail and "check the printer's power" in result.fix


def test_a_test_ticket_that_prints() -> None:
    transport = AnsweringPrinter({1: ONLINE, 4: PAPER_OK})
    printer = TicketPrinter(transport, description="usb 04b8:0e15")
    result = selftest.check_printer(USB_LOBBY, printer, test_ticket=True)
    assert result.outcome is Outcome.PASS and "test ticket printed" in result.detail
    assert b"T000" in transport.output


def test_each_key_is_asked_for_and_pressed() -> None:
    factory = MockFactory()
    asked: list[str] = []

    def technician(prompt: str) -> None:
        asked.append(prompt)
        pin = factory.pin(int(re.search(r"GPIO (\d+)", prompt).group(1)))  # type: ignore
        threading.Timer(0.05, pin.drive_low).start()  # presses: the key pulls to GND

    results = selftest.check_keys([("call", 17), ("recall", 27)], factory, technician, 2.0)
    assert [r.outcome for r in results] == [Outcome.PASS, Outcome.PASS]
    assert asked[0].startswith("press the key 'call' (GPIO 17)")


def test_a_key_never_pressed_fails_with_the_wiring_fix() -> None:
    results = selftest.check_keys([("call", 17)], MockFactory(), lambda _: None, 0.1)
    assert results[0].outcome is Outcome.FAIL
    assert "connects the pin to GND" in results[0].fix


def test_keys_are_skipped_without_prompt_or_config() -> None:
    assert selftest.check_keys([], MockFactory(), None)[0].outcome is Outcome.SKIPPED
    assert selftest.check_keys([("call", 17)], MockFactory(), None)[0].detail == \
        "not asked (--no-prompt)"


def test_sensors_are_read() -> None:
    factory = MockFactory()
    factory.pin(5).drive_high()
    results = selftest.check_sensors([("staff", 5, True), ("customer", 6, True)], factory)
    assert [r.detail for r in results] == ["GPIO 5 reads presence", "GPIO 6 reads nobody"]


def test_keys_and_sensors_come_from_the_device_config() -> None:
    from firmware.site_model import RoomUnitConfig, SensorConfig

    unit = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=23),
                          customer=SensorConfig(kind="ld2410", serial_port="/dev/ttyAMA0"),
                          key_call_next=17, key_complete=22, alarm_key=16)
    room = dataclasses.replace(CONFIG.device("room-1"), room_unit=unit)
    assert selftest.keys_of(room) == [("call next", 17), ("complete", 22), ("alarm key", 16)]
    assert selftest.sensors_of(room) == [("staff", 23, True)]
    exit_device = CONFIG.device("exit-1")  # the demo's feedback device
    assert selftest.keys_of(exit_device) == [
        ("up", 22), ("down", 23), ("select", 24), ("help", 25), ("face 1 (worst)", 5),
        ("face 2", 6), ("face 3", 13), ("face 4 (best)", 19)]


def test_clock_unsure_and_wrong_timezone_say_what_to_do() -> None:
    results = selftest.check_clock(CONFIG, synchronised=False, system_zone="Etc/UTC")
    assert [r.outcome for r in results] == [Outcome.FAIL, Outcome.FAIL]
    assert "NTP" in results[0].fix
    assert results[1].fix == "sudo timedatectl set-timezone Europe/Helsinki"
    good = selftest.check_clock(CONFIG, synchronised=True, system_zone="Europe/Helsinki")
    assert [r.outcome for r in good] == [Outcome.PASS, Outcome.PASS]


def test_screen_and_chime_on_sdl_dummy_drivers() -> None:
    assert selftest.check_screen(LOBBY, show_s=0).outcome is Outcome.PASS
    assert selftest.check_chime(CONFIG.device("waiting-1")).outcome is Outcome.PASS
    assert selftest.check_screen(CONFIG.device("room-1"), 0).outcome is Outcome.SKIPPED


def site_file(tmp_path: Path, host: str, port: int) -> Path:
    text = DEMO_SITE.read_text().replace('host = "localhost"', f'host = "{host}"', 1)
    text = re.sub(r"(?m)^port = 1883", f"port = {port}", text, count=1)
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def args(config: Path, tmp_path: Path, device: str = "room-1") -> argparse.Namespace:
    return argparse.Namespace(config=config, device=device, etc=tmp_path / "etc",
                              state=tmp_path, test_ticket=False, no_prompt=True, json=True)


def test_selftest_json_against_a_real_broker(broker: LocalBroker, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = site_file(tmp_path, broker.host, broker.port)
    code = main(["selftest", "--config", str(config), "--device", "room-1", "--json",
                 "--state", str(tmp_path)])
    results = {r["check"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["config"]["outcome"] == "pass"
    assert results["broker"]["outcome"] == "pass"
    assert results["disk"]["outcome"] == "pass"
    assert results["printer"]["outcome"] == "skipped"
    failures = [r for r in results.values() if r["outcome"] == "fail"]
    assert code == (1 if failures else 0)
    assert all(r["fix"] for r in failures)  # only clock or timezone may fail here


def test_an_unreachable_broker_fails_with_the_fix(tmp_path: Path) -> None:
    config = site_file(tmp_path, "127.0.0.1", free_port())
    results = {r.check: r for r in run_checks(args(config, tmp_path))}
    assert results["broker"].outcome is Outcome.FAIL
    assert "cannot reach the broker" in results["broker"].detail
    assert "network cable" in results["broker"].fix


def test_a_broken_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[site]\nid = 'X'\n")
    assert main(["selftest", "--config", str(bad), "--device", "room-1"]) == 2
    out = capsys.readouterr().out
    assert "FAIL  config" in out and "fix: fix" in out
