"""Run every benchmark and print its figures: `make bench`; `python -m bench alarm phone`
runs only the parts named.

Each module in PARTS has `run(config: SiteConfig) -> list[str]`, one printed line per figure.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from bench.common import machine
from firmware.site_config import load_site_config

DEMO = Path(__file__).resolve().parent.parent / "config" / "demo-site.toml"
PARTS = ("core_speed", "estimate_accuracy", "real_day", "round_trips", "mqtt_bench", "kiosk_bench",
         "display_bench", "room_bench", "feedback_bench", "central_bench", "console_bench", "phone",
         "alarm",
         "test_suite")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.ERROR)
    wanted = sys.argv[1:] if argv is None else argv
    unknown = [name for name in wanted if name not in PARTS]
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)}; there are {', '.join(PARTS)}",
              file=sys.stderr)
        raise SystemExit(2)
    config = load_site_config(DEMO)
    print(f"machine: {machine()}", flush=True)
    for name in wanted or PARTS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            continue  # not written yet
        for line in module.run(config):
            print(line, flush=True)


if __name__ == "__main__":
    main()
