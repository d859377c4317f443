"""`piste`: the one command of the firmware.

    piste run --config FILE --device ID [--broker URL] [--data-dir DIR] [--clock-start ISO]
    piste check-config [--json] FILE
    piste demo [--output DIR]
    piste clerk --config FILE --room ID [--broker URL]
    piste broker-acl --config FILE [--out DIR]
    piste appointments import FILE.csv --config FILE [--data-dir DIR]
    piste stats --config FILE --data-dir DIR [--day DATE] [--format csv|json]
                [--report queue|feedback|survey] [--from DATE] [--to DATE]
    piste public --broker URL [--login NAME] [--password-file F] [--port P] [--bind ADDR]

Exit status 2 means the configuration or the command line is wrong; nothing was started.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from firmware import __version__
from firmware.cli.common import DEFAULT_DATA_DIR

log = logging.getLogger("piste")



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="piste", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"piste {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the roles of one device")
    run.add_argument("--config", required=True, type=Path, help="the site config (TOML)")
    run.add_argument("--device", required=True, help="this device's id in the config")
    run.add_argument("--broker", help="mqtt://HOST:PORT (default: the config's broker)")
    run.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                     help=f"where the ledger lives (default {DEFAULT_DATA_DIR})")
    run.add_argument("--clock-start", help="start the device clock at this ISO time "
                     "(e.g. 2026-11-30T09:00+02:00) and let it run: for tests and demos")
    run.add_argument("--clock-speed", type=float, default=1.0, help=argparse.SUPPRESS)
    run.add_argument("--frames", type=Path, help="save every screen frame as PNG here")
    run.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                     help="override one config field, checked like the file; repeatable "
                     "(e.g. devices.room-1.room_unit.staff.pin=22)")

    check = sub.add_parser("check-config", help="validate a site config")
    check.add_argument("file", type=Path)
    check.add_argument("--json", action="store_true", help="print the validated config as JSON")

    demo = sub.add_parser("demo", help="run a simulated lobby with a private broker")
    demo.add_argument("--output", type=Path, default=Path("demo-output"))
    demo.add_argument("--config", type=Path, help="site config (default: the demo site)")
    demo.add_argument("--customers", type=int, default=24, help="simulated customers")
    demo.add_argument("--seconds", type=float, default=60.0,
                      help="real seconds the simulated morning takes")

    appointments = sub.add_parser("appointments", help="the day's appointment list")
    appointments_sub = appointments.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = appointments_sub.add_parser("import", help="import time,service,code rows from CSV")
    imp.add_argument("file", type=Path)
    imp.add_argument("--config", required=True, type=Path)
    imp.add_argument("--data-dir", type=Path, help="the controller's data dir, where its "
                     f"ledger is (default {DEFAULT_DATA_DIR}); it must hold the ledger already")

    acl = sub.add_parser("broker-acl", help="the broker's ACL and user list for a site")
    acl.add_argument("--config", required=True, type=Path)
    acl.add_argument("--out", type=Path, help="write acl, users.txt and the production "
                     "Mosquitto config piste.conf here (default: print the ACL)")

    _stats_parser(sub)

    clerk = sub.add_parser("clerk", help="a clerk's console: call next, complete")
    clerk.add_argument("--config", required=True, type=Path)
    clerk.add_argument("--room", required=True)
    clerk.add_argument("--broker", help="mqtt://HOST:PORT (default: the config's broker)")
    from firmware.cli import admin as cli_admin
    from firmware.cli import central as cli_central
    from firmware.cli import public as cli_public
    from firmware.cli import screenshot as cli_screenshot
    from firmware.cli import web_user as cli_web_user

    for module in (cli_admin, cli_screenshot, cli_central, cli_public, cli_web_user):
        module.register(sub)
    return parser


def _stats_parser(sub: Any) -> None:
    stats = sub.add_parser("stats", help="a day's statistics from the ledger; with --central "
                           "the national statistics of every site")
    stats.add_argument("--config", type=Path, help="the site config (not with --central)")
    stats.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    stats.add_argument("--day", help="ISO date (default: the ledger's latest day)")
    stats.add_argument("--format", choices=("csv", "json"), default="csv")
    stats.add_argument("--report", choices=("queue", "feedback", "survey", "words"),
                       default="queue",
                       help="queue: tickets per authority and hour (default); feedback: the "
                       "exit-route ratings per day and hour; survey: the yearly survey per "
                       "statement (default period: the config's survey month); words: the "
                       "customers' own words with their ratings, masked as stored")
    stats.add_argument("--from", dest="first", help="first day (ISO date) of a feedback or "
                       "survey report")
    stats.add_argument("--to", dest="last", help="last day (ISO date), included")
    stats.add_argument("--central", action="store_true", help="national statistics from the "
                       "central collector's store (--db), per site, authority and month")
    stats.add_argument("--db", help="with --central: the collector's store, as for piste "
                       "central")
    stats.add_argument("--month", help="with --central: YYYY-MM (default: this month)")
    stats.add_argument("--timezone", default="Europe/Helsinki",
                       help="with --central: the zone of the hours (default Europe/Helsinki)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from firmware.cli import admin as cli_admin
    from firmware.cli import central as cli_central
    from firmware.cli import public as cli_public
    from firmware.cli import screenshot as cli_screenshot
    from firmware.cli import web_user as cli_web_user

    for module in (cli_admin, cli_screenshot, cli_central, cli_public, cli_web_user):
        code = module.dispatch(args)
        if code is not None:
            return code
    if args.command == "check-config":
        from firmware.cli.check_config import check_config_main

        return check_config_main(str(args.file), args.json)
    if args.command == "run":
        from firmware.cli.run import run_main

        return run_main(args)
    if args.command == "demo":
        from firmware.cli.demo import run_demo

        return run_demo(args.output, args.config, args.customers, args.seconds)
    if args.command == "appointments":
        from firmware.cli.appointments import import_appointments_main

        return import_appointments_main(args.file, args.config, args.data_dir)
    if args.command == "broker-acl":
        from firmware.cli.broker_acl import broker_acl_main

        return broker_acl_main(args.config, args.out)
    if args.command == "stats":
        if args.central:
            from firmware.cli.central_stats import central_stats_main

            if not args.db:
                print("--central needs --db, the collector's store", file=sys.stderr)
                return 2
            return central_stats_main(args.db, args.month, args.first, args.last,
                                      args.format, args.timezone)
        if args.config is None:
            print("piste stats needs --config FILE (or --central --db URL)", file=sys.stderr)
            return 2
        from firmware.cli.stats import stats_main

        return stats_main(args.config, args.data_dir, args.day, args.format,
                          report=args.report, first=args.first, last=args.last)
    if args.command == "clerk":
        from firmware.cli.clerk import clerk_main

        return clerk_main(args.config, args.room, args.broker)
    return 2


def entry() -> None:
    """The console script: `piste ... | head` ends quietly instead of with a traceback."""
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)


if __name__ == "__main__":
    entry()
