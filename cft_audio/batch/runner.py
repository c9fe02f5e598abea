"""Run a planned batch: speech shared once across tracks, tracks in parallel, packs, summary."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files import is_temp, private_folder, write_text_atomic
from ..pipeline import SpeechJob
from .errors import BatchError, BatchInterrupted
from .executors import Executor
from .pack import write_pack
from .plan import Pack, Plan, Track
from .resume import expected_fingerprint, is_done
from .status import FAILED, NOT_RENDERED, RENDERED, TrackStatus, kept
from .summary import summary_csv, summary_html
from .worker import BedWork, Outcome, ahead, gather, render_track

Progress = Callable[[str, int, int], None]
"""Called with a phase ("speech" or "render"), how many are done, and how many in all."""

LOCK = ".cft-audio-batch.lock"
SUMMARY_CSV = "summary.csv"
SUMMARY_HTML = "summary.html"
_CHUNKS_PER_WORKER = 16
"""Speech is handed out in this many pieces per worker (progress every few sentences, even
load; each piece costs one task hand-off, a few milliseconds)."""
BED_MARGIN = 1.15
"""A bed stored ahead is this much longer than its longest track's estimate (a track
longer still records its own, so a miss costs time, never sound)."""


def _silent(phase: str, done: int, total: int) -> None:
    """Report nothing."""


@dataclass(frozen=True)
class BatchReport:
    """What a batch run did."""

    plan: Plan
    statuses: tuple[TrackStatus, ...]
    sentences: int
    """Different sentences the tracks still to render needed."""
    spoken: int
    """Of those, how many the engine spoke (the rest were in the speech cache)."""
    zips: tuple[Path, ...]
    summary: tuple[Path, Path]

    @property
    def failed(self) -> tuple[TrackStatus, ...]:
        """Tracks that could not be rendered."""
        return tuple(s for s in self.statuses if s.state == FAILED)


def run_batch(plan: Plan, executor: Executor, progress: Progress = _silent,
              lock_wait: float = 0.0) -> BatchReport:
    """Render every track not already done, write the packs and the summary.

    Waits up to `lock_wait` seconds for another batch on the same folder to let go of it.
    Ctrl-C (KeyboardInterrupt) stops the workers, keeps finished tracks, removes temp files
    and raises BatchInterrupted.
    """
    _make_private_folder(plan.output)
    with output_lock(plan.output, lock_wait):
        sweep_temp_files(plan)
        statuses: dict[Track, TrackStatus] = {}
        for track in plan.tracks:
            if is_done(track, expected_fingerprint(track)):
                statuses[track] = kept(track)
        pending = [t for t in plan.tracks if t not in statuses]
        for pack in plan.packs:
            _make_private_folder(pack.folder)
        zips: dict[Path, Path] = {}
        try:
            sentences, spoken = speak_ahead(pending, executor, progress)
            progress("render", 0, len(pending))
            for done, (track, outcome) in enumerate(_rendered(pending, executor), start=1):
                statuses[track] = _status(track, outcome)
                pack = next(p for p in plan.packs if track in p.tracks)
                zips.update(_pack_if_complete(plan, pack, statuses))
                progress("render", done, len(pending))
        except KeyboardInterrupt:
            executor.abort()
            sweep_temp_files(plan)
            _write_summary(plan, statuses)
            finished = sum(1 for s in statuses.values() if s.finished)
            raise BatchInterrupted(finished, len(plan.tracks)) from None
        except BaseException:  # a lost worker, a disk error: stop the rest, leave no parts
            executor.abort()
            sweep_temp_files(plan)
            raise
        executor.close()
        for pack in plan.packs:
            if pack.folder not in zips:
                zips.update(_pack_if_complete(plan, pack, statuses))
        summary = _write_summary(plan, statuses)
    ordered = tuple(statuses[t] for t in plan.tracks)
    return BatchReport(plan, ordered, sentences, spoken, tuple(zips.values()), summary)


def speak_ahead(tracks: Sequence[Track], executor: Executor,
                progress: Progress = _silent) -> tuple[int, int]:
    """Gather every sentence of every track, drop repeats, and synthesise them across workers;
    store each generated bed once, meanwhile, as long as the longest track that mixes it.

    Returns (different sentences, sentences the engine spoke).
    """
    if not tracks:
        return 0, 0
    requests = [t.request for t in tracks]
    shares = [tuple(requests[i::executor.workers]) for i in range(executor.workers)]
    jobs: dict[str, SpeechJob] = {}
    for _, found in executor.map(gather, [s for s in shares if s]):
        for job in found:
            jobs.setdefault(job.key, job)
    chunks = _balanced(list(jobs.values()), executor.workers * _CHUNKS_PER_WORKER)
    beds = beds_ahead(tracks)
    work: list[BedWork | tuple[SpeechJob, ...]] = [*beds, *chunks]
    progress("speech", 0, len(jobs))
    done = spoken = 0
    for index, count in executor.map(ahead, work):
        if index < len(beds):
            continue
        done += len(work[index])  # type: ignore[arg-type]
        spoken += count
        progress("speech", done, len(jobs))
    return len(jobs), spoken


def beds_ahead(tracks: Sequence[Track]) -> list[BedWork]:
    """Each background and seed the tracks mix, as long as the longest of them (with margin)."""
    longest: dict[tuple[str, int], float] = {}
    for track in tracks:
        key = (track.request.background, track.request.seed)
        if key[0] != "none":
            longest[key] = max(longest.get(key, 0.0), track.seconds)
    return [BedWork(name, seed, seconds * BED_MARGIN)
            for (name, seed), seconds in longest.items() if seconds > 0]


def _balanced(jobs: list[SpeechJob], pieces: int) -> list[tuple[SpeechJob, ...]]:
    """Split jobs into up to `pieces` groups of similar total text length (longest first)."""
    groups: list[list[SpeechJob]] = [[] for _ in range(max(1, min(pieces, len(jobs))))]
    sizes = [0] * len(groups)
    for job in sorted(jobs, key=lambda j: len(j.text), reverse=True):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(job)
        sizes[smallest] += len(job.text)
    return [tuple(g) for g in groups if g]


def _rendered(tracks: Sequence[Track], executor: Executor) -> Iterator[tuple[Track, Outcome]]:
    """Render tracks across the workers, yielding each as it finishes."""
    if not tracks:
        return
    for index, outcome in executor.map(render_track, [t.request for t in tracks]):
        yield tracks[index], outcome


def _status(track: Track, outcome: Outcome) -> TrackStatus:
    if outcome.error is not None:
        return TrackStatus(track, FAILED, error=outcome.error)
    return TrackStatus(track, RENDERED, outcome.seconds, outcome.loudness, outcome.true_peak)


def _pack_if_complete(plan: Plan, pack: Pack,
                      statuses: dict[Track, TrackStatus]) -> dict[Path, Path]:
    """Write the pack's playlist, pages and zip once all its tracks are finished."""
    found = [statuses.get(t) for t in pack.tracks]
    if not all(s is not None and s.finished for s in found):
        return {}
    return {pack.folder: write_pack(pack, found, plan.manifest.programme)}  # type: ignore[arg-type]


def _write_summary(plan: Plan, statuses: dict[Track, TrackStatus]) -> tuple[Path, Path]:
    ordered = [statuses.get(t) or TrackStatus(t, NOT_RENDERED) for t in plan.tracks]
    return (write_text_atomic(plan.output / SUMMARY_CSV, summary_csv(plan, ordered)),
            write_text_atomic(plan.output / SUMMARY_HTML, summary_html(plan, ordered)))


def sweep_temp_files(plan: Plan) -> int:
    """Remove temp files a stopped run left (our hidden `.…cft.part` files) in the output folders.

    The output lock is held, so no living writer can own one (unlike `files.sweep_stale`).
    """
    removed = 0
    for folder in (plan.output, *(p.folder for p in plan.packs)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if is_temp(path) and path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _make_private_folder(folder: Path) -> None:
    """Create a folder only its owner can read (it will hold clients' recordings)."""
    try:
        private_folder(folder)
    except OSError as error:
        raise BatchError(f"cannot create {folder}: {error.strerror}") from error


@contextlib.contextmanager
def output_lock(folder: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on the output folder (released even if the process is killed),
    waiting up to `wait` seconds for another holder to let go."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        yield
        return
    path = folder / LOCK
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if time.monotonic() >= deadline:
                    raise BatchError(f"another batch is writing to {folder}; wait for it to "
                                     "finish") from error
                time.sleep(0.2)
        yield
    finally:
        os.close(handle)
