"""The test suite as the house redesign measures it (issue 23): how many test files need a
real Mosquitto, how many polling waits are left, and how long the whole suite takes.

A file needs Mosquitto when one of its tests takes a real broker fixture (`broker`,
`private_broker`, or a fixture built on them) or when the file starts one itself (a
`LocalBroker`, a `DebianBroker`, `piste demo`, a secured site). The count comes from pytest's
own collection, run in a child process so this one loads no test module.

The suite's wall time is one run of `pytest -q -n auto` (what `make test` runs, without the
installs and ruff: one worker per core), and one run on a single worker for comparison; set
PISTE_BENCH_SKIP_SUITE=1 to leave them out.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

from firmware.site_model import SiteConfig

ROOT = Path(__file__).resolve().parent.parent
REAL_BROKER_FIXTURES = ("broker", "private_broker", "debian_broker")
STARTS_ITS_OWN = ("LocalBroker(", "DebianBroker(", "secured_site", '"demo"')
WAITS = ("wait_for", "wait_until")

CENSUS = """
import json, sys
import pytest

class Census:
    def __init__(self):
        self.files, self.real = set(), set()
    def pytest_collection_modifyitems(self, items):
        for item in items:
            name = item.nodeid.split("::")[0]
            self.files.add(name)
            if set(getattr(item, "fixturenames", ())) & set(sys.argv[2].split(",")):
                self.real.add(name)

census = Census()
code = pytest.main(["--collect-only", "-q", "-p", "no:randomly", sys.argv[1]],
                   plugins=[census])
print(json.dumps({"code": int(code), "files": sorted(census.files),
                  "real": sorted(census.real)}))
"""


def run(config: SiteConfig) -> list[str]:
    lines = [_broker_census(), f"test suite: polling waits (wait_for/wait_until calls) "
             f"{_polling_waits()}"]
    if os.environ.get("PISTE_BENCH_SKIP_SUITE"):
        return [*lines, "test suite: wall time skipped (PISTE_BENCH_SKIP_SUITE)"]
    return [*lines, _suite_time("-n", "auto"), _suite_time("-p", "no:xdist")]


def _broker_census() -> str:
    import json

    done = subprocess.run(
        [sys.executable, "-c", CENSUS, "tests", ",".join(REAL_BROKER_FIXTURES)],
        cwd=ROOT, capture_output=True, text=True, env=_headless(), timeout=300)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    files = set(result["files"])
    real = set(result["real"]) | {f for f in files
                                  if any(s in (ROOT / f).read_text() for s in STARTS_ITS_OWN)}
    memory = {f for f in files if "memory_broker" in (ROOT / f).read_text()
              or "JumpingSite" in (ROOT / f).read_text()}
    return (f"test suite: files that need Mosquitto {len(real)} of {len(files)} "
            f"(on the in-memory broker: {len(memory - real)} more)")


def _polling_waits() -> int:
    count = 0
    for folder in ("tests", "testkit", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call) and _name(node.func) in WAITS:
                    count += 1
    return count


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _suite_time(*options: str) -> str:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", *options],
                          cwd=ROOT, capture_output=True, text=True, env=_headless())
    seconds = time.monotonic() - started
    summary = (done.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
    return (f"test suite: pytest {' '.join(options)}, one run, wall time {seconds:.0f} s "
            f"({summary})")


def _headless() -> dict[str, str]:
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
            "GPIOZERO_PIN_FACTORY": "mock", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
