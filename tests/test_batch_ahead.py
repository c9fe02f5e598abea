"""Work a batch does before its tracks: speech shared, and each bed stored once meanwhile."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cft_audio import Request
from cft_audio.batch import runner, worker
from cft_audio.batch.plan import Track
from cft_audio.batch.worker import BedWork
from cft_audio.pipeline import RenderContext, SpeechJob
from cft_audio.sound import RATE
from cft_audio.voices.settings import VoiceSettings
from cft_audio.workers import current

from .conftest import FakeEngine


def track(seconds: float, background: str = "ocean", seed: int = 0, number: int = 1) -> Track:
    request = Request(exercise="safe-place", background=background, seed=seed)
    return Track("p01", number, number, "safe-place", None, request, seconds)  # type: ignore[arg-type]


def test_each_bed_and_seed_is_made_once_as_long_as_its_longest_track_with_margin():
    tracks = [track(300), track(620), track(410, seed=5), track(500, "rain"), track(900, "none")]
    assert runner.beds_ahead(tracks) == [
        BedWork("ocean", 0, 620 * runner.BED_MARGIN), BedWork("ocean", 5, 410 * runner.BED_MARGIN),
        BedWork("rain", 0, 500 * runner.BED_MARGIN)]


class Inline:
    """An executor running each task here, in order, remembering what it was given."""

    workers = 2

    def __init__(self):
        self.given: list[tuple[str, list]] = []

    def map(self, task, items):
        self.given.append((task.__name__, list(items)))
        for index, item in enumerate(items):
            if task is worker.gather:
                yield index, tuple(job(f"{r.background} {r.seed}") for r in item)
            else:
                yield index, 0 if isinstance(item, BedWork) else len(item)


def job(text: str) -> SpeechJob:
    return SpeechJob("joe", text, VoiceSettings(), key=text)


def test_beds_are_stored_while_the_speech_is_spoken_and_only_speech_is_counted():
    executor, seen = Inline(), []
    tracks = [track(300), track(400, "rain"), track(200, seed=2)]
    found = runner.speak_ahead(tracks, executor, lambda *report: seen.append(report))
    assert found == (3, 3)
    name, work = executor.given[-1]
    assert name == "ahead" and [type(w) for w in work[:3]] == [BedWork] * 3
    assert sorted(j.text for chunk in work[3:] for j in chunk) == ["ocean 0", "ocean 2", "rain 0"]
    assert seen[0] == ("speech", 0, 3) and seen[-1] == ("speech", 3, 3)
    assert all(done <= 3 for _, done, _ in seen)


def beds_context() -> RenderContext:
    """A worker's context with the fake voice and this process's bed folder."""
    engine = FakeEngine()
    return RenderContext(open_engine=lambda profile: engine,
                         bed_store=Path(current().bed_folder))  # type: ignore[arg-type]


@pytest.mark.parametrize(("background", "made"), [("ocean", True), ("bowls", False),
                                                   ("none", False)])
def test_a_worker_stores_a_bed_once_unless_it_follows_the_sections(tmp_path, monkeypatch,
                                                                  background, made):
    monkeypatch.setattr(current(), "bed_folder", str(tmp_path))
    monkeypatch.setattr(current(), "renderers", {})
    work = BedWork(background, 3, 1.5)
    assert worker.prepare_bed(beds_context, work) is made
    assert worker.prepare_bed(beds_context, work) is False
    sizes = [p.stat().st_size for p in tmp_path.glob("*.f32")]
    assert sizes == ([math.ceil(1.5 * RATE) * 8] if made else [])
