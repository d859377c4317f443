"""The `piste screenshot` command: PNGs of every screen, drawn headless by the project."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from firmware.cli.common import load_config_or_exit

KINDS = ("kiosk", "display", "room", "feedback")


def register(sub: Any) -> None:
    shot = sub.add_parser("screenshot", help="write PNGs of every screen of a device kind")
    shot.add_argument("kind", choices=KINDS)
    shot.add_argument("--config", required=True, type=Path)
    shot.add_argument("--out", required=True, type=Path,
                      help="the directory for the PNGs (made if it does not exist)")


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command != "screenshot":
        return None
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # no window: files only
    config = load_config_or_exit(args.config)
    if args.out.exists() and not args.out.is_dir():
        print(f"--out {args.out} is a file; --out takes a directory for the PNGs (one per "
              "screen). Nothing was written.", file=sys.stderr)
        return 2
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"--out {args.out}: cannot make the directory ({exc.strerror or exc}). Nothing "
              "was written.", file=sys.stderr)
        return 2
    module = importlib.import_module(f"firmware.screenshots.{args.kind}")
    return int(module.main(config, args.out))
