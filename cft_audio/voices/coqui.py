"""Coqui TTS engine (optional, `cft-audio[coqui]`): a local model file, loaded once, seeded.

Only local files are used: `TTS(model_path=..., config_path=...)` on the CPU, never a
model name, so nothing is downloaded. VITS-style models (GlowTTS too) read their
length and noise scales from model attributes, which are set before every call from
the values the model loaded with; XTTS-style models take a `speed` argument instead.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
from .engine import (
    EXPRESSIVENESS,
    PITCH,
    SPEED,
    SpeechClip,
    VoiceSettings,
    file_fingerprint,
    finish_clip,
    pitch_factor,
    raise_pitch_by_resampling,
)
from .profiles import VoiceProfile

_INSTALL_HINT = "install it with: pip install 'cft-audio[coqui]'"


@dataclass(frozen=True)
class _Knobs:
    """What a loaded model lets us vary, with the model's own values to scale from."""

    length_scale: float | None = None
    """VITS/GlowTTS `length_scale` attribute (duration multiplier)."""
    noise_scale: float | None = None
    """VITS/GlowTTS `inference_noise_scale` attribute (variation of the voice)."""
    noise_scale_dp: float | None = None
    """VITS `inference_noise_scale_dp` attribute (variation of the timing)."""
    speed: bool = False
    """XTTS-style `speed` argument of the model's inference."""

    @property
    def rate(self) -> bool:
        """Whether speech duration can be set."""
        return self.length_scale is not None or self.speed


def from_profile(profile: VoiceProfile, threads: int | None = None) -> CoquiEngine:
    """The Coqui engine a voice profile names: model and config files, a speaker name or a
    consented reference recording, and the profile's language (`threads`: torch's choice)."""
    wav = profile.file(profile.speaker_wav) if profile.speaker_wav else None
    return CoquiEngine(model_path=profile.model_file(), config_path=profile.config_file(),
                       speaker=profile.speaker, speaker_wav=wav,
                       language=profile.language_code())


@dataclass
class CoquiEngine:
    """A local Coqui TTS model (checkpoint and config.json); loads on first use."""

    model_path: Path
    config_path: Path | None = None
    speaker: str | None = None
    speaker_wav: Path | None = None
    language: str | None = None
    name: str = field(default="coqui", init=False)
    _tts: Any = field(default=None, init=False, repr=False)
    _knobs: _Knobs = field(default_factory=_Knobs, init=False, repr=False)

    def load(self) -> None:
        """Load the model on the CPU from local files (idempotent); nothing is downloaded."""
        if self._tts is not None:
            return
        if not Path(self.model_path).is_file():
            raise EngineError(f"Coqui model file {Path(self.model_path).name} is missing")
        tts_class = _import_tts()
        config = self.config_path
        try:
            tts = tts_class(model_path=str(self.model_path),
                            config_path=str(config) if config is not None else None,
                            progress_bar=False)
            tts.to("cpu")
            knobs = _knobs_of(tts.synthesizer.tts_model)
        except Exception as error:  # noqa: BLE001 - any load failure is an engine error
            message = f"cannot load Coqui model {Path(self.model_path).name}: {_one_line(error)}"
            raise EngineError(message) from error
        self._tts, self._knobs = tts, knobs

    @property
    def sample_rate(self) -> int:
        """Sample rate of the model's output."""
        self.load()
        return int(self._tts.synthesizer.output_sample_rate)

    def identity(self) -> str:
        """Engine, model and config content, speaker, reference recording and language."""
        config = self.config_path or Path(self.model_path).parent / "config.json"
        try:
            parts = ["coqui", file_fingerprint(self.model_path),
                     file_fingerprint(config) if Path(config).is_file() else "-",
                     str(self.speaker),
                     file_fingerprint(self.speaker_wav) if self.speaker_wav else "-",
                     str(self.language)]
        except OSError as error:
            raise EngineError(f"cannot read Coqui voice files: {_one_line(error)}") from error
        return ":".join(parts)

    def capabilities(self) -> frozenset[str]:
        """SPEED and PITCH where duration can be set, EXPRESSIVENESS where noise scales exist."""
        self.load()
        found = {SPEED, PITCH} if self._knobs.rate else set()
        if self._knobs.noise_scale is not None:
            found.add(EXPRESSIVENESS)
        return frozenset(found)

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak `text` seeded by `settings.seed`; pitch shifted without changing duration."""
        self.load()
        import torch  # present once load() succeeded

        factor = pitch_factor(settings.pitch_semitones) if self._knobs.rate else 1.0
        arguments = {**self._voice_arguments(), **self._apply(settings, factor)}
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(settings.seed)
                raw = self._tts.tts(text, **arguments)
            samples = np.asarray(raw, dtype=np.float32).reshape(-1)
        except Exception as error:  # noqa: BLE001
            raise EngineError(f"Coqui failed on {text[:40]!r}: {_one_line(error)}") from error
        if samples.size == 0 or not np.all(np.isfinite(samples)):
            raise EngineError(f"Coqui produced no usable audio for {text[:40]!r}")
        return finish_clip(raise_pitch_by_resampling(samples, factor), self.sample_rate)

    def _voice_arguments(self) -> dict[str, Any]:
        """Speaker, reference recording and language, each only where the model takes it."""
        arguments: dict[str, Any] = {}
        if self.speaker is not None:
            arguments["speaker"] = self.speaker
        if self.speaker_wav is not None:
            arguments["speaker_wav"] = str(self.speaker_wav)
        if self.language is not None and self._tts.is_multi_lingual:
            arguments["language"] = self.language
        return arguments

    def _apply(self, settings: VoiceSettings, factor: float) -> dict[str, Any]:
        """Set the model's scales for this call; return any per-call arguments (XTTS speed)."""
        knobs, model = self._knobs, self._tts.synthesizer.tts_model
        length = settings.length_scale * factor
        spread = _noise_spread(settings.expressiveness)
        if knobs.length_scale is not None:
            model.length_scale = knobs.length_scale * length
        if knobs.noise_scale is not None:
            model.inference_noise_scale = knobs.noise_scale * spread
        if knobs.noise_scale_dp is not None:
            model.inference_noise_scale_dp = knobs.noise_scale_dp * spread
        if knobs.length_scale is None and knobs.speed:
            return {"speed": 1.0 / length}
        return {}


def _import_tts() -> Any:
    """The `TTS.api.TTS` class, or an EngineError saying how to install it."""
    try:
        from TTS.api import TTS
    except ImportError as error:
        message = f"Coqui TTS is not available ({_one_line(error)}); {_INSTALL_HINT}"
        raise EngineError(message) from error
    except Exception as error:  # noqa: BLE001 - a broken install (e.g. a native library)
        raise EngineError(f"Coqui TTS failed to import: {_one_line(error)}") from error
    return TTS


def _knobs_of(model: Any) -> _Knobs:
    """Read which scales `model` has (and their loaded values) or whether it takes `speed`."""
    scales = [_number(model, name)
              for name in ("length_scale", "inference_noise_scale", "inference_noise_scale_dp")]
    inference = getattr(model, "inference", None)
    speed = callable(inference) and "speed" in inspect.signature(inference).parameters
    return _Knobs(length_scale=scales[0], noise_scale=scales[1], noise_scale_dp=scales[2],
                  speed=speed)


def _number(model: Any, attribute: str) -> float | None:
    """A numeric attribute of the model, or None where it has none."""
    value = getattr(model, attribute, None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _noise_spread(expressiveness: float) -> float:
    """Noise-scale multiplier: 0.55 (steady) to 1.45 (lively); 1 keeps the model's own."""
    return 0.55 + 0.9 * min(1.0, max(0.0, expressiveness))


def _one_line(error: BaseException) -> str:
    """An exception's text on a single line (Coqui's messages span several)."""
    return " ".join(str(error).split()) or type(error).__name__
