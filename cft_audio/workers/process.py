"""The worker side of the renderer pool: one process, one WorkerState, tasks read from a pipe."""

from __future__ import annotations

import dataclasses
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ..pipeline import RenderContext, Renderer

Wanted = Callable[[], bool]
"""Whether the task under way is still wanted (False stops it at its next progress report)."""


class TaskCancelled(BaseException):
    """The task's cancel token was cancelled: unwind (temp files are removed on the way out).

    A BaseException, so a task's own `except Exception` (one bad track) does not swallow it.
    """


class Stopped(BaseException):
    """SIGTERM arrived mid-task: unwind through the clean-up paths, then the process ends."""


@dataclass
class WorkerState:
    """Everything one worker process holds: its renderers, the task under way, cancels."""

    conn: Connection | None = None
    context: RenderContext | None = None
    """The context of the default renderer (the web app's renders)."""
    bed_folder: str | None = None
    """Where this pool's workers keep generated beds (each made once, shared)."""
    renderers: dict[Any, Renderer] = field(default_factory=dict)
    task: str | None = None
    token: str | None = None
    step: int = 0
    wanted: Wanted | None = None
    cancelled: set[str] = field(default_factory=set)
    last: tuple[Any, ...] | None = None

    def renderer(self) -> Renderer:
        """The renderer for the pool's own context (built once, voices kept loaded)."""
        return self._renderer(None, lambda: self.context or RenderContext())

    def renderer_for(self, factory: Callable[[], RenderContext]) -> Renderer:
        """The renderer for a context factory (built once per process, then reused)."""
        return self._renderer(factory, factory)

    def _renderer(self, key: Any, make: Callable[[], RenderContext]) -> Renderer:
        if key not in self.renderers:
            context = dataclasses.replace(make(), progress=self.report)
            self.renderers[key] = Renderer(context)
        return self.renderers[key]

    def check(self) -> None:
        """Raise TaskCancelled if the task under way was cancelled or is no longer wanted."""
        if self.task is None:
            return
        if self.token in self.cancelled:
            raise TaskCancelled("cancelled")
        if self.wanted is not None and not self.wanted():
            raise TaskCancelled("the recording was deleted")

    def report(self, stage: str, fraction: float) -> None:
        """A renderer's progress: stop if cancelled, else tell the pool (throttled)."""
        if self.task is None:
            return
        self.check()
        key = (self.task, self.step, stage, round(fraction, 2))
        if key != self.last and self.conn is not None:
            self.last = key
            self.conn.send(("progress", self.token, self.step, stage, fraction))


_state: WorkerState | None = None
"""This process's one WorkerState (made on first use outside a pool, e.g. on Dask)."""


def current() -> WorkerState:
    """This process's worker state."""
    global _state
    if _state is None:
        _state = WorkerState()
    return _state


def serve(conn: Connection, context: RenderContext | None, bed_folder: str | None) -> None:
    """A worker's life: run the tasks the pool sends, one at a time, until told to stop.

    Ctrl-C is the pool owner's to handle; SIGTERM unwinds the task under way; a pool that
    is gone (its end of the pipe closed, even after SIGKILL) stops the worker the same way.
    """
    global _state
    _state = state = WorkerState(conn, context, bed_folder)
    inbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    threading.Thread(target=_read, args=(conn, state, inbox), daemon=True).start()
    while (message := inbox.get()) is not None:
        _run(state, *message)
    os._exit(0)


def _read(conn: Connection, state: WorkerState, inbox: queue.SimpleQueue) -> None:
    """The reader thread: tasks to the inbox, cancels to the state; EOF means stop."""
    try:
        while True:
            message = conn.recv()
            if message[0] == "cancel":
                state.cancelled.add(message[1])
            elif message[0] == "task":
                inbox.put(message[1:])
            else:
                break
    except (EOFError, OSError):
        pass
    if state.task is not None:  # the pool is gone mid-task: unwind it
        os.kill(os.getpid(), signal.SIGTERM)
    inbox.put(None)


def _run(state: WorkerState, task_id: str, token: str, function: Callable[..., Any],
         args: tuple[Any, ...]) -> None:
    """Run one task and send back ("done", id, ok, value) or ("cancelled", id, reason)."""
    state.task, state.token, state.step, state.wanted, state.last = task_id, token, 0, None, None
    try:
        state.check()
        reply: tuple[Any, ...] = ("done", task_id, True, function(*args))
    except TaskCancelled as error:
        reply = ("cancelled", task_id, str(error))
    except Stopped:
        os._exit(1)
    except Exception as error:  # noqa: BLE001  (goes back to the task's future)
        traceback.print_exc()
        reply = ("done", task_id, False, _sendable(error))
    finally:
        state.task = state.token = None
        state.wanted = None
    try:
        state.conn.send(reply)  # type: ignore[union-attr]
    except Exception as error:  # noqa: BLE001  (a result that cannot be pickled)
        state.conn.send(("done", task_id, False, _sendable(error)))  # type: ignore[union-attr]


def _sendable(error: Exception) -> Exception:
    """The error itself if it survives pickling, else a RuntimeError naming it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(error).__name__}: {error}")


def _on_term(signum: int, frame: object) -> None:
    """SIGTERM: mid-task, unwind (temp files and ffmpeg are cleaned up); idle, exit at once."""
    if _state is not None and _state.task is not None:
        raise Stopped()
    os._exit(0)
