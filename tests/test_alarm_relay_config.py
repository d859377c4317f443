"""The alarm relay device in the site's config, as the technician meets it: `roles = [...,
"alarm"]` with a `[devices.alarm]` table (relay_pin, active_high), checked by
`piste check-config` with plain words and exit status 2, and what the device may do on the
broker (it hears every room's alarm and writes only `escalated`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text
from tests.conftest import DEMO_SITE
from tests.test_alarm_relay_device import relay_site

RELAY_DEVICE = '\n[[devices]]\nid = "relay-1"\nroles = ["controller", "alarm"]\n'
# The index check-config gives the device appended after the demo site's own.
AT = f"devices[{Path(DEMO_SITE).read_text().count(chr(10) + '[[devices]]')}]"


def site_text(device: str) -> str:
    """The demo site with its controller moved to `relay-1`, described by `device`."""
    return Path(DEMO_SITE).read_text().replace(
        'roles = ["controller", "kiosk", "display", "web"]',
        'roles = ["kiosk", "display", "web"]') + device


def check_config(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "site.toml"
    site.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "firmware.cli.main", "check-config", *args,
                           str(site)], capture_output=True, text=True, timeout=60)


def test_check_config_accepts_a_controller_that_drives_the_alarm_relay(tmp_path: Path) -> None:
    text = site_text(RELAY_DEVICE + "[devices.alarm]\nrelay_pin = 21\nactive_high = false\n")
    done = check_config(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert "relay-1        controller, alarm" in done.stdout
    shown = check_config(tmp_path, text, "--json")
    devices = {d["id"]: d for d in json.loads(shown.stdout)["devices"]}
    assert devices["relay-1"]["alarm"] == {"relay_pin": 21, "active_high": False}
    assert "alarm" not in devices["waiting-1"]


@pytest.mark.parametrize(("table", "says"), [
    ("[devices.alarm]\nactive_high = true\n",
     f"{AT}.alarm.relay_pin: missing: expected the GPIO (BCM) number wired to the relay "
     "module's input from 0 to 27"),
    ("",
     f"{AT}.alarm: a device with the alarm role needs a [devices.alarm] table with "
     "relay_pin, the GPIO (BCM) number wired to the relay module's input"),
    ("[devices.alarm]\nrelay_pin = 28\n",
     f"{AT}.alarm.relay_pin: expected the GPIO (BCM) number wired to the relay module's "
     "input from 0 to 27, found 28 (an integer)"),
    ('[devices.alarm]\nrelay_pin = "21"\n', "(write it without quotes: 21)"),
    ('[devices.alarm]\nrelay_pin = 21\nactive_high = "false"\n',
     f"{AT}.alarm.active_high: expected true or false (write true or false without "
     "quotes)"),
    ("[devices.alarm]\nrelay_pin = 21\nrelay = 22\n",
     f"{AT}.alarm.relay: unknown key 'relay'"),
])
def test_check_config_refuses_a_relay_without_its_pin_in_plain_words(
        tmp_path: Path, table: str, says: str) -> None:
    done = check_config(tmp_path, site_text(RELAY_DEVICE + table))
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_only_an_alarm_device_carries_the_relay_table(tmp_path: Path) -> None:
    text = site_text('\n[[devices]]\nid = "relay-1"\nroles = ["controller"]\n'
                     "[devices.alarm]\nrelay_pin = 21\n")
    done = check_config(tmp_path, text)
    assert done.returncode == 2
    assert (f"{AT}.alarm: only a device with the alarm role has an alarm table; add the "
            "role or remove this table") in done.stderr


def test_the_relay_device_hears_every_alarm_and_may_only_say_it_escalated() -> None:
    config = relay_site()
    site = config.site.id
    block = acl_text(config).split("# relay-1: controller, alarm\n")[1].split("\n\n")[0]
    alarm_lines = [line for line in block.splitlines() if "/alarm/" in line]
    assert alarm_lines == [f"topic read {topics.alarm_filter(site)}",
                           f"topic write {topics.alarm_escalated(site, '+')}"]
