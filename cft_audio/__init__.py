"""cft-audio: personalised compassion-focused therapy recordings, rendered offline."""

from importlib.metadata import PackageNotFoundError, version

from .errors import CftAudioError, EngineError, ExportError, InvalidRequest, ScriptError
from .pipeline import RenderContext, Renderer, Result, render
from .request import Request

try:
    __version__ = version("cft-audio")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "CftAudioError",
    "EngineError",
    "ExportError",
    "InvalidRequest",
    "RenderContext",
    "Renderer",
    "Request",
    "Result",
    "ScriptError",
    "__version__",
    "render",
]
