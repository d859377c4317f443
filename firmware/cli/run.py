"""`piste run`: the roles of one device, until SIGTERM or a stop."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware.admin.data_lock import LOCK_NAME, DataDirBusy, DataDirLock
from firmware.admin.stop_signals import StopSignals
from firmware.admin.watchdog import attach
from firmware.cli.common import load_config_or_exit
from firmware.clock import ShiftedClock, SystemClock
from firmware.controller.ledger import LedgerUnavailable
from firmware.device import DeviceError, build_runtime, known_device, parse_broker_url

log = logging.getLogger("piste")


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


class _Refused(Exception):
    """A plain sentence for the technician; `piste run` exits 2 with it."""


def _device_clock(args: argparse.Namespace, tz: ZoneInfo) -> ShiftedClock | SystemClock:
    if not args.clock_start:
        return SystemClock(tz)
    try:
        start = datetime.fromisoformat(args.clock_start)
    except ValueError:
        raise _Refused(f"--clock-start '{args.clock_start}' is not an ISO time such as "
                       "2026-11-30T09:00+02:00") from None
    return ShiftedClock(start if start.tzinfo else start.replace(tzinfo=tz), args.clock_speed)


def _lock_data_dir(args: argparse.Namespace) -> DataDirLock:
    """The data dir, writable and ours alone: before anything in it is opened; held until
    the process ends."""
    problem = _unwritable(args.data_dir)
    if problem:
        raise _Refused(f"cannot use --data-dir {args.data_dir}: {problem}. Give a directory "
                       "this user may write (the service uses /var/lib/piste as the piste "
                       "user).")
    try:
        return DataDirLock(args.data_dir, f"piste run --device {args.device}").acquire()
    except DataDirBusy as exc:
        raise _Refused(str(exc)) from None
    except OSError as exc:  # a lock file another user made (piste run once as root, say)
        raise _Refused(
            f"cannot lock {args.data_dir / LOCK_NAME}: {exc.strerror or exc}. Run piste as "
            "the user that owns the data directory (the service runs as piste), or give "
            "the file to it: sudo chown piste: " + str(args.data_dir / LOCK_NAME)) from None


def run_main(args: argparse.Namespace) -> int:
    config = load_config_or_exit(args.config, args.set)
    try:
        clock = _device_clock(args, ZoneInfo(config.site.timezone))
        # The command line is checked whole before any directory or device is touched.
        known_device(config, args.device)
        if args.broker:
            parse_broker_url(args.broker, tls=config.broker.tls)
        lock = _lock_data_dir(args)
    except (_Refused, DeviceError) as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        runtime = build_runtime(
            config, args.device, clock=clock, data_dir=args.data_dir,
            broker_url=args.broker, frames_dir=args.frames,
        )
    except DeviceError as exc:
        print(exc, file=sys.stderr)
        lock.release()
        return 2
    # A stop asked for from here on ends the loop's next turn, even one asked before run().
    StopSignals(runtime).install()
    # systemd (Type=notify): READY=1 after the first loop turn, WATCHDOG=1 while healthy.
    watchdog = attach(runtime)
    log.info("device %s starts roles %s", args.device, ", ".join(runtime.device.roles))
    try:
        runtime.run()
    except LedgerUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        watchdog.notifier.notify("STOPPING=1")
        lock.release()
    return 0
