"""Work done by a batch worker: one long-lived Renderer per process; speech ahead, then tracks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import CftAudioError
from ..pipeline import RenderContext, Renderer, SpeechJob
from ..request import Request
from ..sound import RATE
from ..sound.bedstore import StoredBed
from ..voices.engine import Engine
from ..voices.profiles import VoiceProfile, open_engine
from ..workers import current

ContextFactory = Callable[[], RenderContext]
"""Builds a worker's render context (a module-level function, so it can be pickled)."""


def default_context() -> RenderContext:
    """The usual context for a batch worker: voices kept loaded, beds generated once.

    The beds go to the folder the pool gave its workers, shared by them and removed when
    the pool stops.
    """
    beds = current().bed_folder
    return RenderContext(keep_voices=True, open_engine=_one_thread_engine,
                         bed_store=Path(beds) if beds else None)


def _one_thread_engine(profile: VoiceProfile) -> Engine:
    """The profile's engine computing on one thread: the pool already runs one per core."""
    return open_engine(profile, threads=1)


@dataclass(frozen=True)
class Outcome:
    """What rendering one track gave: figures, or the error that stopped it."""

    path: str
    seconds: float = 0.0
    loudness: float = float("nan")
    true_peak: float = float("nan")
    synthesised: int = 0
    error: str | None = None


def renderer_for(factory: ContextFactory) -> Renderer:
    """This process's renderer for a context factory (built once, then reused)."""
    return current().renderer_for(factory)


def gather(factory: ContextFactory, requests: tuple[Request, ...]) -> tuple[SpeechJob, ...]:
    """Every sentence the requests speak, each once by key (no synthesis)."""
    renderer = renderer_for(factory)
    jobs: dict[str, SpeechJob] = {}
    for request in requests:
        for job in renderer.speech_jobs(request):
            jobs.setdefault(job.key, job)
    return tuple(jobs.values())


def speak(factory: ContextFactory, jobs: tuple[SpeechJob, ...]) -> int:
    """Synthesise into the shared speech cache what it lacks; return how many were spoken."""
    return renderer_for(factory).synthesise(jobs)


@dataclass(frozen=True)
class BedWork:
    """A generated bed to store before the tracks mix: as long as its longest track."""

    background: str
    seed: int
    seconds: float


def prepare_bed(factory: ContextFactory, work: BedWork) -> bool:
    """Store the bed in the pool's bed folder now, once, so every track reads it; whether
    it was generated (not for your own file, a bed that follows a track's sections, or a
    worker with no bed folder)."""
    bed = renderer_for(factory).beds.get(work.background)
    if not isinstance(bed, StoredBed) or getattr(bed.bed, "uses_marks", True):
        return False
    return bed.prepare(math.ceil(work.seconds * RATE), RATE, work.seed)


def ahead(factory: ContextFactory, work: BedWork | tuple[SpeechJob, ...]) -> int:
    """Work done before the tracks: a bed stored (0), or sentences spoken (how many)."""
    if isinstance(work, BedWork):
        prepare_bed(factory, work)
        return 0
    return speak(factory, work)


def render_track(factory: ContextFactory, request: Request) -> Outcome:
    """Render one track (its speech is normally all cached by now)."""
    try:
        result = renderer_for(factory).render(request)
    except CftAudioError as error:
        return Outcome(str(request.output), error=str(error))
    except Exception as error:  # noqa: BLE001 - one broken track must not stop the others
        return Outcome(str(request.output), error=f"{type(error).__name__}: {error}")
    return Outcome(str(result.path), result.seconds, result.loudness, result.true_peak,
                   result.synthesised)
