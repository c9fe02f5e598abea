"""The form's own files: background sound, template, lexicon and cover, with their limits."""

from __future__ import annotations

import wave
from pathlib import Path

import mutagen
import pytest

from cft_audio.export.cover import cover_png
from cft_audio.web import Settings
from cft_audio.web.library import list_renders

from .conftest import fake_render_context, noise_wav
from .pages import DESKTOP, PHONE
from .server import serving

pytestmark = pytest.mark.enable_socket

TEMPLATE = """[bell]
[section Evening]
Hello{% if name %}, {{ name }}{% endif %}.
[pause long]
Rest a while in {{ place.the }}.
{% include "partials/grounding.j2" %}
[bell]
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """One good file for each upload, and some bad ones."""
    folder = tmp_path_factory.mktemp("own-files")
    noise_wav(folder / "client-rain.wav")
    (folder / "evening-practice.j2").write_text(TEMPLATE)
    (folder / "names.yaml").write_text("Noor: Nore\n")
    (folder / "cover.png").write_bytes(cover_png("Our own cover", size=300))
    with wave.open(str(folder / "silent.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(bytes(44100 * 3 * 2))
    (folder / "broken.j2").write_text("Hello.\n{{ ''.__class__.__mro__ }}\n")
    (folder / "cover.gif").write_bytes(b"GIF89a" + bytes(100))
    (folder / "fake.png").write_bytes(b"not an image at all")
    return {p.name: p for p in folder.iterdir()}


@pytest.fixture(scope="module")
def site(module_folder: Path):
    output = module_folder / "output"
    settings = Settings(output=output, context=fake_render_context(module_folder), workers=1)
    with serving(settings) as (base, _app):
        yield base, output


def _visible(output: Path) -> list[str]:
    return sorted(p.name for p in output.iterdir() if p.name != ".web") if output.exists() \
        else []


def _uploads(output: Path) -> list[Path]:
    folder = output / ".web" / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


def test_the_form_takes_all_four_files_and_the_render_uses_them(site, browser, files,
                                                                 screenshots):
    base, output = site
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{base}/new/safe-place")
    page.fill("#f-name", "Noor")
    page.fill("#f-minutes", "4")
    page.select_option("#f-pace", "brisk")
    page.set_input_files("#f-background-file", str(files["client-rain.wav"]))
    page.set_input_files("#f-script-file", str(files["evening-practice.j2"]))
    page.set_input_files("#f-lexicon-file", str(files["names.yaml"]))
    page.set_input_files("#f-cover-file", str(files["cover.png"]))
    page.locator("#own-files").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "form-uploads-desktop-1280x800.png")
    page.set_viewport_size(PHONE)
    page.locator("#own-files").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "form-uploads-phone-390x844.png")
    page.click("#render-button")
    page.wait_for_url("**/renders/**")
    assert page.inner_text("h1").startswith("Evening Practice")  # the template's own title
    entry = next(e for e in list_renders(output) if e.client == "Noor")
    tags = mutagen.File(entry.files["mp3"]).tags
    assert tags.getall("APIC")[0].data == files["cover.png"].read_bytes()  # the own cover
    assert tags.getall("TIT2")[0].text == ["Evening Practice"]  # the own template
    assert "Rest a while in the beach." in entry.script_text()
    assert Path(entry.request["background"]).name == "own-background.wav"
    assert Path(entry.request["lexicon"]).name == "own-lexicon.yaml"
    assert Path(entry.request["background"]).parent == entry.record.parent / ".own"
    assert Path(entry.request["lexicon"]).read_text() == "Noor: Nore\n"
    assert _uploads(output) == []  # the job's upload folder is gone; the render keeps copies
    context.close()


@pytest.mark.parametrize(("field", "name", "message"), [
    ("script-file", "broken.j2", "Your own script: broken.j2, line 2:"),
    ("cover-file", "cover.gif", "Cover image: 'cover.gif' is not a file of the right type"),
    ("cover-file", "fake.png", "Cover image: not a PNG or JPEG image"),
    ("background-file", "silent.wav", "Your own background sound: own-background.wav is silent"),
])
def test_a_bad_file_gets_its_label_and_nothing_is_written(site, browser, files, field, name,
                                                          message):
    base, output = site
    before = _visible(output)
    page = browser.new_page()
    page.goto(f"{base}/new/safe-place")
    page.set_input_files(f"#f-{field}", str(files[name]))
    page.click("#render-button")
    page.wait_for_selector("#form-problems")
    assert page.inner_text(f"#error-{field}").startswith(message)
    assert "--" not in page.inner_text("#form-problems")
    assert page.locator(f"#kept-{field}").count() == 0  # a bad file is never held
    assert page.get_attribute(f"#f-{field}", "aria-invalid") == "true"
    page.close()
    assert _uploads(output) == []
    assert _visible(output) == before


def test_re_render_with_changes_keeps_the_earlier_own_files(site, browser, files):
    base, output = site
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(120_000)
    page.goto(f"{base}/new/safe-place")
    page.fill("#f-name", "Ama")
    page.fill("#f-minutes", "4")
    page.set_input_files("#f-background-file", str(files["client-rain.wav"]))
    page.set_input_files("#f-cover-file", str(files["cover.png"]))
    page.click("#render-button")
    page.wait_for_url("**/renders/**")
    page.click("#rerender")
    assert page.is_checked("#f-keep-background-file") and page.is_checked("#f-keep-cover-file")
    assert page.locator("#f-keep-lexicon-file").count() == 0
    page.select_option("#f-tone", "bright")  # 4 minutes stays reachable (gentle is slower)
    page.click("#render-button")
    page.wait_for_url("**/renders/**")
    first, second = sorted((e for e in list_renders(output) if e.client == "Ama"),
                           key=lambda e: e.request["tone"] != "warm")
    assert (first.request["tone"], second.request["tone"]) == ("warm", "bright")
    for field in ("background", "cover"):
        old, new = Path(first.request[field]), Path(second.request[field])
        assert new.parent == second.record.parent / ".own" != old.parent
        assert new.read_bytes() == old.read_bytes()
    assert _uploads(output) == []
    page.close()
