"""What render jobs do: a new track in the chosen formats, or one more format of a past track."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from pathlib import Path

from ..pipeline import Renderer
from ..request import Request
from ..schema import from_record
from ..workers import TaskCancelled
from .library import RenderEntry, new_render_folder
from .tasks import Steps
from .uploads import keep_beside

SIDECARS = ("json", "vtt", "txt")
"""Written beside every web render: the library reads the .json record."""


def render_new(renderer: Renderer, steps: Steps, request: Request, formats: tuple[str, ...],
               root: Path, uploads: dict[str, Path] | None = None) -> str:
    """Render `request` into a fresh folder, in each format; returns the render id.

    Uploaded files are copied into the folder first (a hidden `.own` folder) and used from there.
    If the job is cancelled or fails, the folder and everything in it are removed.
    """
    folder = new_render_folder(root)
    try:
        if uploads:
            kept = keep_beside(uploads, folder)
            if "background" in kept:
                kept["background"] = str(kept["background"])
            request = dataclasses.replace(request, **kept)
        first = renderer.render(dataclasses.replace(request, output=folder, format=formats[0],
                                                    sidecars=SIDECARS))
        for number, fmt in enumerate(formats[1:], start=1):
            steps.step(number)
            renderer.render(dataclasses.replace(request, format=fmt, sidecars=(),
                                                output=first.path.with_suffix(f".{fmt}")))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return first.path.with_suffix("").resolve().relative_to(root.resolve()).as_posix()


def render_format(renderer: Renderer, steps: Steps, entry: RenderEntry, fmt: str) -> str:
    """Render a past track again in another format, beside it (same request and seed).

    If the recording is deleted meanwhile, the job stops and leaves nothing behind (not even
    the folder it would have re-created).
    """
    request = from_record(entry.request)
    target = entry.stem.with_suffix(f".{fmt}")
    steps.watch(entry.record.is_file)
    try:
        renderer.render(dataclasses.replace(request, format=fmt, sidecars=(), output=target))
        if not entry.record.is_file():
            raise TaskCancelled("the recording was deleted")
    except BaseException:
        if not entry.record.is_file():
            target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                entry.record.parent.rmdir()  # only if empty: what the job itself re-created
        raise
    return entry.id
