"""Locate bundled templates and voices, and the user's own voice, lexicon and cache folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_PACKAGE_DIR = Path(__file__).resolve().parent
APP_NAME = "cft-audio"
"""The per-user folders' name."""


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


def user_data_dir() -> Path:
    """The user's own cft-audio folder (voices, lexicon): $CFT_AUDIO_HOME or the OS default."""
    return _user_dir("CFT_AUDIO_HOME", "user_data_dir")


def user_voices_dir() -> Path:
    """Where `voices add` and `voices install` put voices and their profiles."""
    return user_data_dir() / "voices"


def user_lexicon_path() -> Path:
    """The user's pronunciation lexicon (word: respelling), read when present."""
    return user_data_dir() / "lexicon.yaml"


def user_cache_dir() -> Path:
    """The cft-audio cache folder: $CFT_AUDIO_CACHE or the OS cache folder."""
    return _user_dir("CFT_AUDIO_CACHE", "user_cache_dir")


def _user_dir(variable: str, kind: str) -> Path:
    """The folder named by the environment variable, else platformdirs' per-user `kind` folder.

    Linux: $XDG_DATA_HOME / $XDG_CACHE_HOME or ~/.local/share, ~/.cache; macOS:
    ~/Library/Application Support, ~/Library/Caches; Windows: %APPDATA%, %LOCALAPPDATA%
    (`opinion=False`: no extra Cache folder), each with a cft-audio folder inside; the same
    folders as the hand-written code before it, except that macOS now also honours $XDG_*.
    """
    if os.environ.get(variable):
        return Path(os.environ[variable]).expanduser()
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False, roaming=True, opinion=False)
    return Path(getattr(dirs, kind))


def speech_cache_dir() -> Path:
    """Where synthesised sentences are cached (they speak clients' names: private)."""
    return user_cache_dir() / "speech"


def model_cache_dir() -> Path:
    """Where prepared voice models (Piper graphs with seeded noise) are kept."""
    return user_cache_dir() / "models"
