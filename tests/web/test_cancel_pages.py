"""Pages after a cancel say "Cancelled" only; the batch done page opens each pack's page."""

from __future__ import annotations

from pathlib import Path

import pytest

from cft_audio.web import Settings

from .conftest import fake_batch_context, fake_render_context
from .pages import cancel_on_page, get_json, says_only
from .server import serving
from .test_batch_web import GOOD
from .test_jobs import BIG_BATCH, DESKTOP, LONG, PHONE, job_of, post, upload, wait_for

pytestmark = pytest.mark.enable_socket

ORDER = GOOD.replace("  - {id: p01, name: Sam}\n", "  - {id: p10, name: Sam}\n"
                    "  - {id: p05, name: Noor}\n  - {id: p01, name: Lee}\n")
"""Participants out of order: the done page lists them p01, p05, p10."""


@pytest.fixture(scope="module")
def site(module_folder: Path):
    """One worker shared by renders and batches, with the fake voice."""
    output = module_folder / "output"
    settings = Settings(output=output, context=fake_render_context(module_folder), workers=1,
                        batch_context=fake_batch_context)
    with serving(settings) as (base, _app):
        yield base, output


def _shoot(page, screenshots: Path, name: str) -> None:
    """Screenshots of the page on a phone and on a desktop."""
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / f"{name}-phone-390x844.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=screenshots / f"{name}-desktop-1280x800.png", full_page=True)


def test_a_cancelled_render_page_says_cancelled_only(site, browser, screenshots):
    base, _ = site
    job = job_of(post(base, "/new/safe-place", LONG)[1])
    page = browser.new_page(viewport=PHONE)
    text = cancel_on_page(page, f"{base}/jobs/{job}", "#job-cancelled")
    says_only(page, text, "Cancelled.", ("Rendering", "This takes a little while", "%",
                                          "Cancel this", "Stopping"))
    _shoot(page, screenshots, "render-cancelled")
    page.close()


def test_a_cancelled_batch_asks_first_then_says_cancelled_and_resumes(site, browser,
                                                                       screenshots):
    base, _ = site
    job = job_of(upload(base, BIG_BATCH)[1])
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(120_000)
    page.goto(f"{base}/jobs/{job}")
    page.wait_for_function("() => /left for this step/.test("
                           "document.getElementById('job-counts').textContent)")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#cancel")
    page.wait_for_selector("#job-cancelled")
    assert asked and "resume" in asked[0]
    text = page.inner_text("main")
    assert "Cancelled." in text and "Finished tracks stay" in text
    for stale in ("left", "Making", "This takes a little while", "%"):
        assert stale not in text, stale
    assert page.is_visible("#resume")
    _shoot(page, screenshots, "batch-cancelled")
    page.click("#resume")
    page.wait_for_url("**/jobs/**")
    again = job_of(page.url)
    assert again != job and get_json(f"{base}/api/jobs/{again}")["state"] in ("queued",
                                                                              "running")
    post(base, f"/jobs/{again}/cancel", {"confirm": "1"})
    page.close()


def test_the_batch_done_page_lists_packs_in_order_and_opens_their_pages(site, browser,
                                                                         screenshots):
    base, _ = site
    job = job_of(upload(base, ORDER)[1])
    wait_for(base, job, lambda s: s["state"] == "done", seconds=300)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/batch/{job}")
    names = page.eval_on_selector_all(".pack-name", "found => found.map(n => n.textContent)")
    assert names == ["p01", "p05", "p10"]
    _shoot(page, screenshots, "batch-done")
    summary = page.get_attribute("#summary-html", "href")
    response = page.request.get(base + summary)
    assert response.headers["content-type"].startswith("text/html")
    assert "attachment" not in response.headers.get("content-disposition", "")
    page.click("a[data-pack='p05']")
    page.wait_for_url("**/p05/index.html")
    assert page.is_visible("#play")  # the pack's own phone page, served by the app
    assert page.evaluate("document.querySelector('audio').textTracks.length") == 1
    page.close()
