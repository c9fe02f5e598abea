"""Typed errors raised by the library; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from collections.abc import Iterable


class CftAudioError(Exception):
    """Base class for every error the library raises on purpose."""


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


class ScriptError(CftAudioError):
    """A template or its timing markup cannot be turned into cues."""


class EngineError(CftAudioError):
    """A speech engine failed to load a voice or to synthesise text."""


class ExportError(CftAudioError):
    """The encoder failed or the finished file could not be written."""
