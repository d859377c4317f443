"""The public phone pages: one Starlette app for the site's public listener and the central
relay alike.

Read-only and separate from the staff console: it has no route but the ones below, no
session, no cookie. Every wrong answer is the same answer: a token or code that is unknown,
expired, of another site, or not even well formed gets the same 404 bytes and headers, and
so does any other path or method, so neither the body, the headers nor the status tell a
prober anything. Lookups are by key (`key_of`) in a dict: no comparison with a kept secret.

Logs: the app itself logs nothing. The path holds the secret, so the server running it must
not log paths: run uvicorn with `access_log=False`. In case someone turns it on anyway (or
uvicorn's trace level, which logs whole requests), `build_public_app` puts a filter on
uvicorn's loggers that passes every line through `scrub`.

The rate limit is per client address as the server gives it (`scope["client"]`): behind the
operator's load balancer, run uvicorn with `proxy_headers=True` and `forwarded_allow_ips`
set to the balancer's address, or every phone shares the balancer's one bucket.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from firmware.core.phone_tokens import normalise_code
from firmware.phone.page import (
    CSP,
    NOT_FOUND_PAGE,
    TOO_MANY_PAGE,
    alive_message,
    code_page,
    ticket_page,
)
from firmware.phone.store import PublicTickets
from firmware.phone.texts import LANGS
from firmware.web.live import sse

RETRY_MS = 3000  # how soon a phone's browser opens the stream again after it broke
ALIVE_EVERY_S = 15.0
MAX_CLIENTS = 50_000  # rate-limit buckets kept at once; idle full ones go first

SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]

_SECRET_IN_PATH = re.compile(r"/t/[^/?#\s'\"]+")
_CODE_IN_QUERY = re.compile(r"(code=)[^&#\s'\"]+")
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn.asgi", "uvicorn")


def scrub(text: str) -> str:
    """A line fit for a log: any token or code after /t/ or in `code=` replaced by "…"."""
    return _CODE_IN_QUERY.sub(r"\1…", _SECRET_IN_PATH.sub("/t/…", text))


class ScrubSecrets(logging.Filter):
    """Rewrites each record of the logger it is on with `scrub` (its arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: said as it is, scrubbed
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), ()
        return True


def scrub_server_logs() -> None:
    """Put `ScrubSecrets` on uvicorn's loggers (once)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubSecrets) for f in logger.filters):
            logger.addFilter(ScrubSecrets())


def _html(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers=headers, media_type="text/html; charset=utf-8")


def not_found() -> Response:
    return _html(NOT_FOUND_PAGE, 404)


class TokenBuckets:
    """Per client address: `rate_per_minute` requests at once, refilled at that rate."""

    def __init__(self, rate_per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        if rate_per_minute < 1:
            raise ValueError("the rate limit needs at least one request a minute")
        self.capacity = float(rate_per_minute)
        self.per_s = rate_per_minute / 60.0
        self.clock = clock
        self.max_clients = max_clients
        self.buckets: dict[str, tuple[float, float]] = {}  # address: (tokens, when)

    def take(self, address: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = self.clock()
        tokens, when = self.buckets.get(address, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - when) * self.per_s)
        if tokens < 1.0:
            self.buckets[address] = (tokens, now)
            return (1.0 - tokens) / self.per_s
        if address not in self.buckets and len(self.buckets) >= self.max_clients:
            self._forget(now)
        self.buckets[address] = (tokens - 1.0, now)
        return 0.0

    def _forget(self, now: float) -> None:
        full_after = self.capacity / self.per_s
        self.buckets = {a: b for a, b in self.buckets.items() if now - b[1] < full_after}
        if len(self.buckets) >= self.max_clients:  # a flood of new addresses: the oldest go
            keep = sorted(self.buckets.items(), key=lambda item: item[1][1])
            self.buckets = dict(keep[len(keep) // 2:])


class PublicGuard:
    """Outermost: the rate limit (429, a plain page) and the same headers on every answer."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait_s = self.buckets.take(client[0] if client else "")
        if wait_s > 0:
            response = _html(TOO_MANY_PAGE, 429, {"retry-after": str(max(1, round(wait_s)))})
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message = {**message, "headers": kept + SECURITY_HEADERS}
            await send(message)
        return sending


def build_public_app(store: PublicTickets, *, rate_per_minute: int,
                     clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The phone pages over `store`; `clock` (seconds) refills the rate limit's buckets."""
    scrub_server_logs()

    def page_lang(request: Request, default: str) -> str:
        asked = request.query_params.get("lang")
        return asked if asked in LANGS else default

    async def home(request: Request) -> Response:
        return _html(code_page(page_lang(request, "fi")))

    async def typed_code(request: Request) -> Response:
        code = normalise_code(request.query_params.get("code", ""))
        if code is None or store.find(code) is None:
            return not_found()
        lang = request.query_params.get("lang")
        query = f"?lang={lang}" if lang in LANGS else ""
        return Response(status_code=303, headers={"location": f"/t/{code}{query}"})

    async def ticket(request: Request) -> Response:
        view = store.find(request.path_params["secret"])
        if view is None:
            return not_found()
        return _html(ticket_page(view, page_lang(request, view.lang), store.alive(view.site)))

    async def live(request: Request) -> Response:
        view = store.find(request.path_params["secret"])
        if view is None:
            return not_found()
        return StreamingResponse(_events(store, view.key), media_type="text/event-stream",
                                 headers={"x-accel-buffering": "no"})

    async def nothing_here(request: Request, exc: Exception) -> Response:
        return not_found()

    app = Starlette(
        routes=[Route("/", home), Route("/t/", typed_code), Route("/t/{secret}", ticket),
                Route("/t/{secret}/live", live)],
        exception_handlers={404: nothing_here, 405: nothing_here})
    app.add_middleware(PublicGuard, buckets=TokenBuckets(rate_per_minute, clock))
    return app


async def _events(store: PublicTickets, key: str) -> AsyncIterator[bytes]:
    """One page's stream: the ticket now and on every change, the site's alive with each
    and every ALIVE_EVERY_S; `gone` (and the end) when the ticket is removed or expired."""
    yield f"retry: {RETRY_MS}\n\n".encode()
    sent: dict[str, Any] | None = None
    async for view in store.changes(key, tick_s=ALIVE_EVERY_S):
        if view is None:
            yield sse("gone", {})
            return
        if view.public != sent:
            sent = view.public
            yield sse("ticket", sent)
        yield sse("alive", alive_message(store.alive(view.site)))
