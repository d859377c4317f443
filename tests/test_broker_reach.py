"""A device that cannot reach its broker says which broker and why: in its log when it
starts failing and then once a minute (not at every retry), in its health, and in `piste
status`. Real sockets: a closed port, a listener that never answers, a name that resolves
to nothing."""

from __future__ import annotations

import logging
import os
import queue
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mqtt_bridge.link import MqttLink, Unreachable
from mqtt_bridge.reachability import REPORT_EVERY_S, Reachability
from tests.conftest import DEMO_SITE
from tests.helpers import wait_for


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connecting is refused
    return port


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (no CONNACK)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def first_failure(host: str, port: int, keepalive: int = 15) -> Unreachable:
    inbox: queue.Queue[object] = queue.Queue()
    link = MqttLink("piste-test-reach", host, port, inbox.put, keepalive=keepalive)
    link.start()
    try:
        while True:
            message = inbox.get(timeout=30)
            if isinstance(message, Unreachable):
                return message
    finally:
        link.stop()


def test_a_closed_port_is_named_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    port = closed_port()
    with caplog.at_level(logging.WARNING):
        failure = first_failure("127.0.0.1", port)
    assert failure.address == f"127.0.0.1:{port}"
    assert failure.problem.startswith("connection refused")
    assert f"cannot reach the broker at 127.0.0.1:{port}: connection refused" in caplog.text
    assert "Traceback" not in caplog.text


def test_a_broker_that_never_answers_is_told_apart(silent_listener: int) -> None:
    failure = first_failure("127.0.0.1", silent_listener, keepalive=1)
    assert "accepts the connection but gave no MQTT answer within 1 s" in failure.problem


def test_a_name_that_does_not_resolve_says_so() -> None:
    # .invalid never resolves (RFC 6761): the resolver answers at once, offline too.
    failure = first_failure("broker.invalid", 1883)
    assert "the name 'broker.invalid' cannot be resolved" in failure.problem


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_lasting_failure_is_logged_once_a_minute_not_at_every_retry(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeMonotonic()
    reach = Reachability("broker.example:1883", clock)
    with caplog.at_level(logging.WARNING, logger="mqtt_bridge.link"):
        for _ in range(10):  # paho retries every 1-5 s
            reach.failed("connection refused")
            clock.now += 5
        assert len(caplog.records) == 1
        clock.now += REPORT_EVERY_S
        reach.failed("connection refused")
        assert len(caplog.records) == 2
        assert "(11 attempts so far)" in caplog.records[-1].getMessage()
        reach.failed("no answer")  # a new reason is said at once
        assert len(caplog.records) == 3
    with caplog.at_level(logging.INFO, logger="mqtt_bridge.link"):
        reach.reached()
        assert "reached the broker at broker.example:1883 after 12 failed attempts" \
            in caplog.records[-1].getMessage()
        caplog.clear()
        reach.failed("connection refused")  # a new outage is said at once
        assert len(caplog.records) == 1
        assert "attempts so far" not in caplog.records[0].getMessage()


def test_piste_run_and_status_say_which_broker_and_why(tmp_path: Path) -> None:
    port = closed_port()
    site = tmp_path / "site.toml"
    site.write_text(re.sub(r"(?m)^port = 1883", f"port = {port}",
                           DEMO_SITE.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy"}
    device = subprocess.Popen(
        [sys.executable, "-m", "firmware.cli.main", "run", "--config", str(site),
         "--device", "room-3", "--data-dir", str(data)],
        stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert device.stderr is not None
        said = ""
        for line in device.stderr:  # blocks until the device says something
            said += line
            if "cannot reach the broker" in line:
                break
        assert f"cannot reach the broker at localhost:{port}: connection refused" in said, said
        # The device notes it in its data dir right after it says it (another process:
        # nothing to wait on but the file).
        health = data / "health.json"
        wait_for(lambda: health.exists() and "unreachable" in health.read_text(),
                 what="the device's own health view")
        status = subprocess.run(
            [sys.executable, "-m", "firmware.cli.main", "status", "--config", str(site),
             "--state", str(data)], capture_output=True, text=True, timeout=60, env=env)
    finally:
        device.kill()  # how it stops is not this test's business (test_controller_restart)
        device.communicate(timeout=30)
    assert status.returncode == 1
    assert "Traceback" not in status.stderr
    assert "room-3 (this device)" in status.stdout
    assert re.search(rf"cannot reach the broker at localhost:{port} since \S+: connection "
                     "refused", status.stdout), status.stdout
