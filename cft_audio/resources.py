"""Locate the exercise templates and voice profiles shipped with the package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    """Return the packaged data folder `name`, in a wheel or in a source checkout."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def scripts_dir() -> Path:
    """Folder holding the exercise templates (.j2), partials and vocabulary."""
    return _data_dir("scripts")


def voices_dir() -> Path:
    """Folder holding the bundled voice profiles (.yaml)."""
    return _data_dir("voices")
