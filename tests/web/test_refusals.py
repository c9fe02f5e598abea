"""Refusal pages: the app's layout, one line saying why, a way back; JSON for /api/."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cft_audio.web import Settings, create_app

from .conftest import fake_render_context
from .test_security import _fake_render

pytestmark = pytest.mark.enable_socket

@pytest.fixture
def loopback(tmp_path: Path):
    """A loopback app with one render (id) and no room for any job."""
    render_id = _fake_render(tmp_path / "out")
    app = create_app(Settings(output=tmp_path / "out", context=fake_render_context(tmp_path),
                              workers=1, queue_limit=0))
    with TestClient(app, base_url="http://127.0.0.1:8750", follow_redirects=False) as client:
        yield client, render_id
    app.state.web.jobs.shutdown()


def csrf(client: TestClient) -> str:
    """The CSRF token of the client's session."""
    return client.get("/library").text.split('name="csrf" content="')[1].split('"')[0]


def styled(response, status: int, reason: str, back: tuple[str, str]) -> None:
    """The refusal is an HTML page of the app, with its reason and its way back."""
    text = response.text
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/app.css">' in text
    assert '<nav class="site"' in text and f'data-status="{status}"' in text
    assert reason in text.split('id="error-detail">')[1].split("</p>")[0]
    assert f'id="way-back" href="{back[0]}">{back[1]}</a>' in text


def test_csrf_and_cross_site_refusals_are_pages_with_a_way_back(loopback):
    client, render_id = loopback
    csrf(client)
    styled(client.post(f"/renders/{render_id}/delete", headers={"origin": "null"}), 403,
           "no valid CSRF token", (f"/renders/{render_id}", "Back to the recording"))
    styled(client.post("/new/safe-place", data={"name": "Sam"},
                       headers={"origin": "http://evil.example"}), 403,
           "Cross-site requests are not accepted", ("/new/safe-place", "Back to the form"))


def test_missing_things_lead_back_to_the_library_or_the_exercises(loopback):
    client, _ = loopback
    styled(client.get("/renders/20990101-000000-gone/track"), 404, "No such recording",
           ("/library", "Back to the library"))
    styled(client.get("/new/no-such-exercise"), 404, "No such exercise",
           ("/", "Back to the exercises"))


def test_too_large_and_unreadable_forms_lead_back_to_the_form(loopback):
    client, _ = loopback
    token = csrf(client)
    huge = client.post("/new/safe-place", content=b"x",
                       headers={"content-length": str(10**9), "x-cft-csrf": token,
                                "content-type": "application/x-www-form-urlencoded"})
    styled(huge, 413, "larger than", ("/new/safe-place", "Back to the form"))
    assert "Nothing was started" in huge.text
    broken = client.post("/new/safe-place", content=b"no boundary to find",
                         headers={"x-cft-csrf": token, "content-type": "multipart/form-data"})
    styled(broken, 400, "The form could not be read", ("/new/safe-place", "Back to the form"))


def test_a_full_queue_is_a_busy_page_back_to_the_recording(loopback):
    client, render_id = loopback
    busy = client.post(f"/renders/{render_id}/formats", data={"format": "wav"},
                       headers={"x-cft-csrf": csrf(client)})
    styled(busy, 503, "Nothing was started", (f"/renders/{render_id}", "Back to the recording"))
    assert "<h1>Busy</h1>" in busy.text


def test_api_refusals_stay_json(loopback):
    client, _ = loopback
    token = csrf(client)
    forged = client.post("/api/preview/script", headers={"origin": "http://evil.example"})
    assert forged.status_code == 403 and "Cross-site" in forged.json()["error"]
    huge = client.post("/api/preview/script", content=b"x",
                       headers={"content-length": str(10**9), "x-cft-csrf": token})
    assert huge.status_code == 413 and "larger than" in huge.json()["error"]
    assert client.get("/api/nothing-here").json() == {"error": "Not Found"}


def test_an_unknown_host_name_is_a_page_without_a_csrf_token(loopback):
    client, _ = loopback
    refused = client.get("/", headers={"host": "rebound.example"})
    assert refused.status_code == 400 and "only at 127.0.0.1 or localhost" in refused.text
    assert '<meta name="csrf" content="">' in refused.text  # nothing a rebinding page could use
