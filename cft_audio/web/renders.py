"""What render jobs do: a new track in the chosen formats, or one more format of a past track."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..pipeline import Renderer
from ..request import Request
from .jobs import Steps
from .library import RenderEntry, new_render_folder

SIDECARS = ("json", "vtt", "txt")
"""Written beside every web render: the library reads the .json record."""
_PATH_FIELDS = ("script", "lexicon", "output", "cover")


def render_new(renderer: Renderer, steps: Steps, request: Request, formats: tuple[str, ...],
               root: Path) -> str:
    """Render `request` into a fresh folder, in each format; returns the render id."""
    folder = new_render_folder(root)
    first = renderer.render(dataclasses.replace(request, output=folder, format=formats[0],
                                                sidecars=SIDECARS))
    for number, fmt in enumerate(formats[1:], start=1):
        steps.step(number)
        renderer.render(dataclasses.replace(request, format=fmt, sidecars=(),
                                            output=first.path.with_suffix(f".{fmt}")))
    return first.path.with_suffix("").resolve().relative_to(root.resolve()).as_posix()


def render_format(renderer: Renderer, steps: Steps, entry: RenderEntry, fmt: str) -> str:
    """Render a past track again in another format, beside it (same request and seed)."""
    request = request_from_record(entry.request)
    renderer.render(dataclasses.replace(request, format=fmt, sidecars=(),
                                        output=entry.stem.with_suffix(f".{fmt}")))
    return entry.id


def request_from_record(fields: dict[str, Any]) -> Request:
    """The Request a render record describes (lists back to tuples, paths back to Paths)."""
    known = {f.name for f in dataclasses.fields(Request)}
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in known:
            continue
        if isinstance(value, list):
            value = tuple(value)
        if key in _PATH_FIELDS and value is not None:
            value = Path(value)
        values[key] = value
    return Request(**values)
