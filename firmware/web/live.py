"""Live updates by push: server-sent events, one stream per open page.

The runtime's thread hands each new lobby view to `Hub.publish_threadsafe`; every open
stream wakes and sends it (only the newest: a page that fell behind skips the views in
between, never a stale one last). The browser's EventSource reconnects by itself after a
network break, and the first thing a new stream sends is the current view, so a page is
whole again at once. A comment line every HEARTBEAT_S keeps proxies from closing an idle
stream and lets the server notice a page that went away or a session that expired.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

HEARTBEAT_S = 15.0
RETRY_MS = 2000  # how soon a browser tries again after the stream broke


def sse(event: str, data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {text}\n\n".encode()


class Hub:
    def __init__(self) -> None:
        self._latest: dict[str, Any] = {}
        self._wakers: set[asyncio.Event] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._generation = 0  # grows when every open stream is to end (drop_streams)

    @property
    def streams(self) -> int:
        return len(self._wakers)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish_threadsafe(self, view: dict[str, Any]) -> None:
        with self._lock:
            self._latest = view
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the server's loop is shutting down
                loop.call_soon_threadsafe(self._wake_all)

    def drop_streams(self) -> None:
        """End every open stream now, as a network break would: each browser's EventSource
        connects again by itself after RETRY_MS and gets the current view first."""
        with self._lock:
            self._generation += 1
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_all)

    def latest(self) -> dict[str, Any]:
        with self._lock:
            return self._latest

    def _wake_all(self) -> None:
        for waker in self._wakers:
            waker.set()

    async def stream(self, still_allowed: Callable[[], bool],
                     shape: Callable[[dict[str, Any]], dict[str, Any]]) -> AsyncIterator[bytes]:
        """The events of one page: the view now and after each change, while the session
        lasts; `shape` trims the view to what the user's role may see."""
        waker = asyncio.Event()
        self._wakers.add(waker)
        sent = -1
        generation = self._generation
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            while True:
                if self._generation != generation:
                    return
                if not still_allowed():
                    yield sse("signed-out", {"reason": "session ended"})
                    return
                view = self.latest()
                if view.get("version", 0) != sent:
                    sent = view.get("version", 0)
                    yield sse("lobby", shape(view))
                try:
                    await asyncio.wait_for(waker.wait(), HEARTBEAT_S)
                except TimeoutError:
                    yield b": still here\n\n"
                waker.clear()
        finally:
            self._wakers.discard(waker)
