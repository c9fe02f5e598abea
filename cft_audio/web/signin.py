"""Sign in and sign out: a posted access token starts a session; signing out ends it.

The token gate lets the sign-in POST through without a session; like every other request
its body is bounded (`login.MAX_FORM`) and it must pass the CSRF check, so a page
elsewhere cannot sign the browser in. The token is checked through the throttle (wrong
ones slow down per address). Signing out is a POST from the nav (CSRF-checked too): the
session is forgotten by the server, so its old cookie is refused from then on.
"""

from __future__ import annotations

from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .csrf import request_token
from .gate import Access, is_https, signin_value
from .login import LOGIN_PATH, LOGOUT_PATH, login_form, safe_next
from .session import ended_cookie

NO_STORE = {"Cache-Control": "no-store"}


def access_of(request: HttpRequest) -> Access:
    """The app's sign-in state (token, sessions, throttle, page)."""
    return request.app.state.access


async def sign_in(request: HttpRequest) -> Response:
    """Check a posted token: start a session and go back, or show the form again."""
    access = access_of(request)
    form = login_form(await request.body())
    target = safe_next(form.get("next", "/"))
    if access.token is None:  # nothing to sign in to
        return RedirectResponse("/", status_code=303, headers=NO_STORE)
    if not await access.admits(request.scope, [form.get("token", "")]):
        return HTMLResponse(access.page.render(target, request_token(request.scope), "wrong"),
                            status_code=401, headers=NO_STORE)
    access.signins.end(signin_value(dict(request.headers)))  # a session it had is replaced
    return RedirectResponse(target, status_code=303, headers={
        **NO_STORE, "Set-Cookie": access.start(request.scope, keep=form.get("keep") == "1")})


async def sign_out(request: HttpRequest) -> Response:
    """End this browser's session and remove its cookie; then the sign-in page."""
    access = access_of(request)
    if access.token is None:  # nothing to sign out of
        return RedirectResponse("/", status_code=303, headers=NO_STORE)
    access.signins.end(signin_value(dict(request.headers)))
    return RedirectResponse(f"{LOGIN_PATH}?signed-out=1", status_code=303, headers={
        **NO_STORE, "Set-Cookie": ended_cookie(secure=is_https(request.scope))})


def routes() -> list[Route]:
    """The sign-in and sign-out routes."""
    return [Route(LOGIN_PATH, sign_in, methods=["POST"]),
            Route(LOGOUT_PATH, sign_out, methods=["POST"])]
