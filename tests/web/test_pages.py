"""The therapist's pages in headless Chromium, with the fake voice: form, preview, render, play."""

from __future__ import annotations

import json
import time
from pathlib import Path

import mutagen
import pytest

from cft_audio.cli import main
from cft_audio.web import Settings
from cft_audio.web.library import list_renders

from .conftest import fake_render_context
from .pages import PLAYED, fill, get_json, page_answers, preview_seq, preview_settled
from .server import serving

pytestmark = pytest.mark.enable_socket  # the app listens on 127.0.0.1 only

FAST = {"#f-minutes": "4", "#f-pace": "brisk", "#f-background": "none"}
"""Quick renders for the fake voice: four minutes, no background to mix."""
EXERCISES = {
    "compassionate-self": ("Sam", {"quality": "warmth"}),
    "compassionate-other": ("Aoife", {"#f-image": "my grandmother"}),
    "safe-place": ("Noor", {"#f-place": "forest", "#f-detail": "the smell of pine"}),
    "soothing-breath": ("Lee", {}),
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def site(module_folder: Path):
    """The app with the fake voice, served on 127.0.0.1; yields (base URL, output folder)."""
    output = module_folder / "output"
    settings = Settings(output=output, context=fake_render_context(module_folder))
    with serving(settings) as (base, _app):
        yield base, output


@pytest.fixture
def page(browser):
    """A fresh desktop-sized page that records every address it asks for."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


def _set(page, selector: str, value: str) -> None:
    if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
        page.select_option(selector, value)
    else:
        page.fill(selector, value)


def _fill_form(page, exercise: str) -> dict:
    """Fill the form for `exercise` and return the preview after the last change."""
    name, personal = EXERCISES[exercise]
    for selector, value in {**personal, **FAST}.items():
        if selector == "quality":
            page.check(f"input[name=quality][value={value}]")
        else:
            _set(page, selector, value)
    page.check("#f-mono")
    return fill(page, "#f-name", name)


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_the_live_preview_follows_the_form(site, page, exercise, screenshots):
    base, output = site
    name = EXERCISES[exercise][0]
    page.goto(f"{base}/new/{exercise}")
    first = {"clock": page.inner_text("#preview-clock"), "text": page.inner_text("#preview-text")}
    assert first["clock"] != "—" and "[pause" in first["text"]
    preview = _fill_form(page, exercise)
    assert preview["state"] == "ok"
    assert preview["clock"] == "4:00" != first["clock"]
    assert name in preview["text"] and name not in first["text"]
    slower = fill(page, "#f-minutes", "9")
    assert slower["clock"] == "9:00"
    if exercise == "safe-place":
        assert "pine" in preview["text"] and "forest" in preview["text"]
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshots / "form-desktop-1280x800.png")
        page.set_viewport_size(PHONE)
        page.screenshot(path=screenshots / "form-phone-390x844.png")
    assert not output.exists() or not any(output.iterdir())  # previews write nothing


def test_every_exercise_renders_two_at_a_time_plays_and_downloads(site, browser, screenshots,
                                                                  tmp_path):
    base, output = site
    contexts, pages = {}, {}
    for exercise in EXERCISES:
        contexts[exercise] = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        page = pages[exercise] = contexts[exercise].new_page()
        page.set_default_timeout(90_000)
        page.requested = []
        page.on("request", lambda request, page=page: page.requested.append(request.url))
        page.goto(f"{base}/new/{exercise}")
        _fill_form(page, exercise)
    for page in pages.values():
        page.click("#render-button")
    for page in pages.values():
        page.wait_for_url("**/jobs/**")
    jobs = [page.url.rsplit("/", 1)[1] for page in pages.values()]

    answered, during_two, most_running = [], 0, 0

    def running() -> list[str]:
        return [get_json(f"{base}/api/jobs/{job}")["state"] for job in jobs]

    deadline = time.monotonic() + 600  # waits for the renders; not a bound on speed
    while time.monotonic() < deadline:
        states = running()
        most_running = max(most_running, states.count("running"))
        if all(s in ("done", "failed") for s in states):
            break
        answered.append(page_answers(f"{base}/library"))
        answered.append(page_answers(f"{base}/new/safe-place"))  # includes a script preview
        # both pages answered in full while two renders ran, before and after them
        during_two += states.count("running") == 2 and running().count("running") == 2
        time.sleep(0.4)
    assert states == ["done"] * 4, states
    # two at a time (the pool has two workers; a job that just ended can read "running" for
    # a moment while the next one starts, so a snapshot may count three)
    assert most_running >= 2, "renders did not run two at a time"
    assert len(answered) >= 6 and all(answered), answered
    assert during_two >= 1, "no page was loaded while two renders ran"

    for exercise, page in pages.items():
        name = EXERCISES[exercise][0]
        page.wait_for_url("**/renders/**")
        assert page.inner_text("h1").startswith(EXERCISES_TITLES[exercise])
        assert name in page.inner_text("h1")
        start, now, duration = page.evaluate(PLAYED, "#player")
        assert now > start + 0.5 and duration == pytest.approx(240, abs=1)
        with page.expect_download() as download:
            page.click("#download-mp3")
        saved = tmp_path / f"{exercise}-{download.value.suggested_filename}"
        download.value.save_as(saved)
        assert download.value.suggested_filename.startswith(exercise)
        assert name not in download.value.suggested_filename  # no client names in file names
        entry = next(e for e in list_renders(output) if e.client == name)
        assert entry.exercise == exercise and set(entry.files) == {"mp3"}
        assert saved.read_bytes() == entry.files["mp3"].read_bytes()
        assert mutagen.File(saved).info.length == pytest.approx(240, abs=1)
        assert entry.sidecar("vtt") and name in entry.script_text()
        assert all(url.startswith(base) or url.startswith(("blob:", "data:"))
                   for url in page.requested), page.requested
        if exercise == "safe-place":
            page.screenshot(path=screenshots / "render-desktop-1280x800.png", full_page=True)
            page.set_viewport_size(PHONE)
            page.screenshot(path=screenshots / "render-phone-390x844.png", full_page=True)
    for context in contexts.values():
        context.close()


EXERCISES_TITLES = {
    "compassionate-self": "The Compassionate Self",
    "compassionate-other": "The Ideal Compassionate Other",
    "safe-place": "The Safe Place",
    "soothing-breath": "Soothing Rhythm Breathing",
}


def test_an_invalid_field_shows_its_message_and_renders_nothing(site, page, capsys, tmp_path):
    base, output = site
    before = sorted(p.name for p in output.iterdir())
    page.goto(f"{base}/new/safe-place")
    live = fill(page, "#f-name", "Sam!")
    assert main(["render", "safe-place", "--name", "Sam!", "-o", str(tmp_path)]) == 2
    cli = capsys.readouterr().err.strip().removeprefix("cft-audio: error: ")
    message = cli.replace("--name", "Client's first name", 1)  # the form's label, not a flag
    assert message != cli
    assert live["state"] == "error"
    assert page.inner_text("#error-name") == message  # live, beside the field
    assert page.get_attribute("#f-name", "aria-invalid") == "true"
    seq = preview_seq(page)
    page.fill("#f-minutes", "2")
    preview_settled(page, seq)
    assert page.inner_text("#error-minutes").startswith(
        "Minutes: 2 cannot be reached for safe-place")  # the exercise's own range follows

    page.click("#render-button")
    page.wait_for_load_state()
    assert "/new/safe-place" in page.url
    assert page.inner_text("#error-name") == message  # after submitting, too
    assert page.locator("#form-problems li").count() == 2
    assert "--" not in page.inner_text("#form-problems")
    assert "[pause" in page.inner_text("#preview-text")  # the preview is not an empty box
    assert page.input_value("#f-name") == "Sam!"  # what was typed is kept
    page.set_viewport_size(PHONE)
    page.locator("#f-name").scroll_into_view_if_needed()
    page.screenshot(path=Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
                    / "form-error-phone-390x844.png")
    assert sorted(p.name for p in output.iterdir()) == before


def test_voice_and_background_samples_play(site, page):
    base, _ = site
    page.goto(f"{base}/new/compassionate-other")
    page.fill("#f-name", "Aoife")
    page.select_option("#f-tone", "calm")
    page.click("#voice-sample")
    page.wait_for_function("() => document.getElementById('voice-audio').currentTime > 0.3")
    assert page.inner_text("#voice-status") == "Playing the sample."
    page.select_option("#f-background", "rain")
    page.click("#background-sample")
    page.wait_for_function("() => document.getElementById('background-audio').currentTime > 0.3")
    duration = page.evaluate("document.getElementById('background-audio').duration")
    assert duration == pytest.approx(8, abs=0.2)


def test_each_voice_has_a_sample_saying_the_name(site, page):
    base, _ = site
    page.goto(f"{base}/new/compassionate-other")
    page.fill("#f-name", "Aoife")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    for voice in ("heart", "joe"):
        assert "female" in page.get_attribute("#voice-sample-heart", "title")
        page.click(f"#voice-sample-{voice}")
        page.wait_for_function("() => document.getElementById('voice-audio').currentTime > 0.3")
    samples = [url for url in asked if "/api/preview/voice" in url]
    assert [("voice=heart" in u, "voice=joe" in u, "name=Aoife" in u) for u in samples] == \
        [(True, False, True), (False, True, True)]
    assert page.input_value("#f-voice") == "joe"  # the form's own choice is left as it was


def test_client_page_on_a_phone_plays_captions_script_and_offline(site, browser, screenshots):
    base, output = site
    entry = next(e for e in list_renders(output) if e.client == "Noor")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/renders/{entry.id}")
    client = page.get_attribute("#client-page", "href")
    assert client.startswith("/c/")
    page.goto(base + client)
    assert "The Safe Place" in page.inner_text("h1")
    assert "Noor" in page.content()
    start, now, _ = page.evaluate(PLAYED, "audio")
    assert now > start + 0.5
    assert page.evaluate("document.querySelector('audio track') !== null")
    page.evaluate("document.querySelector('audio').pause()")
    page.screenshot(path=screenshots / "client-phone-390x844.png", full_page=False)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=screenshots / "client-desktop-1280x800.png")
    assert all(url.startswith(base) or url.startswith(("blob:", "data:")) for url in requested)

    page.wait_for_function("""() => {
      const audio = document.querySelector('audio');
      return audio.buffered.length && audio.buffered.end(0) >= audio.duration - 0.5;
    }""")  # loaded: the whole track is on the phone
    context.set_offline(True)
    again = context.new_page()
    again.goto(base + client)  # from the phone's cache
    assert "The Safe Place" in again.inner_text("h1")
    near_end = """async () => {
      const audio = document.querySelector('audio');
      audio.muted = true;
      audio.currentTime = 200;
      await audio.play();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      return audio.currentTime;
    }"""
    assert again.evaluate(near_end) > 200.5
    context.close()


def test_library_search_rerender_with_changes_extra_format_and_delete(site, page, screenshots):
    base, output = site
    page.goto(f"{base}/library")
    assert page.locator("tr[data-render]").count() >= 4
    page.fill("#q", "aoife")
    page.click("form.search button")
    rows = page.locator("tr[data-render]")
    assert rows.count() == 1 and "Aoife" in rows.inner_text()
    page.fill("#q", "safe place")
    page.click("form.search button")
    assert "Noor" in page.locator("tr[data-render]").inner_text()
    page.goto(f"{base}/library")
    page.screenshot(path=screenshots / "library-desktop-1280x800.png")

    page.fill("#q", "aoife")
    page.click("form.search button")
    page.click("text=Re-render with changes")
    assert page.input_value("#f-name") == "Aoife"
    assert page.input_value("#f-image") == "my grandmother"
    assert page.input_value("#f-minutes") == "4"
    seq = preview_seq(page)
    page.select_option("#f-tone", "gentle")
    preview_settled(page, seq)
    page.click("#render-button")
    page.wait_for_url("**/renders/**")
    changed = [e for e in list_renders(output) if e.client == "Aoife"]
    assert len(changed) == 2 and changed[0].request["tone"] == "gentle"
    assert changed[1].request["tone"] == "warm"  # the first is still there, unchanged

    page.select_option("#more-format", "m4a")
    page.click("text=Make this format")
    page.wait_for_url("**/renders/**")
    assert page.locator("#download-mp3").count() == 1
    assert page.locator("#download-m4a").count() == 1
    renewed = next(e for e in list_renders(output) if e.id == changed[0].id)
    assert set(renewed.files) == {"mp3", "m4a"}
    assert mutagen.File(renewed.files["m4a"]).info.length == pytest.approx(240, abs=1)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#delete")
    page.wait_for_url("**/library?deleted=1")
    assert not any(e.id == changed[0].id for e in list_renders(output))
    assert not changed[0].record.parent.exists()
    assert all(not p.exists() for p in renewed.files.values())
    shares = json.loads((output / ".web" / "shares.json").read_text())
    assert changed[0].id not in shares.values()


def test_on_the_lan_a_token_opens_the_app_and_the_render_page_shows_a_qr_code(site, browser,
                                                                              screenshots):
    _, output = site
    entry = next(e for e in list_renders(output) if e.client == "Noor")
    token = "lan-token-0123456789"
    settings = Settings(output=output, host="0.0.0.0", token=token,
                        public_url="http://192.168.1.20:8750",
                        context=fake_render_context(output.parent))
    with serving(settings) as (base, _app):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        assert page.goto(f"{base}/renders/{entry.id}").status == 401
        page.goto(f"{base}/?token={token}")
        assert page.url == f"{base}/"  # the token left the address bar for a cookie
        page.goto(f"{base}/renders/{entry.id}")
        assert page.locator("#qr svg").count() == 1
        link = page.inner_text("#client-link")
        assert link.startswith("http://192.168.1.20:8750/c/")
        page.screenshot(path=screenshots / "render-lan-qr-desktop-1280x800.png", full_page=True)
        phone = browser.new_context(viewport=PHONE, is_mobile=True)  # no token, no cookie
        player = phone.new_page()
        assert player.goto(base + link.removeprefix("http://192.168.1.20:8750")).status == 200
        start, now, _ = player.evaluate(PLAYED, "audio")
        assert now > start + 0.5
        assert player.goto(f"{base}/library").status == 401
        phone.close()
        context.close()


def test_own_words_pronoun_and_warning_in_the_form(site, page, screenshots):
    """The client's words come back from their side; the pronoun shows and can be chosen."""
    base, _ = site
    page.goto(f"{base}/new/compassionate-other")
    preview = fill(page, "#f-image", "my late father")
    assert "flowing from your late father to you" in preview["text"]
    assert "“he”" in page.inner_text("#hint-pronoun")
    seq = preview_seq(page)
    page.select_option("#f-pronoun", "they")
    preview = preview_settled(page, seq)
    assert "They want you to be free from suffering" in preview["text"]
    preview = fill(page, "#f-phrase", "I should be kinder to myself")
    assert preview["state"] == "ok" and "I should be kinder to myself." in preview["text"]
    assert "'should'" in page.inner_text("#warning-phrase")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "form-own-words-desktop-1280x800.png")
