"""Bodies: the token before any byte is read; every body bounded while it streams; 413, never cut.

The app is driven as ASGI directly, with a `receive` that counts what the app pulls, so
each test knows exactly how much of a body was read (no timing: the figures are in
benchmarks/upload_bounds.py).
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cft_audio.web import Settings, create_app
from cft_audio.web.bodies import MB
from cft_audio.web.csrf import SCAN_BYTES
from cft_audio.web.uploads import FORM_BYTES

from .conftest import fake_render_context, run_apart

pytestmark = pytest.mark.enable_socket  # asyncio.run needs a local socketpair

TOKEN = "lan-token-0123456789"
CHUNK = 64 * 1024
SAME = [(b"sec-fetch-site", b"same-origin")]
BOUNDARY = "cftboundary"


class Body:
    """A request body in chunks (endless if `total` is None), counting what the app reads."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.read = 0
        self.calls = 0

    async def __call__(self) -> dict:
        self.calls += 1
        chunk = next(self.chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}


def endless(head: bytes = b"", cap: int = 300 * MB) -> Iterator[bytes]:
    """`head`, then zeros without end (bounded at `cap` so a failing test still ends)."""
    yield head
    sent = len(head)
    while sent < cap:
        yield bytes(CHUNK)
        sent += CHUNK


def multipart_head(fields: dict[str, str], file_field: str, filename: str) -> bytes:
    """The start of a multipart form: text fields, then a file part that never ends."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             for k, v in fields.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
                 f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n')
    return "".join(parts).encode()


def call(app, method: str, path: str, headers: list[tuple[bytes, bytes]],
         body: Body) -> tuple[int, dict[bytes, bytes], str]:
    """One request straight into the ASGI app: (status, headers, text)."""
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("127.0.0.1", 8750), "client": ("127.0.0.1", 50000),
             "headers": [(b"host", b"127.0.0.1:8750"), *headers]}
    answer: dict = {"status": 0, "headers": {}, "body": b""}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = dict(message.get("headers", []))
        else:
            answer["body"] += message.get("body", b"")

    run_apart(app(scope, body, send))
    return answer["status"], answer["headers"], answer["body"].decode("utf-8", "replace")


@pytest.fixture
def lan(tmp_path: Path, monkeypatch):
    """A tokened app, its output folder and a private temp folder for its spooled uploads."""
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    settings = Settings(output=tmp_path / "out", host="0.0.0.0", token=TOKEN,
                        context=fake_render_context(tmp_path), workers=1)
    app = create_app(settings)
    yield app, tmp_path / "out", spool
    app.state.web.jobs.shutdown()


def _signed_in(app) -> tuple[list[tuple[bytes, bytes]], str]:
    """Headers of a signed-in browser session with no Origin, and its CSRF token."""
    status, headers, text = call(app, "GET", "/library", [(b"x-cft-token", TOKEN.encode())],
                                 Body(iter(())))
    assert status == 200
    session = headers[b"set-cookie"].split(b";")[0]
    token = re.search(r'name="csrf" content="([^"]+)"', text).group(1)
    return [(b"x-cft-token", TOKEN.encode()), (b"cookie", session)], token


def _nothing_left(app, output: Path, spool: Path) -> None:
    assert app.state.web.jobs.count() == 0  # nothing started
    assert list(spool.iterdir()) == []  # nothing spooled and left
    assert not [p for p in output.rglob("*") if p.is_file()]  # no upload, no render


@pytest.mark.parametrize("path", ["/new/safe-place", "/batch", "/api/preview/script",
                                  "/jobs/x/cancel", "/login"])
def test_no_token_is_refused_before_a_byte_of_the_body(lan, path):
    app, output, spool = lan
    body = Body(endless(multipart_head({"name": "Sam"}, "background-file", "a.wav")))
    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
               (b"transfer-encoding", b"chunked")]
    status, _, text = call(app, "POST", path, headers, body)
    if path == "/login":  # signing in reads the form (4 kB at most), then refuses
        assert status == 413 and body.read <= 4096 + CHUNK
    else:
        assert status == 401 and body.read == 0 and body.calls == 0
        assert ('"error": "Sign in first' if path.startswith("/api/") else 'id="login-form"') \
            in text  # the pages' own fetches get JSON
    _nothing_left(app, output, spool)


def test_a_cross_site_post_with_the_token_is_refused_before_its_body(lan):
    app, output, spool = lan
    body = Body(endless())
    status, _, _ = call(app, "POST", "/new/safe-place", [
        (b"x-cft-token", TOKEN.encode()), (b"origin", b"http://evil.example"),
        (b"content-type", b"application/x-www-form-urlencoded")], body)
    assert status == 403 and body.read == 0
    _nothing_left(app, output, spool)


def test_an_endless_upload_is_refused_as_its_file_passes_the_limit(lan, caplog):
    app, output, spool = lan
    caplog.set_level(logging.INFO)
    body = Body(endless(multipart_head({"name": "Sam"}, "background-file", "rain.wav")))
    status, _, text = call(app, "POST", "/new/safe-place", [
        (b"x-cft-token", TOKEN.encode()), *SAME, (b"transfer-encoding", b"chunked"),
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())], body)
    assert status == 413
    assert "Your own background sound: the file is larger than 50 MB. Nothing was started." \
        in text
    assert 50 * MB < body.read <= 50 * MB + 2 * CHUNK  # stopped at the limit, not after
    _nothing_left(app, output, spool)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_a_body_past_the_route_limit_is_refused_never_passed_on_cut(lan):
    app, output, spool = lan
    field = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="detail"\r\n\r\n'
    many = (field.encode() + b"x" * (MB - 1000) + b"\r\n" for _ in range(100))
    body = Body(many)  # 100 fields under 1 MB each: only the whole body is too large
    status, _, text = call(app, "POST", "/new/safe-place", [
        (b"x-cft-token", TOKEN.encode()), *SAME,
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())], body)
    assert status == 413 and "larger than" in text
    assert FORM_BYTES < body.read <= FORM_BYTES + MB
    _nothing_left(app, output, spool)


def test_a_declared_length_over_the_limit_is_refused_unread(lan):
    app, output, spool = lan
    body = Body(endless())
    status, _, _ = call(app, "POST", "/jobs/x/cancel", [
        (b"x-cft-token", TOKEN.encode()), *SAME, (b"content-length", str(2 * MB).encode()),
        (b"content-type", b"application/x-www-form-urlencoded")], body)
    assert status == 413 and body.read == 0


def test_a_large_text_field_is_too_large_not_a_csrf_failure(lan):
    app, output, spool = lan
    headers, token = _signed_in(app)
    head = multipart_head({"csrf": token, "name": "Sam"}, "x", "x")
    head = head[: head.rindex(b"--" + BOUNDARY.encode())]  # only the text fields so far
    big = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="detail"\r\n\r\n'.encode()
    body = Body(iter([head, big, *endless(cap=3 * MB)]))
    status, _, text = call(app, "POST", "/new/safe-place", [
        *headers, (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())], body)
    assert status == 413
    assert "A text field of the form is larger than 1 MB" in text and "CSRF" not in text
    _nothing_left(app, output, spool)


def test_without_browser_headers_the_csrf_field_is_looked_for_in_the_first_64_kb(lan):
    app, output, spool = lan
    headers, token = _signed_in(app)
    kind = (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())
    late = multipart_head({"detail": "x" * SCAN_BYTES, "csrf": token}, "x", "x")
    body = Body(endless(late, cap=20 * MB))
    status, _, text = call(app, "POST", "/new/safe-place", [*headers, kind], body)
    assert status == 403 and "no valid CSRF token" in text
    assert body.read <= SCAN_BYTES + 2 * CHUNK  # never the whole body
    first = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n' \
            f'--{BOUNDARY}--\r\n'.encode()
    status, _, _ = call(app, "POST", "/jobs/no-such-job/cancel", [*headers, kind],
                        Body(iter([first])))
    assert status == 404  # the token passed; the job does not exist


def test_a_client_gone_mid_upload_leaves_nothing_and_no_traceback(lan, caplog):
    app, output, spool = lan
    caplog.set_level(logging.INFO)
    chunks = endless(multipart_head({"name": "Sam"}, "background-file", "rain.wav"),
                     cap=3 * MB)

    async def receive() -> dict:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": True}

    status, _, _ = call(app, "POST", "/new/safe-place", [
        (b"x-cft-token", TOKEN.encode()), *SAME,
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())], receive)
    assert status == 0  # nobody to answer
    _nothing_left(app, output, spool)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert any("went away" in r.getMessage() for r in caplog.records)
