"""The controller as `piste run` runs it: killed with SIGKILL, it comes back with the same queue,
and a client that retries a command after the crash gets the first answer, not a new ticket."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.conftest import DEMO_SITE
from tests.helpers import wait_for

CLOCK = "2026-12-01T10:00:00+02:00"  # a Tuesday morning: most authorities serve
SITE = "lappeenranta"


def start_controller(broker, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.Popen(
        [sys.executable, "-m", "firmware.cli.main", "run", "--config", str(DEMO_SITE),
         "--device", "lobby-1", "--broker", broker.url, "--data-dir", str(data_dir),
         "--clock-start", CLOCK],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def state_where(client: BlockingClient, condition) -> dict:
    """The first queue state (retained or fresh) that meets the condition."""
    states = client.watch(topics.queue_state(SITE))
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = json.loads(states.get(timeout=0.5)[1])
        except queue.Empty:
            continue
        if condition(state):
            return state
        seen.append(state)
    raise AssertionError(f"no queue state met the condition; saw {seen}")


def test_kill_and_restart_gives_back_the_same_queue(private_broker, tmp_path) -> None:
    controller = start_controller(private_broker, tmp_path)
    try:
        with BlockingClient(private_broker.host, private_broker.port, SITE) as client:
            wait_for(lambda: _answers(client), timeout=20, what="the controller to answer")
            numbers = []
            for i in range(4):
                answer = client.request(topics.ISSUE, {"request_id": f"issue-{i}",
                                                       "service": "kela", "lang": "fi"})
                numbers.append(answer["ticket"]["number"])
            call = client.request(topics.CALL, {"request_id": "call-1", "room": "1",
                                                "services": ["kela"]})
            before = state_where(client, lambda s: s["serving"])
        with BlockingClient(private_broker.host, private_broker.port, SITE) as watcher:
            statuses = watcher.watch(topics.device_status(SITE, "lobby-1"))
            assert json.loads(statuses.get(timeout=5)[1])["state"] == "online"
            controller.send_signal(signal.SIGKILL)
            controller.wait(10)
            # The broker tells everyone through the controller's last will.
            assert json.loads(statuses.get(timeout=5)[1])["state"] == "offline"

        controller = start_controller(private_broker, tmp_path)
        with BlockingClient(private_broker.host, private_broker.port, SITE) as client:
            wait_for(lambda: _answers(client), timeout=20, what="the controller to return")
            after = state_where(client, lambda s: True)
            assert after["serving"] == before["serving"]
            assert after["serving"][0]["ticket"] == call["ticket"]["number"] == numbers[0]
            kela = next(s for s in after["services"] if s["id"] == "kela")
            assert kela["waiting"] == 3
            # The kiosk never heard the answer to issue-3 and sends it again: same ticket.
            again = client.request(topics.ISSUE, {"request_id": "issue-3", "service": "kela",
                                                  "lang": "fi"})
            assert again["ticket"]["number"] == numbers[3]
            fresh = client.request(topics.ISSUE, {"request_id": "issue-4", "service": "kela",
                                                  "lang": "fi"})
            assert fresh["ticket"]["number"] not in numbers
        with BlockingClient(private_broker.host, private_broker.port, SITE) as watcher:
            statuses = watcher.watch(topics.device_status(SITE, "lobby-1"))
            assert json.loads(statuses.get(timeout=5)[1])["state"] == "online"
            controller.terminate()  # a clean stop says so
            controller.wait(10)
            assert json.loads(statuses.get(timeout=5)[1])["state"] == "stopped"
    finally:
        controller.terminate()
        controller.wait(10)


def _answers(client: BlockingClient) -> bool:
    try:
        client.request(topics.CALL, {"room": "no-such-room"}, timeout=0.5)
        return True
    except TimeoutError:
        return False


@pytest.mark.wire_abuse("cmd/#")  # malformed commands on purpose; the answers are checked
def test_bad_commands_get_bad_request_and_the_controller_keeps_going(private_broker,
                                                                     tmp_path) -> None:
    controller = start_controller(private_broker, tmp_path)
    try:
        with BlockingClient(private_broker.host, private_broker.port, SITE) as client:
            wait_for(lambda: _answers(client), timeout=20, what="the controller to answer")
            replies = client.watch(topics.reply(SITE, "fuzzer"))
            for payload in (b"\xff\xfe", b"[]", b"{}", b'{"request_id": 5}',
                            b'{"request_id": "x", "service": "kela/#"}', b"{" * 20000):
                client.publish_raw(topics.command(SITE, topics.ISSUE), payload,
                                   correlation=b"c", response_topic=topics.reply(SITE, "fuzzer"))
                answer = json.loads(replies.get(timeout=5)[1])
                assert answer["ok"] is False and answer["error"]["code"] == "bad_request"
                assert answer["error"]["message"]
            ok = client.request(topics.ISSUE, {"service": "kela", "lang": "sv"})
            assert ok["ok"] is True
        assert controller.poll() is None
    finally:
        controller.terminate()
        controller.wait(10)
