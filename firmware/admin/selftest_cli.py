"""`piste selftest`: run the self-test for this device and show (or --json) the results.

Exit status: 0 all passed or skipped, 1 something failed, 2 the config itself is wrong."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from firmware.admin import paths, selftest
from firmware.admin.selftest import Outcome, Result


def config_path(args: argparse.Namespace) -> Path:
    if args.config:
        return Path(args.config)
    effective = args.state / paths.EFFECTIVE
    return effective if effective.exists() else args.etc / paths.SITE_FILE


def run_checks(args: argparse.Namespace, *, pin_factory: Any = None,
               ask: selftest.Ask | None = None, printer: Any = "open",
               show_s: float = 3.0) -> list[Result]:
    from firmware.admin.clock_sync import clock_synchronised
    from firmware.site_config import ConfigError, load_site_config

    path = config_path(args)
    device_id = args.device or paths.read_device_env(args.etc)
    try:
        config = load_site_config(path)
    except ConfigError as exc:
        return [selftest.failed("config", str(exc), f"fix {path}, check it with: piste "
                                f"check-config {path}")]
    device = config.device(device_id) if device_id else None
    if device is None:
        return [selftest.failed("config", f"{path} is valid but has no device "
                                f"'{device_id or '(none given)'}'",
                                "give --device ID, or provision: piste provision --site "
                                "SITE.toml --device ID")]
    results = [selftest.passed("config", f"{path}: device {device.id} "
                               f"({', '.join(device.roles)}), version {config.config_version}")]
    results.append(selftest.check_broker(config))
    results += selftest.check_clock(config, clock_synchronised(), selftest.system_timezone())
    if printer == "open":
        printer = _open_printer(device, args.state)
    results.append(selftest.check_printer(device, printer, args.test_ticket,
                                          config.site.name.fi, config.site.timezone))
    results.append(selftest.check_screen(device, show_s))
    results.append(selftest.check_chime(device))
    results += selftest.check_keys(selftest.keys_of(device), pin_factory, ask)
    results += selftest.check_sensors(selftest.sensors_of(device), pin_factory)
    results.append(selftest.check_disk(args.state if args.state.exists() else Path("/")))
    return results


def _open_printer(device: Any, state: Path) -> Any:
    from ticket_printer.connection import open_printer

    if device.printer.kind == "none":
        return None
    try:
        return open_printer(device.printer, state)
    except ValueError as exc:
        return _Unavailable(str(exc))


class _Unavailable:
    """A printer the config describes wrongly: every check of it fails with the reason."""

    def __init__(self, reason: str) -> None:
        self.description = reason
        self.transport = None

    def close(self) -> None: ...


def selftest_main(args: argparse.Namespace) -> int:
    ask = None if args.no_prompt or args.json or not sys.stdin.isatty() else _ask
    results = run_checks(args, ask=ask)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1))
    else:
        print(selftest.report(results))
    if any(r.outcome is Outcome.FAIL and r.check == "config" for r in results):
        return 2
    return 1 if any(r.outcome is Outcome.FAIL for r in results) else 0


def _ask(prompt: str) -> None:
    print(f"  -> {prompt}", flush=True)
