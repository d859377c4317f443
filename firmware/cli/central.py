"""The national commands: `piste bridge-config`, `piste central-acl`, `piste central`.

    piste bridge-config --config SITE.toml --central HOST[:PORT] [--ca-file F]
                        [--password-file F] [--local-password-file F] [--allow-config-push]
                        [--out DIR]
    piste central-acl [--out DIR] [--collector LOGIN ...] [--public LOGIN ...]
    piste central --db URL [--broker mqtt://HOST:PORT] [--username U] [--password-file F]
                  [--ca-file F] [--share GROUP] [--gap-grace SECONDS]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

from firmware.central.bridge import (
    COLLECTOR,
    PUBLIC,
    BridgeSettings,
    bridge_acl_block,
    bridge_conf,
    bridge_site_acl,
    central_acl,
    central_conf,
    is_reserved,
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
    acl.add_argument("--collector", action="append", dest="collectors", metavar="LOGIN",
                     help="a collector's login, repeated for collectors sharing the work "
                     "(collector, collector-2, ...; default: collector)")
    acl.add_argument("--public", action="append", dest="publics", metavar="LOGIN",
                     help="a public relay's login (piste public), repeated for relays behind "
                     "a load balancer (public, public-2, ...; default: public)")
    central = sub.add_parser("central", help="collect every site's events into one store")
    central.add_argument("--db", required=True, help="sqlite:///PATH (default kind) or "
                         "postgresql://USER@HOST:PORT/DB")
    central.add_argument("--broker", default="mqtt://localhost:8883",
                         help="the central broker (default mqtt://localhost:8883)")
    central.add_argument("--username", default="collector")
    central.add_argument("--password-file", type=Path)
    central.add_argument("--ca-file", default="")
    central.add_argument("--share", default="", metavar="GROUP",
                         help="share the work with the other collectors of GROUP (an MQTT "
                         "shared subscription; all of them on one PostgreSQL store, each "
                         "with its own --username)")
    central.add_argument("--gap-grace", type=_seconds, default=None, metavar="SECONDS",
                         help="ask a site to replay missing events only once the hole has "
                         "lasted this long (default 5)")


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command == "bridge-config":
        return bridge_config_main(args)
    if args.command == "central-acl":
        return central_acl_main(args.out, args.collectors or [COLLECTOR],
                                args.publics or [PUBLIC])
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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds from 0 to 3600")
    return value


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
    if is_reserved(site):
        print(f"site id '{site}' is reserved on the central broker (collector, "
              "collector-..., public, public-..., technician, bridge); choose another",
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
        allow_config_push=args.allow_config_push, alarm_to_central=config.alarm.to_central)
    text = bridge_conf(settings)
    if args.out is None:
        print(text.replace(f"remote_password {settings.password}", "remote_password ********")
              .replace(f"local_password {settings.local_password}", "local_password ********"))
        print(bridge_site_acl(site, args.allow_config_push, settings.alarm_to_central))
        return 0
    try:
        with output_folder(args.out) as folder:
            acl = folder.read("acl")
            # Readable by root only from its creation on: it holds the passwords. Mosquitto
            # reads its config files as root, before it drops to its own user.
            conf = folder.write("piste-bridge.conf", text, mode=0o600)
            folder.write("acl", with_bridge_block(acl, bridge_acl_block(
                site, args.allow_config_push, settings.alarm_to_central)).lstrip("\n"))
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


def central_acl_main(out: Path | None, collectors: list[str],
                     publics: list[str] | None = None) -> int:
    try:
        acl = central_acl(collectors, publics or [PUBLIC])
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if out is None:
        print(acl)
        return 0
    try:
        with output_folder(out) as folder:
            folder.write("acl", acl)
            folder.write("piste-central.conf", central_conf(acl_dir=str(out.resolve())))
    except OutputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {out / 'acl'} and {out / 'piste-central.conf'}; add a login per site "
          f"(mosquitto_passwd {out / 'passwd'} SITE-ID) and one for each collector "
          f"({', '.join(dict.fromkeys(collectors))}) and public relay "
          f"({', '.join(dict.fromkeys(publics or [PUBLIC]))}), then copy "
          f"{out / 'piste-central.conf'} to /etc/mosquitto/conf.d/ and restart mosquitto")
    return 0


def central_main(args: argparse.Namespace) -> int:
    from firmware.central.collector import GRACE_S, Collector
    from firmware.central.store import CentralStore, StoreError
    from firmware.device import DeviceError, parse_broker_url
    from mqtt_bridge.link import Tls

    if args.share and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", args.share):
        print(f"--share '{args.share}' is not a group name (1 to 64 of A-Z, a-z, 0-9, _ "
              "and -)", file=sys.stderr)
        return 2
    try:
        host, port = parse_broker_url(args.broker, tls=bool(args.ca_file),
                                      tls_setting="--ca-file", plain_scheme_with_tls=True)
        store = CentralStore.open(args.db)
    except (DeviceError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 2
    collector = Collector(store, host, port, username=args.username,
                          password=_secret(args.password_file, "the collector's password"),
                          tls=Tls(args.ca_file) if args.ca_file else None, share=args.share,
                          grace_s=GRACE_S if args.gap_grace is None else args.gap_grace)
    signal.signal(signal.SIGTERM, lambda *_: collector.stop())
    signal.signal(signal.SIGINT, lambda *_: collector.stop())
    log.info("collecting every site's events from %s:%s into %s%s", host, port, store.name,
             f", sharing the work in group {args.share}" if args.share else "")
    try:
        collector.run()
    finally:
        store.close()
    stats = collector.stats
    # What this collector did, for the operator (and the tests and bench that run it).
    log.info("collector stopped: %d events stored, %d received again, %d replays asked",
             stats.stored, stats.repeats, stats.replays_asked)
    return 0
