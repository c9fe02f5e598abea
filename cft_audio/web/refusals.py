"""Refusal pages: one line saying why, in the app's own layout, with a way back; JSON under /api/.

The middleware that refuses a request before any route runs (cross-site, too large, an
unknown host name) and the routes' own `HTTPException`s answer through `Refusals`, so every
refusal looks like the rest of the app and links to where the therapist came from.
Requests for `/api/...` (the pages' own fetches, scripts) get `{"error": "..."}` instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from jinja2 import Environment
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, Response

from .security import Scope, Send, html_response

API_PREFIX = "/api/"
NO_STORE = {"Cache-Control": "no-store"}


def way_back(path: str, status: int) -> tuple[str, str]:
    """Where a refusal page's link leads (href, words), from the path that was refused."""
    parts = path.split("/")
    if status == 404:
        return ("/", "Back to the exercises") if path.startswith("/new/") \
            else ("/library", "Back to the library")
    if path.startswith("/new/") and len(parts) > 2 and parts[2]:
        return f"/new/{quote(parts[2])}", "Back to the form"
    if path.startswith("/renders/"):
        render = path.removeprefix("/renders/").removesuffix("/delete").removesuffix("/formats")
        return f"/renders/{quote(render, safe='/')}", "Back to the recording"
    if path.startswith("/jobs/") and len(parts) > 2:
        return f"/jobs/{quote(parts[2])}", "Back to the job"
    for prefix, href, words in (("/batch", "/batch", "Back to Batch"),
                                ("/practice", "/practice", "Back to the practice logs"),
                                ("/login", "/login", "Back to sign-in")):
        if path.startswith(prefix):
            return href, words
    return "/", "Back to the exercises"


@dataclass(frozen=True)
class Refusals:
    """Answers refused requests: an HTML page in the app's layout, or JSON for /api/."""

    environment: Environment
    """The app's templates (`error.html`)."""

    def page(self, status: int, detail: str, path: str, csrf: str = "") -> bytes:
        """The refusal page for `path`: heading, the one-line reason, a way back."""
        return self.environment.get_template("error.html").render(
            status_code=status, detail=detail, path=path, csrf=csrf).encode("utf-8")

    async def send(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        """Refuse from ASGI middleware (before any route has run)."""
        path = scope.get("path", "")
        if path.startswith(API_PREFIX):
            await json_refusal(send, status, detail)
            return
        csrf = scope.get("state", {}).get("csrf", "")
        await html_response(send, status, self.page(status, detail, path, csrf))

    async def handler(self, request: HttpRequest, exc: Exception) -> Response:
        """Starlette's exception handler: a route's HTTPException as a refusal."""
        status = getattr(exc, "status_code", 404)
        detail = str(getattr(exc, "detail", "") or "Not found")
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse({"error": detail}, status_code=status, headers=NO_STORE)
        csrf = request.scope.get("state", {}).get("csrf", "")
        return HTMLResponse(self.page(status, detail, request.url.path, csrf),
                            status_code=status, headers=NO_STORE)


async def json_refusal(send: Send, status: int, detail: str) -> None:
    """A refusal as `{"error": detail}` (not cached)."""
    body = json.dumps({"error": detail}).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
