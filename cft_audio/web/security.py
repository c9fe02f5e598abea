"""Access control: loopback by default, a token on the LAN, and paths kept inside one folder."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from http.cookies import SimpleCookie
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode

from ..errors import CftAudioError
from .login import LOGIN_PATH, login_page, safe_next, token_cookie

TOKEN_COOKIE = "cft_token"
"""Cookie that carries the token after the first `?token=` visit."""
TOKEN_HEADER = "x-cft-token"
"""Header that may carry the token (scripts, tests)."""
OPEN_PREFIXES = ("/c/",)
"""Client pages: each is reached by its own unguessable share key, not the app token."""
log = logging.getLogger(__name__)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
"""Host header values a loopback-only app answers (guards against DNS rebinding)."""

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class UnsafeBinding(CftAudioError):
    """The app would be reachable from other machines without an access token."""


class OutsideFolder(ValueError):
    """A path parameter names something outside (or hidden inside) the served folder."""


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def access_token(host: str, token: str | None) -> str | None:
    """The token to require: as given, generated for "auto"; refuse the LAN without one."""
    if token == "auto":
        return secrets.token_urlsafe(24)
    if token is not None and len(token) < 8:
        raise UnsafeBinding("--token: use at least 8 characters (or --token auto)")
    if token is None and not is_loopback(host):
        raise UnsafeBinding(
            f"--host {host} makes the app reachable from other machines; add --token TOKEN "
            "or --token auto (or leave --host at 127.0.0.1)")
    return token


def safe_path(root: Path, relative: str) -> Path:
    """The existing file `relative` names strictly inside `root`; OutsideFolder otherwise.

    Rejects absolute paths, `..` and `.` parts, hidden names (temp files, app state),
    backslashes and NUL, and anything whose real path (symlinks followed) leaves `root`.
    """
    if not relative or "\x00" in relative or "\\" in relative:
        raise OutsideFolder(relative)
    pure = PurePosixPath(relative)
    if pure.is_absolute() or any(p in ("", ".", "..") or p.startswith(".")
                                 for p in relative.split("/")):
        raise OutsideFolder(relative)
    base = root.resolve()
    try:
        found = (base / pure).resolve(strict=True)
    except (OSError, RuntimeError) as error:
        raise OutsideFolder(relative) from error
    if not found.is_relative_to(base) or found == base:
        raise OutsideFolder(relative)
    return found


class TokenGate:
    """ASGI middleware: every request carries the token (a cookie after signing in, or a header).

    It reads no body: a request without the token is answered (401, the sign-in page)
    before any of its body is read. Signing in posts the token from that page to the
    `signin` route (its body bounded like any other, and checked for CSRF), so it never
    stands in an address. A `?token=` address still works for scripts and old links: it
    sets the cookie and redirects to the same local path without the token (never to
    another site), but such an address stays in the browser's history.
    """

    def __init__(self, app: ASGIApp, token: str | None,
                 open_prefixes: Iterable[str] = OPEN_PREFIXES):
        self.app = app
        self.token = token
        self.open_prefixes = tuple(open_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the request through, redirect it to drop `?token=`, or answer 401."""
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(self.open_prefixes) or path == "/static/app.css" or \
                (path == LOGIN_PATH and scope.get("method") == "POST"):
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        given = dict(query).get("token")
        if given is not None and same_token(given, self.token):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            raw = (scope.get("raw_path") or path.encode("utf-8")).decode("latin-1")
            await _redirect(send, safe_next("/" + raw.lstrip("/\\")) + (f"?{rest}" if rest
                            else ""), token_cookie(TOKEN_COOKIE, self.token, keep=False))
            return
        if any(same_token(c, self.token) for c in _given_tokens(headers) if c):
            if path == LOGIN_PATH:  # already signed in
                await _redirect(send, "/", None)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            log.warning("refused %s %s: no access token (Origin %s, Sec-Fetch-Site %s)",
                        scope.get("method"), path, headers.get("origin", "none"),
                        headers.get("sec-fetch-site", "none"))
        back = "/" if path == LOGIN_PATH else path
        await html_response(send, 401, login_page(back, _csrf(scope)))


def _given_tokens(headers: dict[str, str]) -> list[str]:
    """The tokens a request offers: header, cookie, bearer."""
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is simply no cookie
        cookie = SimpleCookie()
    candidates = [headers.get(TOKEN_HEADER, "")]
    if TOKEN_COOKIE in cookie:
        candidates.append(cookie[TOKEN_COOKIE].value)
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        candidates.append(auth[7:].strip())
    return candidates


def _csrf(scope: Scope) -> str:
    return scope.get("state", {}).get("csrf", "")


class HostGuard:
    """ASGI middleware: loopback apps answer only loopback Host names (no DNS rebinding).

    Cross-site posts are refused by `csrf.CsrfGuard`.
    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str] | None):
        self.app = app
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse requests for other host names."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        host = headers.get("host", "")
        if self.hosts is not None and _hostname(host) not in self.hosts:
            await plain_response(send, 400, "Unknown host name.\n")
            return
        await self.app(scope, receive, send)


def _hostname(host: str) -> str:
    """The Host header without its port."""
    if host.startswith("["):
        return host[: host.find("]") + 1].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def request_headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def same_token(given: str, token: str) -> bool:
    """Whether `given` is the access token (in constant time)."""
    return secrets.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


async def plain_response(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, cookie: str | None) -> None:
    headers = [(b"location", location.encode("latin-1")), (b"cache-control", b"no-store"),
               (b"content-length", b"0")]
    if cookie:
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def html_response(send: Send, status: int, body: bytes) -> None:
    """A complete HTML response (not cached)."""
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


APP_POLICY = ("default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
              "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""Pages load nothing from anywhere but this app."""
CLIENT_POLICY = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                 "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
                 "connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
                 "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
"""The self-contained client page inlines its style and script; still nothing external."""
PACK_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
               "media-src 'self' data: blob:; img-src 'self' data:; object-src 'none'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
"""Pages batches write (a pack's player, handout, summary), opened through `/files/`: they
inline their style, script and captions (data: URLs) so they also work from a folder."""


def policy_for(path: str) -> str:
    """The content policy for a response to `path`."""
    if path.startswith(OPEN_PREFIXES):
        return CLIENT_POLICY
    if path.startswith("/files/") and path.lower().endswith((".html", ".htm")):
        return PACK_POLICY
    return APP_POLICY


class SecurityHeaders:
    """ASGI middleware: a strict content policy, no referrers, no sniffing, no framing."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to every response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope.get("path", ""))

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for name, value in ((b"content-security-policy", policy),
                                    (b"referrer-policy", "no-referrer"),
                                    (b"x-content-type-options", "nosniff"),
                                    (b"x-frame-options", "DENY")):
                    if name not in names:
                        headers.append((name, value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
