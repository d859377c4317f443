"""The `piste run --set` examples in README.md run as written: on the demo config, or, for
`--config site.toml`, on the demo with the README's own room-3 example in place of its room 3.
And `--set` can switch a printer's or a sensor's kind."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from firmware.cli.main import _parser
from firmware.site_config import ConfigError, load_site_config
from tests.conftest import DEMO_SITE

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands(prefix: str) -> list[str]:
    """Every inline `piste ...` command of the README starting with `prefix` (an inline code
    span may run over a line break, which Markdown reads as a space)."""
    spans = re.findall(r"`(piste [^`]+)`", README)
    return [" ".join(span.split()) for span in spans if span.startswith(prefix)]


SET_EXAMPLES = [c for c in readme_commands("piste run ") if "--set" in c]


def readme_room_3_site(tmp_path: Path) -> Path:
    """The demo site with room 3 as the README's room-unit example configures it."""
    example = re.search(r'```toml\n(\[\[devices\]\]\nid = "room-3"\n.*?)```', README, re.S)
    assert example, "the README's room-3 example"
    demo = DEMO_SITE.read_text(encoding="utf-8")
    site = re.sub(r'\[\[devices\]\]\nid = "room-3"\n.*?(?=\[\[devices\]\])',
                  lambda _: example.group(1) + "\n", demo, count=1, flags=re.S)
    path = tmp_path / "site.toml"
    path.write_text(site, encoding="utf-8")
    return path


def test_the_readme_has_set_examples() -> None:
    assert len(SET_EXAMPLES) >= 3, SET_EXAMPLES


@pytest.mark.parametrize("command", SET_EXAMPLES)
def test_a_set_example_of_the_readme_runs(command: str, tmp_path: Path) -> None:
    argv = shlex.split(command)[1:]
    args = _parser().parse_args(argv)
    config = args.config if args.config.is_absolute() else ROOT / args.config
    if args.config == Path("site.toml"):
        config = readme_room_3_site(tmp_path)
    assert config.exists(), command
    load_site_config(config, args.set)  # raises with the problem if the example is wrong
    argv[argv.index("--config") + 1] = str(config)
    # As written, on a broker that is not there: it must get as far as "ready".
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy"}
    device = subprocess.Popen(
        [sys.executable, "-m", "firmware.cli.main", *argv, "--data-dir", str(tmp_path / "d"),
         "--broker", f"mqtt://127.0.0.1:{port}"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, env=env)
    said = ""
    try:
        assert device.stderr is not None
        for line in device.stderr:
            said += line
            if "ready: device" in line:
                break
    finally:
        device.kill()  # it got as far as it should; how it stops is tested elsewhere
        device.communicate(timeout=30)
    assert "ready: device room-3" in said, said
    assert "Traceback" not in said


def printer_of(overrides: list[str]) -> object:
    return load_site_config(DEMO_SITE, overrides).device("lobby-1").printer  # type: ignore[union-attr]


def test_set_switches_a_printer_to_another_kind() -> None:
    printer = printer_of(["devices.lobby-1.printer.kind=usb",
                          "devices.lobby-1.printer.usb_vendor=0x04b8",
                          "devices.lobby-1.printer.usb_product=0x0e28"])
    assert (printer.kind, printer.usb_vendor, printer.usb_product) == ("usb", 0x04B8, 0x0E28)
    assert printer.profile == "TM-T20II"  # a field of every kind stays
    assert printer_of(["devices.lobby-1.printer.kind=none"]).kind == "none"


def test_a_switched_kind_still_needs_its_own_fields() -> None:
    with pytest.raises(ConfigError) as refused:
        printer_of(["devices.lobby-1.printer.kind=network"])
    assert "devices[0].printer.host: missing" in str(refused.value)


def test_a_field_of_the_old_kind_given_with_set_is_still_refused() -> None:
    with pytest.raises(ConfigError) as refused:
        printer_of(["devices.lobby-1.printer.kind=network",
                    "devices.lobby-1.printer.host=192.0.2.10",
                    "devices.lobby-1.printer.path=tickets"])
    assert "'path' is for printers of kind 'file'" in str(refused.value)


def test_set_switches_a_sensor_to_another_kind(tmp_path: Path) -> None:
    site = readme_room_3_site(tmp_path)  # staff: a PIR on pin 17
    config = load_site_config(site, ["devices.room-3.room_unit.staff.kind=ld2410",
                                     "devices.room-3.room_unit.staff.serial_port=/dev/ttyUSB0"])
    staff = config.device("room-3").room_unit.staff  # type: ignore[union-attr]
    assert (staff.kind, staff.serial_port, staff.pin) == ("ld2410", "/dev/ttyUSB0", None)
    assert staff.on_s == 2  # the README example's on_s, common to every kind, stays
