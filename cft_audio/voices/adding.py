"""Registering voices: a model file you have (Piper or hibari), or a voice installed by name."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..errors import EngineError, InvalidRequest
from .engine import file_fingerprint
from .hibari import is_hibari_model
from .profiles import (
    VoiceProfile,
    add_piper_voice,
    install_files,
    install_piper_voice,
    voice_id_for,
)

_ACCENTS = {"American": "US English", "British": "British English"}


def hibari_catalogue() -> dict[str, dict[str, Any]]:
    """hibari's own voice registry: name → Kokoro voice, language, accent, gender, file, sha256."""
    from hibari.voices import VOICES

    return VOICES


def add_voice(model: Path, folder: Path, voice_id: str | None = None) -> VoiceProfile:
    """Register a voice file: a hibari model, or a Piper .onnx with its .onnx.json."""
    model = Path(model)
    if model.suffix == ".onnx" and model.is_file() and is_hibari_model(model):
        return add_hibari_voice(model, folder, voice_id)
    return add_piper_voice(model, folder, voice_id)


def add_hibari_voice(model: Path, folder: Path, voice_id: str | None = None,
                     origin: str | None = None) -> VoiceProfile:
    """Copy a hibari .onnx into `folder` with a profile; a known model keeps its details."""
    voice_id = voice_id_for(model.stem, voice_id)
    digest = file_fingerprint(model)
    known = next(((name, v) for name, v in hibari_catalogue().items()
                  if v.get("sha256") == digest), None)
    name, details = known or (voice_id, {})
    language = str(details.get("language", "en-US")).replace("-", "_")
    profile = {
        "id": voice_id,
        "name": name.title(),
        "engine": "hibari",
        "model": f"{voice_id}/{model.name}",
        "language": language,
        "accent": _ACCENTS.get(str(details.get("accent", "")), ""),
        "gender": str(details.get("gender", "")),
        "description": (f"Neural hibari voice (Kokoro {details['kokoro']}, distilled)"
                        if details else f"hibari voice {model.stem}") + ", added by you.",
        "origin": origin or f"added from {model.name}",
    }
    return install_files(folder, voice_id, (model,), profile)


def install_voice(name: str, folder: Path) -> VoiceProfile:
    """Install a voice by name: hibari's (emma, fable, fenrir, kore) or a Piper voice name."""
    catalogue = hibari_catalogue()
    if name not in catalogue:
        return install_piper_voice(name, folder)
    voice = catalogue[name]
    if voice.get("bundled"):
        raise InvalidRequest("voice-name", f"{name!r} is bundled already",
                             ", ".join(n for n, v in catalogue.items() if not v.get("bundled")))
    from hibari import voices

    with tempfile.TemporaryDirectory(prefix="cft-audio-voice-") as temporary:  # not in `folder`:
        # offline, nothing at all is written there
        target = Path(temporary) / voice["file"]
        try:  # hibari's own downloader: atomic, and checked against its registry's sha256
            voices.download(voices.BASE_URL + voice["file"], str(target), voice["sha256"])
        except Exception as error:  # noqa: BLE001 - offline, refused, damaged: one answer
            raise EngineError(f"cannot download hibari voice {name} (is this machine online? "
                              "nothing was changed)") from error
        return add_hibari_voice(target, folder, name,
                                origin=f"installed with hibari's downloader ({voice['file']})")
