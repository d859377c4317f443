"""The controller's public messages (SPEC: `piste/v1/{site}/public/...`) as tests and benches
of the phone pages' listeners publish them, and a reader of the pages' event stream.

The messages are what a controller sends for a ticket; tests of where the pages are served
(the site's listener, the central relay, a balancer) publish them straight onto a broker,
retained, so that what is measured is the way there and not the controller's queue.
"""

from __future__ import annotations

import json
import socket
import ssl
import uuid
from datetime import datetime, timedelta
from typing import Any

from firmware.core.phone_tokens import key_of
from mqtt_bridge import topics

NAMES = {"kela": {"fi": "Kela", "sv": "FPA", "en": "Kela"}}


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def ticket_topic(site: str, token: str) -> str:
    return f"{topics.site_root(site)}/public/ticket/{key_of(token)}"


def alive_topic(site: str) -> str:
    return f"{topics.site_root(site)}/public/alive"


def ticket_message(site: str, now: datetime, *, number: str = "K012", code: str = "",
                   status: str = "waiting", ahead: int | None = 3, room: str | None = None,
                   calls: int = 0, lang: str = "fi") -> dict[str, Any]:
    """A ticket's public message as the controller publishes it (valid to the day's end)."""
    end = now.replace(hour=23, minute=59, second=59, microsecond=0)
    called = status == "called"
    return {
        "v": 1, "site": site, "day": now.date().isoformat(), "at": rfc3339(now),
        "valid_until": rfc3339(end), "code_key": key_of(code or uuid.uuid4().hex),
        "number": number, "lang": lang,
        "service": {"id": "kela", "name": NAMES["kela"]},
        "status": status, "ahead": None if called else ahead,
        "eta_range": None if called or ahead is None else [ahead * 3, ahead * 5],
        "almost": not called and ahead is not None and ahead <= 3,
        "room": ({"id": room, "name": {"fi": f"Huone {room}", "sv": f"Rum {room}",
                                       "en": f"Room {room}"}} if room else None),
        "call_id": str(uuid.uuid4()) if called else None,
        "calls": calls, "next": [],
    }


def alive_message(now: datetime) -> dict[str, Any]:
    return {"at": rfc3339(now)}


def encoded(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


class EventStream:
    """One page's `GET /t/{token}/live`, read as EventSource does, over a plain socket so
    that hundreds can be open in a bench without a thread each. `events()` gives the
    (event, data) pairs that have arrived."""

    def __init__(self, host: str, port: int, token: str, *, tls: bool = False,
                 timeout_s: float = 10.0) -> None:
        raw = socket.create_connection((host, port), timeout=timeout_s)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            raw = context.wrap_socket(raw, server_hostname=host)
        self.sock = raw
        self.sock.sendall(f"GET /t/{token}/live HTTP/1.1\r\nHost: {host}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self._buffer = b""
        self.status = 0

    def fileno(self) -> int:
        return self.sock.fileno()

    def read(self) -> list[tuple[str, str]]:
        """What one recv() brings, as whole events; [] when nothing whole yet. Raises
        ConnectionError when the server closed the stream."""
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the event stream ended")
        self._buffer += data
        if not self.status and b"\r\n\r\n" in self._buffer:
            head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
            self.status = int(head.split(b" ", 2)[1])
        return self._whole_events()

    def _whole_events(self) -> list[tuple[str, str]]:
        events = []
        self._buffer = self._buffer.replace(b"\r\n", b"\n")
        # Chunked transfer: the chunk sizes are lines of their own, which no SSE field is.
        while b"\n\n" in self._buffer:
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            name, data = "message", []
            for line in block.decode("utf-8", "replace").splitlines():
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
            if data:
                events.append((name, "\n".join(data)))
        return events

    def close(self) -> None:
        self.sock.close()


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
