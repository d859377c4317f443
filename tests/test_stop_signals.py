"""`piste run` under SIGTERM: the stop is never lost and the process always ends in time.

A device that hangs on SIGTERM keeps a lobby without service until systemd kills it. Python
runs a signal handler on the main thread between two bytecodes, wherever the loop happens to
be; these tests put the signal at every line of a loop turn rather than hoping a timing
brings out the one bad spot.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from firmware.admin.stop_signals import StopSignals
from firmware.clock import ManualClock
from firmware.runtime import Role, Runtime
from mqtt_bridge.link import MqttLink
from testkit.site_factory import MONDAY, at, small_site
from tests.test_broker_reach import closed_port

ROOT = Path(__file__).resolve().parent.parent
HANG_GUARD_S = 20  # only a broken stop ever waits this long: the test then fails, not hangs


class Hung(AssertionError):
    pass


@contextmanager
def hang_guard(what: str) -> Iterator[None]:
    """Turn a hang of the main thread into a failure: SIGALRM interrupts even a lock wait."""

    def give_up(*_: Any) -> None:
        raise Hung(what)

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, HANG_GUARD_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def runtime(tmp_path: Path, roles: list[Role] | None = None, port: int = 1) -> Runtime:
    config = small_site()
    return Runtime(config, config.device("lobby-1"), ManualClock(at(MONDAY, 10, 0)), tmp_path,
                   roles or [], broker_host="127.0.0.1", broker_port=port)


def one_turn_traced(device: Runtime, on_line: Callable[[FrameType], None]) -> None:
    """One loop turn with work in the inbox (so it waits, takes, and takes again), with
    `on_line` called before every line the main thread runs in it."""
    device.post(lambda: None)
    device.post(lambda: None)

    def tracer(frame: FrameType, event: str, _arg: Any) -> Any:
        if event == "line":
            on_line(frame)
        return tracer

    sys.settrace(tracer)
    try:
        device.step(max_wait=0)
    finally:
        sys.settrace(None)


def test_a_sigterm_wherever_it_lands_in_a_loop_turn_stops_the_device(tmp_path: Path) -> None:
    lines: list[str] = []
    one_turn_traced(runtime(tmp_path), lambda f: lines.append(
        f"{Path(f.f_code.co_filename).name}:{f.f_lineno} in {f.f_code.co_name}"))
    assert len(lines) > 20, lines  # the turn really ran through the loop's code
    for k, where in enumerate(lines):
        device = runtime(tmp_path)
        handlers = StopSignals(device, deadline_s=600).install()
        seen = 0

        def sigterm_at_k(_frame: FrameType, k: int = k) -> None:
            nonlocal seen
            if seen == k:
                signal.raise_signal(signal.SIGTERM)  # its handler runs right here
            seen += 1

        try:
            with hang_guard(f"SIGTERM at {where} deadlocked the loop"):
                one_turn_traced(device, sigterm_at_k)
                if not device.stopped:  # the stop came after the inbox was read: next turn
                    device.step(max_wait=0)
        finally:
            handlers.restore()
        assert handlers.armed, f"no SIGTERM was raised at line {k} ({where})"
        assert device.stopped, f"SIGTERM at {where} was lost"


class Counted(Role):
    name = "counted"

    def __init__(self) -> None:
        self.started = self.stopped = 0

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        self.started += 1

    def stop(self) -> None:
        self.stopped += 1


def test_a_stop_asked_before_the_loop_runs_ends_its_first_turn(tmp_path: Path) -> None:
    # `piste run` installs its handlers before run(); a SIGTERM right then must count.
    role = Counted()
    device = runtime(tmp_path, [role], port=closed_port())
    turns: list[int] = []
    device.loop_hooks.append(lambda: turns.append(1))
    device.request_stop("SIGTERM")
    with hang_guard("run() did not end after an early stop"):
        device.run()
    assert (role.started, role.stopped, len(turns)) == (1, 1, 1)


def test_the_link_stops_in_time_even_when_pahos_thread_is_stuck(
        caplog: pytest.LogCaptureFixture) -> None:
    # paho's loop_stop() joins its thread without a timeout. Whatever holds that thread (here
    # the hand-over of its first report, as a wedged loop would), the stop must go on.
    entered, release = threading.Event(), threading.Event()

    def stuck_post(_message: object) -> None:
        entered.set()
        release.wait()

    link = MqttLink("piste-test-stop", "127.0.0.1", closed_port(), stuck_post)
    link.start()
    try:
        assert entered.wait(HANG_GUARD_S), "paho never reported the refused connection"
        with caplog.at_level(logging.WARNING, logger="mqtt_bridge.link"), \
                hang_guard("link.stop() waited for ever for paho's thread"):
            link.stop(last_words=[("piste/v1/test/status", b"{}")], wait_s=0.2)
        assert "the MQTT network thread paho-mqtt-client-piste-test-stop did not stop " \
               "within 0.2 s; left behind" in caplog.text
    finally:
        release.set()  # paho's thread, left behind, ends now


def test_a_role_whose_stop_hangs_still_lets_the_process_end(tmp_path: Path) -> None:
    device = subprocess.Popen(
        [sys.executable, "-m", "tests.hanging_device", str(tmp_path), str(closed_port()), "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert device.stdout is not None
        assert device.stdout.readline() == "turning\n"  # the loop runs: handlers in place
        device.send_signal(signal.SIGTERM)
        _, stderr = device.communicate(timeout=60)  # a hang guard; it ends after ~1 s
    finally:
        if device.poll() is None:
            device.kill()
            device.communicate()
    assert device.returncode == 1
    # faulthandler's report says which part hung: the role's stop, on the main thread.
    assert "Timeout (0:00:01)!" in stderr, stderr
    assert "hanging_device.py\", line" in stderr and "in stop" in stderr, stderr

