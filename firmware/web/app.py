"""The console's Starlette app: pages, the live stream, the actions, the static files.

Every response carries headers that keep the pages to themselves: a content security policy
that allows only this site's own scripts and styles (no inline script anywhere), no framing,
no sniffing, no referrer, and no caching of pages that show the queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from firmware.web import actions, auth
from firmware.web.alarm_desk import shape_alarms
from firmware.web.live import Hub
from firmware.web.routes_alarm import alarm_routes
from firmware.web.routes_stats import stats_routes
from firmware.web.sessions import SessionStore
from firmware.web.users_file import UserDirectory

HERE = Path(__file__).parent
CLERK_VIEW = ("version", "site", "timezone", "connected", "day", "at", "services", "rooms",
              "last_call")
# The guard's page shows alarms only: nothing of the queue nor the devices.
GUARD_VIEW = ("version", "site", "timezone", "connected")
ALARM_KEYS = ("alarms", "alarm_today")  # shaped apart, per role
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


async def home(request: Request) -> Response:
    found = auth.current(request)
    if found is None:
        return auth.to_login(request)
    return RedirectResponse(found[1].home, status_code=303)


def _page(name: str, template: str) -> Any:
    async def show(request: Request) -> Response:
        found = auth.require(request, name)
        if isinstance(found, Response):
            return found
        session, user = found
        console = request.app.state.console
        return request.app.state.templates.TemplateResponse(
            request, template, auth.page_context(session, user, name, **actions.page_facts(
                console.runtime.config, user)))
    return show


def shape_for(user: Any) -> Any:
    """What of the lobby a role's stream carries: a clerk needs the queue, not the devices;
    whether a ticket needs assistance and its next authorities reach only the clerk of its
    room and the advisor (the service team and the technician only read the lobby). The
    alarms: see firmware/web/alarm_desk.py `shape_alarms`."""
    def shape(view: dict[str, Any]) -> dict[str, Any]:
        return {**_lobby_part(view), **shape_alarms(view, user.role, user.room)}

    def _lobby_part(view: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in view.items() if k not in ALARM_KEYS}
        if user.role == "advisor":
            return view
        if user.role == "guard":
            return {k: v for k, v in view.items() if k in GUARD_VIEW}
        rooms = [room if room["id"] == user.room else _without_notes(room)
                 for room in view.get("rooms", [])]
        if user.role != "clerk":
            return {**view, "rooms": rooms}
        return {k: rooms if k == "rooms" else v for k, v in view.items() if k in CLERK_VIEW}
    return shape


def _without_notes(room: dict[str, Any]) -> dict[str, Any]:
    serving = room.get("serving")
    if not serving:
        return room
    return {**room, "serving": {k: v for k, v in serving.items()
                                if k not in ("assistance", "then")}}


async def live(request: Request) -> Response:
    found = auth.current(request)
    if found is None:
        return Response("log in first", status_code=401)
    session, user = found
    hub: Hub = request.app.state.hub
    stream = hub.stream(lambda: auth.still_valid(request, session.token), shape_for(user))
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"x-accel-buffering": "no"})


def build_app(console: Any, hub: Hub, lifespan: Any = None) -> Starlette:
    web = console.runtime.device.web
    users_path = Path(web.users_file)
    if not users_path.is_absolute():
        users_path = console.data_dir / users_path
    app = Starlette(routes=[
        Route("/", home),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/lang/{lang}", auth.choose_lang),
        Route("/clerk", _page("clerk", "clerk.html")),
        Route("/advisor", _page("advisor", "advisor.html")),
        Route("/health", _page("health", "health.html")),
        Route("/live", live),
        Route("/api/act", actions.act, methods=["POST"]),
        *stats_routes(),
        *alarm_routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ], lifespan=lifespan)
    app.state.console = console
    app.state.hub = hub
    app.state.templates = Jinja2Templates(directory=HERE / "templates",
                                          context_processors=[auth.page_texts])
    app.state.sessions = SessionStore(idle_s=web.session_idle_minutes * 60.0,
                                      max_s=web.session_max_hours * 3600.0)
    app.state.users = UserDirectory(users_path, {r.id for r in console.runtime.config.rooms})
    app.add_middleware(SecurityHeaders)
    return app
