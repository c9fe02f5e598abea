"""Control over work: cancel renders and batches, a bounded queue, a prompt Ctrl-C, odd folders."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import types
import urllib.error
import urllib.parse
import urllib.request
import uuid
import wave
from pathlib import Path

import numpy as np
import pytest

from cft_audio.web import Settings

from .conftest import ROOT, fake_batch_context, fake_render_context
from .pages import get_json
from .server import free_port, serving

pytestmark = pytest.mark.enable_socket

LONG = {"name": "Sam", "minutes": "30", "pace": "slow", "background": "rain"}
"""A render the fake voice needs many seconds for (thirty minutes to mix and encode)."""
SHORT = {"name": "Lee", "minutes": "5", "pace": "brisk", "background": "none", "mono": "1"}
BIG_BATCH = """\
programme: {title: Long group, weeks: 2}
defaults: {pace: slow, background: rain, minutes: 25}
exercises:
  - {week: 1, exercise: soothing-breath}
  - {week: 2, exercise: safe-place}
participants:
  - {id: p01, name: Sam}
  - {id: p02, name: Noor}
  - {id: p03, name: Lee}
"""
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SAME = {"Sec-Fetch-Site": "same-origin"}
"""What Chromium sends with the app's own form posts."""


def post(base: str, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
    """POST a form as the app's own page would; (status, final URL, body) after redirects."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(base + path, data=data, headers=SAME)
    try:
        with _DIRECT.open(request, timeout=30) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.url, error.read().decode()


def multipart(base: str, path: str, fields: dict[str, str],
              files: dict[str, tuple[str, bytes]]) -> tuple[int, str]:
    """POST a multipart form as the app's own page would; (status, final URL)."""
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
             .encode() for k, v in fields.items()]
    parts += [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{n}\""
              f"\r\nContent-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
              for k, (n, data) in files.items()]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        base + path, data=body,
        headers={**SAME, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with _DIRECT.open(request, timeout=60) as response:
        return response.status, response.url


def upload(base: str, manifest: str) -> tuple[int, str]:
    """POST a manifest to /batch to check and render; (status, final URL)."""
    return multipart(base, "/batch", {"action": "run"},
                     {"manifest": ("programme.yaml", manifest.encode())})


def job_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def wait_for(base: str, job: str, test, seconds: float = 60) -> dict:
    """Poll a job until `test(status)` holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = get_json(f"{base}/api/jobs/{job}")
        if test(status):
            return status
        assert status["state"] != "failed", status
        time.sleep(0.1)
    raise AssertionError(f"job {job} never got there: {status}")


def _visible(output: Path) -> list[str]:
    return sorted(p.name for p in output.iterdir() if not p.name.startswith("."))


def _leftovers(output: Path) -> list[str]:
    """Temp files and uploads anywhere under the output folder."""
    found = [str(p.relative_to(output)) for p in output.rglob("*.part")]
    uploads = output / ".web" / "uploads"
    return found + ([str(p) for p in uploads.iterdir()] if uploads.exists() else [])


def no_leftovers_soon(output: Path, seconds: float = 10) -> list[str]:
    """The leftovers once the ended job's done-callback has had time to remove its uploads.

    A job's uploads are removed by a callback that runs just after its future is done, so
    polling for a short while is what a user sees; anything still there after it is a bug.
    """
    deadline = time.monotonic() + seconds
    while (found := _leftovers(output)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


@pytest.fixture(scope="module")
def site(module_folder: Path):
    """One render worker, room for three jobs, batches with the fake voice."""
    output = module_folder / "output"
    settings = Settings(output=output, context=fake_render_context(module_folder), workers=1,
                        queue_limit=3, batch_context=fake_batch_context)
    with serving(settings) as (base, app):
        yield base, output, app.state.web


def test_cancel_a_render_frees_its_worker_and_leaves_nothing(site):
    base, output, web = site
    status, url, page = post(base, "/new/safe-place", LONG)
    assert status == 200 and "/jobs/" in url, page
    long_job = job_of(url)
    wait_for(base, long_job, lambda s: s["state"] == "running" and s["stage"] != "script")
    _, url, _ = post(base, "/new/soothing-breath", SHORT)
    short_job = job_of(url)
    assert get_json(f"{base}/api/jobs/{short_job}")["position"] == 1  # behind the long one
    status, url, page = post(base, f"/jobs/{long_job}/cancel", {})
    assert status == 200 and job_of(url) == long_job
    assert "Stopping…" in page or "Cancelled." in page  # until its worker has let go
    wait_for(base, short_job, lambda s: s["state"] == "done")  # the one worker was freed
    assert get_json(f"{base}/api/jobs/{long_job}")["state"] == "cancelled"
    names = [e for e in _visible(output)]
    assert len(names) == 1  # only the short render's folder; the long one's is gone
    assert not any("safe-place" in p.name for p in output.rglob("*"))
    assert _leftovers(output) == []


def test_cancel_a_render_with_an_upload_removes_the_upload(site, tmp_path):
    base, output, web = site
    before = _visible(output)
    sound = tmp_path / "own.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        noise = np.random.default_rng(2).standard_normal(22050 * 4) * 3000
        out.writeframes(noise.astype(np.int16).tobytes())
    status, url = multipart(base, "/new/safe-place", LONG,
                            {"background-file": ("own.wav", sound.read_bytes())})
    job = job_of(url)
    wait_for(base, job, lambda s: s["state"] == "running" and s["stage"] != "script")
    assert os.listdir(output / ".web" / "uploads")
    post(base, f"/jobs/{job}/cancel", {})
    wait_for(base, job, lambda s: web.jobs.get(job).future.done())
    assert no_leftovers_soon(output) == [] and _visible(output) == before


def test_a_full_queue_refuses_clearly_and_shows_positions(site):
    base, output, web = site
    before = _visible(output)
    jobs = [job_of(post(base, "/new/safe-place", LONG)[1]) for _ in range(3)]
    positions = [get_json(f"{base}/api/jobs/{job}")["position"] for job in jobs]
    assert positions[1:] == [1, 2] and positions[0] in (0,)
    status, _, page = post(base, "/new/safe-place", LONG)
    assert status == 503
    assert "3 jobs are already waiting or running (at most 3)" in page
    assert "Busy" in page and "Nothing was started" in page
    for job in reversed(jobs):
        post(base, f"/jobs/{job}/cancel", {})
    for job in jobs:
        wait_for(base, job, lambda s: s["state"] == "cancelled")
    wait_for(base, jobs[0], lambda s: web.jobs.get(jobs[0]).future.done())
    assert no_leftovers_soon(output) == [] and _visible(output) == before


def test_cancel_a_batch_asks_first_then_stops_keeps_the_upload_and_resumes(site):
    base, output, web = site
    status, url = upload(base, BIG_BATCH.replace("minutes: 25", "minutes: 5"))
    job = job_of(url)
    wait_for(base, job, lambda s: s["counts"].get("phase") == "render", seconds=120)
    status, _, page = post(base, f"/jobs/{job}/cancel", {})  # no confirm: a page asks
    assert status == 200 and "Yes, cancel the batch" in page
    assert get_json(f"{base}/api/jobs/{job}")["state"] == "running"
    status, _, page = post(base, f"/jobs/{job}/cancel", {"confirm": "1"})
    assert status == 200 and ("Stopping…" in page or "Cancelled." in page)
    wait_for(base, job, lambda s: s["state"] == "cancelled", seconds=30)
    page = _DIRECT.open(f"{base}/jobs/{job}", timeout=30).read().decode()
    assert "Cancelled." in page and "Resume this batch" in page and "Stopping" not in page
    assert "left" not in page and "This takes a little while" not in page
    thread = next(t for t in web.jobs._threads if t.name == f"cft-job-{job}")
    thread.join(10)
    assert not thread.is_alive()
    assert not list(output.rglob("*.part"))  # no partial tracks
    assert os.listdir(output / ".web" / "uploads")  # the manifest is kept for a resume
    _, url, _ = post(base, f"/batch/{job}/resume", {})
    again = job_of(url)
    assert again != job
    # a generous deadline on a loaded machine (255 s alone at load 14), not a bound
    done = wait_for(base, again, lambda s: s["state"] == "done", seconds=600)
    assert done["result"]["tracks"] == 6
    assert no_leftovers_soon(output) == []  # finished: the upload is gone


def test_cancel_a_batch_while_a_render_runs_on_the_same_pool(site):
    base, output, web = site
    _, url = upload(base, BIG_BATCH.replace("minutes: 25", "minutes: 5"))
    batch = job_of(url)
    wait_for(base, batch, lambda s: s["counts"].get("phase") == "render", seconds=120)
    render = job_of(post(base, "/new/safe-place", SHORT)[1])  # waits its fair turn
    wait_for(base, render, lambda s: s["state"] == "running", seconds=120)
    post(base, f"/jobs/{batch}/cancel", {"confirm": "1"})
    assert get_json(f"{base}/api/jobs/{batch}")["state"] in ("stopping", "cancelled")
    wait_for(base, batch, lambda s: s["state"] == "cancelled", seconds=30)
    done = wait_for(base, render, lambda s: s["state"] == "done", seconds=120)
    assert list(output.glob(done["result"] + ".*"))  # the render finished and was kept
    assert get_json(f"{base}/api/jobs/{batch}")["state"] == "cancelled"
    _, url, _ = post(base, f"/batch/{batch}/resume", {})
    resumed = wait_for(base, job_of(url), lambda s: s["state"] == "done", seconds=300)
    assert resumed["result"]["kept"] + resumed["result"]["rendered"] == 6
    assert no_leftovers_soon(output) == []


def test_delete_during_make_this_format_leaves_no_orphan(site):
    base, output, web = site
    _, url, _ = post(base, "/new/safe-place", {**LONG, "minutes": "12", "background": "none"})
    job = job_of(url)
    done = wait_for(base, job, lambda s: s["state"] == "done", seconds=180)
    render_id = done["url"].removeprefix("/renders/")
    folder = output / render_id.split("/")[0]
    _, url, _ = post(base, f"/renders/{render_id}/formats", {"format": "wav"})
    fmt_job = job_of(url)
    wait_for(base, fmt_job, lambda s: s["state"] == "running" and s["stage"] != "script")
    status, url, _ = post(base, f"/renders/{render_id}/delete", {})
    assert url.endswith("/library?deleted=1")
    wait_for(base, fmt_job, lambda s: s["state"] == "cancelled", seconds=30)
    assert web.jobs.get(fmt_job).future.done()  # cancelled once its worker let go
    time.sleep(0.3)
    assert not folder.exists()  # not re-created, no WAV the library cannot show
    assert not list(output.rglob("*.wav")) and _leftovers(output) == []


def test_delete_is_done_when_a_cancelled_format_job_removed_the_folder_first(tmp_path):
    from cft_audio.web.library import delete_render, find_render

    output = tmp_path / "output"
    folder = output / "20261203-183216-4c2534"
    folder.mkdir(parents=True)
    (folder / "track.json").write_text(json.dumps({"request": {"exercise": "safe-place"}}))
    (folder / "track.mp3").write_bytes(b"ID3")
    entry = find_render(output, "20261203-183216-4c2534/track")
    for path in folder.iterdir():  # what a format job does once the record has gone
        path.unlink()
    folder.rmdir()
    assert delete_render(output, entry) == [] and output.is_dir()


def test_a_symlinked_record_outside_the_folder_is_skipped_and_logged(tmp_path, caplog):
    output = tmp_path / "output"
    outside = tmp_path / "elsewhere" / "2026-render"
    outside.mkdir(parents=True)
    (outside / "track.json").write_text(json.dumps({"request": {"exercise": "safe-place",
                                                               "name": "Eve"}}))
    (outside / "track.mp3").write_bytes(b"ID3")
    output.mkdir()
    (output / "linked").symlink_to(outside.parent)
    (output / "direct").symlink_to(outside)
    settings = Settings(output=output, context=fake_render_context(tmp_path))
    caplog.set_level(logging.WARNING, logger="cft_audio.web.library")
    with serving(settings) as (base, _app):
        with _DIRECT.open(f"{base}/library", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200
    assert ">Eve<" not in page and "No recordings yet" in page
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert any("direct/track.json" in line for line in skipped), skipped


def test_the_apps_folders_are_private_whatever_the_umask(tmp_path):
    from cft_audio.web.app import create_app
    from cft_audio.web.library import new_render_folder
    from cft_audio.web.uploads import keep_beside

    old = os.umask(0o022)
    try:
        app = create_app(Settings(output=tmp_path / "new" / "out",
                                  context=fake_render_context(tmp_path)))
        folder = new_render_folder(tmp_path / "new" / "out")
        (tmp_path / "x.png").write_bytes(b"x")
        keep_beside({"cover": tmp_path / "x.png"}, folder)
        app.state.web.shares.key_for("some/render")
    finally:
        os.umask(old)
        app.state.web.jobs.shutdown()
    made = [tmp_path / "new", tmp_path / "new" / "out", folder, folder / ".own",
            tmp_path / "new" / "out" / ".web"]
    assert {str(p): p.stat().st_mode & 0o777 for p in made} == {str(p): 0o700 for p in made}


STOPPER = """
import sys
from pathlib import Path
from cft_audio.web import Settings, create_app
from cft_audio.web.cli import run_server
from tests.web.conftest import fake_batch_context, fake_render_context
folder = Path(sys.argv[1])
settings = Settings(output=folder / "output", context=fake_render_context(folder),
                    batch_context=fake_batch_context, port=int(sys.argv[2]))
run_server(create_app(settings), "127.0.0.1", int(sys.argv[2]))
"""


def test_one_ctrl_c_stops_the_app_and_leaves_no_uploads(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", STOPPER, str(tmp_path), str(port)],
                              env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                get_json(f"{base}/api/jobs/none")
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        _, url = upload(base, BIG_BATCH)
        batch = job_of(url)
        _, url, _ = post(base, "/new/safe-place", LONG)
        wait_for(base, batch, lambda s: s["counts"].get("phase") == "render", seconds=120)
        wait_for(base, job_of(url), lambda s: s["state"] == "running")
        output = tmp_path / "output"
        assert os.listdir(output / ".web" / "uploads")
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)  # one Ctrl-C is enough (timing: benchmarks/web_stop.py)
    finally:
        if server.poll() is None:
            server.kill()
    errors = server.stderr.read()
    assert _leftovers(output) == [], errors
    assert "Traceback" not in errors, errors


def test_batch_counts_give_the_time_left_at_the_pace_so_far(monkeypatch):
    from cft_audio.web.jobs import Job

    clock = iter([100.0, 110.0, 130.0, 131.0, 191.0])
    # the jobs module's clock alone: the time module's own is every thread's (the module's
    # server's pool listener died of this clock running out, and every later job waited)
    monkeypatch.setattr("cft_audio.web.jobs.time",
                        types.SimpleNamespace(monotonic=lambda: next(clock), time=time.time))
    job = Job("j", "Group")
    job.report_count("speech", 0, 400)
    assert job.as_json()["counts"] == {"phase": "speech", "done": 0, "total": 400, "left": None}
    job.report_count("speech", 100, 400)  # 100 sentences in 10 s: 300 more take 30 s
    assert job.as_json()["counts"]["left"] == 30.0
    job.report_count("speech", 400, 400)
    assert job.as_json()["counts"]["left"] == 0.0
    job.report_count("render", 0, 6)
    job.report_count("render", 2, 6)  # 2 tracks in 60 s: 4 more take 120 s
    assert job.as_json()["counts"] == {"phase": "render", "done": 2, "total": 6, "left": 120.0}
    assert job.as_json()["label"] == "Rendering tracks" and 0.3 < job.fraction < 1


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_the_job_page_shows_the_queue_position_and_cancels(site, browser, screenshots):
    base, output, web = site
    first = job_of(post(base, "/new/safe-place", LONG)[1])
    second = job_of(post(base, "/new/compassionate-self", LONG)[1])
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/jobs/{second}")
    page.wait_for_selector("#job-queue:not([hidden])")
    assert page.inner_text("#job-queue") == "1 job is ahead of this one."
    assert page.inner_text("#cancel") == "Cancel this recording"
    page.screenshot(path=screenshots / "job-queued-cancel-phone-390x844.png")
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=screenshots / "job-queued-cancel-desktop-1280x800.png")
    page.click("#cancel")
    page.wait_for_selector("#job-cancelled")
    assert get_json(f"{base}/api/jobs/{second}")["state"] == "cancelled"
    post(base, f"/jobs/{first}/cancel", {})
    wait_for(base, first, lambda s: web.jobs.get(first).future.done())
    context.close()


def test_batch_progress_counts_sentences_and_tracks_with_time_left(site, browser, screenshots):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    base, output, web = site
    mixed = BIG_BATCH.replace("background: rain, minutes: 25", "background: none").replace(
        "exercise: soothing-breath}", "exercise: soothing-breath, minutes: 5}").replace(
        "exercise: safe-place}", "exercise: safe-place, minutes: 30}")
    _, url = upload(base, mixed)  # three short tracks done early, three long ones still going
    job = job_of(url)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{base}/jobs/{job}")
    counts = "(document.getElementById('job-counts') || {}).textContent || ''"
    try:
        page.wait_for_function(f"() => /^Tracks made: [1-5] of 6 · (about \\d+ minutes?|less "
                               f"than a minute) left for this step$/.test({counts})")
    except PlaywrightTimeout:  # say what the job and the page were doing
        pytest.fail(f"the page shows {page.inner_text('#job')!r}; the job is "
                    f"{get_json(f'{base}/api/jobs/{job}')}; the pool has "
                    f"{[(j.id, j.state) for j in web.jobs._jobs.values()]}")
    assert page.inner_text("#job-label").startswith("Rendering tracks")
    page.screenshot(path=screenshots / "batch-progress-desktop-1280x800.png")
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "batch-progress-phone-390x844.png")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "no": it keeps running
    page.click("#cancel")
    assert get_json(f"{base}/api/jobs/{job}")["state"] == "running"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cancel")
    page.wait_for_selector("#job-cancelled")
    assert not list(output.rglob("*.part"))
    context.close()
