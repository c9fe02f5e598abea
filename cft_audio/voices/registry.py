"""Engines by name: the module of each engine opens a voice profile naming it.

Adding an engine is one module in this package with a `from_profile(profile, threads)`
function returning its Engine, and its line in ENGINES. The module is imported only
when a profile naming it is opened: listing voices or printing help loads no engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from ..errors import EngineError

if TYPE_CHECKING:  # the engine protocol's module loads NumPy; text checks need none of it
    from .engine import Engine


@dataclass(frozen=True)
class Registered:
    """What is known of an engine before its module is imported."""

    module: str
    """Its module in this package, which has `from_profile(profile, threads)`."""
    phonemes: bool = False
    """Whether it takes a word as misaki phonemes between slashes (`--say "Aoife=/ˈifə/"`)."""


ENGINES: dict[str, Registered] = {
    "piper": Registered("piper"),
    "hibari": Registered("hibari", phonemes=True),
    "espeak": Registered("espeak"),
    "coqui": Registered("coqui"),
}
"""Engine name (a profile's `engine:`) → its module and what it takes."""


def registered(engine: str) -> Registered:
    """The registry's entry for `engine`; an unknown name is an EngineError."""
    if engine not in ENGINES:
        raise EngineError(f"unknown voice engine {engine!r} (one of {', '.join(ENGINES)})")
    return ENGINES[engine]


def engine_factory(engine: str) -> Callable[..., Engine]:
    """The `from_profile(profile, threads)` of the engine named `engine`, its module loaded now."""
    return import_module(f".{registered(engine).module}", __package__).from_profile


def takes_phonemes(engine: str) -> bool:
    """Whether the engine reads `/…/` as misaki phonemes (others would read the symbols out)."""
    return engine in ENGINES and ENGINES[engine].phonemes
