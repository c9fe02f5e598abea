"""The phone player page: self-contained, escaped, and it plays offline in headless Chromium."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest

from cft_audio.export.encode import encode_stream, iter_blocks
from cft_audio.export.player import PlayerTrack, player_html
from cft_audio.export.tags import TrackInfo

RATE = 48000


def _track(**change: object) -> PlayerTrack:
    fields = {"title": "Soothing Rhythm Breathing", "audio_href": "01.mp3",
              "captions_href": "01.vtt", "script": "Breathe in.\nBreathe out.", "seconds": 605.4}
    return PlayerTrack(**{**fields, **change})  # type: ignore[arg-type]


def test_page_is_self_contained_and_lists_every_track():
    page = player_html("Eight weeks", [_track(), _track(title="The Safe Place",
                                                        audio_href="02.mp3")], "Riverside")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert 'src="01.mp3"' in page and 'data-audio="02.mp3"' in page
    assert '<track kind="captions"' in page and "10:05" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
                                  "Siobhán Ní Bhriain & 李小龙"])
def test_every_text_is_escaped(text):
    page = player_html(text, [_track(title=text, script=text, audio_href=quote(text))], text)
    assert "<script>alert" not in page and "<img" not in page
    assert "Siobhán Ní Bhriain &amp; 李小龙" in page or "&lt;" in page or "&#34;" in page


def test_no_tracks_gives_a_page_without_a_player():
    page = player_html("Empty", [])
    assert "No tracks yet" in page and "<audio" not in page


def _site(folder: Path) -> Path:
    """A page with a short MP3 and M4A, captions as a data: URI (file:// blocks .vtt loads)."""
    t = np.arange(RATE * 4) / RATE
    tone = np.repeat((0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[:, None], 2, axis=1)
    for fmt in ("mp3", "m4a"):
        encode_stream(iter_blocks(tone), RATE, folder / f"01 Tést.{fmt}", fmt,
                      TrackInfo(title="Test"))
    vtt = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:03.500\nHello &amp; welcome, Siobhán.\n"
    data = "data:text/vtt;charset=utf-8;base64," + base64.b64encode(vtt.encode()).decode()
    tracks = [_track(audio_href=quote("01 Tést.mp3"), captions_href=data, seconds=4),
              _track(title="Two", audio_href=quote("01 Tést.m4a"), captions_href=None, seconds=4)]
    page = folder / "index.html"
    page.write_text(player_html("Test <programme>", tracks, "For 李小龙"), encoding="utf-8")
    return page


def open_offline(browser, page_path: Path):
    """Open a page from file:// with every non-file request aborted; return (page, attempts)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    attempts: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith("file:"):
            request_route.continue_()
        else:
            attempts.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(page_path.as_uri())
    return page, attempts


@pytest.mark.enable_socket  # Playwright's event loop needs a local socketpair; the page gets none
def test_player_plays_offline_with_captions(browser, tmp_path):
    page, attempts = open_offline(browser, _site(tmp_path))
    try:
        page.wait_for_function("() => document.getElementById('audio').readyState >= 1",
                               timeout=15000)
        assert page.evaluate("document.getElementById('audio').duration") > 3
        page.click("#play")
        page.wait_for_function("() => document.getElementById('caption').textContent !== ''",
                               timeout=15000)
        assert page.inner_text("#caption") == "Hello & welcome, Siobhán."
        page.click("ol.tracks li:nth-child(2) button")
        page.wait_for_function("() => document.getElementById('audio').readyState >= 1",
                               timeout=15000)
        assert page.evaluate("document.getElementById('audio').currentSrc").endswith(".m4a")
        assert page.inner_text("#now-title") == "Two"
        assert attempts == []
    finally:
        page.close()
