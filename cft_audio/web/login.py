"""The sign-in page: a form that posts the access token, so it never sits in an address.

`cft-audio serve --token` prints the address and the token separately. Any page asked for
without a sign-in answers 401 with this form (the page itself, `/login`, answers 200);
posting it starts a session (see `session`) and returns to the page asked for. It says
the app is open to the network only when the server listens beyond this computer.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from jinja2 import Environment

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
MAX_FORM = 4096
"""Largest sign-in form read."""
NOTICES = {
    "wrong": "That is not the access token. Check it in the terminal and try again.",
    "ended": "Your sign-in has ended (signed out, 12 hours unused, or the app restarted). "
             "Sign in again.",
    "signed-out": "You have signed out.",
}
"""The one line the page may show above the form."""


@dataclass(frozen=True)
class SignInPage:
    """Renders the sign-in form in the app's layout."""

    environment: Environment
    """The app's templates."""
    open_to_network: bool
    """Whether the server listens beyond loopback (the page says so only then)."""

    def render(self, next_path: str, csrf: str, notice: str = "") -> bytes:
        """The page; `next_path` is where to go after signing in, `notice` a NOTICES key."""
        return self.environment.get_template("signin.html").render(
            next=safe_next(next_path), csrf=csrf, notice=NOTICES.get(notice, ""),
            wrong=notice == "wrong", open_to_network=self.open_to_network,
            path=LOGIN_PATH).encode("utf-8")


def safe_next(path: str) -> str:
    """A local path to return to: anything that could lead to another site becomes "/"."""
    if not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path \
            or any(ord(c) < 32 for c in path) or path.startswith((LOGIN_PATH, LOGOUT_PATH)):
        return "/"
    return path


def login_form(body: bytes) -> dict[str, str]:
    """The posted sign-in fields."""
    return dict(parse_qsl(body[:MAX_FORM].decode("utf-8", "replace")))
