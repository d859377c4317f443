"""scripts/install.sh and uninstall.sh into a throwaway root: files, plan, idempotence."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_SITE, ROOT
from tests.test_systemd import needs_analyze, verify_in_root

INSTALL = ROOT / "scripts" / "install.sh"
UNINSTALL = ROOT / "scripts" / "uninstall.sh"
SECRET = "correct-horse-battery-staple"


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    text = DEMO_SITE.read_text(encoding="utf-8")
    # lobby-1 with a USB Epson TM-T20II instead of the demo's file printer.
    text = re.sub(r'(\[devices\.printer\]\n)kind = "file"\npath = "[^"]*"',
                  r'\1kind = "usb"\nusb_vendor = 0x04b8\nusb_product = 0x0e15', text, count=1)
    assert 'kind = "usb"' in text
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(script), *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def install(root: Path, site: Path, password: Path) -> subprocess.CompletedProcess[str]:
    return run(INSTALL, "--root", str(root), "--python", sys.executable, "--site", str(site),
               "--device", "lobby-1", "--username", "lobby-1", "--password-file", str(password))


def test_install_into_a_root_twice_then_uninstall(tmp_path: Path, site_file: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    password = tmp_path / "pw"
    password.write_text(SECRET + "\n")

    first = install(root, site_file, password)
    assert first.returncode == 0, first.stderr
    assert SECRET not in first.stdout + first.stderr
    plan = (root / "var/log/piste-install.plan").read_text()
    assert "apt-get install -y -qq --no-install-recommends python3-venv" in plan
    assert re.search(r"apt-get install .* mosquitto libusb-1.0-0", plan), plan  # hosts broker
    assert "espeak-ng" in plan and "fonts-dejavu-core" in plan
    assert "useradd --system --user-group --home-dir /var/lib/piste" in plan
    for group in ("gpio", "video", "render", "input", "dialout", "lp", "audio"):
        assert f"usermod -a -G {group} piste" in plan
    assert "systemctl enable piste.service" in plan and "systemctl restart piste.service" in plan

    unit = root / "etc/systemd/system/piste.service"
    assert filecmp.cmp(unit, ROOT / "systemd/piste.service", shallow=False)
    rule = (root / "etc/udev/rules.d/61-piste-site-printer.rules").read_text()
    assert 'ATTRS{idVendor}=="04b8", ATTRS{idProduct}=="0e15", MODE="0660", GROUP="lp"' in rule
    assert (root / "etc/piste/device.env").read_text().endswith("PISTE_DEVICE=lobby-1\n")
    creds = root / "etc/piste/credentials.toml"
    assert SECRET in creds.read_text() and creds.stat().st_mode & 0o777 == 0o640
    assert os.readlink(root / "opt/piste/venv").startswith("releases/")
    assert (root / "opt/piste/src/firmware/cli/main.py").is_file()
    assert not (root / "opt/piste/src/.venv").exists()

    def files() -> dict[Path, bytes]:
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and not p.is_symlink() and not p.name.endswith(".plan")}

    snapshot = files()
    second = install(root, site_file, password)
    assert second.returncode == 0, second.stderr
    # The release is complete already: no second venv, everything else asked again.
    without_venv = [line for line in plan.splitlines() if "/venv" not in line]
    assert (root / "var/log/piste-install.plan").read_text().splitlines() == without_venv
    assert files() == snapshot
    assert not (root / "opt/piste/previous").exists()  # the same release: nothing to roll to

    removed = run(UNINSTALL, "--root", str(root))
    assert removed.returncode == 0, removed.stderr
    assert not unit.exists() and not (root / "opt/piste").exists()
    assert creds.exists()  # the device's config and ledger stay
    assert "systemctl disable --now piste.service" in (
        root / "var/log/piste-uninstall.plan").read_text()
    assert run(UNINSTALL, "--root", str(root), "--purge").returncode == 0
    assert not (root / "etc/piste").exists()


@needs_analyze
def test_the_installed_unit_verifies_in_the_root(tmp_path: Path, site_file: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    password = tmp_path / "pw"
    password.write_text(SECRET)
    assert install(root, site_file, password).returncode == 0
    # --root lists pip instead of running it: stand in for the program the unit starts.
    result = verify_in_root(root, (root / "etc/systemd/system/piste.service").read_text())
    assert result.returncode == 0, result.stderr


def test_install_refuses_an_unknown_device_and_writes_no_config(
        tmp_path: Path, site_file: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    result = run(INSTALL, "--root", str(root), "--python", sys.executable,
                 "--site", str(site_file), "--device", "lobby-9")
    assert result.returncode == 2
    assert "device 'lobby-9' is not in" in result.stderr
    assert not (root / "etc/piste/device.env").exists()


def test_update_then_rollback_switches_the_venv_link(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "opt/piste/releases/0.0.9-old/venv").mkdir(parents=True)
    (root / "opt/piste/venv").symlink_to("releases/0.0.9-old/venv")
    assert run(INSTALL, "--root", str(root), "--python", sys.executable).returncode == 0
    new = os.readlink(root / "opt/piste/venv")
    assert new != "releases/0.0.9-old/venv"
    assert os.readlink(root / "opt/piste/previous") == "releases/0.0.9-old/venv"
    back = run(INSTALL, "--root", str(root), "--rollback")
    assert back.returncode == 0, back.stderr
    assert os.readlink(root / "opt/piste/venv") == "releases/0.0.9-old/venv"
    assert os.readlink(root / "opt/piste/previous") == new
    shutil.rmtree(root)


def test_a_tls_site_gets_the_production_broker_with_the_acl(tmp_path: Path,
                                                            site_file: Path) -> None:
    # The devices reach the broker by the controller's name, as its certificate says.
    text = site_file.read_text(encoding="utf-8").replace(
        'host = "localhost"\nport = 1883', 'host = "lobby-1.local"\nport = 8883\n'
        'ca_file = "/etc/piste/site-ca.crt"', 1)
    assert "lobby-1.local" in text
    site_file.write_text(text, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    password = tmp_path / "pw"
    password.write_text(SECRET)
    done = install(root, site_file, password)
    assert done.returncode == 0, done.stderr
    plan = (root / "var/log/piste-install.plan").read_text()
    assert re.search(r"apt-get install .* mosquitto", plan), plan
    conf = (root / "etc/mosquitto/conf.d/piste.conf").read_text()
    assert "use_username_as_clientid true" in conf and "allow_anonymous false" in conf
    assert f"acl_file {root}/etc/mosquitto/piste/acl" in conf
    acl = (root / "etc/mosquitto/piste/acl").read_text()
    assert "topic write piste/v1/lappeenranta/cmd/ticket/issue/lobby-1" in acl
    # No passwords and certificates yet: the technician is told, mosquitto is not restarted.
    assert "systemctl restart mosquitto.service" not in plan
    assert "mosquitto_passwd" in done.stdout
