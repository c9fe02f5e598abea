"""Voice profiles (voices/*.yaml): which engine and model speak under which name."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import EngineError
from .engine import Engine, VoiceSettings
from .presets import PACES, TONES

ENGINES = ("piper",)
"""Engines this version can drive."""


@dataclass(frozen=True)
class VoiceProfile:
    """A named voice: engine, model files and how it is described to users."""

    id: str
    name: str
    engine: str
    model: str
    config: str | None
    language: str
    description: str
    source: Path


def load_profiles(folders: Iterable[Path]) -> dict[str, VoiceProfile]:
    """Read every *.yaml profile in the folders; later folders override earlier ones."""
    profiles: dict[str, VoiceProfile] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            profile = _read_profile(path)
            profiles[profile.id] = profile
    return profiles


def _read_profile(path: Path) -> VoiceProfile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return VoiceProfile(
            id=str(data["id"]),
            name=str(data.get("name", data["id"])),
            engine=str(data["engine"]),
            model=str(data["model"]),
            config=data.get("config"),
            language=str(data.get("language", "")),
            description=str(data.get("description", "")),
            source=path,
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise EngineError(f"voice profile {path.name} is not valid: {error}") from error


def resolve_reference(reference: str, base: Path) -> Path:
    """Turn "package:module/path" or a path relative to the profile into a file path."""
    if reference.startswith("package:"):
        module, _, inner = reference[len("package:") :].partition("/")
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise EngineError(f"voice package {module!r} is not installed")
        return Path(next(iter(spec.submodule_search_locations))) / inner
    path = Path(reference).expanduser()
    return path if path.is_absolute() else base / path


def open_engine(profile: VoiceProfile) -> Engine:
    """Create the engine a profile names; models load on first synthesis."""
    if profile.engine != "piper":
        raise EngineError(f"voice {profile.id}: engine {profile.engine!r} is not available")
    from .piper import PiperEngine

    base = profile.source.parent
    model = resolve_reference(profile.model, base)
    config = resolve_reference(profile.config, base) if profile.config else None
    if not model.is_file():
        raise EngineError(f"voice {profile.id}: model file {model.name} is missing")
    return PiperEngine(model_path=model, config_path=config)


def voice_settings(tone: str, pace: str) -> VoiceSettings:
    """Combine a tone and a pace preset into engine settings."""
    t, p = TONES[tone], PACES[pace]
    return VoiceSettings(
        length_scale=round(p.length_scale * t.length_factor, 4),
        noise_scale=t.noise_scale,
        noise_w_scale=t.noise_w_scale,
    )
