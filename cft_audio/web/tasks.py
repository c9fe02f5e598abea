"""The worker side of a web job: run its task with the worker's Renderer, errors as page text."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from ..errors import CftAudioError, InvalidRequest
from ..pipeline import Renderer
from ..workers import TaskCancelled, current

Task = Callable[[Renderer, "Steps"], Any]
"""What a job does with its worker's Renderer (picklable: a module-level function or partial)."""


class Steps:
    """Handed to a task in the worker: says which of the job's renders is under way."""

    def __init__(self, job_id: str):
        self.job_id = job_id

    def step(self, number: int) -> None:
        """Later progress belongs to render `number` (0-based) of the job."""
        current().step = number

    def watch(self, still_wanted: Callable[[], bool]) -> None:
        """Stop the job at its next progress report once this turns False."""
        current().wanted = still_wanted


def execute(job_id: str, task: Task) -> dict[str, Any]:
    """Run one job's task in a worker: {"result": ...} or {"error": the page's message}."""
    try:
        return {"result": task(current().renderer(), Steps(job_id))}
    except TaskCancelled as error:
        return {"error": str(error), "cancelled": True}
    except InvalidRequest as error:
        return {"error": form_message(error)}
    except CftAudioError as error:
        return {"error": str(error)}
    except Exception as error:  # noqa: BLE001  (shown to the therapist, logged in full)
        traceback.print_exc()
        return {"error": f"unexpected error: {type(error).__name__}: {error}"}


def form_message(error: InvalidRequest) -> str:
    """The problem worded as the form words it (its field's label)."""
    from .forms import form_message as worded

    return worded(error)
