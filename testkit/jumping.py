"""Devices on an in-memory broker and a clock that jumps, driven on the test's own thread.

`JumpingSite` runs each device's loop only when there is something to do: it hands every
inbox its messages until all are empty, and when nothing is left it moves the ManualClock
straight to the next timer of any device (Trio's MockClock with autojump_threshold=0). So
"run until the call shows" takes as long as the work does, not as long as the timers say,
and there is no sleep and no polling: a test names the condition and the time it may take
on the site's clock.

Hardware doubles that act on their own (a radar that sends a frame every 50 ms) join as
sources: `next_due()` says when they act next on the clock's count, `fire()` acts and
returns once what it did is in the inboxes.
"""

from __future__ import annotations

import json
import math
import queue
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from firmware.clock import ManualClock
from firmware.runtime import Role, Runtime
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.memory import MemoryBroker, matches

SETTLE_LIMIT = 10_000  # turns without the inboxes emptying: a message loop, not a test


class Source(Protocol):
    def next_due(self) -> float | None: ...

    def fire(self) -> None: ...


class JumpingSite:
    def __init__(self, clock: ManualClock, broker: MemoryBroker | None = None) -> None:
        self.clock = clock
        self.broker = broker or MemoryBroker()
        self.runtimes: list[Runtime] = []
        self.sources: list[Source] = []

    def device(self, config: SiteConfig, device_id: str, roles: list[Role], data_dir: Path,
               *, uses_screen: bool = False) -> Runtime:
        """A device's runtime on this site, started (its link connects at once)."""
        device = config.device(device_id)
        assert device is not None, device_id
        data_dir.mkdir(parents=True, exist_ok=True)
        runtime = Runtime(config, device, self.clock, data_dir, roles, broker_host="memory",
                          broker_port=0, uses_screen=uses_screen, link=self.broker.link,
                          monotonic=self.clock.monotonic)
        self.runtimes.append(runtime)
        runtime.start()
        self.settle()
        return runtime

    def client(self, site: str, name: str | None = None) -> TestClient:
        return TestClient(self, site, name or f"test-{uuid.uuid4().hex[:6]}")

    # -- driving ------------------------------------------------------------------------------

    def settle(self) -> None:
        """Every device handles what is in its inbox and what is due now; no time passes."""
        for _ in range(SETTLE_LIMIT):
            now = self.clock.monotonic()
            busy = [r for r in self.runtimes if not r.stopped and (
                not r.inbox.empty() or (r.next_timer_due() or now + 1) <= now)]
            if not busy:
                return
            for runtime in busy:
                runtime.step(max_wait=0)
        raise AssertionError(f"the devices did not settle within {SETTLE_LIMIT} turns")

    def next_due(self) -> float | None:
        dues = [r.next_timer_due() for r in self.runtimes if not r.stopped]
        dues += [s.next_due() for s in self.sources]
        return min((d for d in dues if d is not None), default=None)

    def _jump(self, limit: float) -> bool:
        """Move the clock to the next thing due, if it comes before `limit`."""
        due = self.next_due()
        if due is None or due > limit:
            return False
        # In whole microseconds, rounded up (a datetime holds no finer step): the clock
        # lands on or just past the due moment, and every jump moves it on.
        step = math.ceil(max(0.0, due - self.clock.monotonic()) * 1e6)
        self.clock.advance(microseconds=max(1, step))
        for source in list(self.sources):
            if (source.next_due() or limit + 1) <= self.clock.monotonic():
                source.fire()
        return True

    def run_until(self, condition: Callable[[], Any], within_s: float = 60.0,
                  what: str = "the condition") -> Any:
        """Run the devices, jumping from timer to timer, until `condition()` is true (and
        return its value); fail if it is not within `within_s` on the site's clock."""
        limit = self.clock.monotonic() + within_s
        while True:
            self.settle()
            value = condition()
            if value:
                return value
            if not self._jump(limit):
                raise AssertionError(f"not within {within_s} s on the clock: {what}")

    def run_for(self, seconds: float) -> None:
        """Let `seconds` pass on the site's clock, every timer in them run in its turn."""
        end = self.clock.monotonic() + seconds
        self.settle()
        while self._jump(end):
            self.settle()
        self.clock.advance(seconds=max(0.0, end - self.clock.monotonic()))
        self.settle()

    def await_post(self, runtime: Runtime, within_s: float = 5.0,
                   what: str = "a thread's result") -> None:
        """Wait for one of the device's own threads (a printer's worker) to post to its
        inbox, blocked on the inbox itself (in real seconds: the thread works in real time),
        then let the site handle it."""
        self.settle()
        try:
            message = runtime.inbox.get(timeout=within_s)
        except queue.Empty:
            raise AssertionError(f"not within {within_s} s: {what}") from None
        runtime.post(message)  # the inbox was empty: it is first in line again
        self.settle()

    def stop(self) -> None:
        """Each device stops as `piste run` does: the roles, then the link's last words."""
        for runtime in self.runtimes:
            runtime.shutdown()
        self.runtimes = []

    def __enter__(self) -> JumpingSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class _Watch:
    topic_filter: str
    seen: list[tuple[str, bytes, bool]]


class TestClient:
    """A test's own MQTT client on the site's broker (what BlockingClient is on Mosquitto):
    publish, watch a filter, send a command and run the site until its answer comes."""

    __test__ = False  # not a pytest class

    def __init__(self, site: JumpingSite, site_id: str, name: str) -> None:
        self.site = site
        self.site_id = site_id
        self.name = name
        self.reply_topic = topics.reply(site_id, name)
        self._answers: dict[bytes, dict[str, Any]] = {}
        self._watches: list[_Watch] = []
        self.link = site.broker.link(f"piste-{site_id}-{name}", self._post)
        self.link.start()
        self.link.subscribe(self.reply_topic)

    def _post(self, message: Any) -> None:
        if not isinstance(message, Incoming):
            return
        if message.topic == self.reply_topic and message.correlation is not None:
            self._answers[message.correlation] = json.loads(message.payload)
        for watch in self._watches:
            if matches(watch.topic_filter, message.topic):
                watch.seen.append((message.topic, message.payload, message.retain))

    def watch(self, topic_filter: str) -> list[tuple[str, bytes, bool]]:
        """Every message on the filter from now on (the retained ones first), in order."""
        seen: list[tuple[str, bytes, bool]] = []
        self._watches.append(_Watch(topic_filter, seen))
        self.link.subscribe(topic_filter)
        return seen

    def publish_raw(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.link.publish(topic, payload, retain=retain)

    def request(self, command: str, body: dict[str, Any], within_s: float = 10.0
                ) -> dict[str, Any]:
        """Send a command as a console would and run the site until it is answered."""
        return self.answer(self.send(command, body), within_s)

    def send(self, command: str, body: dict[str, Any]) -> bytes:
        """Send a command without running the site (several may then arrive at once); its
        correlation is what `answer` takes."""
        body = {**body}
        body.setdefault("request_id", str(uuid.uuid4()))
        correlation = uuid.uuid4().bytes
        self.link.publish(topics.command(self.site_id, command, self.name),
                          json.dumps(body).encode(), response_topic=self.reply_topic,
                          correlation=correlation)
        return correlation

    def answer(self, correlation: bytes, within_s: float = 10.0) -> dict[str, Any]:
        """Run the site until the command sent with `correlation` is answered."""
        return self.site.run_until(lambda: self._answers.pop(correlation, None), within_s,
                                   what="the answer to a command")


def latest_json(seen: list[tuple[str, bytes, bool]]) -> dict[str, Any] | None:
    """The newest payload of a watch, decoded; None before the first."""
    return json.loads(seen[-1][1]) if seen else None
