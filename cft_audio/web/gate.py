"""Who may pass: on an app with an access token, every request is signed in or carries it.

A browser signs in once on the sign-in page (`signin` posts the token there) and then
carries a signed session cookie (`session`): never the token itself. Scripts may send the
token in the `X-CFT-Token` header (or `Authorization: Bearer`) with each request. Every
token offered, in a form, a header or an old `?token=` address, goes through the
`throttle`, so wrong ones slow down per client address.

`TokenGate` reads no body: a request that is not signed in is answered (401, the sign-in
page; JSON under /api/) before any of its body is read. A `?token=` address signs the
browser in and redirects to the same local path without the token and with its other
query parameters (never to another site); a browser already signed in is redirected the
same way, so the token leaves the address bar and the tab's back list (a browser's own
history may still keep the first address).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from .login import LOGIN_PATH, SignInPage, safe_next
from .refusals import API_PREFIX, json_refusal
from .security import (
    OPEN_PREFIXES,
    ASGIApp,
    Receive,
    Scope,
    Send,
    html_response,
    log_refusal,
    request_headers,
    same_token,
)
from .session import SIGNIN_COOKIE, SignIns, signin_cookie
from .throttle import Throttle

TOKEN_HEADER = "x-cft-token"
"""Header that may carry the token (scripts, tests)."""


@dataclass(frozen=True)
class Access:
    """What signing in needs: the token, the live sessions, the throttle and the page."""

    token: str | None
    """The access token; None: the app is open (loopback without --token)."""
    signins: SignIns
    throttle: Throttle
    page: SignInPage

    async def admits(self, scope: Scope, offered: Iterable[str]) -> bool:
        """Whether one of the tokens offered is the access token (throttled per address)."""
        token = self.token or ""
        return await self.throttle.admits(
            client_address(scope), lambda: any(same_token(t, token) for t in offered))

    def start(self, scope: Scope, keep: bool) -> str:
        """A new session's Set-Cookie value (Secure when the request came over https)."""
        return signin_cookie(self.signins.start(), keep, secure=is_https(scope))


def client_address(scope: Scope) -> str:
    """The address a request came from (wrong tokens are counted per address)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def is_https(scope: Scope) -> bool:
    """Whether the request came over https (directly or through a trusted proxy)."""
    return scope.get("scheme") in ("https", "wss")


def signin_value(headers: dict[str, str]) -> str:
    """The session cookie's value ("" when there is none)."""
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is simply no cookie
        return ""
    return jar[SIGNIN_COOKIE].value if SIGNIN_COOKIE in jar else ""


def offered_tokens(headers: dict[str, str]) -> list[str]:
    """The tokens a request offers in its headers: X-CFT-Token, Authorization: Bearer."""
    offered = [headers.get(TOKEN_HEADER, "")]
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        offered.append(auth[7:].strip())
    return [t for t in offered if t]


class TokenGate:
    """ASGI middleware: let signed-in requests through; answer the rest with the sign-in page."""

    def __init__(self, app: ASGIApp, access: Access,
                 open_prefixes: Iterable[str] = OPEN_PREFIXES):
        self.app = app
        self.access = access
        self.open_prefixes = tuple(open_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the request through, redirect it (to drop `?token=`), or answer 401."""
        path = scope.get("path", "")
        if scope["type"] != "http" or self.access.token is None or \
                path.startswith(self.open_prefixes) or path == "/static/app.css" or \
                (path == LOGIN_PATH and scope.get("method") == "POST"):
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        cookie = signin_value(headers)
        signed_in = bool(cookie) and self.access.signins.check(cookie)
        if signed_in and "token" in dict(query) and scope.get("method") in ("GET", "HEAD"):
            await redirect(send, _without_token(scope, query), None)
        elif signed_in:
            await self._through(scope, receive, send)
        elif "token" in dict(query):
            await self._token_address(scope, send, query)
        elif offered_tokens(headers):
            if await self.access.admits(scope, offered_tokens(headers)):
                await self._through(scope, receive, send)
            else:
                await self._sign_in(scope, send, "wrong")
        else:
            await self._sign_in(scope, send, "ended" if cookie else "")

    async def _through(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A signed-in request: on to the app (the sign-in page itself leads home)."""
        if scope.get("path") == LOGIN_PATH:
            await redirect(send, "/", None)
            return
        await self.app(scope, receive, send)

    async def _token_address(self, scope: Scope, send: Send,
                             query: list[tuple[str, str]]) -> None:
        """`?token=`: sign in and go to the same local path without it, or refuse."""
        if not await self.access.admits(scope, [dict(query)["token"]]):
            await self._sign_in(scope, send, "wrong")
            return
        await redirect(send, _without_token(scope, query), self.access.start(scope, keep=False))

    async def _sign_in(self, scope: Scope, send: Send, notice: str) -> None:
        """Not signed in: the sign-in page (200 for /login itself, else 401); JSON for /api/."""
        path = scope.get("path", "")
        if scope.get("method") not in ("GET", "HEAD", "OPTIONS") or notice == "wrong":
            log_refusal(scope, "wrong access token" if notice == "wrong" else "not signed in")
        if path.startswith(API_PREFIX):
            await json_refusal(send, 401, "Sign in first: this app needs its access token.")
            return
        own = path == LOGIN_PATH
        if own and not notice and b"signed-out=1" in scope.get("query_string", b""):
            notice = "signed-out"
        csrf = scope.get("state", {}).get("csrf", "")
        await html_response(send, 200 if own and notice != "wrong" else 401,
                            self.access.page.render("/" if own else path, csrf, notice))


def _without_token(scope: Scope, query: list[tuple[str, str]]) -> str:
    """The request's own local path with its query parameters but not `token`."""
    rest = urlencode([(k, v) for k, v in query if k != "token"])
    raw = (scope.get("raw_path") or scope.get("path", "").encode("utf-8")).decode("latin-1")
    return safe_next("/" + raw.lstrip("/\\")) + (f"?{rest}" if rest else "")


async def redirect(send: Send, location: str, cookie: str | None) -> None:
    """A 303 to a local path (not cached), setting `cookie` when given."""
    headers = [(b"location", location.encode("latin-1")), (b"cache-control", b"no-store"),
               (b"content-length", b"0")]
    if cookie:
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
