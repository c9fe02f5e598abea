"""Voice profiles (voices/*.yaml): which engine and model speak under which name."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import EngineError, InvalidRequest, os_reason
from ..files import atomic_path
from ..limits import cut, quoted
from .engine import Engine
from .registry import ENGINES, engine_factory

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_PIPER_NAME = re.compile(r"^[a-z]{2,3}_[A-Z]{2}-[A-Za-z0-9_]+-(x_low|low|medium|high)$")


@dataclass(frozen=True)
class VoiceProfile:
    """A named voice: engine, model and speaker, and how it is described to users."""

    id: str
    """Voice id used with --voice."""
    name: str
    """Display name."""
    engine: str
    """The engine that speaks it, one of `registry.ENGINES` (piper, hibari, espeak, coqui)."""
    model: str
    """Model file ("package:module/path" or a path beside the profile); eSpeak: voice name."""
    config: str | None
    """Model config file, where the engine needs one."""
    speaker: str | None
    """Speaker within a multi-speaker model (Piper id, Coqui name, eSpeak variant)."""
    speaker_wav: str | None
    """Coqui voice-cloning reference recording (consented), beside the profile or absolute."""
    language: str
    """Language and region, e.g. en_GB."""
    accent: str
    """Accent in words, e.g. "Scottish English"."""
    gender: str
    """As the voice presents, for the voice list."""
    description: str
    """One line for the voice list."""
    source: Path
    """The profile file."""
    origin: str = ""
    """Where the voice came from, for the voice list ("" for a hand-written profile)."""

    def file(self, reference: str) -> Path:
        """A file the profile names: "package:module/path", or a path beside the profile."""
        return resolve_reference(reference, self.source.parent)

    def model_file(self) -> Path:
        """The profile's model file, which must exist."""
        model = self.file(self.model)
        if not model.is_file():
            raise EngineError(f"voice {self.id}: model file {model.name} is missing")
        return model

    def config_file(self) -> Path | None:
        """The model's config file, when the profile names one."""
        return self.file(self.config) if self.config else None

    def language_code(self) -> str | None:
        """The language without its region ("en" for en_GB), or None when none is given."""
        return self.language.split("_")[0].split("-")[0].lower() or None


class BrokenProfile(EngineError):
    """A voice profile that cannot be read: its voice (id, else file stem) and why, one line."""

    def __init__(self, path: Path, voice: str, reason: str):
        self.voice = voice
        self.reason = reason
        super().__init__(f"voice profile {path.name} is not valid: {reason}")


def read_voices(folders: Iterable[Path]) -> tuple[dict[str, VoiceProfile], dict[str, str]]:
    """Every *.yaml profile in the folders, later folders overriding earlier ones; and the
    broken ones, as voice → why. A broken profile takes only its own voice out of use."""
    profiles: dict[str, VoiceProfile] = {}
    broken: dict[str, str] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                profile = _read_profile(path)
            except BrokenProfile as error:
                profiles.pop(error.voice, None)
                broken[error.voice] = str(error)
                continue
            profiles[profile.id] = profile
            broken.pop(profile.id, None)
    return profiles, broken


def load_profiles(folders: Iterable[Path]) -> dict[str, VoiceProfile]:
    """Read every good *.yaml profile in the folders; later folders override earlier ones."""
    return read_voices(folders)[0]


def _read_profile(path: Path) -> VoiceProfile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise BrokenProfile(path, path.stem, _reason(error)) from error
    voice = str(data.get("id")) if isinstance(data, dict) and data.get("id") else path.stem
    if not isinstance(data, dict):
        raise BrokenProfile(path, voice, "not a mapping of keys (id: joe, engine: piper…)")
    missing = [key for key in ("id", "engine", "model") if data.get(key) in (None, "")]
    if missing:
        raise BrokenProfile(path, voice, f"{', '.join(missing)} missing")
    if not _ID.match(voice):
        raise BrokenProfile(path, path.stem, f"id {quoted(voice)} must be lowercase letters, "
                            "digits, '-', '_' or '.'")
    profile = VoiceProfile(
        id=voice, name=str(data.get("name", voice)), engine=str(data["engine"]),
        model=str(data["model"]), config=_optional(data.get("config")),
        speaker=_optional(data.get("speaker")), speaker_wav=_optional(data.get("speaker_wav")),
        language=str(data.get("language", "")), accent=str(data.get("accent", "")),
        gender=str(data.get("gender", "")), description=str(data.get("description", "")),
        source=path, origin=str(data.get("origin", "")))
    if profile.engine not in ENGINES:
        raise BrokenProfile(path, voice, f"engine {quoted(profile.engine)} is not one of "
                            f"{', '.join(ENGINES)}")
    return profile


def _reason(error: Exception) -> str:
    """Why a profile file cannot be read, in one line."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        return f"not valid YAML (line {error.problem_mark.line + 1}: {error.problem})"
    if isinstance(error, OSError):
        return f"cannot be read: {os_reason(error)}"
    return "not valid YAML" if isinstance(error, yaml.YAMLError) else "not UTF-8 text"


def _optional(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


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


def open_engine(profile: VoiceProfile, threads: int | None = None) -> Engine:
    """Create the engine a profile names; models load on first synthesis, not here.

    `threads` caps the threads a neural voice computes with (None: the engine's choice).
    """
    return engine_factory(profile.engine)(profile, threads)


def add_piper_voice(model: Path, folder: Path, voice_id: str | None = None) -> VoiceProfile:
    """Copy a Piper .onnx voice (and its .onnx.json) into `folder` with a generated profile."""
    model = Path(model)
    config = Path(f"{model}.json")
    if model.suffix != ".onnx" or not model.is_file():
        raise InvalidRequest("path", f"{cut(model.name)} is not a Piper voice file",
                             "an existing .onnx file with its .onnx.json beside it")
    if not config.is_file():
        raise InvalidRequest("path", f"{cut(config.name)} is missing beside "
                             f"{cut(model.name)}",
                             "an existing .onnx file with its .onnx.json beside it")
    try:
        details = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidRequest("path", f"{cut(config.name)} is not a Piper voice "
                             "config") from error
    voice_id = voice_id_for(model.stem, voice_id)
    _check_voice_loads(model)
    language = str((details.get("language") or {}).get("code") or "")
    dataset = str(details.get("dataset") or model.stem)
    quality = str((details.get("audio") or {}).get("quality") or "")
    profile = {
        "id": voice_id,
        "name": dataset.replace("_", " ").title(),
        "engine": "piper",
        "model": f"{voice_id}/{model.name}",
        "config": f"{voice_id}/{config.name}",
        "language": language,
        "description": f"Piper voice {model.stem} ({quality or 'unknown'} quality), "
                       "added by you.",
        "origin": f"added from {model.name}",
    }
    return install_files(folder, voice_id, (model, config), profile)


def _check_voice_loads(model: Path) -> None:
    """Refuse a file onnxruntime cannot read, before anything is copied."""
    try:
        import onnxruntime

        onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - any failure means "not a usable voice"
        raise InvalidRequest("path", f"{cut(model.name)} cannot be loaded as a Piper voice",
                             "an existing .onnx file with its .onnx.json beside it") from error


def install_files(folder: Path, voice_id: str, files: Iterable[Path],
                   profile: dict[str, str]) -> VoiceProfile:
    """Copy files into folder/voice_id and write folder/voice_id.yaml, each atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=f".{voice_id}-"))
    try:
        for file in files:
            shutil.copyfile(file, staging / file.name)
        target = folder / voice_id
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    profile_path = folder / f"{voice_id}.yaml"
    with atomic_path(profile_path) as temp, open(temp, "w", encoding="utf-8") as out:
        out.write("# Generated by `cft-audio voices add`; edit the name or description freely.\n")
        yaml.safe_dump(profile, out, sort_keys=False, allow_unicode=True)
    return _read_profile(profile_path)


def install_piper_voice(name: str, folder: Path) -> VoiceProfile:
    """Download a Piper voice by name (e.g. en_GB-alba-medium) with piper's own downloader."""
    if not _PIPER_NAME.match(name):
        raise InvalidRequest("voice-name", f"{quoted(name)} is not a Piper voice name",
                             "LANG_REGION-NAME-QUALITY, e.g. en_GB-alba-medium")
    from piper.download_voices import download_voice

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as temporary:
        try:
            download_voice(name, Path(temporary))
        except Exception as error:  # noqa: BLE001 - offline, refused, not found: all one answer
            reason = getattr(error, "reason", None) or error
            raise EngineError(f"cannot download Piper voice {name}: {reason} (is this machine "
                              "online? `cft-audio voices add FILE.onnx` adds a voice file "
                              "you already have)") from error
        return add_piper_voice(Path(temporary) / f"{name}.onnx", folder)


def voice_id_for(stem: str, voice_id: str | None = None) -> str:
    """The id a voice file is registered under: `voice_id`, or one made from the file name."""
    voice_id = voice_id or _id_from_file(stem)
    if not _ID.match(voice_id):
        raise InvalidRequest("id", f"{quoted(voice_id)} cannot be a voice id",
                             "lowercase letters, digits, '-', '_' or '.'")
    return voice_id


def _id_from_file(stem: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-") or "voice"
