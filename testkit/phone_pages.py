"""The phone pages served for tests and benches: the public app on uvicorn on a loopback
port, fed directly with messages of the contract's shape (no broker: the page is the point).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn

from firmware.core.phone_tokens import key_of, new_code, new_token
from firmware.phone.store import PublicTickets
from testkit.waiting import wait_until

SITE_TZ = ZoneInfo("Europe/Helsinki")
KELA = {"id": "kela", "name": {"fi": "Kela", "sv": "FPA", "en": "Kela"}}
VERO = {"fi": "Verohallinto", "sv": "Skatteförvaltningen", "en": "Finnish Tax Administration"}
ROOM_5 = {"id": "5", "name": {"fi": "Huone 5", "sv": "Rum 5", "en": "Room 5"}}


def site_now() -> datetime:
    return datetime.now(SITE_TZ).replace(microsecond=0)


@dataclass
class Ticket:
    """One ticket's secrets (as the controller keeps them) and its public message."""

    site: str = "lappeenranta"
    token: str = field(default_factory=new_token)
    code: str = field(default_factory=new_code)
    message: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return key_of(self.token)

    @property
    def topic(self) -> str:
        return f"piste/v1/{self.site}/public/ticket/{self.key}"

    def payload(self, **changes: Any) -> bytes:
        """The message with `changes` (and a new `at`), kept for the next change."""
        self.message = {**self.message, "at": site_now().isoformat(), **changes}
        return json.dumps(self.message).encode()


def new_ticket(site: str = "lappeenranta", lang: str = "fi", number: str = "K012",
               **changes: Any) -> Ticket:
    ticket = Ticket(site)
    now = site_now()
    ticket.message = {
        "v": 1, "site": site, "day": now.date().isoformat(), "at": now.isoformat(),
        "valid_until": (now + timedelta(hours=8)).isoformat(),
        "code_key": key_of(ticket.code), "number": number, "lang": lang, "service": KELA,
        "status": "waiting", "ahead": 3, "eta_range": [5, 10], "almost": False,
        "room": None, "call_id": None, "calls": 0, "next": [], **changes}
    return ticket


def feed(store: PublicTickets, ticket: Ticket, **changes: Any) -> None:
    assert store.update(ticket.topic, ticket.payload(**changes)), changes


def feed_alive(store: PublicTickets, site: str, at: datetime) -> None:
    assert store.update(f"piste/v1/{site}/public/alive",
                        json.dumps({"at": at.isoformat()}).encode())


def listener(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


@contextmanager
def serve(app: Any, port: int = 0, log_level: str = "warning") -> Iterator[str]:
    """The app on uvicorn on a loopback port (a given one: a restart on the same address),
    as the site's listener and the relay run it: no access log, no server header."""
    sock = listener(port)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off",
                            timeout_graceful_shutdown=1, server_header=False,
                            proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, what="the phone pages to listen")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
