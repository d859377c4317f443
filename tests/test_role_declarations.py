"""A role is its folder and its `declaration.py`: the config, the broker's ACL, the controller's
client table and the device's assembly all come from the declarations (firmware/roles.py).

The proof is a role that exists only for this test: a folder with a declaration, put on the
firmware package's path, and nothing else anywhere. The program then accepts it in a site's
config (with its own table), grants it its topics and commands, and builds it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

import firmware
from firmware.clock import ManualClock
from firmware.device import build_roles, build_runtime
from firmware.roles import declared
from firmware.site_config import ConfigError, parse_site_config
from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text, users
from mqtt_bridge.clients import site_clients

MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "config" / "demo-site.toml"

BEACON_DECLARATION = '''
"""A lamp by the exit with one big button: "thumbs up". Lives only in a test."""

from dataclasses import dataclass

from firmware.roles import ConfigTable, RoleDeclaration
from firmware.runtime import Role
from firmware.site_config.reader import text_field
from mqtt_bridge import topics


@dataclass(frozen=True)
class BeaconConfig:
    colour: str = "blue"


def read_beacon(r, value, path):
    table = r.table(value, path, ("colour",))
    if table is None:
        return None
    colour = r.get(table, path, "colour", text_field, default="blue")
    return None if colour is None else BeaconConfig(colour)


class BeaconRole(Role):
    name = "beacon"


DECLARATION = RoleDeclaration(
    name="beacon", place=80, build=lambda context: BeaconRole(),
    tables=(ConfigTable(key="beacon", read=read_beacon, default=BeaconConfig, place=9),),
    grants=lambda config, device: [("read", topics.queue_state(config.site.id))],
    commands=lambda config, device: (topics.FEEDBACK,),
    client=lambda device: {"feedback": True},
    owns_screen=lambda device: True,  # the lamp is a small screen
)
'''

BEACON_DEVICE = """
[[devices]]
id = "beacon-1"
roles = ["beacon"]

[devices.beacon]
colour = "green"
"""


@pytest.fixture
def beacon_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The beacon's folder, and only that, added to the program."""
    folder = tmp_path / "plugins" / "beacon"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text('"""The beacon role (a test\'s)."""\n')
    (folder / "declaration.py").write_text(textwrap.dedent(BEACON_DECLARATION))
    monkeypatch.setattr(firmware, "__path__", [*firmware.__path__, str(folder.parent)])
    yield
    for name in ("firmware.beacon.declaration", "firmware.beacon"):
        sys.modules.pop(name, None)


def demo_text() -> str:
    return DEMO.read_text()


def test_the_shipped_roles_are_found_in_their_places() -> None:
    roles = declared()
    assert roles.names[:7] == ("controller", "kiosk", "display", "room", "alarm", "feedback",
                               "web")
    assert [d.name for d in roles.always] == ["config"]


def test_a_new_role_is_accepted_in_the_config_with_its_own_table(beacon_role: None) -> None:
    config = parse_site_config(demo_text() + BEACON_DEVICE)
    beacon = config.device("beacon-1")
    assert beacon is not None and beacon.roles == ("beacon",)
    assert beacon.table("beacon").colour == "green"
    # A device without the role may not carry its table: the usual sentence, from the name.
    misplaced = demo_text() + BEACON_DEVICE.replace('roles = ["beacon"]', 'roles = ["display"]')
    with pytest.raises(ConfigError) as caught:
        parse_site_config(misplaced)
    assert ("only a device with the beacon role has a beacon table; add the role or remove "
            "this table") in str(caught.value)


def test_a_new_role_gets_its_topics_and_commands_in_the_acl(beacon_role: None) -> None:
    before = parse_site_config(demo_text())
    config = parse_site_config(demo_text() + BEACON_DEVICE)
    site = config.site.id
    root = topics.site_root(site)
    block = acl_text(config).split("# beacon-1: beacon\n")[1].split("\n\n")[0]
    assert block.splitlines() == [
        "user beacon-1",
        f"topic readwrite {root}/device/beacon-1/#",
        f"topic read {root}/reply/beacon-1",
        f"topic read {root}/config/#",
        f"topic read {root}/queue/state",
        f"topic write {root}/cmd/feedback/give/beacon-1",
    ]
    # Everything else of the site's ACL stays as it was.
    assert acl_text(config).replace(f"# beacon-1: beacon\n{block}\n\n", "") == acl_text(before)
    assert "beacon-1" in users(config)
    client = site_clients(config)["beacon-1"]
    assert client.commands == {topics.FEEDBACK} and client.feedback and client.room is None


def test_a_new_role_is_built_on_its_device_with_the_config_watch(
        beacon_role: None, tmp_path: Path) -> None:
    config = parse_site_config(demo_text() + BEACON_DEVICE)
    assert [r.name for r in build_roles(config, "beacon-1")] == ["beacon", "config"]
    runtime = build_runtime(config, "beacon-1", clock=ManualClock(MORNING),
                            data_dir=tmp_path)
    assert runtime.uses_screen is True  # no list of screen roles names it: its declaration


def test_without_its_folder_the_role_is_unknown() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_site_config(demo_text() + BEACON_DEVICE)
    assert ("roles[0]: expected one of controller, kiosk, display, room, alarm, feedback, web"
            in str(caught.value))


@pytest.mark.parametrize(("device", "never"), [
    ("room-1", ("pygame", "escpos", "starlette")),  # a room unit never loads SDL
    ("waiting-1", ("escpos", "starlette", "sqlite3")),  # a display never the printer
    ("exit-1", ("escpos", "starlette", "sqlite3")),
])
def test_a_device_loads_only_its_own_roles_code(device: str, never: tuple[str, ...]) -> None:
    script = ("import sys\n"
              "from firmware.device import build_roles\n"
              "from firmware.site_config import load_site_config\n"
              f"build_roles(load_site_config({str(DEMO)!r}), {device!r})\n"
              "print(' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert not loaded & set(never)
    assert "firmware" in loaded  # it did run


def test_the_contract_names_every_declared_role() -> None:
    """A device's status carries its roles: the contract's vocabulary is the declarations'."""
    doc = yaml.safe_load((ROOT / "docs" / "mqtt-api.yaml").read_text())
    schemas = doc["components"]["schemas"]
    status_roles = schemas["DeviceStatus"]["properties"]["roles"]["items"]["enum"]
    assert tuple(status_roles) == declared().names
    alert_roles = [s["properties"]["roles"]["items"]["enum"] for s in schemas.values()
                   if "roles" in s.get("properties", {}) and s is not schemas["DeviceStatus"]]
    assert alert_roles and all(tuple(r) == declared().names for r in alert_roles)
