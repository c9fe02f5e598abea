"""The worker processes of the job queue: started on first use, told of cancels, stopped."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

CANCEL_BYTES = 8192
"""Room for the ids of recently cancelled jobs, shared with the workers."""
STOP_SECONDS = 1.5
"""How long a stopping worker may take to finish its cancelled job before it is terminated."""


class WorkerPool:
    """`workers` spawned processes, each set up by `initializer(*initargs, updates, cancelled)`.

    `updates` is the queue workers report progress on; `cancelled` a shared buffer of the
    ids of recently cancelled jobs, which a worker checks at each progress report.
    """

    def __init__(self, workers: int, initializer: Callable[..., None],
                 initargs: tuple[Any, ...] = ()):
        self.workers = workers
        self._initializer, self._initargs = initializer, initargs
        self._mp = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self.updates = self._mp.Queue()
        self._cancelled = self._mp.Array("c", CANCEL_BYTES)
        self._recent: list[str] = []
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        """Run `function(*args)` in a worker (the pool starts on first use, or after a death)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=self._mp, initializer=self._initializer,
                initargs=(*self._initargs, self.updates, self._cancelled))
        return self._pool.submit(function, *args)

    def broken(self) -> None:
        """A worker died: the next job starts a fresh pool."""
        self._pool = None

    def cancel(self, job_id: str) -> None:
        """Tell the workers that job `job_id` is cancelled (it stops at its next report)."""
        self._recent = [*self._recent, job_id][-(CANCEL_BYTES // 16):]
        self._cancelled.raw = "\n".join(self._recent).encode("ascii").ljust(
            CANCEL_BYTES, b"\0")[:CANCEL_BYTES]

    def stop(self) -> None:
        """Stop the workers: idle ones exit, busy ones get STOP_SECONDS, then SIGTERM, kill."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)  # idle workers exit by themselves
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:  # a cancelled render stops at its next progress report
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker unwinds, cleans up and exits
        for process in processes:
            process.join(1.0)
            if process.is_alive():
                process.kill()
