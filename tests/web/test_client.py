"""The client page offline (service worker, manifest); pack pages from a folder and the app."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from cft_audio.export.player import PlayerTrack, player_html
from cft_audio.pipeline import Renderer
from cft_audio.request import Request
from cft_audio.web import Settings
from cft_audio.web.library import find_render
from cft_audio.web.renders import render_new

from .conftest import fake_render_context
from .pages import OneFormat, client_link
from .server import serving

pytestmark = pytest.mark.enable_socket

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CAPTIONED = """async () => {
  const audio = document.querySelector('audio');
  const caption = document.getElementById('caption');
  audio.muted = true;
  const cue = audio.textTracks[0].cues[2];
  audio.currentTime = cue.startTime + 0.05;
  await audio.play();
  const start = audio.currentTime;
  for (let i = 0; i < 40 && !caption.textContent.trim(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 800));
  return {moved: audio.currentTime - start, caption: caption.textContent, cue: cue.text,
          duration: audio.duration};
}"""
"""Play from the third caption's start; what the page shows as its caption."""


@pytest.fixture(scope="module")
def site(module_folder: Path):
    """A served app with one real (fake-voice) render in it; yields (base, output, render id)."""
    output = module_folder / "output"
    output.mkdir()
    context = fake_render_context(module_folder)
    request = Request("safe-place", name="Noor", minutes=4, pace="brisk", background="none",
                      mono=True)
    render_id = render_new(Renderer(context), OneFormat(), request, ("mp3",), output)
    with serving(Settings(output=output, context=context)) as (base, _app):
        yield base, output, render_id


def test_the_client_page_installs_and_plays_with_captions_after_an_offline_reload(
        site, browser, screenshots):
    base, output, render_id = site
    link = client_link(base, browser, render_id)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(base + link)
    assert link.endswith("/") and page.url == f"{base}{link}"  # the worker's scope
    assert "Open this page once while you are on Wi-Fi" in page.inner_text("main")
    page.wait_for_selector("html[data-offline=ready]")
    assert page.inner_text("#offline-status").startswith("Saved on this phone")

    cdp = context.new_cdp_session(page)
    found = cdp.send("Page.getAppManifest")
    assert found["errors"] == [], found["errors"]
    manifest = json.loads(found["data"])
    assert manifest["name"] == "The Safe Place" and manifest["display"] == "standalone"
    assert manifest["start_url"] == manifest["scope"] == link
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    for item in manifest["icons"]:
        size = page.evaluate("""async (src) => {
          const blob = await (await fetch(src)).blob();
          const bitmap = await createImageBitmap(blob);
          return [blob.type, bitmap.width, bitmap.height];
        }""", item["src"])
        assert size == ["image/png", *map(int, item["sizes"].split("x"))]

    context.set_offline(True)
    page.reload()
    assert page.inner_text("h1") == "The Safe Place" and "For Noor" in page.inner_text("main")
    played = page.evaluate(CAPTIONED)
    assert played["moved"] > 0.5 and played["duration"] == pytest.approx(240, abs=1)
    assert played["caption"].strip() and played["caption"].strip() in played["cue"], played
    page.evaluate("document.querySelector('audio').pause()")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.screenshot(path=screenshots / "client-offline-phone-390x844.png")
    page.set_viewport_size(DESKTOP)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "client-offline-desktop-1280x800.png")
    offline_again = context.new_page()  # a fresh tab, still offline: served by the worker
    offline_again.goto(base + link)
    assert offline_again.inner_text("h1") == "The Safe Place"
    context.close()


def test_pack_pages_work_from_a_folder_and_through_the_app(site, browser, tmp_path):
    base, output, render_id = site
    entry = find_render(output, render_id)
    captions = base64.b64encode(entry.sidecar("vtt").read_bytes()).decode()
    track = PlayerTrack(entry.title, entry.files["mp3"].name,  # as a pack's index.html has it
                        f"data:text/vtt;charset=utf-8;base64,{captions}", "Script", 240)
    page_html = player_html("Riverside group", [track], subtitle="Facilitator")
    (entry.record.parent / "index.html").write_text(page_html)
    folder_url = (entry.record.parent / "index.html").as_uri()
    app_url = f"{base}/files/{render_id.split('/')[0]}/index.html"
    context = browser.new_context(viewport=PHONE)
    for url in (folder_url, app_url):
        page = context.new_page()
        problems = []
        page.on("console", lambda message, problems=problems: problems.append(message.text)
                if message.type == "error" else None)
        page.goto(url)
        styled = page.evaluate("getComputedStyle(document.querySelector('.player')).borderRadius")
        assert styled == "16px", url  # the inline style applies
        assert page.is_visible("#play")  # the inline script ran (custom controls shown)
        played = page.evaluate(CAPTIONED)
        assert played["moved"] > 0.5 and played["caption"].strip(), (url, played)
        assert problems == [], (url, problems)
        page.close()
    context.close()


def test_the_render_page_shows_captions_while_playing_and_one_length(site, browser):
    base, output, render_id = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/renders/{render_id}")
    played = page.evaluate(CAPTIONED.replace("document.getElementById('caption')",
                                             "document.getElementById('render-caption')"))
    assert played["moved"] > 0.5 and played["caption"].strip() in played["cue"], played
    assert played["caption"].strip()
    seconds = int(page.evaluate("document.querySelector('audio').duration"))
    assert page.inner_text("#render-length") == f"{seconds // 60}:{seconds % 60:02d}"
    page.close()


def test_library_rows_tell_renders_apart_and_search_finds_places(site, browser):
    base, output, render_id = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/library?q=beach")
    row = page.locator("tr[data-render]")
    assert row.count() == 1
    cells = [c.strip() for c in row.inner_text().split("\t")]
    assert cells[:8] == ["Noor", "The Safe Place", "beach", "none", "joe", "warm", "brisk",
                         "4:00"], cells
    page.goto(f"{base}/library?q=forest")
    assert page.locator("tr[data-render]").count() == 0
    page.close()
