"""The device's configs on disk: the provisioned one in /etc/piste, the last good pushed one
in /var/lib/piste/config, and the effective one that `piste run` reads.

`prepare()` (the unit's ExecStartPre) picks the newer of provisioned and last good pushed,
puts this device's own broker connection into it (the provisioned host and port, the login
and TLS files from credentials.toml: a pushed config never carries secrets and never moves
a device to another broker) and writes /var/lib/piste/site.toml, readable only by piste.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firmware.admin import paths, toml_write
from firmware.admin.config_message import PushedConfig, sha256_text
from firmware.admin.files import write_atomic
from firmware.site_config import ConfigError, load_site_config, parse_site_config
from firmware.site_model import SiteConfig

log = logging.getLogger(__name__)

CREDENTIAL_KEYS = ("username", "password", "ca_file", "cert_file", "key_file")


class PrepareError(RuntimeError):
    """The device has no config it can run; the text says what to do."""


@dataclass(frozen=True)
class Accepted:
    config: SiteConfig  # with this device's broker connection in place
    version: int
    sha256: str


def read_credentials(etc: Path) -> dict[str, str]:
    """The `[broker]` table of credentials.toml (empty when the site needs no login)."""
    path = etc / paths.CREDENTIALS
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    broker = data.get("broker", {})
    return {k: str(broker[k]) for k in CREDENTIAL_KEYS if broker.get(k)}


def check_fits(pushed: SiteConfig, running: SiteConfig, device_id: str) -> list[str]:
    """Why a valid pushed config cannot run on this device (empty: it can)."""
    problems = []
    if pushed.site.id != running.site.id:
        problems.append(f"it is for site '{pushed.site.id}', this device belongs to "
                        f"'{running.site.id}'")
    device = pushed.device(device_id)
    if device is None:
        problems.append(f"it has no device '{device_id}': add it to [[devices]]")
    if pushed.broker.password:
        problems.append("it carries a broker password: secrets stay in each device's "
                        "credentials.toml (piste provision), never in a retained message")
    return problems


def accept(message: PushedConfig, running: SiteConfig, device_id: str) -> Accepted:
    """Validate a pushed config for this device; ConfigError lists every problem."""
    source = f"pushed config version {message.version}"
    pushed = parse_site_config(message.toml, source)  # raises ConfigError
    problems = check_fits(pushed, running, device_id)
    if problems:
        from firmware.site_config import ConfigProblem

        raise ConfigError([ConfigProblem("", p) for p in problems], source)
    # This device keeps its own broker connection: see the module's docstring.
    config = dataclasses.replace(pushed, broker=running.broker, config_version=message.version)
    return Accepted(config, message.version, message.sha256)


def save_last_good(state: Path, message: PushedConfig) -> None:
    """The text first, then the meta data that vouches for it: a cut in between leaves a
    meta file whose hash no longer matches, and the pair is then ignored."""
    write_atomic(paths.pushed_text(state), message.toml, 0o640)
    meta = {"version": message.version, "sha256": message.sha256,
            "pushed_at": message.pushed_at}
    write_atomic(paths.pushed_meta(state), json.dumps(meta) + "\n", 0o640)


def load_last_good(state: Path) -> PushedConfig | None:
    try:
        meta = json.loads(paths.pushed_meta(state).read_text(encoding="utf-8"))
        text = paths.pushed_text(state).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or sha256_text(text) != meta.get("sha256"):
        log.warning("the last good pushed config in %s is damaged; ignoring it", state)
        return None
    version = meta.get("version")
    if not isinstance(version, int):
        return None
    return PushedConfig(version, meta["sha256"], text, str(meta.get("pushed_at", "")))


def effective_text(etc: Path, state: Path, device_id: str) -> tuple[str, str]:
    """(TOML text to run, where it came from)."""
    base_path = etc / paths.SITE_FILE
    try:
        base = load_site_config(base_path)
    except ConfigError as exc:
        raise PrepareError(f"{exc}\nFix {base_path} or provision again: piste provision "
                           "--site SITE.toml --device ID") from None
    if base.device(device_id) is None:
        raise PrepareError(f"{base_path} has no device '{device_id}' (from "
                           f"{etc / paths.DEVICE_ENV}): provision again with the right --device")
    chosen_text, version = base_path.read_text(encoding="utf-8"), base.config_version
    origin = f"{base_path} (version {version})"
    pushed = load_last_good(state)
    if pushed is not None and pushed.version > base.config_version:
        try:
            accept(pushed, base, device_id)
            chosen_text, version = pushed.toml, pushed.version
            origin = f"the last good pushed config, version {version}"
        except ConfigError as exc:
            log.warning("ignoring the stored pushed config: %s", exc)
    data = tomllib.loads(chosen_text)
    base_broker: dict[str, Any] = tomllib.loads(base_path.read_text(encoding="utf-8")).get(
        "broker", {})
    broker = {k: v for k, v in base_broker.items() if k not in CREDENTIAL_KEYS}
    broker.update({k: v for k, v in base_broker.items() if k in CREDENTIAL_KEYS and v})
    broker.update(read_credentials(etc))
    data["broker"] = broker
    data = {"config_version": version, **{k: v for k, v in data.items()
                                          if k != "config_version"}}
    return toml_write.dumps(data), origin


def prepare(etc: Path, state: Path, device_id: str | None = None) -> tuple[Path, str]:
    """Write the effective config for `piste run`; returns (its path, its origin)."""
    device_id = device_id or paths.read_device_env(etc)
    if not device_id:
        raise PrepareError(f"{etc / paths.DEVICE_ENV} names no device (PISTE_DEVICE=...): "
                           "run piste provision --site SITE.toml --device ID")
    text, origin = effective_text(etc, state, device_id)
    target = state / paths.EFFECTIVE
    parse_site_config(text, str(target))  # never write what `piste run` would refuse
    write_atomic(target, text, 0o600)  # it holds the broker password
    return target, origin
