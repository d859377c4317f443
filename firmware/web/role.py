"""The web role: the staff console, served over HTTPS by a device of the site.

The role lives on the runtime's loop like every other: it folds what the broker carries
into the lobby view and sends the staff's commands with the runtime's requester, as one
client of contract v1. The web server (uvicorn, on a thread of its own with its own asyncio
loop) never touches that state: it reads copies of the view and posts work to the loop,
and the answers come back to it through `call_soon_threadsafe`. A port in use or a
missing certificate stops the console only: the device's other roles carry on, and its
health says what is wrong.

With `[phone] public_port` set, the role also serves the customers' phone pages on a
second, public listener (firmware/web/public_server.py): another app on another socket,
with none of the staff routes, fed by the role's own subscription to the site's
`public/#` messages. A port in use there stops the phone pages only.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from firmware.runtime import Role, Runtime
from firmware.web.alarm_desk import AlarmDesk
from firmware.web.certificate import CertificateError, ensure_certificate
from firmware.web.lobby import LobbyView
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.requester import Requester

log = logging.getLogger(__name__)


class WebRole(Role):
    name = "web"

    def __init__(self) -> None:
        self.lobby: LobbyView | None = None
        self.alarms: AlarmDesk | None = None
        self.requester: Requester | None = None
        self.server: Any = None  # firmware.web.server.ConsoleServer, once listening
        self.problem = ""
        self.public: Any = None  # firmware.web.public_server.PublicServer, once listening
        self.public_problem = ""
        self._public_root = ""
        self._published_version = -1
        self._view: dict[str, Any] = {}
        self._view_lock = threading.Lock()

    # -- the loop's side ------------------------------------------------------------------

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        self.lobby = LobbyView(runtime.config)
        self.alarms = AlarmDesk(runtime.config, self._publish_retained)
        self.requester = Requester(runtime.site, runtime.device.id, runtime.link.publish,
                                   runtime.call_later)
        for topic in [*self.lobby.filters(), *self.alarms.filters(),
                      self.requester.reply_topic]:
            runtime.link.subscribe(topic)
        self._refresh_view()
        self._start_server()
        phone = runtime.config.phone
        if phone.enabled and phone.public_port > 0:  # as the declaration's grants say
            self._start_public_server()

    def _start_server(self) -> None:
        from firmware.web.server import ConsoleServer  # uvicorn and Starlette load only here

        runtime = self.runtime
        web = runtime.device.web
        try:
            cert, key = ensure_certificate(web, runtime.data_dir)
            listener = socket.create_server((web.bind, web.port), reuse_port=False)
            # Accepted connections inherit it: without, TLS records of one answer wait for a
            # delayed ACK (~40 ms a page).
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (CertificateError, OSError) as exc:
            self.problem = f"cannot serve the console on {web.bind}:{web.port}: {exc}"
            log.error("%s; the device's other roles carry on", self.problem)
            return
        self.server = ConsoleServer(self, listener, cert, key)
        self.server.start()
        log.info("staff console on https://%s:%d/", web.bind, listener.getsockname()[1])

    def _start_public_server(self) -> None:
        from firmware.phone.store import PublicTickets
        from firmware.web.public_server import PublicServer, public_listener

        runtime = self.runtime
        phone = runtime.config.phone
        where = f"{phone.public_bind}:{phone.public_port}"
        try:
            # The console's certificate: one for the device, whichever port a browser uses.
            cert, key = ensure_certificate(runtime.device.web, runtime.data_dir)
            listener = public_listener(phone.public_bind, phone.public_port)
        except (CertificateError, OSError) as exc:
            self.public_problem = f"cannot serve the phone pages on {where}: {exc}"
            log.error("%s; the staff console and the device's other roles carry on",
                      self.public_problem)
            return
        self.public = PublicServer(PublicTickets(site=runtime.site), listener,
                                   rate_per_minute=phone.requests_per_minute,
                                   cert=cert, key=key)
        self._public_root = topics.site_root(runtime.site) + "/public/"
        runtime.link.subscribe(topics.public_filter(runtime.site))
        self.public.start()
        log.info("phone pages on https://%s:%d/", phone.public_bind, self.public.port)

    def on_link_up(self) -> None:
        assert self.lobby is not None
        self.lobby.set_link(True)

    def on_link_down(self) -> None:
        assert self.lobby is not None
        self.lobby.set_link(False)

    def on_message(self, message: Incoming) -> None:
        assert self.lobby is not None and self.requester is not None
        if self.requester.on_message(message):
            return
        assert self.alarms is not None
        if self.alarms.take(message.topic, message.payload, self.runtime.clock.now()):
            return
        if self._public_root and message.topic.startswith(self._public_root):
            assert self.public is not None
            self.public.feed(message.topic, message.payload)
            return
        self.lobby.take(message.topic, message.payload)

    def render(self) -> None:
        """After each batch of messages: one new view for the pages, if anything changed."""
        if self.lobby is not None and self._version() != self._published_version:
            self._refresh_view()

    def _version(self) -> int:
        assert self.lobby is not None and self.alarms is not None
        return self.lobby.version + self.alarms.version

    def _refresh_view(self) -> None:
        assert self.lobby is not None and self.alarms is not None
        now = self.runtime.clock.now()
        view = {**self.lobby.view(now), **self.alarms.view(now), "version": self._version()}
        self._published_version = view["version"]
        with self._view_lock:
            self._view = view
        if self.server is not None:
            self.server.hub.publish_threadsafe(view)

    def health(self) -> dict[str, Any]:
        problems = [p for p in (self.problem, self.public_problem) if p]
        report: dict[str, Any] = {"state": "error" if problems else "ok"}
        if problems:
            report["problem"] = "; ".join(problems)
        if self.server is not None:
            report.update(self.server.health())
        if self.public is not None:
            report.update(self.public.health())
        return {"web": report}

    def stop(self) -> None:
        if self.public is not None:
            self.public.stop()
        if self.server is not None:
            self.server.stop()

    # -- for the server's thread ------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        with self._view_lock:
            return self._view

    def now(self) -> Any:
        return self.runtime.clock.now()

    @property
    def data_dir(self) -> Path:
        return self.runtime.data_dir

    async def command(self, name: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """Send one command to the controller; its answer, or None when it did not answer."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[dict[str, Any] | None] = loop.create_future()

        def settle(reply: dict[str, Any] | None) -> None:
            loop.call_soon_threadsafe(lambda: answer.done() or answer.set_result(reply))

        self.runtime.post(lambda: self._send(name, body, settle))
        return await answer

    def send_soon(self, name: str, body: dict[str, Any]) -> None:
        """Send a command without waiting for it (the session languages at sign-in): its
        answer is only logged."""
        def logged(reply: dict[str, Any] | None) -> None:
            if not (reply or {}).get("ok"):
                log.warning("console: %s %s not done: %s", name, body, reply)

        self.runtime.post(lambda: self._send(name, body, logged))

    def _send(self, name: str, body: dict[str, Any],
              settle: Callable[[dict[str, Any] | None], None]) -> None:
        assert self.requester is not None
        try:
            self.requester.request(name, body, settle)
        except (KeyError, ValueError) as exc:
            # A command or field this build's contract does not know (a console newer than
            # its bridge): said as the controller would, and the loop carries on.
            log.error("console: cannot send %s: %s", name, exc)
            settle({"ok": False, "error": {"code": "bad_request", "message": str(exc)}})

    def note_ticket(self, ticket: dict[str, Any]) -> None:
        """A ticket as the controller answered the console about it: its language, whether
        it needs assistance and its next authorities, for the clerk who calls it."""
        def note() -> None:
            assert self.lobby is not None
            self.lobby.note_ticket(ticket)
        self.runtime.post(note)

    async def alarm(self, act: Callable[[AlarmDesk, Any], Any]) -> Any:
        """Run one of the alarm desk's actions on the loop (`act(desk, now)`) and await
        what it says: a raise or an answer goes out at once, retained and QoS 1."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()

        def run() -> None:
            assert self.alarms is not None
            try:
                result = act(self.alarms, self.runtime.clock.now())
            except Exception as exc:  # said to the page; the loop carries on
                failed = exc
                loop.call_soon_threadsafe(
                    lambda: answer.done() or answer.set_exception(failed))
                return
            loop.call_soon_threadsafe(lambda: answer.done() or answer.set_result(result))

        self.runtime.post(run)
        return await answer

    def _publish_retained(self, topic: str, payload: bytes) -> None:
        self.runtime.link.publish(topic, payload, qos=1, retain=True)

    def print_on_kiosk(self, kiosk: str, job: dict[str, Any]) -> None:
        """Ask a kiosk to print a ticket the advisor issued (fire and forget, QoS 1)."""
        self.runtime.post(lambda: self.runtime.publish_json(
            topics.kiosk_print(self.runtime.site, kiosk), job, qos=1))
