"""Signing in on the LAN: a page that posts the access token, so it never sits in an address.

`cft-audio serve --token` prints the address and the token separately. Any page asked for
without the token answers 401 with this sign-in form; posting it sets the token cookie
(for this browser session, or for 30 days when "keep me signed in" is ticked) and returns
to the page asked for. The token never appears in an address, so it is not in the
browser's history.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl

LOGIN_PATH = "/login"
KEEP_SECONDS = 30 * 24 * 3600
"""How long "keep me signed in on this computer" lasts."""
MAX_FORM = 4096
"""Largest sign-in form read."""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign in · cft-audio</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<main id="main">
<section class="card login">
<h1>Sign in to cft-audio</h1>
<p class="lead">This app is open to your network, so it asks for its access token: the one
<code>cft-audio serve</code> printed in the terminal.</p>
{problem}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="next" value="{next}">
<input type="hidden" name="csrf" value="{csrf}">
<div class="field">
<label for="f-token">Access token</label>
<input type="password" id="f-token" name="token" autocomplete="current-password" required
 autofocus>
</div>
<div class="field"><label class="check"><input type="checkbox" name="keep" value="1"
 id="f-keep"> Keep me signed in on this computer for 30 days (only on your own computer)</label>
</div>
<div class="actions"><button type="submit" id="login-button">Sign in</button></div>
</form>
</section>
</main>
</body>
</html>
"""


def login_page(next_path: str, csrf: str, wrong: bool = False) -> bytes:
    """The sign-in form; `next_path` is where to go after signing in."""
    problem = ('<p class="field-error" role="alert" id="login-problem">That is not the '
               "access token. Check it in the terminal and try again.</p>") if wrong else ""
    return _PAGE.format(next=escape(safe_next(next_path)), csrf=escape(csrf),
                        problem=problem).encode("utf-8")


def safe_next(path: str) -> str:
    """A local path to return to: anything that could lead to another site becomes "/"."""
    if not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path \
            or any(ord(c) < 32 for c in path):
        return "/"
    return path


def login_form(body: bytes) -> dict[str, str]:
    """The posted sign-in fields."""
    return dict(parse_qsl(body[:MAX_FORM].decode("utf-8", "replace")))


def token_cookie(name: str, token: str, keep: bool) -> str:
    """The Set-Cookie value: HttpOnly, SameSite=Strict; persistent only when asked."""
    lasting = f"; Max-Age={KEEP_SECONDS}" if keep else ""
    return f"{name}={token}; Path=/; HttpOnly; SameSite=Strict{lasting}"
