"""`piste status`: what the devices of a site say about themselves, read from their retained
status and health on the broker (so it works from any machine that can reach it)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from firmware.admin.broker_client import AdminClient, BrokerError
from firmware.admin.selftest_cli import config_path
from firmware.site_config import ConfigError, load_site_config
from mqtt_bridge import topics


def collect(client: AdminClient, site: str, seconds: float = 1.0) -> dict[str, dict[str, Any]]:
    """{device: {"status": {...}, "health": {...}}} from the retained messages."""
    root = topics.site_root(site)
    client.subscribe(f"{root}/device/+/status")
    client.subscribe(f"{root}/device/+/health")
    devices: dict[str, dict[str, Any]] = {}
    for topic, payload, _ in client.collect(seconds):
        parts = topic.split("/")
        try:
            body = json.loads(payload)
        except ValueError:
            continue
        if isinstance(body, dict):
            devices.setdefault(parts[-2], {})[parts[-1]] = body
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
    clock = health.get("clock") or {}
    if clock.get("state") == "unsure":
        lines.append(f"{'':<15}clock NOT synchronised: times may be wrong")
    for part, value in health.items():
        if part in ("at", "config", "clock") or not isinstance(value, dict):
            continue
        state = value.get("state")
        if state and state != "ok":
            lines.append(f"{'':<15}{part}: {state}")
    if health.get("at"):
        lines.append(f"{'':<15}health reported at {health['at']}")
    return lines


def status_main(args: argparse.Namespace) -> int:
    try:
        config = load_site_config(config_path(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    wanted = args.device or None
    try:
        with AdminClient(config.broker, name="status") as client:
            devices = collect(client, config.site.id)
    except BrokerError as exc:
        print(exc, file=sys.stderr)
        return 1
    names = [wanted] if wanted else sorted({d.id for d in config.devices} | set(devices))
    if args.json:
        print(json.dumps({name: devices.get(name, {}) for name in names}, ensure_ascii=False))
    else:
        print(f"site {config.site.id}, broker {config.broker.host}:{config.broker.port}")
        for name in names:
            print("\n".join(describe(name, devices.get(name, {}))))
    seen = [devices.get(name, {}).get("status", {}).get("state") for name in names]
    return 0 if all(state == "online" for state in seen) else 1

