"""The national commands: `piste bridge-config`, `piste central-acl`, `piste central`.

    piste bridge-config --config SITE.toml --central HOST[:PORT] [--ca-file F]
                        [--password-file F] [--local-password-file F] [--allow-config-push]
                        [--out DIR]
    piste central-acl [--out DIR]
    piste central --db URL [--broker mqtt://HOST:PORT] [--username U] [--password-file F]
                  [--ca-file F]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from firmware.central.bridge import (
    RESERVED,
    BridgeSettings,
    bridge_acl_block,
    bridge_conf,
    bridge_site_acl,
    central_acl,
    central_conf,
    with_bridge_block,
)
from firmware.cli.common import load_config_or_exit
from firmware.cli.output_folder import OutputError, output_folder

log = logging.getLogger("piste")


def register(sub: Any) -> None:
    bridge = sub.add_parser("bridge-config", help="the site broker's bridge to the central "
                            "broker (Mosquitto config and the bridge's ACL lines)")
    bridge.add_argument("--config", required=True, type=Path, help="the site config")
    bridge.add_argument("--central", required=True, help="the central broker, HOST[:PORT] "
                        "(default port 8883)")
    bridge.add_argument("--ca-file", default="", help="the central broker's CA (TLS)")
    bridge.add_argument("--cert-file", default="")
    bridge.add_argument("--key-file", default="")
    bridge.add_argument("--password-file", type=Path, help="the site's password on the "
                        "central broker (never on the command line)")
    bridge.add_argument("--local-password-file", type=Path,
                        help="the bridge user's password on the site broker")
    bridge.add_argument("--allow-config-push", action="store_true",
                        help="let the centre push the site config (a technician's decision)")
    bridge.add_argument("--out", type=Path, help="write piste-bridge.conf here and add the "
                        "bridge's login to the acl in this folder (default: print)")
    acl = sub.add_parser("central-acl", help="the central broker's ACL and config")
    acl.add_argument("--out", type=Path, help="write acl and piste-central.conf here")
    central = sub.add_parser("central", help="collect every site's events into one store")
    central.add_argument("--db", required=True, help="sqlite:///PATH (default kind) or "
                         "postgresql://USER@HOST:PORT/DB")
    central.add_argument("--broker", default="mqtt://localhost:8883",
                         help="the central broker (default mqtt://localhost:8883)")
    central.add_argument("--username", default="collector")
    central.add_argument("--password-file", type=Path)
    central.add_argument("--ca-file", default="")


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command == "bridge-config":
        return bridge_config_main(args)
    if args.command == "central-acl":
        return central_acl_main(args.out)
    if args.command == "central":
        return central_main(args)
    return None


def _secret(path: Path | None, what: str) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        print(f"cannot read {what} from {path}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _host_port(text: str) -> tuple[str, int] | None:
    """HOST or HOST:PORT (default 8883); None, with the reason printed, for anything else."""
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, 8883
    if host and port.isdigit() and 0 < int(port) < 65536:
        return host, int(port)
    print(f"--central '{text}' is not HOST or HOST:PORT", file=sys.stderr)
    return None


def bridge_config_main(args: argparse.Namespace) -> int:
    config = load_config_or_exit(args.config)
    site = config.site.id
    if site in RESERVED:
        print(f"site id '{site}' is reserved on the central broker; choose another",
              file=sys.stderr)
        return 2
    address = _host_port(args.central)
    if address is None:
        return 2
    host, port = address
    settings = BridgeSettings(
        site, host, port, _absolute(args.ca_file), _absolute(args.cert_file),
        _absolute(args.key_file),
        password=_secret(args.password_file, "the central password"),
        local_password=_secret(args.local_password_file, "the bridge's local password"),
        allow_config_push=args.allow_config_push)
    text = bridge_conf(settings)
    if args.out is None:
        print(text.replace(f"remote_password {settings.password}", "remote_password ********")
              .replace(f"local_password {settings.local_password}", "local_password ********"))
        print(bridge_site_acl(site, args.allow_config_push))
        return 0
    try:
        with output_folder(args.out) as folder:
            acl = folder.read("acl")
            # Readable by root only from its creation on: it holds the passwords. Mosquitto
            # reads its config files as root, before it drops to its own user.
            conf = folder.write("piste-bridge.conf", text, mode=0o600)
            folder.write("acl", with_bridge_block(
                acl, bridge_acl_block(site, args.allow_config_push)).lstrip("\n"))
    except OutputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {conf} and the bridge's login in {args.out / 'acl'}; give the site broker "
          f"a user 'bridge' (mosquitto_passwd {args.out / 'passwd'} bridge), copy {conf} to "
          "/etc/mosquitto/conf.d/ and restart mosquitto")
    return 0


def _absolute(path: str) -> str:
    """A TLS file named on the command line, as Mosquitto will find it: Mosquitto runs from /,
    so a path relative to the technician's folder would point at nothing."""
    return os.path.abspath(path) if path else ""


def central_acl_main(out: Path | None) -> int:
    if out is None:
        print(central_acl())
        return 0
    try:
        with output_folder(out) as folder:
            folder.write("acl", central_acl())
            folder.write("piste-central.conf", central_conf(acl_dir=str(out.resolve())))
    except OutputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {out / 'acl'} and {out / 'piste-central.conf'}; add a login per site "
          f"(mosquitto_passwd {out / 'passwd'} SITE-ID) and one for the collector, then "
          f"copy {out / 'piste-central.conf'} to /etc/mosquitto/conf.d/ and restart mosquitto")
    return 0


def central_main(args: argparse.Namespace) -> int:
    from firmware.central.collector import Collector
    from firmware.central.store import CentralStore, StoreError
    from firmware.device import DeviceError, parse_broker_url
    from mqtt_bridge.link import Tls

    try:
        host, port = parse_broker_url(args.broker)
        store = CentralStore.open(args.db)
    except (DeviceError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 2
    collector = Collector(store, host, port, username=args.username,
                          password=_secret(args.password_file, "the collector's password"),
                          tls=Tls(args.ca_file) if args.ca_file else None)
    signal.signal(signal.SIGTERM, lambda *_: collector.stop())
    signal.signal(signal.SIGINT, lambda *_: collector.stop())
    log.info("collecting every site's events from %s:%s into %s", host, port, args.db)
    try:
        collector.run()
    finally:
        store.close()
    return 0
