"""Who is logged in: sessions that expire, their CSRF tokens, and slowed-down guessing.

A session is a random token in an HttpOnly, Secure, SameSite=Strict cookie; the server keeps
what it means (the user, when it began, when it was last used) in memory only, so a restart
of the console logs everybody out, and nothing about a session is on disk. Every form and
every action carries the session's CSRF token, checked in constant time.

Guessing passwords is slowed per user name: after each wrong password the name waits 1, 2,
4, ... s (at most LOCK_MAX_S) before the next try is even checked. Pure: time comes in.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

FIRST_WAIT_S = 1.0
LOCK_MAX_S = 300.0
FREE_TRIES = 3  # a typo or two costs nothing


@dataclass
class Session:
    token: str
    user: str
    csrf: str
    started_s: float
    last_seen_s: float
    stamp: str = ""  # the user's role, room and password hash at login: a change ends it


@dataclass
class _Failures:
    count: int = 0
    wait_until_s: float = 0.0


@dataclass
class SessionStore:
    idle_s: float
    max_s: float
    sessions: dict[str, Session] = field(default_factory=dict)
    failures: dict[str, _Failures] = field(default_factory=dict)

    def start(self, user: str, now_s: float, stamp: str = "") -> Session:
        # Sessions abandoned without logging out end here, so they never pile up.
        self.prune(now_s)
        session = Session(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32), now_s,
                          now_s, stamp)
        self.sessions[session.token] = session
        self.failures.pop(user, None)
        return session

    def get(self, token: str | None, now_s: float, touch: bool = True) -> Session | None:
        """The live session of this cookie; an expired one is ended here."""
        if not token:
            return None
        session = self.sessions.get(token)
        if session is None:
            return None
        if now_s - session.last_seen_s > self.idle_s or now_s - session.started_s > self.max_s:
            del self.sessions[token]
            return None
        if touch:
            session.last_seen_s = now_s
        return session

    def end(self, token: str | None) -> None:
        if token:
            self.sessions.pop(token, None)

    def end_user(self, user: str) -> None:
        """Log a user out everywhere (removed, or given another role or password)."""
        for token in [t for t, s in self.sessions.items() if s.user == user]:
            del self.sessions[token]

    def prune(self, now_s: float) -> None:
        for token in list(self.sessions):
            self.get(token, now_s, touch=False)

    @staticmethod
    def csrf_ok(session: Session, offered: str | None) -> bool:
        # As bytes: compare_digest raises TypeError for a str with non-ASCII characters.
        return bool(offered) and hmac.compare_digest(session.csrf.encode(),
                                                     str(offered).encode())

    # -- slowing down guesses -----------------------------------------------------------------

    def wait_s(self, user: str, now_s: float) -> float:
        """How long this name must wait before a password is checked again (0: now)."""
        failures = self.failures.get(user)
        return max(0.0, failures.wait_until_s - now_s) if failures else 0.0

    def failed(self, user: str, now_s: float) -> None:
        failures = self.failures.setdefault(user, _Failures())
        failures.count += 1
        if failures.count > FREE_TRIES:
            # The exponent is capped: 2.0 ** 1024 overflows, and a failure that raises would
            # leave the old wait in place, lifting the lock for good.
            doublings = min(failures.count - FREE_TRIES - 1, 30)
            wait = min(LOCK_MAX_S, FIRST_WAIT_S * 2 ** doublings)
            failures.wait_until_s = now_s + wait
