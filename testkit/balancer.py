"""A small TCP load balancer for tests and benches: round robin over backends, skipping one
that refuses the connection, as an operator's balancer in front of `piste public` would.

It passes bytes through (TCP, not HTTP), so a server-sent events stream stays open to the
backend that took it until that backend goes; the browser's EventSource then reconnects
and the balancer hands the new connection to a backend that is still there.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import socket
import threading
from collections.abc import Callable, Sequence

CHUNK = 65536
REQUEST_LINE = re.compile(rb"(?:GET|HEAD|POST) (\S+) HTTP/1\.[01]\r\n")


class Balancer:
    def __init__(self, backends: Sequence[tuple[str, int]], host: str = "127.0.0.1") -> None:
        self.backends = list(backends)
        self._turn = itertools.count()
        self._listener = socket.create_server((host, 0))
        self.host = host
        self.port = int(self._listener.getsockname()[1])
        self.connections: list[tuple[str, int]] = []  # the backend each connection went to
        # (backend, path) of each HTTP request seen going through: which backend serves what
        # (a browser sends several requests on one kept-alive connection).
        self.requests: list[tuple[tuple[str, int], str]] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="balancer", daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Balancer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, sock=self._listener))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.close()

    def backends_of(self, path_end: str) -> list[tuple[str, int]]:
        """The backends that took the requests whose path ends so, in order."""
        return [backend for backend, path in self.requests if path.endswith(path_end)]

    async def _open_backend(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The next backend in turn that accepts; None when none does."""
        for _ in range(len(self.backends)):
            backend = self.backends[next(self._turn) % len(self.backends)]
            try:
                streams = await asyncio.open_connection(*backend)
            except OSError:
                continue  # dead: the next one
            self.connections.append(backend)
            return streams
        return None

    async def _handle(self, client_in: asyncio.StreamReader,
                      client_out: asyncio.StreamWriter) -> None:
        backend = await self._open_backend()
        if backend is None:
            client_out.close()
            return
        backend_in, backend_out = backend
        taken = self.connections[-1]

        def note(data: bytes) -> None:
            self.requests += [(taken, path.decode("latin-1"))
                              for path in REQUEST_LINE.findall(data)]

        await asyncio.gather(_pipe(client_in, backend_out, note),
                             _pipe(backend_in, client_out))


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                note: Callable[[bytes], None] | None = None) -> None:
    try:
        while data := await source.read(CHUNK):
            if note is not None:
                note(data)
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        # A pipe still open when the balancer stops is closed with its loop already gone.
        with contextlib.suppress(RuntimeError):
            sink.close()
