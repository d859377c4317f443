"""`piste status`: what the devices of a site say about themselves, read from their retained
status and health on the broker (so it works from any machine that can reach it).

On a device, its own health is also read from its data dir (health.json, kept by `piste
run`): a device that cannot reach the broker cannot tell it so, but it can tell us here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from firmware.admin.broker_client import AdminClient, BrokerError
from firmware.admin.selftest_cli import config_path
from firmware.runtime import LOCAL_HEALTH_FILE
from firmware.site_config import ConfigError, load_site_config
from mqtt_bridge import topics


def collect(client: AdminClient, site: str, seconds: float = 1.0) -> dict[str, dict[str, Any]]:
    """{device: {"status": {...}, "health": {...}}} from the retained messages."""
    root = topics.site_root(site)
    client.subscribe(f"{root}/device/+/status")
    client.subscribe(f"{root}/device/+/health")
    devices: dict[str, dict[str, Any]] = {}
    for topic, payload, _ in client.collect(seconds):
        found = topics.device_part(site, topic)
        if found is None:
            continue
        try:
            body = json.loads(payload)
        except ValueError:
            continue
        if isinstance(body, dict):
            devices.setdefault(found[0], {})[found[1]] = body
    return devices


def describe(device: str, report: dict[str, Any]) -> list[str]:
    status, health = report.get("status", {}), report.get("health", {})
    line = (f"{device:<14} {status.get('state', 'never seen'):<8} "
            f"roles {', '.join(status.get('roles', [])) or '?'}; "
            f"piste {status.get('version', '?')}; since {status.get('since', '?')}")
    lines = [line]
    config = health.get("config") or {}
    if config:
        text = f"config version {config.get('version')}"
        if config.get("state") == "restart_pending":
            text += f", restarting into version {config.get('pending')}"
        refused = config.get("refused")
        if refused:
            text += f"; REFUSED version {refused.get('version')}: " + "; ".join(
                refused.get("problems", [])[:3])
        lines.append(f"{'':<15}{text}")
    broker = health.get("broker") or {}
    if broker.get("state") == "unreachable":
        lines.append(f"{'':<15}cannot reach the broker at {broker.get('address', '?')} since "
                     f"{broker.get('since', '?')}: {broker.get('problem', '?')}")
    clock = health.get("clock") or {}
    if clock.get("state") == "unsure":
        lines.append(f"{'':<15}clock NOT synchronised: times may be wrong")
    for part, value in health.items():
        if part in ("at", "config", "clock", "broker") or not isinstance(value, dict):
            continue
        state = value.get("state")
        if state and state != "ok":
            lines.append(f"{'':<15}{part}: {state}")
    if health.get("at"):
        lines.append(f"{'':<15}health reported at {health['at']}")
    return lines


def local_health(state: Path, site: str) -> tuple[str, dict[str, Any]] | None:
    """(device, health) that `piste run` on this machine last wrote, if it is of this site."""
    try:
        body = json.loads((state / LOCAL_HEALTH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("site") != site:
        return None
    device, health = body.get("device"), body.get("health")
    if not isinstance(device, str) or not isinstance(health, dict):
        return None
    return device, health


def status_main(args: argparse.Namespace) -> int:
    try:
        config = load_site_config(config_path(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    wanted = args.device or None
    local = local_health(args.state, config.site.id)
    try:
        with AdminClient(config.broker, name="status") as client:
            devices = collect(client, config.site.id)
    except BrokerError as exc:
        print(exc, file=sys.stderr)
        if local and (wanted is None or wanted == local[0]):
            print(f"{local[0]} (this device), as it last noted itself:")
            print("\n".join(describe(local[0], {"health": local[1]})[1:]))
        return 1
    if local and (local[1].get("broker") or {}).get("state") == "unreachable":
        # The broker has this device's last words; its own view says why it is not there.
        devices.setdefault(local[0], {})["health"] = local[1]
    names = [wanted] if wanted else sorted({d.id for d in config.devices} | set(devices))
    if args.json:
        print(json.dumps({name: devices.get(name, {}) for name in names}, ensure_ascii=False))
    else:
        print(f"site {config.site.id}, broker {config.broker.host}:{config.broker.port}")
        for name in names:
            print("\n".join(describe(name, devices.get(name, {}))))
    seen = [devices.get(name, {}).get("status", {}).get("state") for name in names]
    return 0 if all(state == "online" for state in seen) else 1

