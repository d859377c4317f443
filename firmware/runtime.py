"""The device runtime: one inbox, one thread that owns all state.

paho's network thread, timers and screen events never touch a role's state: they post a
message to the inbox, and `Runtime.step` applies messages in order on the runtime's own
thread, then lets each role redraw. Roles never know whether their peer is in this process
or on another Pi: everything between roles goes through the broker.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware import __version__
from firmware.clock import Clock
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.link import (
    Delivered,
    Incoming,
    Link,
    LinkDown,
    LinkUp,
    MakeLink,
    MqttLink,
    Tls,
    Unreachable,
    Will,
)

log = logging.getLogger(__name__)

HEALTH_EVERY_S = 60.0  # the retained health report is refreshed this often (clock time)
HEALTH_MIN_GAP_S = 0.5  # and never more often than this in real time (a fast demo clock)
LOCAL_HEALTH_FILE = "health.json"  # in the data dir: the health as the device sees it, for
# `piste status` on the device itself when the broker cannot be reached to read it there
IDLE_WAIT_S = 0.5  # how long the loop sleeps with nothing to do and no screen
SCREEN_POLL_S = 0.02  # with a screen, touches are read this often (SDL has no blocking wait
# that also wakes for our inbox)


@dataclass(frozen=True)
class Stop:
    reason: str = "stop requested"


class Role:
    """A job a device does. Override what the role needs; every hook runs on the loop."""

    name = "role"

    def start(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def on_link_up(self) -> None: ...

    def on_link_down(self) -> None: ...

    def on_message(self, message: Incoming) -> None: ...

    def on_screen_event(self, event: Any) -> None: ...

    def on_delivered(self, mid: int) -> None:
        """The broker acknowledged the QoS 1 publish with this paho message id."""

    def render(self) -> None:
        """Redraw if something changed since the last frame; otherwise do nothing."""

    def health(self) -> dict[str, Any]:
        return {}

    def stop(self) -> None: ...


@dataclass(order=True)
class _Timer:
    due: float
    order: int
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Runtime:
    def __init__(
        self,
        config: SiteConfig,
        device: Device,
        clock: Clock,
        data_dir: Path,
        roles: list[Role],
        *,
        broker_host: str,
        broker_port: int,
        client_suffix: str = "",
        uses_screen: bool = False,
        link: MakeLink | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`link` makes the broker connection from (client id, post, will): when not given,
        the MqttLink to the configured broker; tests give an in-memory broker's
        `MemoryBroker.link`. `monotonic` is what the timers count in seconds: the machine's,
        or a ManualClock's in tests, where time moves only when they say."""
        self.config = config
        self.device = device
        self.clock = clock
        self.data_dir = data_dir
        self.roles = roles
        # SimpleQueue, not Queue: its put() takes no Python lock, so a signal handler may post
        # (request_stop) even when it interrupts this thread inside get(). A Queue's put()
        # there waits for the mutex its own thread holds: the device hung on SIGTERM.
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.site = config.site.id
        self.uses_screen = uses_screen
        self.started_at = clock.now()
        # This process, in the retained status: a device that restarts is a new instance of
        # the same device id, a second device (or a copied SD card) another instance as well.
        self.instance = str(uuid.uuid4())
        self.status_extra: dict[str, Any] = {}  # a role's own words in the status (controller)
        self.monotonic = monotonic
        self._timers: list[_Timer] = []
        self._timer_order = itertools.count()
        self._stopped = threading.Event()
        # Called after every turn of the loop (a systemd watchdog ping, say): proof it turns.
        self.loop_hooks: list[Callable[[], None]] = []
        status_topic = topics.device_status(self.site, device.id)
        will = Will(status_topic, self._status_payload("offline"))
        client_id = f"piste-{self.site}-{device.id}{client_suffix}"
        self.link: Link = link(client_id, self.post, will) if link is not None else \
            MqttLink(
                client_id=client_id,
                host=broker_host,
                port=broker_port,
                post=self.post,
                will=will,
                username=config.broker.username,
                password=config.broker.password,
                tls=Tls(config.broker.ca_file, config.broker.cert_file, config.broker.key_file)
                if config.broker.tls else None,
            )
        self._status_topic = status_topic
        self._started = False
        self._broker_problem: Unreachable | None = None
        self._broker_problem_since = ""

    # -- for roles ------------------------------------------------------------------------

    def post(self, message: Any) -> None:
        """Thread-safe: hand a message to the loop."""
        self.inbox.put(message)

    def call_later(self, delay_s: float, action: Callable[[], None]) -> _Timer:
        timer = _Timer(self.monotonic() + delay_s, next(self._timer_order), action)
        heapq.heappush(self._timers, timer)
        return timer

    def publish_json(self, topic: str, payload: dict[str, Any], *, retain: bool = False,
                     **kwargs: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        self.link.publish(topic, body, retain=retain, **kwargs)

    # -- lifecycle ------------------------------------------------------------------------

    def _status_payload(self, state: str) -> bytes:
        return json.dumps(
            {
                "state": state,
                "roles": list(self.device.roles),
                "version": __version__,
                "config_version": self.config.config_version,
                "since": self.clock.now().isoformat(timespec="seconds"),
                "instance": self.instance,
                **self.status_extra,
            }
        ).encode()

    def publish_status(self) -> None:
        """The retained status again, "online", with what the roles put in `status_extra`."""
        if self.link.connected:
            self.link.publish(self._status_topic, self._status_payload("online"), retain=True)

    def start(self) -> None:
        for role in self.roles:
            role.start(self)
        self._started = True  # every role can report its health from now on
        self.link.start()
        self.call_later(self.health_every_s, self._health_tick)

    @property
    def health_every_s(self) -> float:
        """Real seconds between health reports: a minute of the device's clock. A demo's
        clock runs a morning in a minute; counted in real time, its reports would be hours
        apart on its own clock and the console's "last report" hours old."""
        speed = float(getattr(self.clock, "speed", 1.0) or 1.0)
        return max(HEALTH_MIN_GAP_S, HEALTH_EVERY_S / speed)

    def health(self) -> dict[str, Any]:
        """What every role reports about its parts, merged: the `health` payload."""
        report: dict[str, Any] = {"at": self.clock.now().isoformat(timespec="seconds"),
                                  "broker": self._broker_health()}
        for role in self.roles:
            try:
                report.update(role.health())
            except Exception:
                log.exception("health report failed in %s", role.name)
                report[role.name] = {"state": "error"}
        return report

    def _broker_health(self) -> dict[str, Any]:
        address = self.link.reachability.address
        problem = self._broker_problem
        if self.link.connected or problem is None:
            return {"state": "ok" if self.link.connected else "connecting", "address": address}
        return {"state": "unreachable", "address": address, "problem": problem.problem,
                "since": self._broker_problem_since, "attempts": problem.failures}

    def publish_health(self) -> None:
        if not self._started:
            return  # a role that reports while the others start: the first tick says it all
        report = self.health()
        self._write_local_health(report)
        if self.link.connected:
            self.publish_json(topics.device_health(self.site, self.device.id), report,
                              retain=True)

    def _write_local_health(self, report: dict[str, Any]) -> None:
        """The health where `piste status` finds it on this device even with no broker."""
        path = self.data_dir / LOCAL_HEALTH_FILE
        body = {"site": self.site, "device": self.device.id, "health": report}
        try:
            partial = path.with_suffix(".partial")
            partial.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            partial.replace(path)
        except OSError as exc:
            log.warning("cannot write the local health view %s: %s", path, exc.strerror)

    def _health_tick(self) -> None:
        self.publish_health()
        self.call_later(self.health_every_s, self._health_tick)

    def run(self) -> None:
        """Run until stop() or a Stop message; then say goodbye on the broker."""
        self.start()
        try:
            while not self._stopped.is_set():
                self.step()
        finally:
            self.shutdown()

    @property
    def stopped(self) -> bool:
        """The loop took a stop: `run()` ends after this turn."""
        return self._stopped.is_set()

    def request_stop(self, reason: str = "stop requested") -> None:
        """Safe from any thread and from a signal handler; a stop requested before `run()`
        waits in the inbox and ends the first turn."""
        self.post(Stop(reason))

    def step(self, max_wait: float | None = None) -> None:
        """Apply what has arrived, run due timers, read the screen, redraw."""
        wait = SCREEN_POLL_S if self.uses_screen else IDLE_WAIT_S
        if self._timers:
            wait = min(wait, max(0.0, self._timers[0].due - self.monotonic()))
        if max_wait is not None:
            wait = min(wait, max_wait)
        try:
            message = self.inbox.get(timeout=wait)
        except queue.Empty:
            message = None
        while message is not None:
            self._dispatch(message)
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                message = None
        self._run_timers()
        if self.uses_screen:
            self._pump_screen_events()
        for role in self.roles:
            self._guard(role, "render", role.render)
        for hook in self.loop_hooks:
            self._guard(None, "loop hook", hook)

    def shutdown(self) -> None:
        for role in self.roles:
            self._guard(role, "stop", role.stop)
        self.link.stop(last_words=[(self._status_topic, self._status_payload("stopped"))])

    # -- internals ------------------------------------------------------------------------

    def _dispatch(self, message: Any) -> None:
        if isinstance(message, Stop):
            log.info("stopping: %s", message.reason)
            self._stopped.set()
        elif isinstance(message, Unreachable):
            before = self._broker_problem
            self._broker_problem = message
            if before is None:
                self._broker_problem_since = self.clock.now().isoformat(timespec="seconds")
            if before is None or before.problem != message.problem:
                self.publish_health()  # only the local view: the link is down
        elif isinstance(message, LinkUp):
            self._broker_problem = None
            self.link.publish(self._status_topic, self._status_payload("online"), retain=True)
            for role in self.roles:
                self._guard(role, "link up", role.on_link_up)
            self.publish_health()
        elif isinstance(message, LinkDown):
            for role in self.roles:
                self._guard(role, "link down", role.on_link_down)
        elif isinstance(message, Delivered):
            for role in self.roles:
                self._guard(role, "delivery", role.on_delivered, message.mid)
        elif isinstance(message, Incoming):
            for role in self.roles:
                self._guard(role, f"message on {message.topic}", role.on_message, message)
        elif callable(message):
            message()

    def next_timer_due(self) -> float | None:
        """When the next live timer is due, on `monotonic`'s count (None: no timer)."""
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0].due if self._timers else None

    def _run_timers(self) -> None:
        now = self.monotonic()
        while self._timers and self._timers[0].due <= now:
            timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                self._guard(None, "timer", timer.action)

    def _pump_screen_events(self) -> None:
        import pygame  # only devices with a screen load SDL

        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.request_stop("window closed")
            for role in self.roles:
                self._guard(role, "screen event", role.on_screen_event, event)

    @staticmethod
    def _guard(role: Role | None, what: str, fn: Callable[..., Any], *args: Any) -> None:
        # One faulty message or role must not stop the device: log it and carry on.
        try:
            fn(*args)
        except Exception:
            log.exception("%s failed in %s", what, role.name if role else "runtime")
