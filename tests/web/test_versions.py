"""Recordings told apart (library, recording page, downloads), own templates on the client's
phone, and a client page that resumes where it stopped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from cft_audio.pipeline import Renderer
from cft_audio.request import Request
from cft_audio.web import Settings
from cft_audio.web.library import find_render

from .conftest import fake_render_context
from .pages import DESKTOP, PHONE, OneFormat, client_link
from .server import serving

pytestmark = pytest.mark.enable_socket

TEMPLATE = """[bell]
[section Evening]
Hello{% if name %}, {{ name }}{% endif %}.
[pause long]
Rest a while, and let the evening settle.
[bell]
"""
RED = (200, 30, 40)


@pytest.fixture(scope="module")
def site(module_folder: Path, tmp_path_factory):
    """A served app with two versions for Noor (ocean, stream) and one own-template render."""
    output = module_folder / "output"
    output.mkdir()
    context = fake_render_context(module_folder)
    renderer = Renderer(context)
    ids = {}
    for background in ("ocean", "stream"):
        request = Request("safe-place", name="Noor", minutes=4, background=background,
                          mono=True)
        ids[background] = render_new(renderer, request, output)
    own = tmp_path_factory.mktemp("own")
    (own / "evening-practice.j2").write_text(TEMPLATE)
    Image.new("RGB", (300, 200), RED).save(own / "cover.png")
    custom = Request(None, script=own / "evening-practice.j2", name="Noor", pace="brisk",
                     background="none", mono=True)
    ids["custom"] = render_new(renderer, custom, output,
                               {"script": own / "evening-practice.j2", "cover": own / "cover.png"})
    with serving(Settings(output=output, context=context)) as (base, _app):
        yield base, output, ids


def render_new(renderer: Renderer, request: Request, output: Path,
               uploads: dict[str, Path] | None = None) -> str:
    """One MP3 render through the web app's own job code."""
    from cft_audio.web.renders import render_new as web_render

    return web_render(renderer, OneFormat(), request, ("mp3",), output, uploads)


def _downloads(page) -> dict[str, str]:
    """The suggested file names of the recording page's MP3 and captions downloads."""
    names = {}
    for kind in ("mp3", "vtt"):
        with page.expect_download() as found:
            page.click(f"#download-{kind}")
        names[kind] = found.value.suggested_filename
        found.value.cancel()
    return names


def test_two_versions_are_told_apart_in_the_library_and_by_their_downloads(site, browser,
                                                                            screenshots):
    base, output, ids = site
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/library?q=safe+place")
    rows = {bg: page.locator(f"tr[data-render='{ids[bg]}']") for bg in ("ocean", "stream")}
    cells = {bg: [c.strip() for c in row.inner_text().split("\t")] for bg, row in rows.items()}
    assert cells["ocean"] != cells["stream"]
    assert cells["ocean"][:8] == ["Noor", "The Safe Place", "beach", "ocean", "joe", "warm",
                                  "slow", "4:00"], cells
    assert cells["stream"][3] == "stream"
    page.goto(base + "/")  # the home page's recent list tells them apart too
    recent = page.eval_on_selector_all("main li", "items => items.map(i => i.innerText)")
    assert len(set(recent)) == len(recent) == 3, recent
    assert any("ocean background · joe, slow · 4:00" in line for line in recent), recent
    page.goto(f"{base}/library?q=noor+ocean")  # the background is searched too
    assert page.locator("tr[data-render]").count() == 1
    page.goto(f"{base}/library?q=safe+place")
    page.screenshot(path=screenshots / "library-desktop-1280x800.png", full_page=True)

    names = {}
    for background in ("ocean", "stream"):
        page.goto(f"{base}/renders/{ids[background]}")
        assert page.inner_text("#render-background") == background
        assert page.inner_text("#render-voice") == "joe"
        assert page.inner_text("#render-pace") == "slow"
        names[background] = _downloads(page)
        assert Path(names[background]["mp3"]).stem in page.inner_text("#download-name")
        if background == "ocean":
            page.screenshot(path=screenshots / "recording-desktop-1280x800.png")
            page.set_viewport_size(PHONE)
            page.screenshot(path=screenshots / "recording-phone-390x844.png", full_page=True)
            page.set_viewport_size(DESKTOP)
    for found in names.values():
        assert Path(found["vtt"]).stem == Path(found["mp3"]).stem, found  # one stem
        assert found["mp3"].startswith("safe-place-beach-4min-") and "noor" not in found["mp3"]
    assert names["ocean"]["mp3"] != names["stream"]["mp3"]
    assert "-ocean-" in names["ocean"]["mp3"] and "-stream-" in names["stream"]["mp3"]
    context.close()


def test_on_a_phone_the_library_is_labelled_and_delete_stands_apart(site, browser,
                                                                     screenshots):
    base, output, ids = site
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base}/library")
    row = page.locator(f"tr[data-render='{ids['ocean']}']")
    labels = row.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels[:4] == ['"Client"', '"Exercise"', '"Place or image"', '"Background"'], labels
    assert all(label not in ("none", "normal", '""') for label in labels)
    rerender = row.locator("a", has_text="Re-render").bounding_box()
    delete = row.locator("button.danger").bounding_box()
    apart = (delete["x"] - (rerender["x"] + rerender["width"]),
             delete["y"] - (rerender["y"] + rerender["height"]))
    assert max(apart) >= 24, apart  # not side by side
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.locator("button.danger").click()
    assert asked and "cannot be undone" in asked[0]
    assert find_render(output, ids["ocean"])  # dismissed: nothing deleted
    page.screenshot(path=screenshots / "library-phone-390x844.png", full_page=True)
    page.close()


def test_an_own_template_s_client_page_shows_its_title_and_cover(site, browser, screenshots):
    base, output, ids = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/renders/{ids['custom']}")
    assert page.inner_text("h1").startswith("Evening Practice")
    assert page.inner_text("#download-name code").startswith("evening-practice-none-joe-")
    page.click("#rerender")  # re-render with changes: the same template, kept
    assert "evening-practice.j2" in page.inner_text("form")
    assert page.input_value("#f-pace") == "brisk" and page.input_value("#f-name") == "Noor"
    page.close()

    link = client_link(base, browser, ids["custom"])
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(base + link)
    assert phone.title() == "Evening Practice"
    assert phone.locator("h1").inner_text() == "Evening Practice"
    assert "Your own script" not in phone.content()
    assert phone.evaluate("document.getElementById('cover').naturalWidth") == 192
    home_name = phone.get_attribute("meta[name=apple-mobile-web-app-title]", "content")
    assert home_name == "Evening Practice"
    manifest = json.loads(context.new_cdp_session(phone).send("Page.getAppManifest")["data"])
    assert manifest["name"] == manifest["short_name"] == "Evening Practice"
    for item in manifest["icons"]:
        pixel = phone.evaluate("""async (src) => {
          const bitmap = await createImageBitmap(await (await fetch(src)).blob());
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const draw = canvas.getContext('2d');
          draw.drawImage(bitmap, 0, 0);
          return [bitmap.width, ...draw.getImageData(bitmap.width / 2, bitmap.height / 2, 1, 1)
                  .data.slice(0, 3)];
        }""", item["src"])
        assert pixel[0] == int(item["sizes"].split("x")[0])
        assert all(abs(a - b) <= 3 for a, b in zip(pixel[1:], RED, strict=True)), pixel
    phone.screenshot(path=screenshots / "client-custom-phone-390x844.png")
    context.close()


def test_a_reload_resumes_where_the_client_stopped_even_offline(site, browser, screenshots):
    base, output, ids = site
    link = client_link(base, browser, ids["stream"])
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(base + link)
    page.wait_for_selector("html[data-offline=ready]")
    status = page.locator("#offline-status")
    assert status.inner_text().startswith("Saved on this phone")
    assert status.bounding_box()["y"] < page.locator("#play").bounding_box()["y"]  # up top
    assert page.locator("main").inner_text().count("The Safe Place") == 1  # the title once
    assert page.is_hidden("#resume")  # nothing stored yet: starts at 0:00
    page.evaluate("""async () => {
      const audio = document.querySelector('audio');
      audio.muted = true;
      audio.currentTime = 42;
      await audio.play();
      await new Promise((resolve) => setTimeout(resolve, 300));
      audio.pause();
    }""")
    stopped = page.evaluate("document.querySelector('audio').currentTime")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#resume:not([hidden])")
    resumed = page.evaluate("document.querySelector('audio').currentTime")
    assert int(stopped) == pytest.approx(resumed, abs=1) and resumed >= 42
    assert re.fullmatch(r"Continuing from 0:4\d\. ?", page.inner_text("#resume-text"))
    page.screenshot(path=screenshots / "client-resume-phone-390x844.png")
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=screenshots / "client-resume-desktop-1280x800.png")
    page.click("#restart")
    assert page.evaluate("document.querySelector('audio').currentTime") < 1
    page.reload()
    assert page.is_hidden("#resume")
    context.close()
