"""Batch runs (fake engine): packs, privacy, resume, Ctrl-C, SIGKILL, Dask, the phone page."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import mutagen
import pytest

from cft_audio import Renderer
from cft_audio.analyse import analyse_file
from cft_audio.batch.errors import BatchInterrupted
from cft_audio.batch.executors import LocalExecutor
from cft_audio.batch.plan import plan_batch
from cft_audio.batch.runner import run_batch

from .batch_support import fake_context, unix_sockets_only, write_manifest
from .test_player import open_offline

ROOT = Path(__file__).resolve().parent.parent
TINY = """[section Arriving]
Hello{% if name %}, {{ name }}{% endif %}.
Let yourself settle, there is no hurry.
[pause short]
Notice the breath, just as it is.
[pause short]
When you are ready, open your eyes.
"""
PEOPLE = [{"name": "Siobhán Ní Bhriain", "place": "forest"}, {"name": "李小龙", "id": "c-7"},
          {"background": "rain"}]
NAMES = ("Siobhán", "Bhriain", "李小龙")


def tiny_manifest(folder: Path, people: list[dict] = PEOPLE) -> Path:
    """Two weeks of a ~25-second template (fast with the fake voice)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.j2").write_text(TINY, encoding="utf-8")
    return write_manifest(folder, people, defaults={"background": "none"},
                          exercises=[{"week": 1, "script": "tiny.j2"},
                                     {"week": 2, "script": "tiny.j2", "background": "ocean"}])


def run(manifest: Path, out: Path, progress=None, jobs: int = 2):
    plan = plan_batch(manifest, out, Renderer(fake_context()))
    kwargs = {"progress": progress} if progress else {}
    return run_batch(plan, LocalExecutor(jobs, fake_context), **kwargs)


@pytest.fixture(autouse=True)
def local_sockets(request):
    """The worker pool's fork server needs a Unix socket; the network stays blocked."""
    if request.node.get_closest_marker("enable_socket") is None:
        unix_sockets_only()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One batch of 3 participants x 2 tracks, shared by the pack tests."""
    unix_sockets_only()
    folder = tmp_path_factory.mktemp("batch")
    saved = {k: os.environ.get(k) for k in ("CFT_AUDIO_CACHE", "CFT_AUDIO_HOME")}
    os.environ["CFT_AUDIO_CACHE"] = str(folder / "cache")
    os.environ["CFT_AUDIO_HOME"] = str(folder / "home")
    try:
        manifest = tiny_manifest(folder / "in")
        yield manifest, run(manifest, folder / "out")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_every_track_rendered_once_sharing_speech(batch):
    _, report = batch
    assert [s.state for s in report.statuses] == ["rendered"] * 6
    assert [s.check for s in report.statuses] == ["ok"] * 6
    assert report.sentences == report.spoken == 3 + 3  # 3 shared lines, 3 greetings


def test_pack_contents(batch):
    _, report = batch
    out = report.plan.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".cft-audio-batch.lock", "c-7", "c-7.zip", "p01", "p01.zip", "p03", "p03.zip",
        "summary.csv", "summary.html"]
    pack = out / "p01"
    stems = ["01 Week 1 - Tiny", "02 Week 2 - Tiny"]
    assert sorted(p.name for p in pack.iterdir()) == sorted(
        [f"{s}.{x}" for s in stems for x in ("mp3", "vtt", "json")]
        + ["handout.html", "index.html", "playlist.m3u8"])
    playlist = (pack / "playlist.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U" and playlist[3] == f"{stems[0]}.mp3"
    assert playlist[2].startswith("#EXTINF:2") and playlist[2].endswith(" - Tiny")
    with zipfile.ZipFile(out / "p01.zip") as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(
            [f"p01/{s}.{x}" for s in stems for x in ("mp3", "vtt")]
            + ["p01/handout.html", "p01/index.html", "p01/playlist.m3u8"])
    tags = mutagen.File(pack / f"{stems[1]}.mp3")
    assert str(tags["TALB"]) == "Test <Programme> & Co"
    assert str(tags["TPE1"]) == "Dr Ní Bhriain" and str(tags["TRCK"]).startswith("2")
    assert str(tags["TIT2"]) == "2. Tiny"  # its track number tells it apart


def test_summary_lists_every_track(batch):
    _, report = batch
    with open(report.plan.output / "summary.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["participant"], r["track"], r["status"], r["check"]) for r in rows] == [
        (p, t, "rendered", "ok") for p in ("p01", "c-7", "p03") for t in ("1", "2")]
    assert all(20 < float(r["seconds"]) < 40 for r in rows)
    assert "name" not in rows[0]
    assert "6 of 6 tracks finished" in (report.plan.output / "summary.html").read_text()


def test_no_names_in_any_path_and_html_escaped(batch):
    _, report = batch
    out = report.plan.output
    paths = [str(p.relative_to(out)) for p in out.rglob("*")]
    for archive in out.glob("*.zip"):
        paths += zipfile.ZipFile(archive).namelist()
    assert not [p for p in paths for name in NAMES if name in p]
    for page in [*out.glob("*/index.html"), *out.glob("*/handout.html"), out / "summary.html"]:
        text = page.read_text(encoding="utf-8")
        assert "<Programme>" not in text and "Test &lt;Programme&gt; &amp; Co" in text, page
    assert "Siobhán Ní Bhriain" in (out / "p01" / "handout.html").read_text(encoding="utf-8")


@pytest.mark.enable_socket  # Playwright's event loop needs a local socketpair; the page gets none
def test_pack_page_plays_offline_in_chromium(batch, browser):
    _, report = batch
    page, attempts = open_offline(browser, report.plan.output / "c-7" / "index.html")
    try:
        page.wait_for_function("() => document.getElementById('audio').readyState >= 1",
                               timeout=15000)
        assert page.evaluate("document.getElementById('audio').currentSrc").endswith(".mp3")
        assert page.evaluate("document.getElementById('audio').duration") > 20
        assert page.evaluate("document.querySelectorAll('ol.tracks button').length") == 2
        assert attempts == []
    finally:
        page.close()


def test_rerun_keeps_finished_tracks_and_redoes_only_what_changed(batch, tmp_path):
    manifest, first = batch
    out = first.plan.output
    damaged = out / "c-7" / "01 Week 1 - Tiny.mp3"
    with open(damaged, "r+b") as handle:  # a truncated file is redone, never trusted
        handle.truncate(1000)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.mp3")}
    changed = [dict(PEOPLE[0]), PEOPLE[1], {"background": "stream"}]
    again = run(tiny_manifest(manifest.parent, changed), out, jobs=1)
    assert [s.state for s in again.statuses] == ["kept", "kept", "rendered", "kept",
                                                 "rendered", "rendered"]
    assert again.sentences == 4 + 1  # only what the redone tracks speak was gathered
    for path, stamp in before.items():
        if path.parent.name != "p03" and path != damaged:
            assert (path.stat().st_ino, path.stat().st_mtime_ns) == stamp, path
    assert analyse_file(damaged).duration > 20
    assert not list(out.rglob(".*.part"))


def test_ctrl_c_keeps_finished_tracks_and_leaves_no_partial_files(tmp_path):
    manifest = tiny_manifest(tmp_path / "in", PEOPLE[:2])

    def interrupt(phase, done, total):
        if phase == "render" and done == 1:
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as caught:
        run(manifest, tmp_path / "out", progress=interrupt)
    assert caught.value.finished == 1 and caught.value.total == 4
    out = tmp_path / "out"
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    finished = list(out.rglob("*.json"))
    assert len(finished) >= 1
    for record in finished:
        assert analyse_file(record.with_suffix(".mp3")).duration > 20
    assert "not rendered" in (out / "summary.csv").read_text(encoding="utf-8")


KILLED_RUN = """
import sys
from pathlib import Path
from tests.test_batch import run
if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), jobs=1)
"""


def test_sigkill_midway_then_rerun_finishes_without_redoing_finished_tracks(tmp_path):
    manifest = tiny_manifest(tmp_path / "in", PEOPLE[:2])
    out = tmp_path / "out"
    script = tmp_path / "killed.py"  # one worker, so the kill lands with tracks still to do
    script.write_text(KILLED_RUN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(script), str(manifest), str(out)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(out.glob("*/*.json")) and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    time.sleep(1.5)  # orphaned workers notice and stop (watchdog)
    finished = {p.with_suffix(".mp3"): (p.with_suffix(".mp3").stat().st_ino,
                                        p.with_suffix(".mp3").stat().st_mtime_ns)
                for p in out.glob("*/*.json")}
    assert 1 <= len(finished) < 4
    report = run(manifest, out, jobs=1)
    assert sum(s.state == "kept" for s in report.statuses) >= len(finished)
    assert all(s.finished for s in report.statuses)
    for path, stamp in finished.items():
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == stamp
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    for track in report.plan.tracks:
        assert analyse_file(track.path).duration > 20
    for archive in out.glob("*.zip"):
        assert zipfile.ZipFile(archive).testzip() is None


@pytest.mark.enable_socket  # the in-process cluster's event loop needs a local socketpair
def test_dask_local_cluster_renders_a_pack(tmp_path):
    distributed = pytest.importorskip("distributed")
    from cft_audio.batch.dask_backend import DaskExecutor

    manifest = tiny_manifest(tmp_path / "in", PEOPLE[:1])
    plan = plan_batch(manifest, tmp_path / "out", Renderer(fake_context()))
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        report = run_batch(plan, DaskExecutor(client, fake_context))
    assert [s.state for s in report.statuses] == ["rendered", "rendered"]
    assert report.spoken == 4  # a named greeting and three more lines
    assert (tmp_path / "out" / "p01.zip").is_file()
