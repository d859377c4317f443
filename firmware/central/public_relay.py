"""`piste public`: every site's phone pages, served nationally from the central broker.

The sites' bridges forward `piste/v1/{site}/public/#` (retained) to the central broker;
the relay subscribes to all of them with one login that may read nothing else and serves
the same public app as a site's own listener. It keeps nothing of its own: on every
(re)connect the broker hands it each site's retained tickets and alive again, so any number
of relays can run side by side behind a load balancer, and one that dies loses nothing a
page needs (the page's EventSource reconnects to another).

When the broker goes away later, the relay keeps serving what it has: the pages say their
data is old from the sites' alive ages, which stop moving. At start, a broker that cannot
be reached or refuses the login is said in plain words (the caller exits with 2).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from firmware.web.public_server import PublicServer, public_listener
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming, LinkDown, LinkUp, MqttLink, Tls, Unreachable

log = logging.getLogger(__name__)

PUBLIC_FILTER = f"{topics.PREFIX}/+/public/#"
START_WAIT_S = 10.0  # a broker that has not let us in by then is said to be unreachable


class RelayError(Exception):
    """The relay cannot start; the message says why, for the operator."""


@dataclass(frozen=True)
class RelaySettings:
    host: str
    port: int
    login: str = "public"
    password: str = ""
    tls: Tls | None = None
    bind: str = "0.0.0.0"
    http_port: int = 8080
    rate_per_minute: int = 60


class PublicRelay:
    def __init__(self, settings: RelaySettings) -> None:
        from firmware.phone.store import PublicTickets

        self.settings = settings
        try:
            listener = public_listener(settings.bind, settings.http_port)
        except OSError as exc:
            raise RelayError(f"cannot listen on {settings.bind}:{settings.http_port}: "
                             f"{exc.strerror or exc}") from None
        self.server = PublicServer(PublicTickets(), listener,
                                   rate_per_minute=settings.rate_per_minute,
                                   name="central phone pages")
        self._started = threading.Event()
        self._stopping = False
        self._first_answer = threading.Event()  # connected, or the first failure said why
        self._problem = ""
        # A client id of its own: several relays may share one login on a broker that
        # does not bind client ids to logins (the central one does: give each its login).
        self.link = MqttLink(f"piste-{settings.login}-{uuid.uuid4().hex[:8]}", settings.host,
                             settings.port, self._on_link, username=settings.login,
                             password=settings.password, tls=settings.tls)
        self.link.subscribe(PUBLIC_FILTER)

    @property
    def port(self) -> int:
        return self.server.port

    def connect(self, timeout_s: float = START_WAIT_S) -> None:
        """Connect to the central broker; RelayError when it cannot be reached or refuses
        us within `timeout_s`."""
        self.link.start()
        self._first_answer.wait(timeout_s)
        if self.link.connected:
            self._started.set()
            return
        problem = self._problem or f"no answer within {timeout_s:g} s"
        self.link.stop(wait_s=1.0)
        self.server.listener.close()
        raise RelayError(f"cannot reach the central broker at "
                         f"{self.link.reachability.address}: {problem}")

    def _on_link(self, message: Any) -> None:
        """paho's thread: hand the public messages to the pages' server."""
        if isinstance(message, Incoming):
            self.server.feed(message.topic, message.payload)
        elif isinstance(message, Unreachable):
            if not self._started.is_set():
                self._problem = message.problem
                self._first_answer.set()
        elif isinstance(message, LinkDown) and not self._stopping:
            log.warning("lost the central broker (%s): the pages go on showing the data "
                        "they have, and say how old it is", message.reason)
        elif isinstance(message, LinkUp):
            self._first_answer.set()
            if self._started.is_set():
                log.info("the central broker is back: the pages are live again")

    def serve(self) -> None:
        """On this thread, until `stop()` (or SIGINT/SIGTERM on the main thread)."""
        try:
            self.server.run()
        finally:
            self._stopping = True
            self.link.stop(wait_s=1.0)

    def start(self) -> None:
        """On a thread of its own (tests, bench)."""
        self.server.start()

    def stop(self) -> None:
        self._stopping = True
        self.server.stop()
        self.link.stop(wait_s=1.0)
