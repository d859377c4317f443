"""The console's web server: uvicorn on a thread of its own, serving the Starlette app.

Why these libraries: Starlette is a small, well-kept ASGI toolkit (routing, templates,
static files, streaming for server-sent events) without an ORM or an admin it would drag
along; uvicorn is its usual server and runs TLS itself, so a Pi needs no reverse proxy.
The console alone takes about 45 MB of memory idle and 55 MB with 21 pages open on the
build machine (`make bench`); not yet measured on a Pi.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn

from firmware.threads import join_or_leave
from firmware.web.app import build_app
from firmware.web.live import Hub

log = logging.getLogger(__name__)
STOP_WAIT_S = 5.0


class ConsoleServer:
    def __init__(self, console: Any, listener: socket.socket, cert: Path, key: Path) -> None:
        self.console = console
        self.listener = listener
        self.hub = Hub()
        self.started_s = time.monotonic()

        @asynccontextmanager
        async def lifespan(_app: Any) -> AsyncIterator[None]:
            self.hub.attach(asyncio.get_running_loop())
            self.hub.publish_threadsafe(console.view())
            yield

        self.app = build_app(console, self.hub, lifespan=lifespan)
        config = uvicorn.Config(
            self.app, ssl_certfile=str(cert), ssl_keyfile=str(key), log_level="warning",
            access_log=False, lifespan="on", timeout_graceful_shutdown=1, server_header=False,
            proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name="web-console", daemon=True)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def start(self) -> None:
        self.thread.start()

    def _serve(self) -> None:
        try:
            self.server.run(sockets=[self.listener])
        except Exception:  # the console stops; the device's other roles must not
            log.exception("the staff console's server stopped")

    def stop(self) -> None:
        self.server.should_exit = True
        join_or_leave(self.thread, STOP_WAIT_S)
        self.listener.close()

    def health(self) -> dict[str, Any]:
        return {"port": self.port, "streams": self.hub.streams,
                "sessions": len(self.app.state.sessions.sessions),
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
