"""One pool of renderer processes for the web app and batches: `pool` (server side), `process`."""

from .pool import GRACE_SECONDS, TERM_SECONDS, RendererPool, WorkerLost
from .process import TaskCancelled, current

__all__ = ["GRACE_SECONDS", "TERM_SECONDS", "RendererPool", "TaskCancelled", "WorkerLost",
           "current"]
