"""piste status reads what running devices publish, retained, from a real broker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from firmware.cli.main import main
from tests.test_central_config import provisioned, site_text, start_device


def test_status_shows_a_running_device_and_its_config(
        broker: LocalBroker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = "t-status-" + tmp_path.name[-6:].replace("_", "-").lower()
    etc, state = provisioned(tmp_path, site_text(broker, site, 3), "room-2")
    with start_device(etc, state, "room-2") as device:
        assert device.runtime.link.wait_connected(10)
        device.on_loop(device.runtime.publish_health)
        code = main(["status", "--device", "room-2", "--etc", str(etc), "--state", str(state)])
        out = capsys.readouterr().out
        assert code == 0, out
        assert re.search(r"room-2\s+online\s+roles room", out), out
        assert "config version 3" in out
    # After a clean stop the retained status says so, and status exits 1.
    assert main(["status", "--device", "room-2", "--etc", str(etc),
                 "--state", str(state)]) == 1
    assert re.search(r"room-2\s+stopped", capsys.readouterr().out)
