"""Batch manifests uploaded to the app: the CLI's validation report, then a run off-thread."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cft_audio.cli import main
from cft_audio.web import Settings

from .conftest import fake_batch_context, fake_render_context
from .server import serving

pytestmark = pytest.mark.enable_socket

BROKEN = """\
programme: {title: Riverside group, weeks: 1}
defaults: {tone: cold, pace: brisk}
exercises:
  - {week: 2, exercise: safe-place}
  - {week: 1, exercise: breathing}
participants:
  - {id: p01, name: "Sam!", place: volcano}
  - {id: p02, name: Aoife, minutes: 90}
"""
GOOD = """\
programme: {title: Riverside group, weeks: 1}
defaults: {pace: brisk, background: none, mono: yes, minutes: 4}
exercises:
  - {week: 1, exercise: soothing-breath}
participants:
  - {id: p01, name: Sam}
"""


def _visible(output: Path) -> list[str]:
    return sorted(p.name for p in output.iterdir() if not p.name.startswith("."))


def _uploads(output: Path) -> list[Path]:
    folder = output / ".web" / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def site(tmp_path: Path):
    """The app with the fake voice for renders, previews and batch workers."""
    settings = Settings(output=tmp_path / "output", context=fake_render_context(tmp_path),
                        batch_context=fake_batch_context, workers=1)
    with serving(settings) as (base, _app):
        yield base, tmp_path / "output"


def test_a_broken_manifest_gets_the_cli_report_and_nothing_is_written(site, browser, tmp_path,
                                                                       capsys):
    base, output = site
    manifest = tmp_path / "programme.yaml"
    manifest.write_text(BROKEN)
    assert main(["batch", str(manifest), "-o", str(tmp_path / "cli-out")]) == 2
    cli_lines = capsys.readouterr().err.strip().splitlines()
    assert len(cli_lines) >= 5

    page = browser.new_page()
    page.goto(f"{base}/batch")
    page.set_input_files("#f-manifest", str(manifest))
    page.click("#batch-run")
    page.wait_for_selector("#batch-problems")
    shown = page.locator("#batch-lines").text_content().strip().splitlines()
    assert shown == cli_lines
    rows = page.locator("#batch-problems tbody tr")
    assert rows.count() == len(cli_lines)
    assert "participants row 1 (p01)" in rows.nth(0).inner_text() or any(
        "p01" in rows.nth(i).inner_text() for i in range(rows.count()))
    page.close()
    assert _visible(output) == []
    assert _uploads(output) == []  # the uploaded manifest (names) is not kept
    assert not (tmp_path / "cli-out").exists()


def test_a_good_manifest_is_checked_then_rendered_into_packs(site, browser, tmp_path):
    base, output = site
    manifest = tmp_path / "programme.yaml"
    manifest.write_text(GOOD)
    page = browser.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{base}/batch")
    page.set_input_files("#f-manifest", str(manifest))
    page.click("#batch-check")
    assert page.inner_text("#batch-ok").startswith("programme.yaml: ok, 1 participant, 1 track")
    assert _visible(output) == [] and _uploads(output) == []
    assert page.evaluate("document.getElementById('f-manifest').files.length") == 1  # kept

    page.click("#batch-run")
    page.wait_for_url("**/batch/**")
    summary = page.inner_text("#batch-summary")
    assert summary.startswith("1 track in 1 pack: 1 rendered, 0 kept from an earlier run, "
                              "0 failed")
    with page.expect_download() as download:
        page.click("a[href$='.zip?download=1']")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    assert any(name.endswith(".mp3") for name in names)
    assert _uploads(output) == []

    index = next(output.rglob("p01/index.html")).relative_to(output).as_posix()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{base}/files/{index}")  # the pack's phone page, through the app
    assert page.evaluate("getComputedStyle(document.querySelector('.player')).borderRadius") \
        == "16px"  # its inline style applies
    assert page.is_visible("#play")  # and its inline script ran
    assert page.evaluate("document.querySelector('audio').textTracks.length") == 1
    assert errors == [], errors
    page.close()
