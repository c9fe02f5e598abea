"""Render jobs run off the request thread: two worker processes, each with a long-lived Renderer.

Renders are CPU-bound numpy and encoder work; in processes they run truly in parallel and
never hold the web server's interpreter lock, so pages answer while they run. Progress
comes back over a queue and is read by one listener thread.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import secrets
import signal
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from ..cli import _request_message
from ..errors import CftAudioError, InvalidRequest
from ..pipeline import STAGES, RenderContext, Renderer

LABELS = {
    "queued": "Waiting for a free slot",
    "script": "Writing the script",
    "speech": "Speaking the sentences",
    "timeline": "Placing the silences",
    "master": "Mixing and mastering",
    "export": "Encoding the file",
    "render": "Rendering tracks",
    "done": "Ready",
    "failed": "Something went wrong",
}
"""What the progress page says for each stage."""
_KEEP = 200
"""Finished jobs remembered (for their status pages)."""
_STOP_SECONDS = 15.0
"""How long a stopped worker may take to clean up before it is killed."""

log = logging.getLogger(__name__)

Task = Callable[[Renderer, "Steps"], Any]
"""What a job does with its worker's Renderer (picklable: a module-level function or partial)."""


@dataclass
class Job:
    """One queued or running piece of work and how far it has got."""

    id: str
    title: str
    state: str = "queued"
    """queued, running, done or failed."""
    stage: str = "queued"
    fraction: float = 0.0
    """Overall progress, 0 to 1."""
    steps: int = 1
    """Renders this job makes (formats, batch rows); progress spreads over them."""
    step: int = 0
    error: str = ""
    result: Any = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def report(self, step: int, stage: str, fraction: float) -> None:
        """Progress of render `step` of this job."""
        if stage not in STAGES or self.state in ("done", "failed"):
            return
        self.state, self.step = "running", step
        within = (STAGES.index(stage) + min(max(fraction, 0.0), 1.0)) / len(STAGES)
        self.stage = stage
        self.fraction = max(self.fraction, min(0.999, (step + within) / self.steps))

    def report_count(self, phase: str, done: int, total: int) -> None:
        """Progress of a batch: speaking shared sentences (first 30%), then rendering tracks."""
        share = {"speech": (0.0, 0.3), "render": (0.3, 1.0)}.get(phase, (0.0, 1.0))
        part = done / total if total else 1.0
        self.state, self.stage = "running", phase
        self.fraction = max(self.fraction, min(0.999, share[0] + (share[1] - share[0]) * part))

    def as_json(self) -> dict[str, Any]:
        """The job's state for the progress page."""
        return {"id": self.id, "title": self.title, "state": self.state, "stage": self.stage,
                "label": LABELS.get(self.stage, self.stage), "percent": round(
                    100 * (1.0 if self.state == "done" else self.fraction)),
                "step": min(self.step, self.steps - 1) + 1, "steps": self.steps,
                "error": self.error,
                "result": self.result if isinstance(self.result, (str, int, dict, list))
                else None}


class Steps:
    """Handed to a task in the worker: says which of the job's renders is under way."""

    def __init__(self, job_id: str):
        self.job_id = job_id

    def step(self, number: int) -> None:
        """Later progress belongs to render `number` (0-based) of the job."""
        _WORKER["step"] = number


class JobQueue:
    """Runs jobs in `workers` processes; each keeps its own Renderer (voices stay loaded)."""

    def __init__(self, context: RenderContext | None = None, workers: int = 2):
        base = context or RenderContext()
        self.context = dataclasses.replace(base, progress=_quiet, keep_voices=True)
        self.workers = workers
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._mp = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._updates = self._mp.Queue()
        self._pool: ProcessPoolExecutor | None = None
        self._listener = threading.Thread(target=self._listen, name="cft-progress",
                                          daemon=True)
        self._listener.start()

    def submit(self, title: str, task: Task, steps: int = 1) -> Job:
        """Queue `task`; returns its job at once."""
        job = Job(id=secrets.token_urlsafe(9), title=title, steps=max(1, steps))
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
            future = self._executor().submit(_execute, job.id, task)
        future.add_done_callback(lambda done: self._finish(job, done))
        return job

    def submit_thread(self, title: str, work: Callable[[Job], Any]) -> Job:
        """Run `work(job)` on its own thread (for work that drives its own process pool)."""
        job = Job(id=secrets.token_urlsafe(9), title=title)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()

        def run() -> None:
            job.state = "running"
            try:
                outcome = {"result": work(job)}
            except InvalidRequest as error:
                outcome = {"error": _request_message(error)}
            except CftAudioError as error:
                outcome = {"error": str(error)}
            except Exception as error:  # noqa: BLE001  (shown on the page, logged in full)
                log.exception("job %s failed", job.id)
                outcome = {"error": f"unexpected error: {type(error).__name__}: {error}"}
            self._record(job, outcome)

        threading.Thread(target=run, name=f"cft-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if known."""
        with self._lock:
            return self._jobs.get(job_id)

    def count(self) -> int:
        """How many jobs the queue knows of (any state)."""
        with self._lock:
            return len(self._jobs)

    def count(self) -> int:
        """How many jobs the queue knows of (any state)."""
        with self._lock:
            return len(self._jobs)

    def shutdown(self) -> None:
        """Stop: drop queued jobs, stop running renders (their temp files removed), and wait."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()  # SIGTERM: the worker unwinds and cleans up
            for process in processes:
                process.join(_STOP_SECONDS)
                if process.is_alive():
                    process.kill()
        self._updates.put(None)
        self._listener.join(timeout=10)

    def _executor(self) -> ProcessPoolExecutor:
        """The worker pool (started on first use, or again after a worker died)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=self._mp, initializer=_start_worker,
                initargs=(self.context, self._updates))
        return self._pool

    def _forget_old(self) -> None:
        while len(self._jobs) > _KEEP:
            oldest = next(iter(self._jobs))
            if self._jobs[oldest].state in ("queued", "running"):
                break
            self._jobs.pop(oldest)

    def _listen(self) -> None:
        """Apply progress reports from the workers to their jobs."""
        while True:
            update = self._updates.get()
            if update is None:
                return
            job_id, step, stage, fraction = update
            job = self.get(job_id)
            if job is not None:
                job.report(step, stage, fraction)

    def _finish(self, job: Job, done: Future) -> None:
        """Record a job's outcome (a worker that died fails its job and is replaced)."""
        try:
            outcome = done.result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            outcome = {"error": "the render worker stopped unexpectedly; please try again"}
        except Exception as error:  # noqa: BLE001  (cancelled at shutdown, or unpicklable)
            outcome = {"error": f"unexpected error: {type(error).__name__}: {error}"}
        self._record(job, outcome)

    @staticmethod
    def _record(job: Job, outcome: dict[str, Any]) -> None:
        job.finished = time.time()
        if "error" in outcome:
            job.state, job.stage, job.error = "failed", "failed", outcome["error"]
        else:
            job.result = outcome["result"]
            job.state, job.stage, job.fraction = "done", "done", 1.0


_WORKER: dict[str, Any] = {}
"""In a worker process: its Renderer, the progress queue, and the job under way."""


def _quiet(stage: str, fraction: float) -> None:
    """No progress reporting (replaced in each worker)."""


def _start_worker(context: RenderContext, updates: Any) -> None:
    """Set up a worker process: one Renderer for all its jobs, reporting into `updates`.

    Ctrl-C is left to the server (which stops the workers); SIGTERM unwinds the render
    under way, so its temporary file is removed.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    _WORKER["updates"] = updates
    _WORKER["renderer"] = Renderer(dataclasses.replace(context, progress=_report))


def _stop(signum: int, frame: object) -> None:
    """SIGTERM in a worker: leave through the normal clean-up paths."""
    raise SystemExit(0)


def _report(stage: str, fraction: float) -> None:
    """Progress callback inside a worker: send it to the server (throttled per stage)."""
    job = _WORKER.get("job")
    if job is None:
        return
    key = (job, _WORKER.get("step", 0), stage, round(fraction, 2))
    if key == _WORKER.get("last"):
        return
    _WORKER["last"] = key
    _WORKER["updates"].put((job, _WORKER.get("step", 0), stage, fraction))


def _execute(job_id: str, task: Task) -> dict[str, Any]:
    """Run one task in a worker; errors come back as the message the page shows."""
    _WORKER.update(job=job_id, step=0, last=None)
    try:
        return {"result": task(_WORKER["renderer"], Steps(job_id))}
    except InvalidRequest as error:
        return {"error": _request_message(error)}
    except CftAudioError as error:
        return {"error": str(error)}
    except Exception as error:  # noqa: BLE001  (shown to the therapist, logged in full)
        traceback.print_exc()
        return {"error": f"unexpected error: {type(error).__name__}: {error}"}
    finally:
        _WORKER["job"] = None
