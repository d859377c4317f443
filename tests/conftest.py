"""Shared fixtures: a real Mosquitto on a free port, headless SDL, mock GPIO pins."""

from __future__ import annotations

import os

# The libraries' own switches for a machine without screen, sound or GPIO. Set before any
# test imports pygame or gpiozero.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.broker import LocalBroker

# The private PostgreSQL server of the central store's tests, for any test that asks.
pytest_plugins = ["tests.postgres"]

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "config" / "demo-site.toml"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """One real broker for the tests that only need one; each test uses its own site id."""
    with LocalBroker(tmp_path_factory.mktemp("mosquitto")) as running:
        yield running


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of the test's own, for tests that kill or restart it."""
    with LocalBroker(tmp_path / "mosquitto") as running:
        yield running
