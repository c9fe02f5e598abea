"""A manifest uploaded to the web app names only files uploaded with it, by their upload name.

The command line reads any path a manifest gives (it is the user's own machine); a
manifest that came over HTTP must not reach the server's files. Each file it names
(participants spreadsheet, an exercise's own template, a background sound) is looked up
among the files uploaded beside it; anything else gets one fixed line, the same whether
a file of that name exists on the server or not, and no server file is opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..sound.beds import BEDS
from .errors import Problem

Uploaded = Mapping[str, Path]
"""Files uploaded with a manifest: saved path by the name they were uploaded as."""
NOT_UPLOADED = "names no file uploaded with the manifest"
"""The one line for a file name that is not among the uploads (existing on the server or not)."""


def uploaded_file(name: Any, uploaded: Uploaded) -> Path | None:
    """The saved upload a manifest's file name refers to (None: not uploaded with it)."""
    return uploaded.get(name) if isinstance(name, str) else None


def not_uploaded(where: str, field: str, allowed: str, uploaded: Uploaded, kind: str) -> Problem:
    """The problem for a file name that is not among the uploads (`kind` of file it names)."""
    if uploaded:
        allowed = f"{allowed}, or the name of {kind} uploaded with the manifest"
    return Problem(where, field, NOT_UPLOADED, allowed)


def confined_background(where: str, settings: Mapping[str, Any], uploaded: Uploaded,
                        problems: list[Problem]) -> Mapping[str, Any]:
    """Settings whose `background` is a bed name or an uploaded sound (its saved path)."""
    value = settings.get("background")
    if value is None or value in BEDS:
        return settings
    path = uploaded_file(value, uploaded)
    if path is None:
        problems.append(not_uploaded(where, "background", ", ".join(sorted(BEDS)), uploaded,
                                     "a sound"))
        return MappingProxyType({k: v for k, v in settings.items() if k != "background"})
    return MappingProxyType({**settings, "background": str(path)})
