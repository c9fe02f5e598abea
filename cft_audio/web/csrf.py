"""Cross-site request forgery: every state-changing request must prove it comes from the app.

A POST (or any method but GET, HEAD and OPTIONS) is let through only when

- the browser says so itself: `Sec-Fetch-Site: same-origin`, or an `Origin` header naming
  this very host and port; or
- it carries the app's own CSRF token (a hidden `csrf` field in each form, or the
  `X-CFT-CSRF` header): an HMAC of the visitor's session cookie under a secret that only
  this server process knows. A page elsewhere (another local port shares the cookie jar of
  127.0.0.1) can set cookies, but cannot read the app's pages, so it cannot know the token.

Anything a browser marks as cross-site or same-site (`Sec-Fetch-Site: cross-site`,
`same-site`, an `Origin` naming another host or port) is refused whatever else it carries,
and so is a missing or `null` Origin without the token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlsplit

from .security import ASGIApp, Receive, Scope, Send, plain_response, request_headers

SESSION_COOKIE = "cft_session"
"""A random per-browser session id (HttpOnly, SameSite=Strict); the CSRF token derives from it."""
CSRF_FIELD = "csrf"
"""The hidden form field that carries the token."""
CSRF_HEADER = "x-cft-csrf"
"""The header that carries the token (the page's own fetches; scripts)."""
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_BODY = 64 * 1024 * 1024
"""Largest request body accepted at all (the biggest upload, a background sound, is 50 MB)."""
log = logging.getLogger(__name__)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_for(secret: bytes, session: str) -> str:
    """The CSRF token of one session."""
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def request_token(scope: Scope) -> str:
    """The CSRF token for the request being answered (for templates: hidden fields, meta)."""
    return scope.get("state", {}).get("csrf", "")


class CsrfGuard:
    """ASGI middleware: hand every visitor a session and token; refuse forged requests."""

    def __init__(self, app: ASGIApp, secret: bytes | None = None):
        self.app = app
        self.secret = secret or secrets.token_bytes(32)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check a state-changing request; give new visitors their session cookie."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        session = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
        fresh = not session or len(session) < 16
        if fresh:
            session = secrets.token_urlsafe(24)
        expected = token_for(self.secret, session)
        scope.setdefault("state", {})["csrf"] = expected
        if scope.get("method") not in SAFE_METHODS:
            length = headers.get("content-length", "0")
            if not length.isdigit() or int(length) > MAX_BODY:
                await plain_response(send, 413, "This request is too large.\n")
                return
            verdict = _browser_verdict(headers)
            if verdict is False:
                _refused(scope, headers, "cross-site")
                await plain_response(send, 403, "Cross-site requests are not accepted.\n")
                return
            if verdict is None:
                receive, given = await _token_in(scope, receive, headers)
                if fresh or not given or not hmac.compare_digest(given, expected):
                    _refused(scope, headers, "no valid CSRF token")
                    await plain_response(send, 403, "This request did not come from the app's own "
                                 "pages (no valid CSRF token). Reload the page and try again.\n")
                    return
        if not fresh:
            await self.app(scope, receive, send)
            return
        cookie = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict"

        async def with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", cookie.encode("latin-1"))]}
            await send(message)

        await self.app(scope, receive, with_cookie)


def _refused(scope: Scope, headers: dict[str, str], why: str) -> None:
    """Log a refused request (what and from where; never its body)."""
    log.warning("refused %s %s: %s (Origin %s, Sec-Fetch-Site %s)", scope.get("method"),
                scope.get("path"), why, headers.get("origin", "none"),
                headers.get("sec-fetch-site", "none"))


def _browser_verdict(headers: dict[str, str]) -> bool | None:
    """True: the browser vouches it is same-origin; False: it says otherwise; None: unknown."""
    site = headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
    return True if site == "same-origin" else None


async def _token_in(scope: Scope, receive: Receive,
                    headers: dict[str, str]) -> tuple[Receive, str]:
    """The token from the header or the form body; the body is read and handed on intact."""
    if headers.get(CSRF_HEADER):
        return receive, headers[CSRF_HEADER]
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _FORM_TYPES:
        return receive, ""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body.extend(message.get("body", b""))
        if len(body) > MAX_BODY or not message.get("more_body", False):
            break
    data = bytes(body)
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}
        return await receive()

    return replay, await _form_field(scope, data, kind)


async def _form_field(scope: Scope, data: bytes, kind: str) -> str:
    """The `csrf` field of a url-encoded or multipart body ("" if absent or unreadable)."""
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(data.decode("latin-1"))).get(CSRF_FIELD, "")
    from starlette.requests import Request

    async def once() -> dict:
        return {"type": "http.request", "body": data, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except Exception:  # a malformed body has no token in it
        return ""
    try:
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    finally:
        await form.close()


def _cookie(header: str, name: str) -> str:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header is simply no cookie
        return ""
    return jar[name].value if name in jar else ""
