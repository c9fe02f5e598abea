"""Cross-site request forgery: every state-changing request must prove it comes from the app.

A POST (or any method but GET, HEAD and OPTIONS) is let through only when

- the browser says so itself: `Sec-Fetch-Site: same-origin`, or an `Origin` header naming
  this very host and port; or
- it carries the app's own CSRF token (the `X-CFT-CSRF` header, or a `csrf` field within
  the first 64 kB of the form: the app's forms put it first): an HMAC of the visitor's
  session cookie under a secret that only this server process knows. A page elsewhere
  (another local port shares the cookie jar of 127.0.0.1) can set cookies, but cannot read
  the app's pages, so it cannot know the token.

Anything a browser marks as cross-site or same-site (`Sec-Fetch-Site: cross-site`,
`same-site`, an `Origin` naming another host or port) is refused whatever else it carries,
and so is a missing or `null` Origin without the token.

`Sessions` runs first (before the access token is checked: the sign-in page needs a CSRF
token too); `CsrfGuard` runs after the token gate, so nothing of a body is read before the
token is known to be right.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from python_multipart import FormParser
from python_multipart.multipart import parse_options_header

from .security import (
    ASGIApp,
    Receive,
    Refuse,
    Scope,
    Send,
    log_refusal,
    plain_refusal,
    request_headers,
)

SESSION_COOKIE = "cft_session"
"""A random per-browser session id (HttpOnly, SameSite=Strict); the CSRF token derives from it."""
CSRF_FIELD = "csrf"
"""The hidden form field that carries the token."""
CSRF_HEADER = "x-cft-csrf"
"""The header that carries the token (the page's own fetches; scripts)."""
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SCAN_BYTES = 64 * 1024
"""How much of a form is read looking for the `csrf` field (the app's forms put it first)."""
log = logging.getLogger(__name__)
_FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")


def token_for(secret: bytes, session: str) -> str:
    """The CSRF token of one session."""
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def request_token(scope: Scope) -> str:
    """The CSRF token for the request being answered (for templates: hidden fields, meta)."""
    return scope.get("state", {}).get("csrf", "")


class Sessions:
    """ASGI middleware: hand every visitor a session cookie; put its CSRF token in the scope."""

    def __init__(self, app: ASGIApp, secret: bytes | None = None):
        self.app = app
        self.secret = secret or secrets.token_bytes(32)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Note the session's token (never reading the body); give new visitors a cookie."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = _cookie(request_headers(scope).get("cookie", ""), SESSION_COOKIE)
        fresh = not session or len(session) < 16
        if fresh:
            session = secrets.token_urlsafe(24)
        state = scope.setdefault("state", {})
        state["csrf"], state["csrf_fresh"] = token_for(self.secret, session), fresh
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


class CsrfGuard:
    """ASGI middleware: refuse state-changing requests that do not come from the app's pages."""

    def __init__(self, app: ASGIApp, refuse: Refuse | None = None):
        self.app = app
        self.refuse = refuse or plain_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let a safe or proven request through; answer 403 to the rest (and log it)."""
        if scope["type"] != "http" or scope.get("method") in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        verdict = _browser_verdict(headers)
        if verdict is False:
            log_refusal(scope, "cross-site", log)
            await self.refuse(scope, send, 403, "Cross-site requests are not accepted: this "
                              "came from another site or page, not from the app's own pages.")
            return
        if verdict is None:
            state = scope.get("state", {})
            receive, given = await _token_in(receive, headers)
            expected = state.get("csrf", "")
            if state.get("csrf_fresh", True) or not given or not expected \
                    or not hmac.compare_digest(given, expected):
                log_refusal(scope, "no valid CSRF token", log)
                await self.refuse(scope, send, 403, "This request did not come from the "
                                  "app's own pages (no valid CSRF token in the X-CFT-CSRF "
                                  "header or at the start of the form). Reload the page and "
                                  "try again.")
                return
        await self.app(scope, receive, send)


def _browser_verdict(headers: dict[str, str]) -> bool | None:
    """True: the browser vouches it is same-origin; False: it says otherwise; None: unknown."""
    site = headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
    return True if site == "same-origin" else None


async def _token_in(receive: Receive, headers: dict[str, str]) -> tuple[Receive, str]:
    """The token from the header or the form's first 64 kB; what was read is handed on intact."""
    if headers.get(CSRF_HEADER):
        return receive, headers[CSRF_HEADER]
    content_type = headers.get("content-type", "")
    kind, params = parse_options_header(content_type)
    if kind not in _FORM_TYPES:
        return receive, ""
    found: list[str] = []

    def on_field(field: object) -> None:
        if getattr(field, "field_name", None) == CSRF_FIELD.encode() and not found:
            found.append((getattr(field, "value", None) or b"").decode("latin-1"))

    try:
        parser = FormParser(kind.decode("latin-1"), on_field, lambda file: None,
                            boundary=params.get(b"boundary"))
    except Exception:  # e.g. multipart without a boundary: no token can be found in it
        return receive, ""
    read: list[dict] = []
    seen = 0
    while not found and seen < SCAN_BYTES:
        message = await receive()  # a body over its limit stops here (bodies.BodyLimit)
        read.append(message)
        if message["type"] != "http.request":
            break
        body = message.get("body", b"")
        seen += len(body)
        last = not message.get("more_body", False)
        if not _fed(parser, body[: max(0, SCAN_BYTES - seen + len(body))], last) or last:
            break
    return _replaying(read, receive), found[0] if found else ""


def _fed(parser: FormParser, data: bytes, last: bool) -> bool:
    """Give the parser more of the form; False when it is malformed (it holds no token then)."""
    try:
        parser.write(data)
        if last:
            parser.finalize()
    except Exception:  # python-multipart's errors for a malformed body
        return False
    return True


def _replaying(read: list[dict], receive: Receive) -> Receive:
    """A `receive` that hands on the messages already read, then the rest of the stream."""
    waiting = list(read)

    async def replay() -> dict:
        return waiting.pop(0) if waiting else await receive()

    return replay


def _cookie(header: str, name: str) -> str:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header is simply no cookie
        return ""
    return jar[name].value if name in jar else ""
