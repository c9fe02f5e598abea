"""Cross-site request forgery: pages on another local port cannot make the app do anything."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cft_audio.web import Settings, create_app
from cft_audio.web.csrf import token_for

from .conftest import fake_batch_context, fake_render_context
from .server import free_port, serving
from .test_security import _fake_render

pytestmark = pytest.mark.enable_socket

TOKEN = "lan-token-0123456789"
MANIFEST = ("programme: {title: Forged, weeks: 1}\\nexercises: [{week: 1, exercise: "
            "soothing-breath}]\\nparticipants: [{id: p01, name: Mallory}]\\n")
PLAIN = """<!doctype html><html><body>
<h1>Totally unrelated page</h1>
{forms}
{sinks}
<script>
try {{ document.cookie = "cft_session=attacker-chosen-session-id; path=/"; }} catch (e) {{}}
Array.prototype.slice.call(document.forms).forEach(function (f, i) {{
  f.target = 'sink' + i; f.submit(); }});
{fetches}
</script>
</body></html>"""
"""A page on another port: plain cross-site forms (Origin: that page) and fetches."""
SANDBOXED = """<!doctype html><html><body>
<iframe sandbox="allow-forms allow-scripts" srcdoc="{inner}"></iframe>
</body></html>"""
"""The same from a sandboxed iframe (Origin: null)."""
TARGETS = ("/new/safe-place", "/delete", "/formats", "/batch")


def _forms(app: str, render_id: str) -> str:
    """Plain cross-site forms for render, delete, make a format (with a made-up token)."""
    fields = {
        f"{app}/new/safe-place": {"name": "Mallory", "minutes": "4", "csrf": "guessed"},
        f"{app}/renders/{render_id}/delete": {"csrf": "guessed"},
        f"{app}/renders/{render_id}/formats": {"format": "wav"},
    }
    out = []
    for action, values in fields.items():
        inputs = "".join(f'<input name="{k}" value="{v}">' for k, v in values.items())
        out.append(f'<form method="post" action="{action}">{inputs}</form>')
    return "\n".join(out)


def _fetches(app: str) -> str:
    """A batch upload (multipart, a file in it) by fetch in no-cors mode, with cookies."""
    return f"""
var data = new FormData();
data.append('manifest', new Blob(["{MANIFEST}"], {{type: 'text/yaml'}}), 'forged.yaml');
data.append('action', 'run');
data.append('csrf', 'guessed');
fetch('{app}/batch', {{method: 'POST', mode: 'no-cors', credentials: 'include', body: data}});
"""


def _attack_pages(app: str, render_id: str) -> dict[str, str]:
    sinks = "".join(f'<iframe name="sink{i}"></iframe>' for i in range(3))
    plain = PLAIN.format(forms=_forms(app, render_id), fetches=_fetches(app), sinks=sinks)
    inner = plain.replace("&", "&amp;").replace('"', "&quot;")
    return {"/plain": plain, "/sandboxed": SANDBOXED.format(inner=inner)}


@contextmanager
def elsewhere(pages: dict[str, str]) -> Iterator[str]:
    """Another web server on another 127.0.0.1 port, serving `pages` (path: HTML)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            body = pages.get(self.path, "").encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder` (hidden ones too) with its size and mtime."""
    found = {}
    for base, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(base, name)
            stat = path.lstat()
            found[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.mark.parametrize("with_token", [False, True], ids=["loopback", "lan-token"])
def test_pages_elsewhere_cannot_render_delete_make_formats_or_upload(browser, tmp_path,
                                                                     with_token, caplog):
    output = tmp_path / "output"
    render_id = _fake_render(output)
    settings = Settings(output=output, context=fake_render_context(tmp_path), workers=1,
                        batch_context=fake_batch_context,
                        host="0.0.0.0" if with_token else "127.0.0.1",
                        token=TOKEN if with_token else None)
    with serving(settings) as (app, web):
        context = browser.new_context()
        page = context.new_page()
        visited: list[str] = []
        page.on("framenavigated", lambda frame: visited.append(frame.url))
        page.goto(f"{app}/library")
        if with_token:  # the therapist signs in on the page: the token is posted
            assert page.locator("#login-form").count() == 1
            page.fill("#f-token", TOKEN)
            page.click("#login-button")
            page.wait_for_url(f"{app}/library")
            assert not any(TOKEN in url for url in visited), visited  # never in an address
        assert page.locator("tr[data-render]").count() == 1
        before = _tree(output)
        answers: list[tuple[str, str, int]] = []
        context.on("response", lambda r: answers.append((r.request.method, r.url, r.status))
                   if r.url.startswith(app) and r.request.method == "POST" else None)
        caplog.set_level("WARNING", logger="cft_audio.web.csrf")
        caplog.set_level("WARNING", logger="cft_audio.web.security")  # no token: refused first
        refused = lambda: [r.getMessage() for r in caplog.records  # noqa: E731
                           if r.name in ("cft_audio.web.csrf", "cft_audio.web.security")]
        with elsewhere(_attack_pages(app, render_id)) as attacker:
            for kind, origin in (("plain", f"Origin {attacker}"), ("sandboxed", "Origin null")):
                attack = context.new_page()  # a fresh tab for each attack page
                attack.goto(f"{attacker}/{kind}")
                for _ in range(150):
                    seen = {t for t in TARGETS for line in refused()
                            if f"{t}: " in line and origin in line}
                    if len(seen) == len(TARGETS):
                        break
                    attack.wait_for_timeout(100)
                assert seen == set(TARGETS), (kind, refused())
                attack.close()
            page.wait_for_timeout(500)
        refusals = (401, 403) if with_token else (403,)  # a frame with no cookie: no token
        assert answers and all(status in refusals for _, _, status in answers), answers
        assert web.state.web.jobs.count() == 0  # nothing was queued
        assert _tree(output) == before  # nothing written, deleted or uploaded
        page.goto(f"{app}/library")
        assert page.locator("tr[data-render]").count() == 1

        # the app's own page still works: its delete button removes the render
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("tr[data-render] button.danger")
        page.wait_for_url("**/library?deleted=1")
        assert page.locator("tr[data-render]").count() == 0
        context.close()


def test_without_browser_headers_only_the_apps_own_token_passes(tmp_path):
    output = tmp_path / "output"
    render_id = _fake_render(output)
    settings = Settings(output=output, context=fake_render_context(tmp_path))
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8750",
                    follow_redirects=False) as client:
        page = client.get("/library")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        session = client.cookies["cft_session"]
        delete = f"/renders/{render_id}/delete"
        for headers, data in [({}, {}), ({"origin": "null"}, {}),
                              ({"origin": "null"}, {"csrf": "guessed"}),
                              ({"origin": "http://127.0.0.1:9999"}, {"csrf": token}),
                              ({"sec-fetch-site": "same-site"}, {"csrf": token}),
                              ({"sec-fetch-site": "cross-site"}, {"csrf": token}),
                              ({"x-cft-csrf": token[:-1] + ("1" if token[-1] == "0" else "0")},
                               {})]:
            assert client.post(delete, data=data, headers=headers).status_code == 403, headers
        # a cookie tossed in by another port does not help: the token is bound to a secret
        other = TestClient(client.app, base_url="http://127.0.0.1:8750", follow_redirects=False)
        other.cookies.set("cft_session", "attacker-chosen-session-id")
        forged = token_for(b"guess", "attacker-chosen-session-id")
        assert other.post(delete, data={"csrf": forged}).status_code == 403
        assert (output / f"{render_id}.mp3").exists()
        assert client.cookies["cft_session"] == session
        answer = client.post(delete, data={"csrf": token}, headers={"origin": "null"})
        assert answer.status_code == 303
        assert not (output / f"{render_id}.mp3").exists()
