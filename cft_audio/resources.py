"""Locate bundled templates and voices, and the user's own voice, lexicon and cache folders."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
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


def user_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The user's own cft-audio folder (voices, lexicon): $CFT_AUDIO_HOME or the OS default."""
    env = os.environ if environ is None else environ
    if env.get("CFT_AUDIO_HOME"):
        return Path(env["CFT_AUDIO_HOME"]).expanduser()
    if sys.platform == "win32":
        return Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "cft-audio"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "cft-audio"
    return Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cft-audio"


def user_voices_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where `voices add` and `voices install` put voices and their profiles."""
    return user_data_dir(environ) / "voices"


def user_lexicon_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user's pronunciation lexicon (word: respelling), read when present."""
    return user_data_dir(environ) / "lexicon.yaml"


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The cft-audio cache folder: $CFT_AUDIO_CACHE or the OS cache folder."""
    env = os.environ if environ is None else environ
    if env.get("CFT_AUDIO_CACHE"):
        return Path(env["CFT_AUDIO_CACHE"]).expanduser()
    if sys.platform == "win32":
        return Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "cft-audio"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "cft-audio"
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cft-audio"


def speech_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where synthesised sentences are cached (they speak clients' names: private)."""
    return user_cache_dir(environ) / "speech"


def model_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where prepared voice models (Piper graphs with seeded noise) are kept."""
    return user_cache_dir(environ) / "models"
