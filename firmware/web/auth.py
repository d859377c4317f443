"""Logging in and out, and the check in front of every page, stream and action.

No page, stream or action answers without a live session; a page the user's role may not
open answers 403 with a page that says so. Passwords are checked off the event loop (the
hash is slow on purpose), and a name guessed at waits longer after each wrong password.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from firmware.core.password import hash_secret, verify_secret
from firmware.web.accounts import StaffUser
from firmware.web.sessions import Session
from firmware.web.staff_commands import ROOM_LANGUAGES, room_languages
from firmware.web.texts import LANG_NAMES, pick_lang, script_texts, translator

SESSION_COOKIE = "piste_session"
LANG_COOKIE = "piste_lang"  # the staff member's language: not secret, kept a year
LOGIN_COOKIE = "piste_login"  # the login form's own CSRF token (double submit)
# Checked when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_secret(secrets.token_hex(8), rounds=200_000)


def now_s() -> float:
    return time.monotonic()


def lang_of(request: Request) -> str:
    return pick_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def page_texts(request: Request) -> dict[str, Any]:
    """What every template gets: `t(key)` in the page's language, and the scripts' words."""
    lang = lang_of(request)
    return {"t": translator(lang), "lang": lang, "lang_names": LANG_NAMES,
            "script_texts": script_texts(lang)}


async def choose_lang(request: Request) -> Response:
    """`/lang/sv?next=/advisor`: the staff member picks a language (login page or header)."""
    lang = request.path_params["lang"]
    target = request.query_params.get("next", "/")
    response = RedirectResponse(target if local_path(target) else "/", status_code=303)
    if lang in LANG_NAMES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, secure=True,
                            httponly=True, samesite="lax")
    return response


def _stamp(user: StaffUser) -> str:
    return f"{user.role}:{user.room}:{user.password_hash}"


def _backed(request: Request, session: Session | None) -> tuple[Session, StaffUser] | None:
    """The session with its user, if the logins file still backs it: a user removed or
    given another role, room or password is logged out everywhere."""
    state = request.app.state
    if session is None:
        return None
    user = state.users.get(session.user)
    if user is None or session.stamp != _stamp(user):
        state.sessions.end_user(session.user)
        return None
    return session, user


def current(request: Request) -> tuple[Session, StaffUser] | None:
    """The session and user behind this request (a click: it counts as use), or None."""
    token = request.cookies.get(SESSION_COOKIE)
    return _backed(request, request.app.state.sessions.get(token, now_s()))


def still_valid(request: Request, token: str) -> bool:
    """For a live stream: is its session still there (without counting as a click)?"""
    return _backed(request, request.app.state.sessions.get(token, now_s(), touch=False)) \
        is not None


def to_login(request: Request) -> Response:
    """To the login, and back here after it (the query too: a day of the statistics, say)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)


def require(request: Request, page: str) -> tuple[Session, StaffUser] | Response:
    """(session, user) if this user may open `page`; otherwise the response to give."""
    found = current(request)
    if found is None:
        return to_login(request)
    session, user = found
    if not user.may_open(page):
        return request.app.state.templates.TemplateResponse(
            request, "forbidden.html", page_context(session, user, page), status_code=403)
    return found


def page_context(session: Session, user: StaffUser, page: str, **extra: Any) -> dict[str, Any]:
    return {"user": user, "csrf": session.csrf, "page": page, **extra}


def local_path(target: str | None) -> bool:
    """A path on this site only: never `//elsewhere` nor `/\\elsewhere` (which browsers
    read as `//elsewhere`), nor anything with control characters."""
    return bool(target) and target.startswith("/") and target[1:2] not in ("/", "\\") \
        and "\\" not in target and target.isprintable()


def safe_next(target: str | None, user: StaffUser) -> str:
    """Back to the page asked for, but only on this site."""
    if local_path(target) and not str(target).startswith("/login"):
        return str(target)
    return user.home


def _login_page(request: Request, message: str = "", status: int = 200) -> Response:
    """The login form, with a fresh token for its double-submit CSRF check."""
    token = secrets.token_urlsafe(24)
    response = request.app.state.templates.TemplateResponse(
        request, "login.html", {"login_csrf": token, "message": message, "user": None,
                                "next": request.query_params.get("next", "")},
        status_code=status)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, secure=True, samesite="strict")
    return response


async def login_form(request: Request) -> Response:
    found = current(request)
    if found is not None:
        return RedirectResponse(found[1].home, status_code=303)
    return _login_page(request)


async def login(request: Request) -> Response:
    state = request.app.state
    t = translator(lang_of(request))
    form = await request.form()
    offered, expected = str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(offered.encode(), expected.encode()):
        return _login_page(request, t("login_expired"), 400)
    name = str(form.get("name", "")).strip().lower()[:64]
    password = str(form.get("password", ""))[:256]
    wait = state.sessions.wait_s(name, now_s())
    if wait > 0:
        return _login_page(request, t("login_wait", s=int(wait) + 1), 429)
    user = state.users.get(name)
    ok = await run_in_threadpool(verify_secret, password,
                                 user.password_hash if user else _DUMMY_HASH)
    if user is None or not ok:
        if user is not None:
            state.sessions.failed(name, now_s())
        problem = state.users.problem if not state.users.all() else ""
        return _login_page(request, problem or t("wrong_login"), 401)
    session = state.sessions.start(user.name, now_s(), _stamp(user))
    if user.role == "clerk" and user.room:
        # The clerk's session serves in their languages from now on (the room's own by
        # default); the page says which, and the clerk may change them there.
        console = state.console
        send_soon = getattr(console, "send_soon", None)  # absent: a console that only reads
        if send_soon is not None:
            send_soon(ROOM_LANGUAGES, {"room": user.room, "languages": room_languages(
                console.runtime.config, user.room, user.languages)})
    response = RedirectResponse(safe_next(str(form.get("next", "")), user), status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, secure=True,
                        samesite="strict")
    response.delete_cookie(LOGIN_COOKIE)
    return response


async def logout(request: Request) -> Response:
    found = current(request)
    form = await request.form()
    if found is not None and request.app.state.sessions.csrf_ok(found[0], str(form.get("csrf"))):
        request.app.state.sessions.end(found[0].token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
