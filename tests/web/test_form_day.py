"""The render form through a working day in Chromium: a failed or busy submit keeps what was
chosen, and the previews tell the truth about the uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from cft_audio.cli import main
from cft_audio.export.cover import cover_png
from cft_audio.pipeline.scripts import reach_words
from cft_audio.request import Request
from cft_audio.web import Settings
from cft_audio.web.library import find_render
from cft_audio.web.previews import render_estimate

from .conftest import fake_render_context, noise_wav
from .pages import get_json, preview_seq, preview_settled
from .server import serving
from .test_jobs import LONG, job_of, post, wait_for

pytestmark = pytest.mark.enable_socket

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TEMPLATE = """[bell]
[section Evening]
Hello{% if name %}, {{ name }}{% endif %}.
[pause long]
Rest a while, and let the evening settle.
[bell]
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """An own background sound, a template, a good cover and a cover that is not an image."""
    folder = tmp_path_factory.mktemp("day-files")
    noise_wav(folder / "client-rain.wav", seed=7)
    (folder / "evening-practice.j2").write_text(TEMPLATE)
    (folder / "cover.png").write_bytes(cover_png("Our own cover", size=300))
    (folder / "fake.png").write_bytes(b"not an image at all")
    return {p.name: p for p in folder.iterdir()}


@pytest.fixture(scope="module")
def site(module_folder: Path):
    """One worker and room for one job (a second is refused as busy), with the fake voice."""
    output = module_folder / "output"
    settings = Settings(output=output, context=fake_render_context(module_folder), workers=1,
                        queue_limit=1)
    with serving(settings) as (base, app):
        yield base, output, app


def _held(output: Path) -> list[Path]:
    folder = output / ".web" / "held"
    return sorted(folder.rglob("*.*")) if folder.exists() else []


def _submit(page) -> int:
    """Press Render and return the status of the page it answers with."""
    with page.expect_response(lambda r: r.request.method == "POST"
                              and "/new/" in r.url) as answer:
        page.click("#render-button")
    page.wait_for_load_state()
    return answer.value.status


def _nudge(page, selector: str = "#f-name") -> dict:
    """Change a field (a space added) and wait for the live preview's answer."""
    seq = preview_seq(page)
    page.locator(selector).press_sequentially(" ")
    return preview_settled(page, seq)


def test_a_failed_submit_keeps_the_own_background_and_the_render_uses_it(site, browser,
                                                                          files, samples):
    base, output, _ = site
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(120_000)
    page.goto(f"{base}/new/safe-place")
    page.fill("#f-name", "Noor")
    page.fill("#f-minutes", "5")
    page.set_input_files("#f-background-file", str(files["client-rain.wav"]))
    page.set_input_files("#f-cover-file", str(files["fake.png"]))
    assert _submit(page) == 422
    assert page.inner_text("#error-cover-file") == "Cover image: not a PNG or JPEG image"
    assert page.get_attribute("#f-cover-file", "aria-invalid") == "true"
    assert page.inner_text("#kept-background-file").startswith("kept: client-rain.wav")
    assert page.is_disabled("#f-background") and page.is_visible("#background-own")
    assert page.input_value("#f-name") == "Noor" and page.input_value("#f-minutes") == "5"
    assert len(_held(output)) == 1  # the good file, held for this form
    _nudge(page)  # the live preview's answer keeps the marks
    assert page.get_attribute("#f-cover-file", "aria-invalid") == "true"
    page.click("#background-sample")  # the held sound, not the list's
    _playing(page, "own")
    assert samples[-1][1] == files["client-rain.wav"].read_bytes()

    page.set_input_files("#f-cover-file", str(files["cover.png"]))
    assert page.get_attribute("#f-cover-file", "aria-invalid") is None
    page.click("#render-button")
    page.wait_for_url("**/renders/**")
    render = page.url.split("/renders/", 1)[1]
    entry = find_render(output, render)
    background = Path(entry.request["background"])
    assert background.parent == entry.record.parent / ".own"  # the OWN background, kept
    assert background.read_bytes() == files["client-rain.wav"].read_bytes()
    assert Path(entry.request["cover"]).read_bytes() == files["cover.png"].read_bytes()
    assert entry.request["name"] == "Noor"
    assert _held(output) == []  # released once the form went through
    page.close()


def test_a_busy_queue_shows_the_filled_form_again_with_its_file(site, browser, files):
    base, output, app = site
    long = job_of(post(base, "/new/safe-place", LONG)[1])  # the one place in the queue
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{base}/jobs/{long}")  # its page says how long it should take
        assert page.inner_text("#job-lead").startswith(render_estimate(30 * 60))
        page.goto(f"{base}/new/safe-place")
        page.fill("#f-name", "Sam")
        page.select_option("#f-pace", "brisk")
        page.check("#f-mono")
        page.set_input_files("#f-background-file", str(files["client-rain.wav"]))
        assert _submit(page) == 503
        busy = page.inner_text("#busy")
        assert "Busy" in busy and "Nothing was started" in busy and "chosen files" in busy
        assert "1 job is already waiting or running (at most 1)" in busy
        assert page.input_value("#f-name") == "Sam" and page.input_value("#f-pace") == "brisk"
        assert page.is_checked("#f-mono")
        assert page.inner_text("#kept-background-file").startswith("kept: client-rain.wav")
        assert page.locator("#form-problems").count() == 0
    finally:
        post(base, f"/jobs/{long}/cancel", {})
        wait_for(base, long, lambda s: app.state.web.jobs.get(long).future.done())
    assert get_json(f"{base}/api/jobs/{long}")["state"] == "cancelled"
    page.click("#busy-again")  # the same form again, once there is room (from the notice)
    page.wait_for_url("**/renders/**")
    entry = find_render(output, page.url.split("/renders/", 1)[1])
    assert entry.request["name"] == "Sam" and entry.request["pace"] == "brisk"
    assert Path(entry.request["background"]).read_bytes() == \
        files["client-rain.wav"].read_bytes()
    page.close()


def test_the_preview_shows_an_uploaded_template(site, browser, files):
    base, _, app = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/new/safe-place")
    before = preview_seq(page)
    assert "The Safe Place" in page.inner_text("#preview-status")
    page.set_input_files("#f-script-file", str(files["evening-practice.j2"]))
    shown = preview_settled(page, before)
    assert shown["state"] == "ok"
    assert "Rest a while, and let the evening settle." in shown["text"]
    status = page.inner_text("#preview-status")
    assert status.startswith("Evening Practice") and "The Safe Place" not in status
    page.fill("#f-name", "Noor")  # typing keeps the chosen template in the preview
    shown = preview_settled(page, shown["seq"])
    assert "Hello, Noor." in shown["text"]
    assert "Safe Place" not in page.inner_text("#preview-status")

    page.set_input_files("#f-cover-file", str(files["fake.png"]))
    assert _submit(page) == 422  # the template is held for the form, and still previewed
    assert page.inner_text("#kept-script-file").startswith("kept: evening-practice.j2")
    assert "Evening Practice" in page.inner_text("#preview-status")
    assert "Hello, Noor." in page.inner_text("#preview-text")
    shown = _nudge(page, "#f-place")
    assert shown["state"] == "ok" and "Hello, Noor." in shown["text"]
    assert page.inner_text("#preview-status").startswith("Evening Practice")

    page.set_input_files("#f-cover-file", str(files["cover.png"]))
    with page.expect_response(lambda r: r.request.method == "POST" and "/new/" in r.url) as sent:
        page.click("#render-button")
    job = sent.value.headers["location"].rsplit("/", 1)[1]
    assert app.state.web.jobs.get(job).title == "Evening Practice"  # not "Your own script"
    page.wait_for_url("**/renders/**")
    assert page.inner_text("h1").startswith("Evening Practice")
    page.close()


@pytest.fixture()
def samples(site, monkeypatch) -> list[tuple[object, bytes, bytes]]:
    """Each background sample the server makes: (what it was asked for, that file's bytes or
    b"", the audio answered)."""
    previewer = site[2].state.web.previewer
    made = []
    real = previewer.background

    def background(name, *args):
        data = real(name, *args)
        made.append((name, name.read_bytes() if isinstance(name, Path) else b"", data))
        return data

    monkeypatch.setattr(previewer, "background", background)
    return made


def _playing(page, source: str) -> str:
    """Wait until the background sample from `source` ("list" or "own") is loaded; its URL."""
    page.wait_for_function(
        "(source) => document.getElementById('background-audio').dataset.source === source",
        arg=source)
    return page.get_attribute("#background-audio", "src")


def test_hear_this_background_plays_the_own_sound_and_the_list_is_off(site, browser, files,
                                                                       samples):
    base, _, _ = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/new/safe-place")
    methods = []
    page.on("request", lambda r: methods.append(r.method) if "/preview/background" in r.url
            else None)
    assert page.is_hidden("#background-own") and not page.is_disabled("#f-background")
    page.click("#background-sample")
    listed = _playing(page, "list")
    page.set_input_files("#f-background-file", str(files["client-rain.wav"]))
    assert page.is_disabled("#f-background") and page.is_visible("#background-own")
    page.click("#background-sample")
    own = _playing(page, "own")
    assert "client-rain.wav" in page.inner_text("#background-status")
    assert methods == ["GET", "POST"]
    (preset, _, preset_audio), (path, sent, own_audio) = samples
    assert preset == "ocean" and isinstance(path, Path)
    assert sent == files["client-rain.wav"].read_bytes()  # the upload itself was sampled
    assert own != listed and own_audio != preset_audio  # a new sample in the player
    page.set_input_files("#f-background-file", [])  # un-chosen: the list is used again
    assert not page.is_disabled("#f-background") and page.is_hidden("#background-own")
    page.close()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "Sam!", "Client's first name: 'Sam!' is not a usable first name"),
    ("minutes", "2", "Minutes: 2 cannot be reached"),
    ("seed", "x", "Seed:"),
])
def test_after_a_failed_submit_the_field_named_is_highlighted(site, browser, field, value,
                                                              message):
    base, _, _ = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/new/safe-place")
    page.locator(f"#f-{field}").evaluate("(input, value) => { input.value = value; }", value)
    assert _submit(page) == 422
    listed = page.inner_text("#form-problems li")
    assert listed.startswith(message)
    for _ in range(2):  # as the server sent it, and after the live preview's first answer
        box = page.locator(f"#f-{field}")
        assert box.is_visible()
        assert "invalid" in (box.get_attribute("class") or "")
        assert box.get_attribute("aria-invalid") == "true"
        assert page.inner_text(f"#error-{field}") == listed
        _nudge(page, "#f-place")
    page.close()


def test_the_minutes_hint_names_what_the_error_and_the_cli_name(site, browser, capsys):
    base, _, app = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/new/safe-place")
    reach = reach_words(*app.state.web.previewer.reach(Request("safe-place", pace="brisk")))
    page.select_option("#f-pace", "brisk")
    shown = _nudge(page, "#f-place")
    assert shown["state"] == "ok"
    assert page.inner_text("#hint-minutes").startswith(f"About {reach} for this exercise")
    page.fill("#f-minutes", "3")
    assert _submit(page) == 422
    error = page.inner_text("#error-minutes")
    assert error == f"Minutes: 3 cannot be reached for safe-place (allowed: {reach})"
    assert page.inner_text("#hint-minutes").startswith(f"About {reach} ")
    assert main(["script", "safe-place", "--pace", "brisk", "--minutes", "3"]) == 2
    assert capsys.readouterr().err.strip() == \
        "cft-audio: error: --minutes" + error.removeprefix("Minutes")
    page.close()


def test_a_single_render_shows_its_time_estimate(site, browser):
    base, _, _ = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/new/safe-place")
    estimate = page.inner_text("#render-estimate")
    seconds = page.inner_text("#preview-clock").split(":")
    expected = render_estimate(int(seconds[0]) * 60 + int(seconds[1]))
    assert estimate == expected and estimate.startswith("Rendering takes about ")
    shown = _nudge(page, "#f-place")
    page.fill("#f-minutes", "30")
    shown = preview_settled(page, shown["seq"])
    assert shown["clock"] == "30:00"
    assert page.inner_text("#render-estimate") == render_estimate(30 * 60) != estimate
    page.close()


def test_on_a_phone_the_preview_comes_before_render_and_nothing_overflows(site, browser,
                                                                          files):
    base, _, _ = site
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base}/new/safe-place")
    for _ in range(2):  # a fresh form, then one sent back with a kept file
        preview = page.locator("#preview-text").bounding_box()
        button = page.locator("#render-button").bounding_box()
        assert preview["y"] + preview["height"] <= button["y"]
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
        page.set_input_files("#f-background-file", str(files["client-rain.wav"]))
        page.set_input_files("#f-cover-file", str(files["fake.png"]))
        assert _submit(page) == 422
    assert "client-rain.wav" in page.inner_text("#held-note")
    page.set_viewport_size(DESKTOP)  # side by side: Render under the fields, left
    preview = page.locator("#preview-text").bounding_box()
    button = page.locator("#render-button").bounding_box()
    assert button["x"] + button["width"] < preview["x"]
    page.close()
