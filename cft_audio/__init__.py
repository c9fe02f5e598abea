"""cft-audio: personalised compassion-focused therapy recordings, rendered offline."""

import os
from importlib.metadata import PackageNotFoundError, version

# onnxruntime (1.30 and later, on Linux and macOS too) makes a device id file and a telemetry
# store under ~/.cache/Microsoft/DeveloperTools/.onnxruntime when it is imported, unless this
# is set first: nothing leaves the machine, and no identifier is made.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from .errors import (
    ArgumentError,
    CacheMissing,
    CftAudioError,
    EngineError,
    ExportError,
    InvalidRequest,
    ScriptError,
)
from .request import BedSample, Request, VoiceSample

_PIPELINE = ("RenderContext", "Renderer", "Result", "render")
"""Loaded on first use, so the command line's help starts without NumPy and the pipeline."""


def __getattr__(name: str):
    """`cft_audio.Renderer` and the rest of the pipeline, imported when first asked for."""
    if name in _PIPELINE:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'cft_audio' has no attribute {name!r}")


try:
    __version__ = version("cft-audio")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "ArgumentError",
    "BedSample",
    "CacheMissing",
    "CftAudioError",
    "EngineError",
    "ExportError",
    "InvalidRequest",
    "RenderContext",
    "Renderer",
    "Request",
    "Result",
    "ScriptError",
    "VoiceSample",
    "__version__",
    "render",
]
