"""Typed errors raised by the library; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from enum import IntEnum
from typing import TypeVar


class ExitCode(IntEnum):
    """The exit codes of every command: the CLI picks one per outcome, the library none."""

    OK = 0
    FAILURE = 1
    """The work failed (an encoder, a disk, a track of a batch)."""
    USAGE = 2
    """Bad input: an option, a request field, a manifest; nothing was written."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT)."""


class CftAudioError(Exception):
    """Base class for every error the library raises on purpose."""

    detail: str = ""
    """A tool's own words about the failure (ffmpeg's), shown only when asked (-v)."""


E = TypeVar("E", bound=CftAudioError)

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "not found",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "a symlink loop",
}
_FFMPEG_REASONS = (("No space left on device", "the disk is full"),
                   ("Disk quota exceeded", "the disk quota is used up"),
                   ("Permission denied", "permission denied"),
                   ("Read-only file system", "the disk is read-only"))


def with_detail(error: E, detail: str) -> E:
    """`error`, carrying a tool's own message for -v."""
    error.detail = detail
    return error


def os_reason(error: OSError) -> str:
    """Why a file operation failed, in our words."""
    return _REASONS.get(error.errno or 0, error.strerror or type(error).__name__)


def ffmpeg_reason(message: str, otherwise: str) -> str:
    """The cause an ffmpeg message shows (disk full…), in our words; else `otherwise`."""
    return next((ours for theirs, ours in _FFMPEG_REASONS if theirs in message), otherwise)


class InvalidRequest(CftAudioError):
    """A request field holds a value the tool cannot use (a usage error)."""

    def __init__(self, field: str, message: str, allowed: Iterable[str] | str | None = None):
        self.field = field
        self.allowed = allowed if isinstance(allowed, str) or allowed is None else tuple(allowed)
        text = f"{field}: {message}"
        if self.allowed:
            shown = self.allowed if isinstance(self.allowed, str) else ", ".join(self.allowed)
            text += f" (allowed: {shown})"
        super().__init__(text)


class ArgumentError(CftAudioError):
    """An argument that is no request field holds a value the tool cannot use (a usage error):
    a voice sample's own text, the stem of a render."""


class CacheMissing(CftAudioError):
    """Work that needs the speech cache was asked of a render context that has none."""


class ScriptError(CftAudioError):
    """A template or its timing markup cannot be turned into cues."""


class EngineError(CftAudioError):
    """A speech engine failed to load a voice or to synthesise text."""


class ExportError(CftAudioError):
    """The encoder failed or the finished file could not be written."""


class PracticeLogError(CftAudioError):
    """A shared practice log cannot be read: too large, wrong shape, or values out of range."""
