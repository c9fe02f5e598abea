"""Page tests: signing in and out in Chromium, and the refusal pages (403, 503) as shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from cft_audio.web import Settings

from .conftest import fake_render_context
from .server import serving
from .test_csrf import elsewhere
from .test_security import _fake_render

pytestmark = pytest.mark.enable_socket

TOKEN = "paste-me-0123456789-abcdef"
SIZES = {"phone-390x844": {"width": 390, "height": 844},
         "desktop-1280x800": {"width": 1280, "height": 800}}
ATTACK = """<!doctype html><html><body><h1>Totally unrelated page</h1>
<form method="post" action="{action}"><input name="csrf" value="guessed"></form>
<script>document.forms[0].submit();</script></body></html>"""
"""A page elsewhere that posts a delete to the app as a whole-page navigation."""


async def no_wait(seconds: float) -> None:
    """Wrong tokens answer at once in page tests (their waits are counted in test_signin)."""


def fits(page) -> bool:
    """Nothing sticks out sideways (no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_signing_in_and_out_in_the_browser(browser, tmp_path: Path, screenshots, size):
    settings = Settings(output=tmp_path / "out", host="0.0.0.0", token=TOKEN, workers=1,
                        context=fake_render_context(tmp_path), sleep=no_wait)
    with serving(settings) as (base, _app):
        context = browser.new_context(viewport=SIZES[size])
        page = context.new_page()
        asked = page.goto(f"{base}/library")
        assert asked.status == 401 and "open to your network" in page.inner_text("main")
        box, form = page.locator("#f-token"), page.locator("#login-form")
        assert box.bounding_box()["width"] >= 0.95 * form.bounding_box()["width"]
        assert "monospace" in box.evaluate("e => getComputedStyle(e).fontFamily")
        assert box.get_attribute("autocomplete") == "off" and fits(page)
        page.screenshot(path=screenshots / f"signin-{size}.png", full_page=True)
        box.fill("not-it")
        page.click("#login-button")
        assert "not the access token" in page.inner_text("#login-problem")
        assert box.get_attribute("aria-invalid") == "true"
        page.screenshot(path=screenshots / f"signin-wrong-{size}.png", full_page=True)
        box.fill(TOKEN)
        page.click("#login-button")
        page.wait_for_url(f"{base}/library")
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert TOKEN not in cookies["cft_signin"]
        assert page.locator("#sign-out").is_visible() and fits(page)
        page.screenshot(path=screenshots / f"signed-in-library-{size}.png")
        page.click("#sign-out")
        page.wait_for_url(f"{base}/login?signed-out=1")
        assert page.inner_text("#login-problem") == "You have signed out."
        again = page.goto(f"{base}/library")
        assert again.status == 401 and page.locator("#login-form").count() == 1
        context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_refusal_pages_look_like_the_app_and_lead_back(browser, tmp_path: Path, screenshots,
                                                       size):
    output = tmp_path / "out"
    render_id = _fake_render(output)
    settings = Settings(output=output, context=fake_render_context(tmp_path), workers=1,
                        queue_limit=0)  # no room for any job: "Make this format" is busy
    with serving(settings) as (base, _app):
        context = browser.new_context(viewport=SIZES[size])
        page = context.new_page()
        page.goto(f"{base}/renders/{render_id}")
        page.select_option("#more-format", "wav")
        with page.expect_navigation() as busy:
            page.click("text=Make this format")
        assert busy.value.status == 503 and page.inner_text("h1") == "Busy"
        assert "Nothing was started" in page.inner_text("#error-detail") and fits(page)
        page.screenshot(path=screenshots / f"busy-503-{size}.png", full_page=True)
        page.click("#way-back")
        page.wait_for_url(f"{base}/renders/{render_id}")

        action = f"{base}/renders/{render_id}/delete"
        with elsewhere({"/attack": ATTACK.format(action=action)}) as attacker, \
                page.expect_navigation(url=action) as refused:
            page.goto(f"{attacker}/attack")
        assert refused.value.status == 403 and page.inner_text("h1") == "Not allowed"
        assert "Cross-site requests are not accepted" in page.inner_text("#error-detail")
        assert page.locator("nav.site a[href='/library']").is_visible() and fits(page)
        page.screenshot(path=screenshots / f"refused-403-{size}.png", full_page=True)
        page.click("#way-back")
        page.wait_for_url(f"{base}/renders/{render_id}")  # nothing was deleted
        assert (output / f"{render_id}.mp3").exists()
        context.close()


def test_a_token_link_leaves_no_token_in_the_address_bar_or_history(browser, tmp_path: Path):
    settings = Settings(output=tmp_path / "out", host="0.0.0.0", token=TOKEN, workers=1,
                        context=fake_render_context(tmp_path), sleep=no_wait)
    with serving(settings) as (base, _app):
        context = browser.new_context(viewport=SIZES["phone-390x844"])
        page = context.new_page()
        page.goto(f"{base}/library?token={TOKEN}&q=noor")
        assert page.url == f"{base}/library?q=noor" and page.locator("#sign-out").count() == 1
        page.goto(f"{base}/?token={TOKEN}")  # a signed-in browser opens the link again
        assert page.url == f"{base}/"
        history = context.new_cdp_session(page).send("Page.getNavigationHistory")
        visited = [entry["url"] for entry in history["entries"]]
        assert len(visited) >= 2 and not [url for url in visited if TOKEN in url], visited
        context.close()


@pytest.mark.parametrize("token", [None, TOKEN], ids=["open", "signed-in"])
def test_on_a_phone_the_nav_is_one_row_below_the_brand(browser, tmp_path: Path, token):
    settings = Settings(output=tmp_path / "out", host="0.0.0.0" if token else "127.0.0.1",
                        token=token, workers=1, context=fake_render_context(tmp_path),
                        sleep=no_wait)
    with serving(settings) as (base, _app):
        page = browser.new_page(viewport=SIZES["phone-390x844"])
        page.goto(f"{base}/batch" + (f"?token={token}" if token else ""))
        tops = page.eval_on_selector_all(
            "nav.site a", "links => links.map(a => Math.round(a.getBoundingClientRect().top))")
        assert len(tops) == 3 and len(set(tops)) == 1, tops  # "Batch" not on a line of its own
        brand = page.locator(".brand").bounding_box()
        assert tops[0] >= brand["y"] + brand["height"] and fits(page)
        if token:  # Sign out shares the brand's line
            out = page.locator("#sign-out").bounding_box()
            assert out["y"] < tops[0] and out["x"] > brand["x"] + brand["width"]
        page.close()
