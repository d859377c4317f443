"""Where a deployed device keeps things: one place, so install, provision, the unit and
the config store agree. Every function takes the directory, so tests use a throwaway one."""

from __future__ import annotations

from pathlib import Path

ETC = Path("/etc/piste")  # provisioned: read-only root is fine
STATE = Path("/var/lib/piste")  # the writable data partition: ledger, last good config
VENV = Path("/opt/piste/venv")

SITE_FILE = "site.toml"  # the provisioned site config, as the technician brought it
DEVICE_ENV = "device.env"  # PISTE_DEVICE=lobby-1, read by the systemd unit
CREDENTIALS = "credentials.toml"  # this device's broker login and TLS files (0640 root:piste)
TLS_DIR = "tls"
EFFECTIVE = "site.toml"  # in STATE: what `piste run` reads (provisioned or pushed + creds)
PUSHED_DIR = "config"  # in STATE: the last good pushed config and its meta data


def pushed_text(state: Path) -> Path:
    return state / PUSHED_DIR / "pushed.toml"


def pushed_meta(state: Path) -> Path:
    return state / PUSHED_DIR / "pushed.json"


def read_device_env(etc: Path) -> str | None:
    """The device id provisioned into `device.env`, or None."""
    try:
        lines = (etc / DEVICE_ENV).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "PISTE_DEVICE" and value.strip():
            return value.strip().strip('"')
    return None
