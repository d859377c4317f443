"""The `piste screenshot` command: PNGs of every screen, drawn headless by the project."""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path
from typing import Any

from firmware.cli.common import load_config_or_exit

KINDS = ("kiosk", "display", "room", "feedback")


def register(sub: Any) -> None:
    shot = sub.add_parser("screenshot", help="write PNGs of every screen of a device kind")
    shot.add_argument("kind", choices=KINDS)
    shot.add_argument("--config", required=True, type=Path)
    shot.add_argument("--out", required=True, type=Path)


def dispatch(args: argparse.Namespace) -> int | None:
    if args.command != "screenshot":
        return None
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # no window: files only
    config = load_config_or_exit(args.config)
    module = importlib.import_module(f"firmware.screenshots.{args.kind}")
    args.out.mkdir(parents=True, exist_ok=True)
    return int(module.main(config, args.out))
