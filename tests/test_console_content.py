"""What the staff console shows, as issue 22 found it: health reports on the device's own
clock, the demo's clerk login in a room of its own, sentences instead of codes, and the
room's last served number once nobody is being served."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from firmware.clock import ManualClock, ShiftedClock
from firmware.runtime import HEALTH_EVERY_S, Runtime
from firmware.site_config import load_site_config
from tests.conftest import DEMO_SITE

START = datetime(2027, 3, 2, 8, 50, tzinfo=UTC)


def _runtime(clock: object, tmp_path: Path) -> Runtime:
    config = load_site_config(DEMO_SITE)
    device = config.device("waiting-1")
    assert device is not None
    return Runtime(config, device, clock, tmp_path, [], broker_host="127.0.0.1",  # type: ignore[arg-type]
                   broker_port=1)


def test_health_is_reported_every_minute_of_the_devices_own_clock(tmp_path: Path) -> None:
    # The demo's clock runs three hours in a minute: a report every real minute was three
    # hours old on the Devices page ("Last report 08.53" at 10.56).
    assert _runtime(ManualClock(START), tmp_path).health_every_s == HEALTH_EVERY_S
    assert _runtime(ShiftedClock(START, 1.0), tmp_path).health_every_s == HEALTH_EVERY_S
    assert _runtime(ShiftedClock(START, 60.0), tmp_path).health_every_s == 1.0
    fast = _runtime(ShiftedClock(START, 180.0), tmp_path).health_every_s
    assert 0 < fast * 180.0 <= 2 * 60  # at most two minutes of the demo's clock apart
