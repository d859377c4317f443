"""`piste demo`, shortened: a simulated lobby leaves tickets, frames and a summary."""

from __future__ import annotations

import os
import subprocess
import sys

from ticket_printer.decode import decode_ticket


def test_a_short_demo_leaves_tickets_frames_and_a_summary(tmp_path) -> None:
    out = tmp_path / "demo-output"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    done = subprocess.run(
        [sys.executable, "-m", "firmware.cli.main", "demo", "--output", str(out), "--seconds", "10",
         "--customers", "5"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    tickets = sorted((out / "tickets").glob("*.escpos"))
    frames = sorted((out / "frames").glob("*.png"))
    assert len(tickets) >= 3
    assert any(f.name.startswith("kiosk-") for f in frames)
    assert any(f.name.startswith("display-waiting-1") for f in frames)  # the second process
    first = decode_ticket(tickets[0].read_bytes())
    assert first.cut_at_end and "Suomi-piste Lappeenranta" in first.text
    assert "total" in done.stdout and "tickets (raw ESC/POS)" in done.stdout
