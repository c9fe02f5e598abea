"""Access control: loopback by default, a token on the LAN, and no path out of the output folder."""

from __future__ import annotations

import http.client
import json
import os
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cft_audio.cli import main
from cft_audio.web import Settings, create_app
from cft_audio.web.security import OutsideFolder, access_token, is_loopback, safe_path

from .conftest import fake_render_context
from .server import serving

pytestmark = pytest.mark.enable_socket  # TestClient's event loop needs a local socketpair

TOKEN = "correct-horse-battery"
SECRET = "do not serve me"


@pytest.fixture
def lan_client(tmp_path: Path) -> TestClient:
    """The app as bound to the LAN with a token."""
    settings = Settings(output=tmp_path / "out", host="0.0.0.0", token=TOKEN,
                        context=fake_render_context(tmp_path), public_url="http://192.0.2.7:8750")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "my-laptop.local"])
def test_non_loopback_host_without_token_refuses_to_start(host, capsys, monkeypatch):
    started = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(a))
    assert main(["serve", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"cft-audio: error: --host {host} makes the app reachable")
    assert "--token" in err
    assert started == []


def test_token_auto_is_generated_and_printed(capsys, monkeypatch, tmp_path):
    started = []
    monkeypatch.setattr("uvicorn.run", lambda app, **k: started.append(k))
    assert main(["serve", "--host", "192.168.1.20", "--port", "8799", "--token", "auto",
                 "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "at http://192.168.1.20:8799/ " in out and "?token=" not in out
    token = out.split("access token: ")[1].split()[0]
    assert len(token) >= 24
    assert started == [{"host": "192.168.1.20", "port": 8799, "log_level": "warning",
                        "access_log": False, "timeout_graceful_shutdown": 1}]


def test_loopback_needs_no_token_and_short_tokens_are_refused():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.2")
    assert access_token("127.0.0.1", None) is None
    assert access_token("10.0.0.2", "long-enough") == "long-enough"
    with pytest.raises(Exception, match="at least 8"):
        access_token("10.0.0.2", "short")


@pytest.mark.parametrize("path", ["/", "/library", "/new/safe-place", "/static/app.js",
                                  "/api/jobs/x", "/files/anything.mp3", "/batch"])
def test_requests_without_the_token_get_401(lan_client, path):
    assert lan_client.get(path).status_code == 401
    assert lan_client.get(path, headers={"x-cft-token": "wrong-token"}).status_code == 401
    lan_client.cookies.set("cft_token", "wrong-token")
    assert lan_client.get(path).status_code == 401


def test_posting_a_render_without_the_token_renders_nothing(lan_client, tmp_path):
    response = lan_client.post("/new/safe-place", data={"name": "Sam", "minutes": "4"},
                               headers={"sec-fetch-site": "same-origin"})
    assert response.status_code == 401
    assert list((tmp_path / "out").iterdir()) == []


def test_token_once_in_the_address_then_a_cookie(lan_client):
    first = lan_client.get(f"/library?q=sam&token={TOKEN}")
    assert first.status_code == 303
    assert first.headers["location"] == "/library?q=sam"  # the token leaves the address bar
    assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in \
        first.headers["set-cookie"]
    assert lan_client.get("/library").status_code == 200  # the client kept the cookie
    fresh = TestClient(lan_client.app)
    assert fresh.get("/library", headers={"x-cft-token": TOKEN}).status_code == 200
    assert fresh.get("/library", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_pages_load_nothing_from_elsewhere(lan_client):
    response = lan_client.get("/new/safe-place", headers={"x-cft-token": TOKEN})
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "http://" not in response.text.replace("http://192.0.2.7", "")
    assert "https://" not in response.text


def test_loopback_app_refuses_other_host_names_and_cross_site_posts(tmp_path):
    settings = Settings(output=tmp_path / "out", context=fake_render_context(tmp_path))
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8750") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400
        posted = client.post("/new/safe-place", data={"name": "Sam"},
                             headers={"origin": "http://evil.example"})
        assert posted.status_code == 403


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """An output folder with one file, a secret beside it and a symlink pointing at the secret."""
    output = tmp_path / "out"
    (output / "20260101-000000-abcdef").mkdir(parents=True)
    (output / "20260101-000000-abcdef" / "track.txt").write_text("inside")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (output / "escape.txt").symlink_to(secret)
    (output / "20260101-000000-abcdef" / "up").symlink_to(tmp_path)
    return output, secret


def test_safe_path_stays_inside(tree):
    output, secret = tree
    assert safe_path(output, "20260101-000000-abcdef/track.txt").read_text() == "inside"
    for bad in ["../secret.txt", "20260101-000000-abcdef/../../secret.txt", str(secret),
                "/etc/passwd", "escape.txt", "20260101-000000-abcdef/up/secret.txt",
                ".web/shares.json", "", ".", "a\\..\\secret.txt", "x\x00.txt"]:
        with pytest.raises(OutsideFolder):
            safe_path(output, bad)


TRAVERSALS = [
    "/files/../secret.txt",
    "/files/%2e%2e/secret.txt",
    "/files/%2E%2E/%2e%2e/secret.txt",
    "/files/20260101-000000-abcdef/%2e%2e/%2e%2e/secret.txt",
    "/files/..%2fsecret.txt",
    "/files/%2e%2e%2fsecret.txt",
    "/files/%252e%252e/secret.txt",
    "/files/escape.txt",
    "/files/20260101-000000-abcdef/up/secret.txt",
    "/files/.web/shares.json",
    "/renders/..%2f..%2fsecret",
    "/renders/%2e%2e/secret",
    "/c/%2e%2e/files",
    "/c/x/..%2f..%2fsecret.txt",
    "/static/..%2f..%2fcli.py",
    "/static/..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e/app.py",
]


def test_path_parameters_cannot_reach_outside_the_output_folder(tree, tmp_path):
    output, secret = tree
    settings = Settings(output=output, context=fake_render_context(tmp_path))
    absolute = [f"/files/{secret}", f"/files//{secret}", f"/files/%2F{str(secret)[1:]}",
                "/files//etc/passwd", "/files/%2Fetc%2Fpasswd", "/renders//etc/passwd"]
    with serving(settings) as (base, _app):
        port = int(base.rsplit(":", 1)[1])
        for path in [*TRAVERSALS, *absolute]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.putrequest("GET", path, skip_host=True)  # sent exactly as written
            connection.putheader("Host", f"127.0.0.1:{port}")
            connection.endheaders()
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            connection.close()
            assert response.status in (400, 404), (path, response.status)
            assert SECRET not in body and "root:" not in body, path
        inside = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        inside.request("GET", "/files/20260101-000000-abcdef/track.txt")
        assert inside.getresponse().read() == b"inside"
    assert os.path.exists(secret)


def _fake_render(output: Path, name: str = "Sam") -> str:
    """A render on disk as the pipeline leaves it (record, audio, captions, script)."""
    folder = output / "20260102-030405-abcdef"
    folder.mkdir(parents=True)
    stem = folder / "safe-place-short"
    request = {"exercise": "safe-place", "name": name, "format": "mp3", "sidecars": ["json"]}
    stem.with_suffix(".json").write_text(json.dumps({"request": request}))
    stem.with_suffix(".mp3").write_bytes(b"ID3 not really audio")
    stem.with_suffix(".vtt").write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHello.\n")
    stem.with_suffix(".txt").write_text("The Safe Place\n\n[bell]\nHello, Sam.\n[pause 5s]\n")
    return "20260102-030405-abcdef/safe-place-short"


def test_the_client_link_opens_one_recording_without_the_app_token(lan_client, tmp_path):
    render_id = _fake_render(tmp_path / "out")
    page = lan_client.get(f"/renders/{render_id}", headers={"x-cft-token": TOKEN})
    assert page.status_code == 200
    assert "<svg" in page.text and "QR code for the client page" in page.text
    link = re.search(r'id="client-link"><a href="([^"]+)"', page.text).group(1)
    assert link.startswith("http://192.0.2.7:8750/c/")
    assert link.endswith("/")
    key_path = link.removeprefix("http://192.0.2.7:8750").rstrip("/")
    phone = TestClient(lan_client.app, follow_redirects=False)  # no token, no cookie
    moved = phone.get(key_path)  # links given out before the page had its own folder
    assert moved.status_code == 308 and moved.headers["location"] == f"{key_path}/"
    opened = phone.get(f"{key_path}/")
    assert opened.status_code == 200 and "The Safe Place" in opened.text
    assert "Hello, Sam." in opened.text  # the script, for the client to read
    assert phone.get(f"{key_path}/audio.mp3").content == b"ID3 not really audio"
    assert phone.get(f"{key_path}/captions.vtt").text.startswith("WEBVTT")
    for other in (f"{key_path}/safe-place-short.json", f"{key_path}/audio.wav",
                  "/c/not-a-real-key", f"{key_path}x", "/c/", f"/files/{render_id}.mp3",
                  f"/renders/{render_id}", "/library"):
        assert phone.get(other).status_code in (401, 404), other


def test_signing_in_posts_the_token_and_never_redirects_elsewhere(lan_client):
    same = {"sec-fetch-site": "same-origin"}
    asked = lan_client.get("/library?q=sam")
    assert asked.status_code == 401 and 'id="login-form"' in asked.text
    assert 'name="next" value="/library"' in asked.text
    wrong = lan_client.post("/login", data={"token": "wrong-token", "next": "/library"},
                            headers=same)
    assert wrong.status_code == 401 and "not the access token" in wrong.text
    signed = lan_client.post("/login", data={"token": TOKEN, "next": "/library"}, headers=same)
    assert signed.status_code == 303 and signed.headers["location"] == "/library"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age" not in cookie
    assert lan_client.get("/library").status_code == 200
    kept = TestClient(lan_client.app, follow_redirects=False).post(
        "/login", data={"token": TOKEN, "keep": "1", "next": "/"}, headers=same)
    assert "Max-Age=604800" in kept.headers["set-cookie"]  # kept through a browser restart
    fresh = TestClient(lan_client.app, follow_redirects=False)
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example/", "evil"):
        away = fresh.post("/login", data={"token": TOKEN, "next": target}, headers=same)
        assert away.headers["location"] == "/", target
    forged = fresh.post("/login", data={"token": TOKEN}, headers={"origin": "null"})
    assert forged.status_code == 403  # a page elsewhere cannot sign the browser in


@pytest.mark.parametrize("raw", ["//evil.example/?token=" + TOKEN,
                                 "/\\evil.example/?token=" + TOKEN,
                                 "///evil.example/?token=" + TOKEN])
def test_a_token_address_redirects_only_to_a_local_path(tmp_path, raw):
    settings = Settings(output=tmp_path / "out", host="0.0.0.0", token=TOKEN,
                        context=fake_render_context(tmp_path))
    with serving(settings) as (base, _app):
        port = int(base.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("GET", raw, skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{port}")
        connection.endheaders()
        response = connection.getresponse()
        location = response.getheader("location") or ""
        connection.close()
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
