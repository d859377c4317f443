"""`piste`: the one command of the firmware.

    piste run --config FILE --device ID [--broker URL] [--data-dir DIR] [--clock-start ISO]
    piste check-config [--json] FILE
    piste demo [--output DIR]
    piste clerk --config FILE --room ID [--broker URL]
    piste broker-acl --config FILE [--out DIR]
    piste appointments import FILE.csv --config FILE [--data-dir DIR]
    piste stats --config FILE --data-dir DIR [--day DATE] [--format csv|json]

Exit status 2 means the configuration or the command line is wrong; nothing was started.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware import __version__

log = logging.getLogger("piste")

DEFAULT_DATA_DIR = Path("/var/lib/piste")


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
    imp.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)

    acl = sub.add_parser("broker-acl", help="the broker's ACL and user list for a site")
    acl.add_argument("--config", required=True, type=Path)
    acl.add_argument("--out", type=Path, help="write acl, users.txt and the production "
                     "Mosquitto config piste.conf here (default: print the ACL)")

    stats = sub.add_parser("stats", help="a day's statistics from the ledger")
    stats.add_argument("--config", required=True, type=Path)
    stats.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    stats.add_argument("--day", help="ISO date (default: the ledger's latest day)")
    stats.add_argument("--format", choices=("csv", "json"), default="csv")

    clerk = sub.add_parser("clerk", help="a clerk's console: call next, complete")
    clerk.add_argument("--config", required=True, type=Path)
    clerk.add_argument("--room", required=True)
    clerk.add_argument("--broker", help="mqtt://HOST:PORT (default: the config's broker)")
    from firmware import cli_admin, cli_screenshot

    cli_admin.register(sub)
    cli_screenshot.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from firmware import cli_admin, cli_screenshot

    for module in (cli_admin, cli_screenshot):
        code = module.dispatch(args)
        if code is not None:
            return code
    if args.command == "check-config":
        from firmware.site_config import check_config_main

        return check_config_main(str(args.file), args.json)
    if args.command == "run":
        return _run(args)
    if args.command == "demo":
        from firmware.demo import run_demo

        return run_demo(args.output, args.config, args.customers, args.seconds)
    if args.command == "appointments":
        return _import_appointments(args.file, args.config, args.data_dir)
    if args.command == "broker-acl":
        return _broker_acl(args.config, args.out)
    if args.command == "stats":
        from firmware.stats_cli import stats_main

        return stats_main(args.config, args.data_dir, args.day, args.format)
    if args.command == "clerk":
        from firmware.clerk import clerk_main

        return clerk_main(args.config, args.room, args.broker)
    return 2


def load_config_or_exit(path: Path, overrides: list[str] | None = None):  # type: ignore[no-untyped-def]
    from firmware.site_config import ConfigError, load_site_config

    try:
        return load_site_config(path, overrides or ())
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def _broker_acl(config_path: Path, out: Path | None) -> int:
    from mqtt_bridge.acl import acl_text, broker_conf, users

    config = load_config_or_exit(config_path)
    if out is None:
        print(acl_text(config))
        print("# users: " + " ".join(users(config)))
        return 0
    out.mkdir(parents=True, exist_ok=True)
    (out / "acl").write_text(acl_text(config))
    (out / "users.txt").write_text("\n".join(users(config)) + "\n")
    # The config that binds client ids to logins belongs with the ACL: without it any
    # login could connect under the controller's client id and knock it off the broker.
    (out / "piste.conf").write_text(broker_conf(acl_dir=str(out.resolve())))
    print(f"wrote {out / 'acl'}, {out / 'users.txt'} and {out / 'piste.conf'};\n"
          f"give each user a password with\n"
          f"  mosquitto_passwd {out / 'passwd'} USER   (-c for the first one)\n"
          f"then copy {out / 'piste.conf'} to /etc/mosquitto/conf.d/ and restart mosquitto")
    return 0


def _import_appointments(file: Path, config_path: Path, data_dir: Path) -> int:
    from firmware.appointment_store import AppointmentStore, parse_csv
    from firmware.ledger import Ledger, LedgerUnreadable

    config = load_config_or_exit(config_path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{file}: cannot read it as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    rows, problems = parse_csv(text, config)
    if problems:
        print(f"{file}: {len(problems)} problems; nothing was imported", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    try:
        ledger = Ledger(data_dir / "ledger.sqlite")
    except LedgerUnreadable as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        count = AppointmentStore(ledger).replace_days(rows)
    finally:
        ledger.close()
    days = sorted({when.date().isoformat() for when, _, _ in rows})
    print(f"imported {count} appointments for {', '.join(days) or 'no day'} "
          "(codes stored as salted hashes only)")
    return 0


def _unwritable(directory: Path) -> str:
    """Why the device could not keep its ledger and state here, or "" when it can."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".piste-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def _run(args: argparse.Namespace) -> int:
    from firmware.clock import ShiftedClock, SystemClock
    from firmware.device import DeviceError, build_runtime
    from firmware.ledger import LedgerUnreadable

    config = load_config_or_exit(args.config, args.set)
    tz = ZoneInfo(config.site.timezone)
    if args.clock_start:
        try:
            start = datetime.fromisoformat(args.clock_start)
        except ValueError:
            print(f"--clock-start '{args.clock_start}' is not an ISO time such as "
                  "2026-11-30T09:00+02:00", file=sys.stderr)
            return 2
        clock = ShiftedClock(start if start.tzinfo else start.replace(tzinfo=tz),
                             args.clock_speed)
    else:
        clock = SystemClock(tz)
    problem = _unwritable(args.data_dir)
    if problem:
        print(f"cannot use --data-dir {args.data_dir}: {problem}. Give a directory this user "
              "may write (the service uses /var/lib/piste as the piste user).", file=sys.stderr)
        return 2
    try:
        runtime = build_runtime(
            config, args.device, clock=clock, data_dir=args.data_dir,
            broker_url=args.broker, frames_dir=args.frames,
        )
    except DeviceError as exc:
        print(exc, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: runtime.request_stop("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: runtime.request_stop("interrupted"))
    from firmware.admin.watchdog import attach

    # systemd (Type=notify): READY=1 after the first loop turn, WATCHDOG=1 while healthy.
    watchdog = attach(runtime)
    log.info("device %s starts roles %s", args.device, ", ".join(runtime.device.roles))
    try:
        runtime.run()
    except LedgerUnreadable as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        watchdog.notifier.notify("STOPPING=1")
    return 0


def entry() -> None:
    """The console script: `piste ... | head` ends quietly instead of with a traceback."""
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)


if __name__ == "__main__":
    entry()
