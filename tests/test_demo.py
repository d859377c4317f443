"""`piste demo`, shortened: a simulated lobby leaves tickets, frames and a summary, and its
staff console answers with the demo logins it printed; at the end the clerk of room 1 holds
the silent alarm's key once, nobody answers, and the summary says what happened where."""

from __future__ import annotations

import os
import re
import ssl
import stat
import subprocess
import sys
import urllib.request

from firmware.core.password import verify_secret
from firmware.web.accounts import parse_users
from ticket_printer.decode import decode_ticket


def console_answers(url: str) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the demo's certificate is self-signed
    with urllib.request.urlopen(url, context=context, timeout=10) as page:
        return page.status == 200 and b'name="password"' in page.read()


def test_a_short_demo_leaves_tickets_frames_and_a_summary(tmp_path) -> None:
    out = tmp_path / "demo-output"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    with (tmp_path / "stderr").open("w") as errors:
        demo = subprocess.Popen(
            [sys.executable, "-m", "firmware.cli.main", "demo", "--output", str(out),
             "--seconds", "10", "--customers", "5"],
            env=env, stdout=subprocess.PIPE, stderr=errors, text=True,
        )
        assert demo.stdout is not None
        lines = []
        while not any(line.startswith("Staff console:") for line in lines):
            line = demo.stdout.readline()
            assert line, "the demo ended without a word about the staff console"
            lines.append(line)
        # While the demo runs: the console answers, unless its port was taken (then it says so).
        served = "https://localhost:8443/" in lines[-1]
        assert served or "Staff console: unavailable (" in lines[-1]
        assert not served or console_answers("https://127.0.0.1:8443/login")
        rest, _ = demo.communicate(timeout=120)
    stdout = "".join(lines) + rest
    assert demo.returncode == 0, (tmp_path / "stderr").read_text()[-2000:]
    tickets = sorted((out / "tickets").glob("*.escpos"))
    frames = sorted((out / "frames").glob("*.png"))
    assert len(tickets) >= 3
    assert any(f.name.startswith("kiosk-") for f in frames)
    waiting = [f for f in frames if f.name.startswith("display-waiting-1")]  # the 2nd process
    assert waiting
    for frame in waiting:  # drawn at the size waiting-1 is configured for, not the desktop's
        header = frame.read_bytes()[16:24]  # the PNG's IHDR: width and height, big-endian
        assert (int.from_bytes(header[:4]), int.from_bytes(header[4:])) == (1920, 1080)
    first = decode_ticket(tickets[0].read_bytes())
    assert first.cut_at_end and "Suomi-piste Lappeenranta" in first.text
    assert "total" in stdout and "tickets (raw ESC/POS)" in stdout
    assert "languages of service: " in stdout, stdout  # the customers' own, counted
    report = (out / "day-report.csv").read_text()
    assert report.startswith("table,day,")
    assert {line.split(",")[0] for line in report.splitlines() if line} >= {
        "authorities", "visits", "languages", "rooms", "assistance", "other"}
    assert stdout.count("Staff console:") == 1  # the passwords are printed once
    if served:
        assert re.search(r"guard / guard-\S+ \(guard\)", lines[-1]), lines[-1]
        check_the_alarm(stdout)
    else:  # without the console there is no guard to ring: the demo says so
        assert "silent alarm: not shown (" in stdout, stdout


def check_the_alarm(stdout: str) -> None:
    """The held key rang the guard's console within half a second, the relay switched when
    nobody answered, nothing showed on the public screens, and the controller recorded it."""
    rang = re.search(r"the guard console's live stream carried the alarm after (\d+) ms",
                     stdout)
    assert rang is not None, stdout
    assert int(rang[1]) <= 500, rang[0]
    relay = re.search(r"relay pin 21 on after ([\d.]+) s of the demo's clock "
                      r"\(escalate_after_s = 20\.0; ([\d.]+) s real\)", stdout)
    assert relay is not None, stdout
    # Not before the setting; and soon after it: at the demo's speed (a thousand times as
    # fast here) a moment of the machine's is many seconds of the demo's clock.
    assert float(relay[1]) >= 20.0 and float(relay[2]) < 2.0, relay[0]
    assert "the console said escalated" in stdout
    assert "nothing changed on the public screens" in stdout
    recorded = re.search(r"silent alarm in the controller's ledger: (.*)", stdout)
    assert recorded is not None and "alarm.raised 1" in recorded[1] \
        and "alarm.escalated 1" in recorded[1], stdout


def test_the_demo_logins_are_written_as_piste_web_user_writes_them(tmp_path) -> None:
    from firmware.cli.demo import demo_logins
    from firmware.site_config import load_site_config
    from tests.conftest import DEMO_SITE

    config = load_site_config(DEMO_SITE)
    path = tmp_path / "web-users.toml"
    shown = demo_logins(config, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users = parse_users(path.read_text(encoding="utf-8"), {r.id for r in config.rooms})
    assert {u.name: (u.role, u.room) for u in users.values()} == {
        "clerk1": ("clerk", "1"), "advisor": ("advisor", None), "service": ("service", None),
        "tech": ("technician", None), "guard": ("guard", None)}
    assert shown[0].startswith("clerk1 / clerk-") and shown[0].endswith(" (clerk, room 1)")
    for login in shown:
        found = re.fullmatch(r"(\S+) / (\S+) \(.*\)", login)
        assert found is not None, login
        name, password = found.groups()
        assert len(password) >= 10 and verify_secret(password, users[name].password_hash)
    assert demo_logins(config, path) != shown  # fresh passwords each run, never fixed ones
