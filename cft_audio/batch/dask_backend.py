"""Dask as a batch backend, for organisations whose volume outgrows one machine (optional)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import worker
from .errors import BatchError
from .worker import ContextFactory

INSTALL_HINT = "the dask backend needs distributed: pip install 'cft-audio[dask]'"


class DaskExecutor:
    """Runs tasks on a Dask cluster: a scheduler address, a Client, or a cluster object.

    Workers keep one Renderer per process (as local workers do). For speech rendered
    ahead to be found again, and tracks to land in the output folder, every worker must
    see the same speech cache (CFT_AUDIO_CACHE) and output folder: a shared file system.
    """

    def __init__(self, scheduler: Any, factory: ContextFactory = worker.default_context):
        try:
            import distributed
        except ImportError as error:
            raise BatchError(INSTALL_HINT) from error
        self._distributed = distributed
        self.factory = factory
        self._own = not isinstance(scheduler, distributed.Client)
        try:
            self._client = distributed.Client(scheduler) if self._own else scheduler
        except (OSError, TimeoutError, ValueError) as error:
            raise BatchError(f"cannot reach the dask scheduler {scheduler!s}: {error}") \
                from error
        threads = self._client.nthreads()
        self.workers = max(1, sum(threads.values()) if threads else 1)
        self._futures: list[Any] = []

    def map(self, task: Callable[[ContextFactory, Any], Any],
            items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submit every item; yield (index, result) in the order they finish."""
        futures = [self._client.submit(task, self.factory, item, pure=False) for item in items]
        self._futures = futures
        index = {future.key: number for number, future in enumerate(futures)}
        for future in self._distributed.as_completed(futures):
            yield index[future.key], future.result()

    def abort(self) -> None:
        """Cancel every task not yet finished (a running render finishes or is dropped)."""
        if self._futures:
            self._client.cancel(self._futures)

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._own:
            self._client.close()
