"""Run every benchmark and print its figures."""

from __future__ import annotations

import logging

from bench import round_trips
from bench.common import machine


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    print(f"machine: {machine()}")
    for line in round_trips.run():
        print(line)


if __name__ == "__main__":
    main()
