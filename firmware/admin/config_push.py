"""`piste config push SITE.toml --broker URL`: one command changes a whole site's config.

The file is validated here first (every problem at once, exit 2, nothing sent). It goes out
retained and versioned; then the command waits a few seconds and shows what each device of
the site says: running the new version, restarting into it, refused (with why), or silent
(it takes the retained config when it comes back online).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from firmware.admin import config_message
from firmware.admin.broker_client import AdminClient, BrokerError, parse_url
from firmware.site_config import ConfigError, load_site_config
from firmware.site_model import BrokerConfig, SiteConfig
from mqtt_bridge import topics

PASSWORD_ENV = "PISTE_BROKER_PASSWORD"
RETAINED_WAIT_S = 1.0


def login(username: str, ca_file: str, cert_file: str = "", key_file: str = "") -> BrokerConfig:
    """A login for admin commands; the password never on the command line (ps shows it)."""
    password = os.environ.get(PASSWORD_ENV, "")
    if username and not password and sys.stdin.isatty():
        password = getpass.getpass(f"broker password for {username}: ")
    return BrokerConfig(username=username, password=password, ca_file=ca_file,
                        cert_file=cert_file, key_file=key_file)


def current_version(client: AdminClient, site: str) -> tuple[int, str]:
    topic = config_message.config_topic(site)
    client.subscribe(topic)
    for got_topic, payload, _ in client.collect(RETAINED_WAIT_S):
        if got_topic == topic and payload:
            try:
                pushed = config_message.parse(payload)
            except config_message.MessageError:
                return 0, ""  # a damaged retained message is simply replaced
            return pushed.version, pushed.sha256
    return 0, ""


def push_main(file: Path, broker_url: str, username: str, ca_file: str, wait_s: float) -> int:
    try:
        config = load_site_config(file)
    except ConfigError as exc:
        print(f"{exc}\nnothing was pushed", file=sys.stderr)
        return 2
    if config.broker.password:
        print(f"{file}: [broker] password is set; a pushed config is retained on the broker "
              "where every device reads it, so it must carry no secret. Remove the password "
              "(each device has its own in /etc/piste/credentials.toml). Nothing was pushed.",
              file=sys.stderr)
        return 2
    text = file.read_text(encoding="utf-8")
    try:
        endpoint = parse_url(broker_url)
        with AdminClient(login(username, ca_file), host=endpoint.host, port=endpoint.port,
                         tls=endpoint.tls or bool(ca_file), name="push") as client:
            running, running_sha = current_version(client, config.site.id)
            version = config.config_version or running + 1
            sha = config_message.sha256_text(text)
            if version < running or (version == running and sha != running_sha):
                print(f"{file}: config_version {version} is not newer than version {running} "
                      f"that site {config.site.id} runs; set config_version = {running + 1} "
                      "at the top of the file. Nothing was pushed.", file=sys.stderr)
                return 2
            if version == running:
                print(f"site {config.site.id} already has version {version} (same content)")
            else:
                now = datetime.now().astimezone().isoformat(timespec="seconds")
                client.subscribe(f"{topics.site_root(config.site.id)}/device/+/health")
                client.publish(config_message.config_topic(config.site.id),
                               config_message.encode(version, text, now), retain=True)
                print(f"pushed config version {version} for site {config.site.id}"
                      + ("" if config.config_version else
                         f" (write config_version = {version} into {file} to keep them alike)"))
            return report_devices(client, config, version, wait_s)
    except BrokerError as exc:
        print(f"{exc}\nnothing was pushed", file=sys.stderr)
        return 1


def report_devices(client: AdminClient, config: SiteConfig, version: int,
                   wait_s: float) -> int:
    """Show each device's answer to the push; 1 if any refused it."""
    import time

    states: dict[str, str] = {}
    refused: dict[str, list[str]] = {}
    deadline = time.monotonic() + wait_s
    expected = {d.id for d in config.devices}
    client.subscribe(f"{topics.site_root(config.site.id)}/device/+/health")
    while time.monotonic() < deadline:
        for topic, payload, _ in client.collect(min(0.5, max(0.0, deadline - time.monotonic()))):
            device = topics.device_of_health(config.site.id, topic)
            if device is None:
                continue
            part = _config_part(payload)
            if part is None:
                continue
            if part.get("version") == version or part.get("pending") == version:
                states[device] = ("runs it" if part.get("version") == version
                                  else "stored it, restarting")
                refused.pop(device, None)
            elif (part.get("refused") or {}).get("version") == version:
                states[device] = "REFUSED it"
                refused[device] = list(part["refused"].get("problems", []))
        if expected <= {d for d, s in states.items() if s != "REFUSED it"} | set(refused):
            break
    for device in sorted(expected):
        print(f"  {device:<14} {states.get(device, 'no answer yet (takes it when online)')}")
        for problem in refused.get(device, []):
            print(f"      {problem}")
    return 1 if refused else 0


def _config_part(payload: bytes) -> dict | None:  # type: ignore[type-arg]
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    part = body.get("config") if isinstance(body, dict) else None
    return part if isinstance(part, dict) else None
