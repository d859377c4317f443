"""The silent alarm's routes (issue 26): a clerk raises it for their own room, a guard or an
advisor acknowledges and clears it, a technician or an advisor runs a drill; the guard's
page lists today's alarms.

Each action is a POST with the session's CSRF token (the `X-CSRF-Token` header, or a `csrf`
field) and answers JSON `{"ok", "message"}`, the message in the staff member's language. A
role that may not take the action gets 403 with words, and nothing is published. What is
sent goes out from the runtime's loop at once, retained and QoS 1 (firmware/web/alarm_desk.py).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from firmware.core.alarm import ACKNOWLEDGED, CLEARED
from firmware.web import auth
from firmware.web.accounts import alarm_refusal
from firmware.web.alarm_desk import ALREADY, DONE, NO_ROOM, OVER, SENT, UNKNOWN
from firmware.web.texts import translator

log = logging.getLogger(__name__)
MAX_FIELD = 64


def _said(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"ok": status == 200, "message": message, **extra}, status_code=status)


def _sent(request: Request, message: str, lang: str) -> JSONResponse:
    """Something went out (or waits in the link's queue, QoS 1, while the broker is away:
    said so, so that nobody takes it for delivered)."""
    if not request.app.state.console.view().get("connected", False):
        message += " " + translator(lang)("alarm_said_link_down")
    return _said(200, message)


def _room_name(request: Request, room: str, lang: str) -> str:
    found = request.app.state.console.runtime.config.room(room)
    return found.name.get(lang) if found is not None else room


def _alarm_action(action: str) -> Any:
    async def handle(request: Request) -> Response:
        lang = auth.lang_of(request)
        t = translator(lang)
        found = auth.current(request)
        if found is None:
            return _said(401, t("said_logged_out"))
        session, user = found
        form = await request.form()
        offered = request.headers.get("x-csrf-token") or str(form.get("csrf", ""))
        if not request.app.state.sessions.csrf_ok(session, offered):
            return _said(403, t("said_expired"))
        why = alarm_refusal(user, action, lang)
        if why is not None:
            return _said(403, t("said_not_allowed", why=why))
        field = "room" if action == "drill" else "alarm"
        value = str(form.get(field, ""))[:MAX_FIELD]
        console = request.app.state.console
        try:
            if action in ("raise", "drill"):
                room = str(user.room) if action == "raise" else value
                outcome = await console.alarm(
                    lambda desk, now: desk.raise_alarm(room, action == "drill", now))
                log.info("console: %s %s alarm for room %s: %s", user.name, action, room,
                         outcome)
                return _raised(request, outcome, room, action, lang)
            state = ACKNOWLEDGED if action == "ack" else CLEARED
            outcome, episode = await console.alarm(
                lambda desk, now: desk.answer(value, state, user.name, now))
        except Exception:  # said in words; the console carries on
            log.exception("console: the alarm's %s failed", action)
            return _said(500, t("alarm_said_failed"))
        log.info("console: %s %s alarm %s: %s", user.name, action, value, outcome)
        if outcome == UNKNOWN or episode is None:
            return _said(404, t("alarm_said_unknown"))
        room = _room_name(request, episode.room, lang)
        if outcome == OVER:
            return _said(409, t("alarm_said_over"))
        if outcome == ALREADY:
            return _said(200, t("alarm_said_already_ack", name=episode.acknowledged_by or "?"))
        assert outcome == DONE
        return _sent(request, t("alarm_said_ack" if action == "ack" else "alarm_said_cleared",
                                room=room), lang)
    return handle


def _raised(request: Request, outcome: str, room: str, action: str, lang: str) -> Response:
    t = translator(lang)
    if outcome == NO_ROOM:
        return _said(400, t("alarm_said_no_room", room=room))
    if outcome == ALREADY:
        return _said(409, t("alarm_said_already"))
    assert outcome == SENT
    if action == "drill":
        return _sent(request, t("alarm_said_drill", room=_room_name(request, room, lang)), lang)
    return _sent(request, t("alarm_said_sent"), lang)


async def guard_page(request: Request) -> Response:
    found = auth.require(request, "guard")
    if isinstance(found, Response):
        return found
    session, user = found
    return request.app.state.templates.TemplateResponse(
        request, "guard.html", auth.page_context(session, user, "guard"))


def alarm_routes() -> list[Route]:
    return [
        Route("/guard", guard_page),
        *(Route(f"/alarm/{action}", _alarm_action(action), methods=["POST"])
          for action in ("raise", "ack", "clear", "drill")),
    ]
