"""`piste public`: the customers' phone pages for every site, from the central broker.

    piste public --broker URL [--login NAME] [--password-file F] [--ca-file F]
                 [--port P] [--bind ADDR] [--requests-per-minute N]

Plain HTTP, for the operator's TLS terminator or load balancer in front; any number of
these can run side by side (README "Follow your turn on a phone").
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("piste")


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (1 to 65535)")
    return int(text)


def _per_minute(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of requests from 1 to "
                                         "1000000")
    return int(text)


def register(sub: Any) -> None:
    public = sub.add_parser("public", help="serve every site's phone pages from the central "
                            "broker (plain HTTP, behind a TLS terminator)")
    public.add_argument("--broker", required=True, help="the central broker, mqtt://HOST:PORT "
                        "(mqtts:// or --ca-file for TLS)")
    public.add_argument("--login", default="public", help="the relay's login on the central "
                        "broker, which may read the sites' public messages only (default "
                        "public)")
    public.add_argument("--password-file", type=Path, help="its password (never on the "
                        "command line)")
    public.add_argument("--ca-file", default="", help="the central broker's CA (TLS)")
    public.add_argument("--port", type=_port, default=8080, help="HTTP port (default 8080)")
    public.add_argument("--bind", default="0.0.0.0", help="address to listen on (default "
                        "0.0.0.0)")
    public.add_argument("--requests-per-minute", type=_per_minute, default=60,
                        help="per client address (default 60); behind a balancer every "
                        "client has the balancer's address unless it passes TCP through")


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command == "public":
        return public_main(args)
    return None


def _secret(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        print(f"cannot read the relay's password from {path}: {exc.strerror or exc}",
              file=sys.stderr)
        raise SystemExit(2) from None


def public_main(args: argparse.Namespace) -> int:
    from firmware.central.public_relay import PublicRelay, RelayError, RelaySettings
    from firmware.device import DeviceError, parse_broker_url
    from mqtt_bridge.link import Tls

    try:
        host, port = parse_broker_url(args.broker, tls=bool(args.ca_file),
                                      tls_setting="--ca-file", plain_scheme_with_tls=True)
    except DeviceError as exc:
        print(exc, file=sys.stderr)
        return 2
    settings = RelaySettings(host, port, login=args.login, password=_secret(args.password_file),
                             tls=Tls(args.ca_file) if args.ca_file else None, bind=args.bind,
                             http_port=args.port, rate_per_minute=args.requests_per_minute)
    try:
        relay = PublicRelay(settings)
        relay.connect()
    except RelayError as exc:
        print(exc, file=sys.stderr)
        return 2
    # uvicorn stops on these and then raises them again: with handlers of ours that is
    # a quiet exit 0, not a death by signal.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: relay.server.request_stop())
    log.info("phone pages of every site on http://%s:%d/ (from %s:%d as %s)", args.bind,
             relay.port, host, port, args.login)
    relay.serve()
    log.info("phone pages stopped")
    return 0
