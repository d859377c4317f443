"""`piste run` refuses a wrong command line with a plain message and exit status 2, before
it touches any hardware or the network."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import DEMO_SITE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware.cli", "run", *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("args", "says"), [
    (["--device", "lobby-9"], "device 'lobby-9' is not in"),
    (["--device", "waiting-1", "--clock-start", "tomorrow"], "is not an ISO time"),
    (["--device", "waiting-1", "--broker", "http://x"], "is not of the form mqtt://HOST:PORT"),
    (["--device", "waiting-1", "--data-dir", "/proc/no-such-dir"], "cannot use --data-dir"),
    (["--device", "waiting-1", "--set", "broker.port=99999"], "broker.port"),
])
def test_wrong_command_lines_exit_2_with_a_reason(tmp_path, args: list[str], says: str) -> None:
    base = ["--config", str(DEMO_SITE)]
    if "--data-dir" not in args:
        base += ["--data-dir", str(tmp_path)]
    done = run(*base, *args)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr


def test_a_broken_config_file_names_the_field(tmp_path) -> None:
    broken = tmp_path / "site.toml"
    broken.write_text(DEMO_SITE.read_text().replace('prefix = "K"', 'prefix = "k1"'))
    done = run("--config", str(broken), "--device", "lobby-1", "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert "services[0].prefix" in done.stderr
