"""Signed-in browsers: a random session id, signed, held in this server's memory only.

Signing in with the access token starts a session; the browser's cookie carries its id,
signed with `itsdangerous` under a secret this server process makes at start. The token
itself never goes into a cookie, and nothing in the cookie is derived from it. A session
ends when the therapist signs out, after `IDLE_SECONDS` unused, `LONGEST_SECONDS` after
it began, or when the app stops (the memory and the secret go with it).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, Signer

SIGNIN_COOKIE = "cft_signin"
"""The cookie that carries a signed session id (HttpOnly, SameSite=Strict)."""
IDLE_SECONDS = 12 * 3600
"""A session unused this long has ended."""
LONGEST_SECONDS = 7 * 24 * 3600
"""No session lasts longer than this, however often it is used."""
MAX_SESSIONS = 1000
"""Sessions held at once; the least recently used goes first past this."""


@dataclass(frozen=True)
class Session:
    """One signed-in browser: when it began and when it was last used (clock seconds)."""

    started: float
    """When the token was given."""
    seen: float
    """The last request it signed."""


class SignIns:
    """The live sessions of this server process (in memory only)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 secret: bytes | None = None):
        self.clock = clock
        self._signer = Signer(secret or secrets.token_bytes(32), salt="cft-audio sign-in")
        self._live: dict[str, Session] = {}

    def start(self) -> str:
        """A new session; returns the signed value for its cookie."""
        now = self.clock()
        self._forget_ended(now)
        while len(self._live) >= MAX_SESSIONS:
            del self._live[min(self._live, key=lambda k: self._live[k].seen)]
        session_id = secrets.token_urlsafe(32)
        self._live[session_id] = Session(started=now, seen=now)
        return self._signer.sign(session_id).decode("ascii")

    def check(self, value: str) -> bool:
        """Whether a cookie value names a live session (and note that it was used now)."""
        session_id = self._id(value)
        session = self._live.get(session_id) if session_id else None
        now = self.clock()
        if session is None or self._ended(session, now):
            self._live.pop(session_id or "", None)
            return False
        self._live[session_id] = replace(session, seen=now)
        return True

    def end(self, value: str) -> None:
        """Sign a session out (a value naming no live session is ignored)."""
        self._live.pop(self._id(value) or "", None)

    def count(self) -> int:
        """How many sessions are held (ended ones included until the next sign-in)."""
        return len(self._live)

    def _id(self, value: str) -> str | None:
        """The session id a cookie value carries, if its signature is this server's."""
        try:
            return self._signer.unsign(value.encode("ascii")).decode("ascii")
        except (BadSignature, UnicodeError):
            return None

    def _ended(self, session: Session, now: float) -> bool:
        return now - session.seen > IDLE_SECONDS or now - session.started > LONGEST_SECONDS

    def _forget_ended(self, now: float) -> None:
        for session_id in [k for k, s in self._live.items() if self._ended(s, now)]:
            del self._live[session_id]


def signin_cookie(value: str, keep: bool, secure: bool) -> str:
    """The Set-Cookie value of a new session: HttpOnly, SameSite=Strict, Secure over https.

    Without `keep` it lasts until the browser closes; with it, a browser restart keeps it
    (still ended by sign-out, a restart of the app or `IDLE_SECONDS` unused).
    """
    lasting = f"; Max-Age={LONGEST_SECONDS}" if keep else ""
    return f"{SIGNIN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{lasting}" + \
        ("; Secure" if secure else "")


def ended_cookie(secure: bool) -> str:
    """The Set-Cookie value that removes the session cookie from the browser."""
    return f"{SIGNIN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + \
        ("; Secure" if secure else "")
