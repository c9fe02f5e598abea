"""The server's job queue: render jobs on the renderer pool, batch jobs on their own thread.

Renders are CPU-bound numpy and encoder work; in worker processes they run truly in
parallel and never hold the web server's interpreter lock, so pages answer while they run.
What a job does inside its worker is in `tasks`; the processes are `workers.RendererPool`'s.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CftAudioError, InvalidRequest
from ..pipeline import STAGES, RenderContext
from ..workers import GRACE_SECONDS, RendererPool, TaskCancelled, WorkerLost
from .tasks import Task, execute, form_message

LABELS = {
    "queued": "Waiting for a free slot",
    "cancelled": "Cancelled",
    "script": "Writing the script",
    "speech": "Speaking the sentences",
    "timeline": "Placing the silences",
    "master": "Mixing and mastering",
    "export": "Encoding the file",
    "gather": "Reading every script",
    "render": "Rendering tracks",
    "done": "Ready",
    "failed": "Something went wrong",
}
"""What the progress page says for each stage."""
_KEEP = 200
"""Finished jobs remembered (for their status pages)."""
QUEUE_LIMIT = 8
"""Jobs that may wait or run at once (beyond it, new ones are refused: about 8 renders' CPU)."""

log = logging.getLogger(__name__)

@dataclass
class Job:
    """One queued or running piece of work and how far it has got."""

    id: str
    title: str
    state: str = "queued"
    """queued, running, done, failed or cancelled."""
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
    kind: str = "render"
    """render or batch (what the progress page shows and where cancel leads)."""
    target: str = ""
    """The render id a job works on (a deleted render cancels its jobs)."""
    position: int = 0
    """Jobs ahead of this one in the queue (0 once it runs)."""
    counts: dict[str, Any] = field(default_factory=dict)
    """A batch's counts: sentences and tracks done and in all, seconds left."""
    on_cancel: Callable[[], None] | None = field(default=None, repr=False)
    """Stops the job's own work (a batch's tasks on the pool)."""
    future: Future | None = field(default=None, repr=False)
    cleanup: Path | None = None
    """A folder (the job's uploads) to remove once the job has ended."""
    kept: Path | None = None
    """A folder kept after a cancel, for a resume (a batch's upload); removed at shutdown."""
    resume: Any = field(default=None, repr=False)
    """What resuming a cancelled job needs (a batch's saved upload), else None."""
    estimate: str = ""
    """How long the job should take, in words ("" when not known)."""

    @property
    def active(self) -> bool:
        """Whether the job still waits or runs."""
        return self.state in ("queued", "running")

    def report(self, step: int, stage: str, fraction: float) -> None:
        """Progress of render `step` of this job."""
        if stage not in STAGES or not self.active:
            return
        self.state, self.step = "running", step
        within = (STAGES.index(stage) + min(max(fraction, 0.0), 1.0)) / len(STAGES)
        self.stage = stage
        self.fraction = max(self.fraction, min(0.999, (step + within) / self.steps))

    def report_count(self, phase: str, done: int, total: int) -> None:
        """Progress of a batch: speaking shared sentences (first 30%), then rendering tracks."""
        if not self.active:
            return
        share = {"speech": (0.0, 0.3), "render": (0.3, 1.0)}.get(phase, (0.0, 1.0))
        part = done / total if total else 1.0
        now = time.monotonic()
        if self.counts.get("phase") != phase:
            self.counts = {"phase": phase, "since": now, "first": done}
        self.counts.update(done=done, total=total)
        self.counts["left"] = _time_left(self.counts, now)
        self.state, self.stage = "running", phase
        self.fraction = max(self.fraction, min(0.999, share[0] + (share[1] - share[0]) * part))

    def end(self, outcome: dict[str, Any]) -> None:
        """Record how the job ended: {"result": ...} or {"error": message}."""
        if not self.active:  # cancelled: what the work said on its way out does not count
            return
        self.finished = time.time()
        if "error" in outcome:
            self.state, self.stage, self.error = "failed", "failed", outcome["error"]
        else:
            self.result = outcome["result"]
            self.state, self.stage, self.fraction = "done", "done", 1.0

    def as_json(self) -> dict[str, Any]:
        """The job's state for the progress page."""
        return {"id": self.id, "title": self.title, "state": self.state, "stage": self.stage,
                "kind": self.kind, "position": self.position,
                "counts": {k: v for k, v in self.counts.items() if k not in ("since", "first")},
                "label": LABELS.get(self.stage, self.stage), "percent": round(
                    100 * (1.0 if self.state == "done" else self.fraction)),
                "step": min(self.step, self.steps - 1) + 1, "steps": self.steps,
                "error": self.error,
                "result": self.result if isinstance(self.result, (str, int, dict, list))
                else None}


def _time_left(counts: dict[str, Any], now: float) -> float | None:
    """Seconds left in this phase at the pace so far (None until something is done)."""
    done = counts["done"] - counts["first"]
    if done <= 0 or counts["total"] <= counts["done"]:
        return None if counts["total"] > counts["done"] else 0.0
    pace = (now - counts["since"]) / done
    return round(pace * (counts["total"] - counts["done"]), 1)


class JobCancelled(CftAudioError):
    """The job was cancelled (or what it works on was deleted): stop and clean up."""


class QueueFull(CftAudioError):
    """Too many jobs wait or run already."""


class JobQueue:
    """Runs jobs on a RendererPool of `workers` processes (voices stay loaded), shared
    with the app's batches (`pool`).

    At most `limit` jobs wait or run at once; any job can be cancelled, which frees its
    worker at the render's next progress report (a fraction of a second).
    """

    def __init__(self, context: RenderContext | None = None, workers: int = 2,
                 limit: int = QUEUE_LIMIT):
        base = context or RenderContext()
        self.context = dataclasses.replace(base, progress=_quiet, keep_voices=True)
        self.workers = workers
        self.limit = limit
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self.pool = RendererPool(workers, self.context, progress=self._progress)
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, title: str, task: Task, steps: int = 1, target: str = "",
               cleanup: Path | None = None, estimate: str = "") -> Job:
        """Queue `task`; returns its job at once (QueueFull when the queue is full).

        `cleanup` (a folder of uploads) is removed when the job ends, however it ends.
        """
        job = Job(id=secrets.token_urlsafe(9), title=title, steps=max(1, steps), target=target,
                  cleanup=cleanup, estimate=estimate)
        with self._lock:
            self._admit(job)
            future = self.pool.submit(execute, job.id, task, token=job.id)
            job.future = future
            _place(self._jobs, self.workers)
        future.add_done_callback(lambda done: self._finish(job, done))
        return job

    def submit_thread(self, title: str, work: Callable[[Job], Any]) -> Job:
        """Run `work(job)` on its own thread (for work that drives its own process pool)."""
        job = Job(id=secrets.token_urlsafe(9), title=title, kind="batch")
        with self._lock:
            self._admit(job)
        job.future = Future()  # done once the thread has ended
        thread = threading.Thread(target=_run_on_thread, args=(job, work),
                                  name=f"cft-job-{job.id}", daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    @property
    def closed(self) -> bool:
        """Whether the queue is stopping (no new work; kept folders are removed)."""
        return self._closed

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if known."""
        with self._lock:
            return self._jobs.get(job_id)

    def count(self) -> int:
        """How many jobs the queue knows of (any state)."""
        with self._lock:
            return len(self._jobs)

    def cancel(self, job_id: str) -> bool:
        """Cancel a waiting or running job; False if it had already ended (or is unknown)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or not job.active:
                return False
            job.state, job.stage, job.finished = "cancelled", "cancelled", time.time()
            job.error = ""
            _place(self._jobs, self.workers)
        self.pool.cancel(job.id)  # not yet started: it never will; started: it stops itself
        if job.on_cancel is not None:
            job.on_cancel()
        return True

    def cancel_target(self, target: str) -> int:
        """Cancel every active job working on render `target`; how many were."""
        with self._lock:
            found = [j.id for j in self._jobs.values() if j.target == target and j.active]
        return sum(self.cancel(job_id) for job_id in found)

    def shutdown(self) -> None:
        """Stop: cancel every job (removing their files and uploads) and stop the workers."""
        with self._lock:
            self._closed = True
            active = [j.id for j in self._jobs.values() if j.active]
        for job_id in active:
            self.cancel(job_id)
        with self._lock:
            threads = list(self._threads)
        self.pool.stop()
        for thread in threads:
            thread.join(GRACE_SECONDS)
        for job in self._jobs.values():
            if job.kept is not None:
                shutil.rmtree(job.kept, ignore_errors=True)

    def _admit(self, job: Job) -> None:
        """Add a job (under the lock), or refuse it when the queue is full or closing."""
        if self._closed:
            raise QueueFull("the app is stopping; no new work is accepted")
        active = sum(1 for j in self._jobs.values() if j.active)
        if active >= self.limit:
            many = "1 job is" if active == 1 else f"{active} jobs are"
            raise QueueFull(f"{many} already waiting or running (at most "
                            f"{self.limit}); wait for one to finish, or cancel one")
        self._jobs[job.id] = job
        while len(self._jobs) > _KEEP:  # forget the oldest finished jobs
            oldest = next(iter(self._jobs))
            if self._jobs[oldest].active:
                break
            self._jobs.pop(oldest)

    def _progress(self, job_id: str, step: int, stage: str, fraction: float) -> None:
        """Apply a progress report from a worker to its job."""
        job = self.get(job_id)
        if job is not None:
            was = job.state
            job.report(step, stage, fraction)
            if was != job.state:
                with self._lock:
                    job.position = 0
                    _place(self._jobs, self.workers)

    def _finish(self, job: Job, done: Future) -> None:
        """Record a job's outcome (a worker that died fails its job and is replaced)."""
        if job.cleanup is not None:
            shutil.rmtree(job.cleanup, ignore_errors=True)
        if done.cancelled():
            return
        try:
            outcome = done.result()
        except (CancelledError, TaskCancelled):
            return
        except WorkerLost as error:
            outcome = {"error": str(error)}
        except Exception as error:  # noqa: BLE001  (cancelled at shutdown, or unpicklable)
            outcome = {"error": f"unexpected error: {type(error).__name__}: {error}"}
        job.end(outcome)
        with self._lock:
            _place(self._jobs, self.workers)


def _place(jobs: OrderedDict[str, Job], workers: int) -> None:
    """Number each waiting process job by the jobs ahead of it (under the queue's lock)."""
    running = sum(1 for j in jobs.values() if j.state == "running" and j.kind == "render")
    ahead = max(0, running - workers)
    free = max(0, workers - running)
    for job in jobs.values():
        if job.kind != "render" or job.state != "queued":
            continue
        if free:
            free -= 1
            job.position = 0
        else:
            ahead += 1
            job.position = ahead


def _run_on_thread(job: Job, work: Callable[[Job], Any]) -> None:
    """Run a thread job's work, record how it ended, then mark its future done."""
    try:
        _run_work(job, work)
    finally:
        job.future.set_result(None)  # type: ignore[union-attr]


def _run_work(job: Job, work: Callable[[Job], Any]) -> None:
    """Run a thread job's work and record how it ended."""
    if job.active:
        job.state = "running"
    try:
        outcome = {"result": work(job)}
    except InvalidRequest as error:
        outcome = {"error": form_message(error)}
    except CftAudioError as error:
        outcome = {"error": str(error)}
    except (TaskCancelled, CancelledError):  # its tasks were cancelled with it
        return
    except Exception as error:  # noqa: BLE001  (shown on the page, logged in full)
        if not job.active:
            return
        log.exception("job %s failed", job.id)
        outcome = {"error": f"unexpected error: {type(error).__name__}: {error}"}
    job.end(outcome)




def _quiet(stage: str, fraction: float) -> None:
    """No progress reporting (each worker puts its own in)."""
