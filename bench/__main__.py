"""Run every benchmark and print its figures: `make bench`."""

from __future__ import annotations

import logging
from pathlib import Path

from bench import core_speed, estimate_accuracy, round_trips
from bench.common import machine
from firmware.site_config import load_site_config

DEMO = Path(__file__).resolve().parent.parent / "config" / "demo-site.toml"


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    config = load_site_config(DEMO)
    print(f"machine: {machine()}")
    for part in (core_speed.run(config), estimate_accuracy.run(config), round_trips.run()):
        for line in part:
            print(line, flush=True)


if __name__ == "__main__":
    main()
