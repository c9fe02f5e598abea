"""The server side of the renderer pool: worker processes, a fair queue, cancel tokens, stop.

One stop policy for everything: a cancelled task gets GRACE_SECONDS to stop at its next
progress report; a worker still busy then is sent SIGTERM (it unwinds, removing its temp
files) and gets TERM_SECONDS before SIGKILL. The pool starts and replaces its own processes
(a `multiprocessing` context's Process and one pipe each), so it knows which runs what.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import shutil
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from ..errors import CftAudioError
from ..pipeline import RenderContext
from . import process
from .process import TaskCancelled

GRACE_SECONDS = 1.5
"""How long a cancelled task may take to stop by itself before its worker is terminated."""
TERM_SECONDS = 10.0
"""How long a terminated worker may take to unwind (temp files, ffmpeg) before SIGKILL."""
PRELOAD = ("cft_audio.workers.process", "cft_audio.batch.worker", "scipy.signal", "pyloudnorm",
           "mutagen.id3", "mutagen.mp4", "imageio_ffmpeg")
"""Imported once by the fork server, so each worker starts warm (a render's lazy imports)."""
_POLL_SECONDS = 0.2
_SERVED = 1000
"""Tokens remembered for fair turns before the ones with nothing waiting are forgotten."""

Progress = Callable[[str, int, str, float], None]
"""Called (in the pool's listener thread) with a token, render step, stage and fraction."""


class WorkerLost(CftAudioError):
    """A worker process died while running a task."""


@dataclass
class _Task:
    id: str
    token: str
    function: Callable[..., Any]
    args: tuple[Any, ...]
    future: Future


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: _Task | None = None


def _quiet(token: str, step: int, stage: str, fraction: float) -> None:
    """Ignore progress."""


class RendererPool:
    """`workers` processes, each with long-lived renderers; tasks grouped by cancel token.

    `submit(function, *args, token=...)` returns a Future. Waiting tasks are handed out
    fairly: the token with the fewest tasks running goes first, so one render is not stuck
    behind a whole batch. `cancel(token)` drops its waiting tasks and tells its running
    ones to stop; `drain(token)` waits for them under the stop policy; `stop()` ends all.
    """

    def __init__(self, workers: int, context: RenderContext | None = None,
                 progress: Progress = _quiet):
        self.workers = max(1, workers)
        self._context, self._progress = context, progress
        self._mp = _start_method()
        self._lock = threading.Condition()
        self._pending: OrderedDict[str, deque[_Task]] = OrderedDict()
        self._running: list[_Worker] = []
        self._cancelled: set[str] = set()
        self._ids = itertools.count()
        self._served: dict[str, int] = {}
        self._beds: str | None = None
        self._stopping = False
        self._listener: threading.Thread | None = None

    def submit(self, function: Callable[..., Any], *args: Any, token: str = "") -> Future:
        """Run `function(*args)` in a worker (started on first use); a Future of its value."""
        future: Future = Future()
        with self._lock:
            if self._stopping:
                raise CftAudioError("the worker pool is stopping")
            if token in self._cancelled:
                _cancelled(future)
                return future
            task = _Task(str(next(self._ids)), token, function, args, future)
            self._pending.setdefault(token, deque()).append(task)
            failed = self._dispatch()
        _fail(failed)
        return future

    def cancel(self, token: str) -> None:
        """Cancel every task of `token`: waiting ones never start, running ones stop soon."""
        with self._lock:
            self._cancelled.add(token)
            dropped = self._pending.pop(token, deque())
            for worker in self._running:
                if worker.task is not None and worker.task.token == token:
                    _send(worker.conn, ("cancel", token))
        for task in dropped:
            _cancelled(task.future)

    def busy(self, token: str) -> bool:
        """Whether any task of `token` waits or runs."""
        with self._lock:
            return token in self._pending or any(
                w.task is not None and w.task.token == token for w in self._running)

    def drain(self, token: str | None = None) -> None:
        """Wait for `token`'s running tasks (all, for None) under the stop policy."""
        def mine(worker: _Worker) -> bool:
            return worker.task is not None and token in (None, worker.task.token)

        deadline = time.monotonic() + GRACE_SECONDS
        with self._lock:
            while any(mine(w) for w in self._running) and time.monotonic() < deadline:
                self._lock.wait(max(0.0, deadline - time.monotonic()))
            late = [w.process for w in self._running if mine(w)]
        _terminate(late)

    def stop(self) -> None:
        """Stop: cancel everything, let idle workers leave, stop busy ones by the policy."""
        with self._lock:
            self._stopping = True
            tokens = {*self._pending, *(w.task.token for w in self._running if w.task)}
        for token in tokens:
            self.cancel(token)
        self.drain()
        with self._lock:
            workers = list(self._running)
            for worker in workers:
                _send(worker.conn, ("stop",))
        for worker in workers:
            worker.process.join(TERM_SECONDS)
        _terminate([w.process for w in workers])
        if self._listener is not None:
            self._listener.join(TERM_SECONDS)
        if self._beds is not None:
            shutil.rmtree(self._beds, ignore_errors=True)

    def _dispatch(self) -> list[tuple[_Task, BaseException]]:
        """Hand waiting tasks to idle workers, starting workers up to the limit (locked)."""
        failed: list[tuple[_Task, BaseException]] = []
        while self._pending and not self._stopping:
            worker = next((w for w in self._running if w.task is None), None)
            if worker is None and len(self._running) < self.workers:
                worker = self._start_worker()
            if worker is None:
                break
            task = self._next_task()
            if not task.future.set_running_or_notify_cancel():
                continue
            worker.task = task
            try:
                worker.conn.send(("task", task.id, task.token, task.function, task.args))
            except Exception as error:  # noqa: BLE001  (an argument that cannot be pickled)
                worker.task = None
                failed.append((task, error))
        return failed

    def _next_task(self) -> _Task:
        """The first waiting task of the token with the fewest tasks running, then of the one
        served longest ago (locked)."""
        running = [w.task.token for w in self._running if w.task is not None]
        token = min(self._pending, key=lambda t: (running.count(t), self._served.get(t, -1)))
        self._served[token] = next(self._ids)
        if len(self._served) > _SERVED:
            self._served = {t: n for t, n in self._served.items() if t in self._pending}
        tasks = self._pending[token]
        task = tasks.popleft()
        if not tasks:
            del self._pending[token]
        return task

    def _start_worker(self) -> _Worker:
        """Start one worker process with its own pipe (locked)."""
        if self._beds is None:
            self._beds = tempfile.mkdtemp(prefix="cft-audio-beds-")
        mine, theirs = self._mp.Pipe(duplex=True)
        worker = self._mp.Process(target=process.serve, args=(theirs, self._context, self._beds),
                                  name="cft-audio-worker", daemon=True)
        worker.start()
        theirs.close()
        self._running.append(_Worker(worker, mine))
        if self._listener is None:
            self._listener = threading.Thread(target=self._listen, name="cft-pool", daemon=True)
            self._listener.start()
        return self._running[-1]

    def _listen(self) -> None:
        """Read every worker's messages: progress, results, and deaths."""
        while True:
            with self._lock:
                if self._stopping and not self._running:
                    return
                conns = {w.conn: w for w in self._running}
            if not conns:
                time.sleep(_POLL_SECONDS)
                continue
            for conn in wait(list(conns), timeout=_POLL_SECONDS):
                self._receive(conns[conn])  # type: ignore[index]

    def _receive(self, worker: _Worker) -> None:
        """Handle one message from a worker (or its death)."""
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker)
            return
        if message[0] == "progress":
            self._progress(*message[1:])
            return
        with self._lock:
            task, worker.task = worker.task, None
            failed = self._dispatch()
            self._lock.notify_all()
        _fail(failed)
        if task is None:
            return
        if message[0] == "cancelled":
            task.future.set_exception(TaskCancelled(message[2]))
        elif message[2]:
            task.future.set_result(message[3])
        else:
            task.future.set_exception(message[3])

    def _lost(self, worker: _Worker) -> None:
        """A worker ended: fail its task (cancelled, if it was) and replace it if needed."""
        worker.process.join(TERM_SECONDS)
        worker.conn.close()
        with self._lock:
            self._running.remove(worker)
            task = worker.task
            cancelled = task is not None and task.token in self._cancelled
            failed = self._dispatch()
            self._lock.notify_all()
        _fail(failed)
        if task is not None:
            task.future.set_exception(TaskCancelled("cancelled") if cancelled else WorkerLost(
                "the render worker stopped unexpectedly; please try again"))


def _start_method() -> multiprocessing.context.BaseContext:
    """A fork server where there is one (workers fork from a process that has imported the
    renderer once), else spawn; never plain fork (threads and loaded models do not fork well).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _send(conn: Connection, message: tuple[Any, ...]) -> None:
    """Send to a worker that may already be gone."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(message)


def _cancelled(future: Future) -> None:
    """Cancel a waiting task's future and wake whoever waits on it (`wait` is told only by
    `set_running_or_notify_cancel`, as an executor tells it)."""
    future.cancel()
    future.set_running_or_notify_cancel()


def _fail(failed: list[tuple[_Task, BaseException]]) -> None:
    """Fail tasks that could not be handed out (outside the lock: callbacks may submit)."""
    for task, error in failed:
        task.future.set_exception(error)


def _terminate(processes: list[multiprocessing.process.BaseProcess]) -> None:
    """SIGTERM each (it unwinds its task), wait TERM_SECONDS in all, then SIGKILL."""
    for worker in processes:
        if worker.is_alive():
            worker.terminate()
    deadline = time.monotonic() + TERM_SECONDS
    for worker in processes:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join()
