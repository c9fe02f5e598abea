"""Access control: loopback by default, a token on the LAN, and paths kept inside one folder."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path, PurePosixPath

from ..errors import CftAudioError

OPEN_PREFIXES = ("/c/",)
"""Client pages: each is reached by its own unguessable share key, not the app token."""
log = logging.getLogger(__name__)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
"""Host header values a loopback-only app answers (guards against DNS rebinding)."""

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Refuse = Callable[[Scope, Send, int, str], Awaitable[None]]
"""Answers a refused request from middleware: (scope, send, status, one-line reason)."""


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


class HostGuard:
    """ASGI middleware: loopback apps answer only loopback Host names (no DNS rebinding).

    Cross-site posts are refused by `csrf.CsrfGuard`.
    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str] | None, refuse: Refuse | None = None):
        self.app = app
        self.hosts = None if hosts is None else {h.lower() for h in hosts}
        self.refuse = refuse or plain_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse requests for other host names."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        host = headers.get("host", "")
        if self.hosts is not None and _hostname(host) not in self.hosts:
            await self.refuse(scope, send, 400, "Unknown host name: this app answers only at "
                              "127.0.0.1 or localhost, on this computer.")
            return
        await self.app(scope, receive, send)


def _hostname(host: str) -> str:
    """The Host header without its port."""
    if host.startswith("["):
        return host[: host.find("]") + 1].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def request_headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def log_refusal(scope: Scope, why: str, logger: logging.Logger = log) -> None:
    """Log a refused request (what and from where; never its body)."""
    headers = request_headers(scope)
    logger.warning("refused %s %s: %s (Origin %s, Sec-Fetch-Site %s)", scope.get("method"),
                scope.get("path"), why, headers.get("origin", "none"),
                headers.get("sec-fetch-site", "none"))


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


async def plain_refusal(scope: Scope, send: Send, status: int, text: str) -> None:
    """A refusal as one line of plain text (middleware used without the app's pages)."""
    await plain_response(send, status, text + "\n")


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
