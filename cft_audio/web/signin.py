"""The sign-in route: a posted access token sets the token cookie and returns to the page asked for.

The token gate lets this one POST through without the token; like every other request its
body is bounded (`login.MAX_FORM`) and it must pass the CSRF check, so a page elsewhere
cannot sign the browser in.
"""

from __future__ import annotations

from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .csrf import request_token
from .login import LOGIN_PATH, login_form, login_page, safe_next, token_cookie
from .pages import state_of
from .security import TOKEN_COOKIE, same_token


async def sign_in(request: HttpRequest) -> Response:
    """Check a posted token: set the cookie and go back, or show the form again."""
    token = state_of(request).settings.token
    form = login_form(await request.body())
    target = safe_next(form.get("next", "/"))
    if token is None:  # nothing to sign in to
        return RedirectResponse("/", status_code=303, headers={"Cache-Control": "no-store"})
    if not same_token(form.get("token", ""), token):
        return HTMLResponse(login_page(target, request_token(request.scope), wrong=True),
                            status_code=401, headers={"Cache-Control": "no-store"})
    return RedirectResponse(target, status_code=303, headers={
        "Cache-Control": "no-store",
        "Set-Cookie": token_cookie(TOKEN_COOKIE, token, keep=form.get("keep") == "1")})


def routes() -> list[Route]:
    """The sign-in route."""
    return [Route(LOGIN_PATH, sign_in, methods=["POST"])]
