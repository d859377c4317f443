"""What staff do from the console: one endpoint, every action checked on the server.

The browser posts `{"action": ..., fields}` as JSON with the session's CSRF token in a
header. The server keeps only the fields that action takes, checks the user's role (a
clerk acts for their own room only, the advisor for no room, the service team and the
technician for nothing), then sends the command to the controller and answers with its
answer and a sentence to show. A refused action changes nothing and is said in words.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from firmware.core.feedback import DEFAULT_STEPS, RatingScale
from firmware.core.survey import SCALE_MAX, SCALE_MIN
from firmware.feedback.texts import load_survey
from firmware.site_model import LANGS, SiteConfig
from firmware.web import auth
from firmware.web.accounts import StaffUser, refusal
from firmware.web.staff_commands import (
    ACTIONS,
    PAUSE_REASONS,
    REPRINT,
    BodyError,
    body_for,
    printing_kiosks,
    room_languages,
)
from firmware.web.texts import describe, translator
from mqtt_bridge import topics

log = logging.getLogger(__name__)
MAX_BODY = 16 * 1024
# What a kiosk's slip never carries, whatever the controller's answer held.
NOT_ON_SLIP = ("assistance",)


def _said(status: int, message: str, **extra: Any) -> JSONResponse:
    """The answer to an action: a sentence in the staff member's language, and the data."""
    return JSONResponse({"ok": status == 200, "message": message, **extra}, status_code=status)


async def act(request: Request) -> Response:
    lang = auth.lang_of(request)
    t = translator(lang)
    found = auth.current(request)
    if found is None:
        return _said(401, t("said_logged_out"))
    session, user = found
    if not request.app.state.sessions.csrf_ok(session, request.headers.get("x-csrf-token")):
        return _said(403, t("said_expired"))
    if request.headers.get("content-type", "").split(";")[0] != "application/json":
        return _said(415, t("said_unknown"))
    raw = await request.body()
    try:
        data = json.loads(raw) if len(raw) <= MAX_BODY else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("action") not in ACTIONS:
        return _said(400, t("said_unknown"))
    console = request.app.state.console
    config = console.runtime.config
    try:
        built = body_for(data["action"], data, config)
    except BodyError as exc:
        return _said(400, t(exc.key, **exc.values))
    command, body = built.command, built.body
    why = refusal(user, command, body, lang)
    if why is not None:
        return _said(403, t("said_not_allowed", why=why))
    kiosk = (data.get("print_on") or None) if command == topics.ISSUE else body.get("device")
    if command == topics.ISSUE and kiosk and kiosk not in printing_kiosks(config):
        return _said(400, t("said_no_kiosk", kiosk=kiosk))
    body["request_id"] = str(uuid.uuid4())
    answer = await console.command(command, body)
    message = describe(answer, command, lang)
    # Who did what, for the site's own log (staff names only; customers are numbers).
    log.info("console: %s %s %s: %s", user.name, data["action"],
             body.get("ticket") or body.get("room") or body.get("service")
             or body.get("device") or "", describe(answer, command))
    if answer is None:
        return _said(504, message)
    ticket = answer.get("ticket") if answer.get("ok") else None
    if isinstance(ticket, dict):
        console.note_ticket(ticket)  # its language, assistance and next authorities
        if kiosk and command in (topics.ISSUE, REPRINT):
            console.print_on_kiosk(kiosk, print_job(body, ticket, copy=command == REPRINT,
                                                    phone=answer.get("phone")))
            message += " " + t("said_printing", kiosk=kiosk)
    return _said(200 if answer.get("ok") else 409, message, answer=answer)


def print_job(body: dict[str, Any], ticket: dict[str, Any], copy: bool,
              phone: Any = None) -> dict[str, Any]:
    """The job a kiosk prints (`kiosk/{device}/print`): the controller's ticket in the
    slip's language; a reprint marked as a copy; the answer's `phone` (the QR code's address
    and the short code) where the site has phones on. Nothing but what the slip shows."""
    slip = {k: v for k, v in ticket.items() if k not in NOT_ON_SLIP}
    lang = body.get("lang") or ticket.get("lang") or "fi"
    job: dict[str, Any] = {"request_id": body["request_id"], "lang": lang, "ticket": slip}
    if copy:
        job["copy"] = True
    if isinstance(phone, dict):
        job["phone"] = phone
    return job


def _paper_faces(config: SiteConfig, survey: Any) -> dict[str, Any]:
    """The faces of the paper form: the same scale as the site's feedback device (its first),
    named as the device names them, so a paper vote and a press count alike."""
    steps = next((d.feedback.scale for d in config.devices if "feedback" in d.roles),
                 DEFAULT_STEPS)
    scale = RatingScale(steps)
    faces = [(value, survey.faces.get(scale.face(value), {})) for value in range(1, steps + 1)]
    return {"face_scale": steps, "paper_faces": faces}


def page_facts(config: SiteConfig, user: StaffUser) -> dict[str, Any]:
    """What a page's forms offer: the site's services, rooms, kiosks and survey; a clerk's
    session languages as they start (the login's, else the room's)."""
    room = config.room(user.room) if user.room else None
    survey = load_survey(config.survey)
    return {
        "site": config.site,
        "services": config.services,
        "rooms": config.rooms,
        "room": room,
        "langs": LANGS,
        "session_languages": room_languages(config, room.id, user.languages) if room else [],
        "pause_reasons": PAUSE_REASONS,
        "kiosks": printing_kiosks(config),
        "statements": [(s.number, {lang: s.text(lang) for lang in LANGS}, s.condition or "")
                       for s in survey.statements],
        "survey_scale": list(range(SCALE_MIN, SCALE_MAX + 1)),
        "survey_open": config.survey.start is not None,
        **_paper_faces(config, survey),
    }
