"""The practice log end to end: kept on the phone (offline too), shared as a file, read back.

Client page and a batch pack's index.html opened from its unzipped folder, at phone and
desktop sizes, with every request the pages make recorded: only the app that served them.
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cft_audio.pipeline import Renderer
from cft_audio.practice import read_log, shared_text
from cft_audio.request import Request
from cft_audio.web import Settings
from cft_audio.web.renders import render_new

from ..practice_files import HOSTILE, entry, log
from .conftest import fake_batch_context, fake_render_context
from .pages import PLAYED, OneFormat, client_link, run_batch
from .server import serving
from .test_batch_web import GOOD

pytestmark = pytest.mark.enable_socket

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NOTE = "slow breaths <script>alert('x')</script> & a <b>warm</b> hand"
STORED = "Object.entries(localStorage).filter(([k]) => k.startsWith('cft-audio-practice:'))"


@pytest.fixture(scope="module")
def site(module_folder: Path):
    """The app with two renders (fake voice) and batch workers; (base, output, render ids)."""
    output = module_folder / "output"
    output.mkdir()
    context = fake_render_context(module_folder)
    renderer = Renderer(context)
    ids = [render_new(renderer, OneFormat(), Request("safe-place", name=name, minutes=4,
                                                  pace="brisk", background="none", mono=True),
                      ("mp3",), output) for name in ("Noor", "Ines")]
    settings = Settings(output=output, context=context, batch_context=fake_batch_context,
                        workers=1)
    with serving(settings) as (base, _app):
        yield base, output, ids


def _practice_folder(output: Path) -> Path:
    return output / ".web" / "practice"


def _kept(output: Path) -> list[Path]:
    folder = _practice_folder(output)
    return sorted(folder.glob("*.json")) if folder.exists() else []


def _recorded(context) -> list[str]:
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    return urls


def _mark(page, before: int | None, after: int | None, note: str = "") -> None:
    """Press "I practised", give the ratings and note asked for, and save."""
    shown = int(page.get_attribute("#practice", "data-entries"))
    page.click("#practice-open")
    assert page.is_visible("#practice-note")
    for field, value in (("#practice-before", before), ("#practice-after", after)):
        if value is not None:
            page.fill(field, str(value))
    if note:
        page.fill("#practice-words", note)
    page.click("#practice-save" if before is not None or after is not None or note
               else "#practice-skip")
    page.wait_for_selector(f"#practice[data-entries='{shown + 1}']")
    assert page.inner_text("#practice-thanks") == "Noted. Thank you for making time for this."


def _share(page, folder: Path) -> Path:
    """Press "Share with my therapist" (a download where the share sheet is not there)."""
    with page.expect_download() as download:
        page.click("#practice-share")
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def _upload(base: str, browser, path: Path, viewport=DESKTOP):
    """The therapist adds a shared file under Practice logs; the page it lands on."""
    context = browser.new_context(viewport=viewport)
    urls = _recorded(context)
    page = context.new_page()
    page.goto(f"{base}/library")
    page.click("#practice-logs")
    page.set_input_files("#practice-file", str(path))
    page.click("#practice-upload button[type=submit]")
    page.wait_for_load_state()
    return context, page, urls


def _only_from(urls: list[str], origin: str) -> None:
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == origin or parts.scheme in ("blob", "data"), url
        assert "breaths" not in url and "practice" not in parts.query, url


def _week_view(page, notes: list[str], sessions: int) -> None:
    """The week view: sessions, one mark per entry with its dots, the notes as plain text."""
    assert page.inner_text(".practice-week .sessions") == f"Sessions practised: {sessions}"
    assert page.locator(".practice-chart .mark").count() == sessions
    box = page.locator(".practice-chart").bounding_box()
    assert box["width"] > 200 and box["height"] > 80
    cells = page.locator("td.practice-note").all_inner_texts()
    assert sorted(cells) == sorted(n or "—" for n in notes)
    assert page.locator("td.practice-note script, td.practice-note b").count() == 0


def test_the_client_page_keeps_notes_offline_shares_them_and_deletes_them(
        site, browser, tmp_path, screenshots):
    base, output, (render_id, _) = site
    link = client_link(base, browser, render_id)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    urls = _recorded(context)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(base + link)
    page.wait_for_selector("html[data-offline=ready]")
    assert "Only in this browser, on this phone" in page.inner_text("#practice")
    start, now, _ = page.evaluate(PLAYED, "audio")
    assert now > start
    _mark(page, 3, 6, NOTE)
    page.evaluate("document.querySelector('audio').pause()")

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#practice[data-entries='1']")
    page.evaluate(PLAYED, "audio")
    page.evaluate("document.querySelector('audio').pause()")
    _mark(page, 4, 8, "")
    items = page.locator("#practice-list li").all_inner_texts()
    assert len(items) == 2 and "before 4, after 8" in items[0] and "<script>" in items[1]
    assert "streak" not in page.inner_text("main").lower()
    assert "missed" not in page.inner_text("main").lower()
    page.screenshot(path=screenshots / "practice-client-phone-390x844.png")
    page.click("#practice-open")
    page.screenshot(path=screenshots / "practice-note-phone-390x844.png")
    page.click("#practice-cancel")

    shared = _share(page, tmp_path)
    assert shared.name.startswith("practice-log-the-safe-place-") and "Noor" not in shared.name
    found = read_log(shared.read_bytes())
    assert found.source.key == render_id and found.source.kind == "recording"
    assert [(e.before, e.after, e.note, e.track) for e in found.entries] == [
        (3, 6, NOTE, "The Safe Place"), (4, 8, "", "The Safe Place")]
    kept = json.loads(page.evaluate(STORED)[0][1])
    assert [(e["before"], e["after"], e["note"]) for e in kept] == [(3, 6, NOTE), (4, 8, "")]
    assert "before 3, after 6" in shared.read_text()  # readable before the data
    page.set_viewport_size(DESKTOP)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "practice-client-desktop-1280x800.png")

    page.click("#practice-delete")
    assert page.is_visible("#practice-confirm")
    page.click("#practice-delete-no")
    assert page.locator("#practice-list li").count() == 2
    page.click("#practice-delete")
    page.click("#practice-delete-yes")
    assert page.locator("#practice-list li").count() == 0 and page.evaluate(STORED) == []
    page.reload()
    assert page.get_attribute("#practice", "data-entries") == "0"
    _only_from(urls, base)
    context.close()

    therapist, view, therapist_urls = _upload(base, browser, shared)
    assert "/practice/" in view.url
    _week_view(view, [NOTE, ""], sessions=2)
    assert "&lt;script&gt;" in view.content()
    assert "for Noor" in view.inner_text("main")
    view.screenshot(path=screenshots / "practice-log-desktop-1280x800.png", full_page=True)
    view.set_viewport_size(PHONE)
    view.screenshot(path=screenshots / "practice-log-phone-390x844.png", full_page=True)
    (path,) = _kept(output)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(_practice_folder(output).stat().st_mode) == 0o700
    assert view.goto(f"{base}/files/.web/practice/{path.name}").status == 404
    view.set_viewport_size(DESKTOP)
    view.goto(f"{base}/practice")
    assert view.locator("tr[data-log]").count() == 1
    assert "Noor" in view.inner_text("tr[data-log]")
    view.screenshot(path=screenshots / "practice-logs-desktop-1280x800.png")
    view.on("dialog", lambda dialog: dialog.accept())
    view.click("tr[data-log] button.danger")
    view.wait_for_url("**/practice?deleted=1")
    assert _kept(output) == [] and view.locator("tr[data-log]").count() == 0
    _only_from(therapist_urls, base)
    therapist.close()


def test_a_log_goes_with_its_recording(site, browser, tmp_path):
    base, output, (_, render_id) = site
    data = log([entry(note="kept with Ines's recording")])
    data["source"]["key"] = render_id
    from cft_audio.practice import check_log

    path = tmp_path / "shared.txt"
    path.write_text(shared_text(check_log(data)))
    context, page, _ = _upload(base, browser, path)
    assert "for Ines" in page.inner_text("main") and len(_kept(output)) == 1
    page.goto(f"{base}/library")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"tr[data-render='{render_id}'] button.danger")
    page.wait_for_url("**/library?deleted=1")
    assert _kept(output) == []
    context.close()


def test_hostile_shared_files_get_one_line_and_nothing_is_kept(site, browser, tmp_path,
                                                              screenshots):
    base, output, _ = site
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for name, (data, words) in HOSTILE.items():
        path = tmp_path / "shared.txt"
        path.write_bytes(data)
        page.goto(f"{base}/practice")
        page.set_input_files("#practice-file", str(path))
        with page.expect_navigation() as answered:
            page.click("#practice-upload button[type=submit]")
        assert answered.value.status == 422, name
        message = page.inner_text("#practice-error")
        assert message.startswith("Nothing was kept: ") and words in message, (name, message)
        assert "\n" not in message.strip(), (name, message)
        assert _kept(output) == [], name
        if name == "rating 99":
            page.screenshot(path=screenshots / "practice-refused-phone-390x844.png")
        assert page.goto(f"{base}/library").status == 200  # still answering
    page.goto(f"{base}/practice")
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    page.set_input_files("#practice-file", str(path))
    page.click("#practice-upload button[type=submit]")
    assert "'notes.pdf' is not a shared practice log" in page.inner_text("#practice-error")
    context.close()


def test_a_pack_page_from_its_unzipped_folder_keeps_and_shares_notes(
        site, browser, tmp_path, screenshots):
    base, output, _ = site
    manifest = tmp_path / "programme.yaml"
    manifest.write_text(GOOD)
    therapist = browser.new_page()
    therapist.set_default_timeout(120_000)
    run_batch(therapist, base, manifest)
    therapist.wait_for_selector("#batch-summary")
    therapist.close()
    summary = next(output.rglob("summary.html")).read_text()
    assert "logs come back only" in " ".join(summary.split())
    with zipfile.ZipFile(next(output.rglob("p01.zip"))) as archive:
        archive.extractall(tmp_path / "unzipped")
    index = next((tmp_path / "unzipped").rglob("index.html"))

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    urls = _recorded(context)
    page = context.new_page()
    page.goto(index.as_uri())
    page.evaluate(PLAYED, "audio")
    page.evaluate("document.querySelector('audio').pause()")
    _mark(page, 2, 5, "<script>document.title='x'</script>")
    page.reload()
    _mark(page, None, None)
    page.screenshot(path=screenshots / "practice-pack-file-phone-390x844.png")
    shared = _share(page, tmp_path)
    assert "Sam" not in shared.name and shared.name.startswith("practice-log-riverside-group-")
    found = read_log(shared.read_bytes())
    assert found.source.kind == "pack" and found.source.key.endswith("/p01")
    assert [(e.before, e.after) for e in found.entries] == [(2, 5), (None, None)]
    for url in urls:
        assert urlsplit(url).scheme in ("file", "data", "blob"), url
    context.close()

    therapist, view, _ = _upload(base, browser, shared)
    _week_view(view, ["<script>document.title='x'</script>", ""], sessions=2)
    assert view.locator(".practice-chart rect.unrated").count() == 1
    assert "for Sam" in view.inner_text("main")
    view.screenshot(path=screenshots / "practice-log-pack-desktop-1280x800.png", full_page=True)
    assert len(_kept(output)) == 1
    view.on("dialog", lambda dialog: dialog.accept())
    view.click("#delete-log")  # the log page's own button
    view.wait_for_url("**/practice?deleted=1")
    assert _kept(output) == []
    therapist.close()


def test_an_upload_from_another_site_is_refused_by_the_csrf_guard(site, browser):
    base, output, (render_id, _) = site
    data = log()
    data["source"]["key"] = render_id
    context = browser.new_context()
    file = {"name": "shared.txt", "mimeType": "text/plain",
            "buffer": json.dumps(data).encode()}
    forged = context.request.post(f"{base}/practice", multipart={"log": file},
                                  headers={"Origin": "http://127.0.0.1:1"}, max_redirects=0)
    assert forged.status == 403 and _kept(output) == []
    unsigned = context.request.post(f"{base}/practice", multipart={"log": file},
                                    max_redirects=0)  # no Origin, no token: refused too
    assert unsigned.status == 403 and _kept(output) == []
    context.close()


SHARE_SHEET = """
navigator.canShare = (data) => !!(data && data.files && data.files.length);
navigator.share = (data) => { window.sharedFiles = data.files; return Promise.resolve(); };
"""
"""A phone's share sheet, as the Web Share API offers it (Linux Chromium has none)."""


def test_where_the_phone_can_share_files_the_share_sheet_gets_the_file(browser, tmp_path):
    from cft_audio.export.player import PlayerTrack, player_html
    from cft_audio.practice import Source

    page_file = tmp_path / "index.html"
    tracks = [PlayerTrack(f"Week {n}: Soothing", f"{n}.mp3", None, "Script", 240)
              for n in (1, 2)]
    page_file.write_text(player_html("Riverside group", tracks, "Facilitator",
                                     practice=Source("pack", "riverside/p01", "Riverside group")))
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script(SHARE_SHEET)
    page = context.new_page()
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(page_file.as_uri())
    page.click("ol.tracks li:nth-child(2) button")
    _mark(page, 1, 4, "on the bus")
    page.click("#practice-share")
    page.wait_for_function("() => window.sharedFiles")
    name, text = page.evaluate("async () => [window.sharedFiles[0].name, "
                               "await window.sharedFiles[0].text()]")
    assert name.startswith("practice-log-riverside-group-") and name.endswith(".txt")
    found = read_log(text.encode())
    assert [(e.track, e.before, e.after, e.note) for e in found.entries] == [
        ("Week 2: Soothing", 1, 4, "on the bus")]
    assert page.inner_text("#practice-shared").startswith("Shared.") and downloads == []
    context.close()
