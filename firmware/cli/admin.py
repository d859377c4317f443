"""Device administration commands (install, provision, self-test, status, central config).

`register(sub)` adds their subparsers to `piste`; `dispatch(args)` runs one and returns its
exit status, or None when the command is not one of these. The work is in firmware/admin/.

    piste provision --site FILE --device ID [--username U] [--password-file F|-]
                    [--ca-file F] [--cert-file F] [--key-file F] [--etc DIR]
    piste selftest [--device ID] [--json] [--no-prompt] [--test-ticket] [--etc DIR]
    piste status [--device ID] [--json] [--etc DIR]
    piste config push FILE --broker URL [--username U] [--ca-file F] [--wait S]
    piste config prepare [--etc DIR] [--state DIR]
    piste install-info --site FILE --device ID
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from firmware.admin import paths

COMMANDS = ("provision", "selftest", "status", "config", "install-info", "pin-hash")


def register(sub: Any) -> None:
    prov = sub.add_parser("provision", help="write this device's identity and broker login "
                          "to /etc/piste")
    prov.add_argument("--site", required=True, type=Path, help="the site config (TOML)")
    prov.add_argument("--device", required=True, help="this device's id in the site config")
    prov.add_argument("--username", default="", help="this device's broker user")
    prov.add_argument("--password-file", help="file holding the broker password ('-': "
                      "standard input); asked for when omitted on a terminal")
    prov.add_argument("--ca-file", help="the CA certificate of the broker (PEM): turns TLS on")
    prov.add_argument("--cert-file", help="this device's client certificate (PEM)")
    prov.add_argument("--key-file", help="this device's client key (PEM)")
    prov.add_argument("--etc", type=Path, default=paths.ETC, help=argparse.SUPPRESS)

    test = sub.add_parser("selftest", help="check every part of this device, with fixes")
    test.add_argument("--device", help="device id (default: the provisioned one)")
    test.add_argument("--config", type=Path, help="site config (default: the device's)")
    test.add_argument("--json", action="store_true", help="machine-readable results")
    test.add_argument("--no-prompt", action="store_true",
                      help="do not ask the technician to press keys (they are skipped)")
    test.add_argument("--test-ticket", action="store_true", help="print a test ticket")
    test.add_argument("--etc", type=Path, default=paths.ETC, help=argparse.SUPPRESS)
    test.add_argument("--state", type=Path, default=paths.STATE, help=argparse.SUPPRESS)

    status = sub.add_parser("status", help="what the devices of the site report")
    status.add_argument("--device", help="only this device (default: every device)")
    status.add_argument("--config", type=Path, help="site config (default: the device's)")
    status.add_argument("--json", action="store_true")
    status.add_argument("--etc", type=Path, default=paths.ETC, help=argparse.SUPPRESS)
    status.add_argument("--state", type=Path, default=paths.STATE, help=argparse.SUPPRESS)

    config = sub.add_parser("config", help="central site config: push, prepare")
    config_sub = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    push = config_sub.add_parser("push", help="publish a site config to every device")
    push.add_argument("file", type=Path)
    push.add_argument("--broker", required=True, help="mqtt://HOST:PORT or mqtts://HOST:PORT")
    push.add_argument("--username", default="", help="broker user allowed to push "
                      "(password from $PISTE_BROKER_PASSWORD or asked for)")
    push.add_argument("--ca-file", default="", help="CA certificate for mqtts://")
    push.add_argument("--wait", type=float, default=10.0,
                      help="seconds to wait for the devices' answers (default 10)")
    prep = config_sub.add_parser("prepare", help="write the config `piste run` reads "
                                 "(systemd ExecStartPre)")
    prep.add_argument("--etc", type=Path, default=paths.ETC)
    prep.add_argument("--state", type=Path, default=paths.STATE)
    prep.add_argument("--device", help="default: PISTE_DEVICE from device.env")

    sub.add_parser("pin-hash", help="ask for a technician PIN twice and print the kiosk "
                   "config line with its hash (the PIN itself is never stored)")
    info = sub.add_parser("install-info", help="facts the installer needs (for scripts/install.sh)")
    info.add_argument("--site", required=True, type=Path)
    info.add_argument("--device", required=True)


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command not in COMMANDS:
        return None
    if args.command == "provision":
        from firmware.admin.provision import provision_main

        return provision_main(args)
    if args.command == "selftest":
        from firmware.admin.selftest_cli import selftest_main

        return selftest_main(args)
    if args.command == "status":
        from firmware.admin.status import status_main

        return status_main(args)
    if args.command == "pin-hash":
        from firmware.kiosk.lockdown import main as pin_hash_main

        return pin_hash_main()
    if args.command == "install-info":
        from firmware.admin.install_info import install_info_main

        return install_info_main(args.site, args.device)
    if args.action == "push":
        from firmware.admin.config_push import push_main

        return push_main(args.file, args.broker, args.username, args.ca_file, args.wait)
    return _prepare(args.etc, args.state, args.device)


def _prepare(etc: Path, state: Path, device: str | None) -> int:
    from firmware.admin.config_store import PrepareError, prepare

    try:
        target, origin = prepare(etc, state, device)
    except PrepareError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{target}: from {origin}")
    return 0
