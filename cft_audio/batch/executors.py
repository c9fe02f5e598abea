"""Where batch tasks run: the renderer pool (the batch's own, or the web app's), or Dask."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from typing import Any, Protocol

from ..limits import DEFAULT_JOBS
from ..workers import RendererPool
from . import worker
from .worker import ContextFactory


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


class PoolExecutor:
    """A batch's tasks on a RendererPool, under one cancel token of their own.

    Cancelling the batch stops only its tasks: a render sharing the pool carries on.
    """

    def __init__(self, pool: RendererPool, factory: ContextFactory = worker.default_context,
                 own: bool = False):
        self.pool, self.factory, self._own = pool, factory, own
        self.workers = pool.workers
        self.token = "batch-" + secrets.token_hex(8)

    def map(self, task: Callable[[ContextFactory, Any], Any],
            items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submit every item; yield (index, result) in the order they finish."""
        futures = {self.pool.submit(task, self.factory, item, token=self.token): index
                   for index, item in enumerate(items)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield futures[future], future.result()

    def cancel(self) -> None:
        """Tell this batch's tasks to stop (returns at once; `abort` waits for them)."""
        self.pool.cancel(self.token)

    def abort(self) -> None:
        """Cancel this batch's tasks and wait for them under the pool's stop policy."""
        self.pool.cancel(self.token)
        self.pool.drain(self.token)
        if self._own:
            self.pool.stop()

    def close(self) -> None:
        """After a normal finish: stop the pool if it is this batch's own."""
        if self._own:
            self.pool.stop()


def LocalExecutor(jobs: int = DEFAULT_JOBS,  # noqa: N802  (reads as the executor it makes)
                  factory: ContextFactory = worker.default_context) -> PoolExecutor:
    """A batch's own pool of `jobs` processes on this machine."""
    return PoolExecutor(RendererPool(max(1, jobs)), factory, own=True)
