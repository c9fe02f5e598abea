"""Work done by a batch worker: one long-lived Renderer per process; speech ahead, then tracks."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from ..errors import CftAudioError
from ..pipeline import RenderContext, Renderer, SpeechJob
from ..request import Request
from ..voices.engine import Engine
from ..voices.profiles import VoiceProfile, open_engine

ContextFactory = Callable[[], RenderContext]
"""Builds a worker's render context (a module-level function, so it can be pickled)."""

PRELOAD = ("cft_audio.batch.worker", "scipy.signal", "pyloudnorm", "mutagen.id3", "mutagen.mp4",
           "imageio_ffmpeg")
"""Imported once by the fork server, so each worker starts warm (a render's lazy imports)."""

T = TypeVar("T")
_renderers: dict[Any, Renderer] = {}
_busy = False
_bed_folder: str | None = None


class Stopped(BaseException):
    """Raised in a worker told to stop mid-task, so temp files are cleaned up on the way out."""


def default_context() -> RenderContext:
    """The usual context for a batch worker: voices kept loaded, beds generated once.

    The beds go to the folder the pool gave this process (`init_process`), shared by the
    batch's workers and removed by the batch when it ends.
    """
    return RenderContext(keep_voices=True, open_engine=_one_thread_engine,
                         bed_store=Path(_bed_folder) if _bed_folder else None)


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
    if factory not in _renderers:
        _renderers[factory] = Renderer(factory())
    return _renderers[factory]


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


def run(task: Callable[[ContextFactory, Any], T], factory: ContextFactory, item: Any) -> T:
    """Run a task in a pool process; a stop request mid-task cleans up, then ends the process."""
    global _busy
    _busy = True
    try:
        return task(factory, item)
    except Stopped:
        os._exit(1)
    finally:
        _busy = False
_bed_folder: str | None = None


def init_process(alive: Connection, bed_folder: str | None = None) -> None:
    """Set up a pool process: Ctrl-C is the batch's to handle; stop when told or orphaned.

    `alive` is the reading end of a pipe only the batch process writes to: it reads as
    closed once that process is gone, however it ended (even SIGKILL). `bed_folder` is
    where the batch's workers keep generated beds.
    """
    global _bed_folder
    _bed_folder = bed_folder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    threading.Thread(target=_watch_batch, args=(alive,), daemon=True).start()


def _on_term(signum: int, frame: object) -> None:
    """Stop: mid-task, unwind (temp files and ffmpeg are cleaned up); idle, exit at once."""
    if _busy:
        raise Stopped()
    os._exit(0)


def _watch_batch(alive: Connection) -> None:
    """When the batch process is gone (its end of the pipe closed), stop this worker cleanly."""
    with contextlib.suppress(EOFError, OSError):
        while True:
            alive.recv()  # nothing is ever sent: this returns only by raising at EOF
    os.kill(os.getpid(), signal.SIGTERM)
