"""Engines by name: the module of each engine opens a voice profile naming it.

Adding an engine is one module in this package with a `from_profile(profile, threads)`
function returning its Engine, and one line in ENGINES. The module is imported only
when a profile naming it is opened: listing voices or printing help loads no engine.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ..errors import EngineError
from .engine import Engine

ENGINES: dict[str, str] = {
    "piper": "piper",
    "hibari": "hibari",
    "espeak": "espeak",
    "coqui": "coqui",
}
"""Engine name (a profile's `engine:`) → its module in this package."""


def engine_factory(engine: str) -> Callable[..., Engine]:
    """The `from_profile(profile, threads)` of the engine named `engine`, its module loaded now."""
    if engine not in ENGINES:
        raise EngineError(f"unknown voice engine {engine!r} (one of {', '.join(ENGINES)})")
    return import_module(f".{ENGINES[engine]}", __package__).from_profile
