"""End to end with the real Piper voice: form → render → play → download, then the phone page."""

from __future__ import annotations

import mutagen
import pytest

from cft_audio.web import Settings
from cft_audio.web.library import list_renders

from .pages import PLAYED, fill
from .server import serving

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]


def test_real_voice_render_plays_and_downloads(browser, private_user_folders, tmp_path):
    output = tmp_path / "output"
    with serving(Settings(output=output)) as (base, _app):
        context = browser.new_context(viewport={"width": 1280, "height": 800},
                                      accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(240_000)
        page.goto(f"{base}/new/safe-place")
        page.fill("#f-minutes", "4")
        page.select_option("#f-pace", "brisk")  # less speech to synthesise; ocean bed kept
        preview = fill(page, "#f-name", "Sam")
        assert preview["clock"] == "4:00" and "Sam" in preview["text"]

        page.click("#voice-sample")  # a few seconds in the real voice
        page.wait_for_function("() => document.getElementById('voice-audio').currentTime > 0.3")

        page.click("#render-button")
        page.wait_for_url("**/jobs/**")
        page.wait_for_function("() => document.getElementById('job-progress').value > 0")
        page.wait_for_url("**/renders/**")
        start, now, duration = page.evaluate(PLAYED, "#player")
        assert now > start + 0.5 and duration == pytest.approx(240, abs=1.5)
        with page.expect_download() as download:
            page.click("#download-mp3")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        tags = mutagen.File(saved)
        assert tags.info.length == pytest.approx(240, abs=1.5)
        assert str(tags["TIT2"]).startswith("The Safe Place: ")
        entry = list_renders(output)[0]
        assert entry.client == "Sam" and entry.data["loudness"] == pytest.approx(-16, abs=1)
        assert saved.read_bytes() == entry.files["mp3"].read_bytes()

        client = page.get_attribute("#client-page", "href")
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        player = phone.new_page()
        player.goto(base + client)
        start, now, _ = player.evaluate(PLAYED, "audio")
        assert now > start + 0.5
        phone.close()
        context.close()
