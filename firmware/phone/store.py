"""The public tickets a phone page may show: what the broker's retained messages bring.

Fed by `update(topic, payload)` from any MQTT subscription to `piste/v1/{site}/public/#`
(the web role's own at a site, the central broker's `+` at the relay); nothing else is kept,
so any number of relays can serve the same tickets. A ticket is found by its token or by
the code typed from the slip, both only through `key_of`: the store never sees either in
clear form except in `find`'s argument, and never keeps it. Bytes from outside are read
strictly: a malformed message is ignored whole, and what a page receives is rebuilt from
known fields of known types only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from firmware.core.phone_tokens import key_of, normalise_code

MAX_PAYLOAD = 16 * 1024  # the contract's limit on every message
LANGS = ("fi", "sv", "en")
STATUSES = ("waiting", "called", "done", "no_show")
OFFLINE_AFTER_S = 90.0  # the controller says it is alive every 30 s
SWEEP_EVERY_S = 60.0

_TOPIC = re.compile(r"piste/v1/([a-z0-9-]{1,32})/public/(?:(alive)|ticket/([0-9a-f]{32}))")
_KEY = re.compile(r"[0-9a-f]{32}")
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True)
class TicketView:
    """One ticket as the page shows it: `public` is what the live stream sends."""

    key: str
    site: str
    code_key: str
    at: datetime
    valid_until: datetime
    public: dict[str, Any]

    @property
    def lang(self) -> str:
        return str(self.public["lang"])


@dataclass(frozen=True)
class Alive:
    at: datetime | None  # the site's last "alive", None before the first
    age_s: float | None

    @property
    def offline(self) -> bool:
        return self.age_s is not None and self.age_s > OFFLINE_AFTER_S


@dataclass(eq=False)  # each one itself, in sets
class _Watch:
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event


class PublicTickets:
    def __init__(self, site: str | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """`site`: keep only that site's tickets (a site's own listener); None: every site
        (the central relay)."""
        self._site = site
        self._now = now
        self._lock = threading.Lock()
        self._tickets: dict[str, TicketView] = {}
        self._by_code: dict[str, str] = {}
        self._alive: dict[str, datetime] = {}
        self._watch_key: dict[str, set[_Watch]] = {}
        self._watch_site: dict[str, set[_Watch]] = {}
        self._swept = now()

    # --- fed from MQTT ---------------------------------------------------------------
    def update(self, topic: str, payload: bytes) -> bool:
        """Take one message; False (and nothing changed) when it is not one of ours or
        not well formed. Never raises for what came from outside."""
        try:
            return self._update(topic, payload)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError,
                OverflowError):
            return False

    def _update(self, topic: str, payload: bytes) -> bool:
        match = _TOPIC.fullmatch(topic) if isinstance(topic, str) else None
        if match is None or not isinstance(payload, bytes | bytearray):
            return False
        site, is_alive, key = match.groups()
        if self._site is not None and site != self._site:
            return False
        if len(payload) > MAX_PAYLOAD:
            return False
        if is_alive:
            return self._update_alive(site, bytes(payload))
        if not payload:
            with self._lock:
                removed = self._drop(key)
            if removed:
                self._wake(key, site)
            return removed
        view = parse_ticket(site, key, bytes(payload))
        if view is None:
            return False
        with self._lock:
            old = self._tickets.get(key)
            if old is not None and old.code_key != view.code_key:
                self._by_code.pop(old.code_key, None)
            self._tickets[key] = view
            self._by_code[view.code_key] = key
            self._sweep_now()
        self._wake(key, site)
        return True

    def _update_alive(self, site: str, payload: bytes) -> bool:
        if not payload:
            with self._lock:
                self._alive.pop(site, None)
        else:
            message = json.loads(payload)
            at = _time(message.get("at")) if isinstance(message, dict) else None
            if at is None:
                return False
            with self._lock:
                self._alive[site] = at
        self._wake(None, site)
        return True

    def _drop(self, key: str) -> bool:
        old = self._tickets.pop(key, None)
        if old is None:
            return False
        if self._by_code.get(old.code_key) == key:
            del self._by_code[old.code_key]
        return True

    def _sweep_now(self) -> None:
        """Forget the expired tickets now and then: a removal the relay missed must not
        keep them in memory (called under the lock)."""
        now = self._now()
        if (now - self._swept).total_seconds() < SWEEP_EVERY_S:
            return
        self._swept = now
        for key in [k for k, v in self._tickets.items() if v.valid_until <= now]:
            self._drop(key)

    # --- read by the pages -------------------------------------------------------------
    def find(self, secret: str) -> TicketView | None:
        """The ticket of a token or a typed code; None when unknown or expired. Looks up
        by key only: no comparison with any secret kept here (there is none)."""
        keys = []
        try:
            keys.append(key_of(secret))
            code = normalise_code(secret)
            if code is not None:  # as printed ("7KQ2-M9XD-..."), or bare if keyed so
                keys += [key_of(code), key_of(code.replace("-", ""))]
        except (UnicodeError, TypeError, AttributeError):
            return None
        with self._lock:
            for key in keys:
                view = self._tickets.get(key)
                if view is None:
                    code_owner = self._by_code.get(key)
                    view = self._tickets.get(code_owner) if code_owner else None
                if view is not None:
                    return view if self._valid(view) else None
        return None

    def get(self, key: str) -> TicketView | None:
        with self._lock:
            view = self._tickets.get(key)
        return view if view is not None and self._valid(view) else None

    def _valid(self, view: TicketView) -> bool:
        return view.valid_until > self._now()

    def alive(self, site: str) -> Alive:
        with self._lock:
            at = self._alive.get(site)
        if at is None:
            return Alive(None, None)
        return Alive(at, max(0.0, (self._now() - at).total_seconds()))

    def __len__(self) -> int:
        with self._lock:
            return len(self._tickets)

    async def changes(self, key: str, tick_s: float | None = None
                      ) -> AsyncIterator[TicketView | None]:
        """The ticket now, then again after each change of it or of its site's alive (and
        every `tick_s` seconds, if given); None once, and the end, when it is gone or
        expired."""
        view = self.get(key)
        if view is None:
            yield None
            return
        site = view.site
        watch = _Watch(asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._watch_key.setdefault(key, set()).add(watch)
            self._watch_site.setdefault(site, set()).add(watch)
        view = self.get(key)  # again: a change before the watch began is in this one
        try:
            while view is not None:
                yield view
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(watch.event.wait(), tick_s)
                watch.event.clear()
                view = self.get(key)
            yield None
        finally:
            with self._lock:
                for table, name in ((self._watch_key, key), (self._watch_site, site)):
                    watchers = table.get(name)
                    if watchers is not None:
                        watchers.discard(watch)
                        if not watchers:
                            del table[name]

    def _wake(self, key: str | None, site: str) -> None:
        with self._lock:
            watchers = set(self._watch_site.get(site, ()))
            if key is not None:
                watchers |= self._watch_key.get(key, set())
        for watch in watchers:
            if not watch.loop.is_closed():
                with contextlib.suppress(RuntimeError):  # that page's server is stopping
                    watch.loop.call_soon_threadsafe(watch.event.set)


# --- the message, read strictly -----------------------------------------------------
def parse_ticket(site: str, key: str, payload: bytes) -> TicketView | None:
    """The public ticket message as a view, or None when anything in it is malformed."""
    try:
        message = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or message.get("v") != 1 or message.get("site") != site:
        return None
    at, valid_until = _time(message.get("at")), _time(message.get("valid_until"))
    code_key = message.get("code_key")
    number, lang, status = message.get("number"), message.get("lang"), message.get("status")
    if (at is None or valid_until is None or not isinstance(code_key, str)
            or not _KEY.fullmatch(code_key) or not _text(number, 16) or lang not in LANGS
            or status not in STATUSES or not _KEY.fullmatch(key)):
        return None
    day = message.get("day")
    service, room = _named(message.get("service")), _named(message.get("room"))
    if ((message.get("service") is not None and service is None)
            or (message.get("room") is not None and room is None)):
        return None
    ahead, calls = message.get("ahead"), message.get("calls", 0)
    if ahead is not None and not _count(ahead):
        return None
    if not _count(calls):
        return None
    eta = message.get("eta_range")
    if eta is not None and not (isinstance(eta, list) and len(eta) == 2
                                and all(_count(v) for v in eta) and eta[0] <= eta[1]):
        return None
    call_id = message.get("call_id")
    if call_id is not None and not (isinstance(call_id, str) and _ID.fullmatch(call_id)):
        return None
    almost = message.get("almost", False)
    nexts = message.get("next", [])
    if not isinstance(almost, bool) or not isinstance(nexts, list) or len(nexts) > 16:
        return None
    next_names = [_names(n) for n in nexts]
    if any(n is None for n in next_names):
        return None
    public = {
        "v": 1, "day": day if _text(day, 10) else None, "at": message["at"],
        "valid_until": message["valid_until"], "number": number, "lang": lang,
        "service": service, "status": status, "ahead": ahead,
        "eta_range": list(eta) if eta is not None else None, "almost": almost,
        "room": room, "call_id": call_id, "calls": calls, "next": next_names,
    }
    return TicketView(key, site, code_key, at, valid_until, public)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _text(value: Any, longest: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= longest and value.isprintable()


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100_000


def _names(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not all(_text(value.get(lang), 120) for lang in LANGS):
        return None
    return {lang: value[lang] for lang in LANGS}


def _named(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not _text(value.get("id"), 32):
        return None
    names = _names(value.get("name"))
    return {"id": value["id"], "name": names} if names is not None else None
