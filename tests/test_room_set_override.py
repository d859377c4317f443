"""`piste run --set PATH=VALUE`: a technician tries another pin or port without editing the
file, and the override is checked like the file."""

from __future__ import annotations

import pytest

from firmware.cli.main import main
from firmware.site_config import ConfigError, load_site_config
from tests.conftest import DEMO_SITE


def test_overrides_reach_the_room_unit_and_the_queue_rules() -> None:
    config = load_site_config(DEMO_SITE, [
        "devices.room-1.room_unit.staff.kind=pir",
        "devices.room-1.room_unit.staff.pin=22",
        "devices.room-1.room_unit.customer.kind=ld2410",
        "devices.room-1.room_unit.customer.serial_port=/dev/ttyUSB0",
        "queue.occupancy_retention_days=7",
    ])
    unit = config.device("room-1").room_unit
    assert (unit.staff.kind, unit.staff.pin) == ("pir", 22)
    assert unit.customer.serial_port == "/dev/ttyUSB0"
    assert config.rules.occupancy_retention_days == 7
    assert "--set" in config.source


def test_a_bad_override_is_reported_like_a_bad_file() -> None:
    with pytest.raises(ConfigError) as error:
        load_site_config(DEMO_SITE, ["devices.room-1.room_unit.staff.kind=pir",
                                     "devices.room-1.room_unit.staff.pin=40"])
    assert "room_unit.staff.pin: expected a GPIO (BCM) number" in str(error.value)
    with pytest.raises(ConfigError) as error:
        load_site_config(DEMO_SITE, ["devices.room-9.room_unit.led_pin=4"])
    assert "no entry 'room-9' in devices" in str(error.value)
    with pytest.raises(ConfigError) as error:
        load_site_config(DEMO_SITE, ["devices.room-1.room_unit.led_pn=4"])
    assert "did you mean 'led_pin'" in str(error.value)


def test_the_call_next_keys_long_press_is_read_and_checked() -> None:
    assert load_site_config(DEMO_SITE).device("room-1").room_unit.long_press_s == 2.0
    config = load_site_config(DEMO_SITE, ["devices.room-1.room_unit.long_press_s=3.5"])
    assert config.device("room-1").room_unit.long_press_s == 3.5
    for wrong in ("0.2", "10", "'2'", "true"):
        with pytest.raises(ConfigError) as error:
            load_site_config(DEMO_SITE, [f"devices.room-1.room_unit.long_press_s={wrong}"])
        assert "room_unit.long_press_s: expected a number at least 0.5 and below 10" in str(
            error.value), wrong


def test_piste_run_exits_2_before_touching_hardware(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--config", str(DEMO_SITE), "--device", "room-1",
              "--set", "devices.room-1.room_unit.customer.kind=radar"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "room_unit.customer.kind: expected one of none, pir, gpio, ld2410" in err
