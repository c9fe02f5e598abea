"""Where batch tasks run: a local process pool (default), or Dask (see dask_backend)."""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol

from ..limits import DEFAULT_JOBS
from . import worker
from .worker import ContextFactory

_JOIN_SECONDS = 15.0


class Executor(Protocol):
    """Runs worker tasks somewhere and yields their results as they finish."""

    workers: int

    def map(self, task: Callable[[ContextFactory, Any], Any],
            items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Run task(factory, item) for every item; yield (index, result) as each finishes."""
        ...

    def abort(self) -> None:
        """Stop now: drop queued tasks and stop running ones (their temp files removed)."""
        ...

    def close(self) -> None:
        """Release the workers after a normal finish."""
        ...


class LocalExecutor:
    """A pool of spawned processes on this machine, each with one long-lived Renderer."""

    def __init__(self, jobs: int = DEFAULT_JOBS, factory: ContextFactory = worker.default_context):
        self.workers = max(1, jobs)
        self.factory = factory
        context = _context()
        alive, self._alive = context.Pipe(duplex=False)  # workers stop when it closes
        # the workers' shared bed folder: each bed is generated once per batch, not per track
        self._beds = tempfile.mkdtemp(prefix="cft-audio-beds-")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                         initializer=worker.init_process,
                                         initargs=(alive, self._beds))

    def map(self, task: Callable[[ContextFactory, Any], Any],
            items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submit every item; yield (index, result) in the order they finish."""
        futures = {self._pool.submit(worker.run, task, self.factory, item): index
                   for index, item in enumerate(items)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield futures[future], future.result()

    def abort(self) -> None:
        """Stop the workers (SIGTERM: they clean up), wait for them, drop what was queued.

        Futures are not cancelled one by one: the pool marks them all failed once its
        workers are gone (cancelling first makes Python 3.11's pool thread trip over them).
        """
        processes = _processes(self._pool)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(_JOIN_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        self._pool.shutdown(wait=False)
        self._alive.close()
        shutil.rmtree(self._beds, ignore_errors=True)

    def close(self) -> None:
        """Shut the pool down after every task finished."""
        self._pool.shutdown(wait=True)
        self._alive.close()
        shutil.rmtree(self._beds, ignore_errors=True)


def _context() -> multiprocessing.context.BaseContext:
    """A fork server where there is one (workers fork from a process that has imported the
    renderer once), else spawn; never plain fork (threads and loaded models do not fork well).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(worker.PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _processes(pool: ProcessPoolExecutor) -> list[multiprocessing.Process]:
    """The pool's worker processes (ProcessPoolExecutor keeps them in `_processes`)."""
    found = getattr(pool, "_processes", None) or {}
    return list(found.values())
