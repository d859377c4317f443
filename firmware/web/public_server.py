"""The phone pages' web server: uvicorn on a thread of its own serving `build_public_app`,
fed with the broker's `public/...` messages from any thread.

One server for both places the phone reaches the page: the web role's second listener at
the site (TLS with the console's certificate) and `piste public` at the centre (plain
HTTP behind the operator's TLS terminator). It serves the public app and nothing else: the
staff console is another app on another socket, so no staff route can be reached here.

The store is fed on the server's own loop (`feed` hands over with `call_soon_threadsafe`),
so the pages' change streams wake on the loop they wait on. Messages that come before the
loop runs (the broker's retained ones, at once on subscribing) wait in a list until then.
uvicorn's access log is off: the path of every request holds a ticket's token.

A page's live stream never ends by itself; uvicorn's shutdown would wait for it and then
cancel it with an error in the log. So on shutdown every open stream is told its client has
gone (`http.disconnect`, which Starlette's streaming answer listens for), and it ends at
once; the page's EventSource reconnects, to another relay behind the balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
import threading
from pathlib import Path
from typing import Any

import uvicorn

from firmware.threads import join_or_leave

log = logging.getLogger(__name__)
STOP_WAIT_S = 5.0


def public_listener(bind: str, port: int) -> socket.socket:
    """The listening socket, made before the server starts so that a port in use is said
    at once, in the caller's words (OSError)."""
    listener = socket.create_server((bind, port), reuse_port=False,
                                    family=socket.AF_INET6 if ":" in bind else socket.AF_INET)
    # An answer's TLS records must not wait for a delayed ACK (as on the console).
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


class PublicServer:
    def __init__(self, store: Any, listener: socket.socket, *, rate_per_minute: int,
                 cert: Path | None = None, key: Path | None = None,
                 name: str = "phone pages") -> None:
        from firmware.phone.app import build_public_app  # Starlette loads only here

        self.store = store
        self.listener = listener
        self.name = name
        self.app = build_public_app(store, rate_per_minute=rate_per_minute)
        tls: dict[str, Any] = ({"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
                               if cert is not None and key is not None else {})
        self._closing = asyncio.Event()
        config = uvicorn.Config(
            self._asgi, interface="asgi3", log_level="warning", access_log=False,
            lifespan="auto",
            timeout_graceful_shutdown=1, server_header=False, proxy_headers=False, **tls)
        self.server = _ClosingServer(config, self._closing)
        self.thread = threading.Thread(target=self._serve, name="web-public", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._early: list[tuple[str, bytes]] = []
        self._ended = False
        self._lock = threading.Lock()
        self.messages = 0

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    @property
    def started(self) -> bool:
        return bool(self.server.started)

    async def _asgi(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def receive_or_closing() -> Any:
            if self._closing.is_set():
                return {"type": "http.disconnect"}
            incoming = asyncio.ensure_future(receive())
            closing = asyncio.ensure_future(self._closing.wait())
            done, _ = await asyncio.wait({incoming, closing},
                                         return_when=asyncio.FIRST_COMPLETED)
            closing.cancel()
            if incoming in done:
                return incoming.result()
            incoming.cancel()
            return {"type": "http.disconnect"}

        unfinished = False

        async def noting_send(message: Any) -> None:
            nonlocal unfinished
            if message["type"] == "http.response.start":
                unfinished = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                unfinished = False
            await send(message)

        await self.app(scope, receive_or_closing, noting_send)
        if unfinished and self._closing.is_set():  # a live stream cut short: end it properly
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, topic: str, payload: bytes) -> None:
        """One `public/...` message from the broker, from any thread."""
        with self._lock:
            loop = self._loop
            if loop is None:
                if not self._ended:  # once it has stopped, nobody will read them
                    self._early.append((topic, payload))
                return
        with contextlib.suppress(RuntimeError):  # a closed loop: the server is stopping
            loop.call_soon_threadsafe(self._update, topic, payload)

    def _update(self, topic: str, payload: bytes) -> None:
        self.messages += 1
        try:
            self.store.update(topic, payload)
        except Exception:  # one bad message must not stop the pages of every other ticket
            log.exception("%s: cannot take the message on %s", self.name, topic)

    # -- running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Serve on a thread of its own (the web role)."""
        self.thread.start()

    def run(self) -> None:
        """Serve on this thread until `stop()` or SIGINT/SIGTERM (`piste public`)."""
        self._serve()

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:  # the pages stop; the device's other roles must not
            log.exception("the %s' server stopped", self.name)

    async def _main(self) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            early, self._early = self._early, []
        for topic, payload in early:
            self._update(topic, payload)
        try:
            await self.server.serve(sockets=[self.listener])
        finally:
            with self._lock:
                self._loop = None
                self._ended = True

    def request_stop(self) -> None:
        """From a signal handler: the server ends its `run()` soon."""
        self.server.should_exit = True

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            join_or_leave(self.thread, STOP_WAIT_S)
        self.listener.close()

    def health(self) -> dict[str, Any]:
        return {"public_port": self.port, "public_messages": self.messages,
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


class _ClosingServer(uvicorn.Server):
    """uvicorn's server, which first lets the open live streams end (see the top)."""

    def __init__(self, config: uvicorn.Config, closing: asyncio.Event) -> None:
        super().__init__(config)
        self._closing = closing

    async def shutdown(self, sockets: Any = None) -> None:
        self._closing.set()
        await super().shutdown(sockets)
