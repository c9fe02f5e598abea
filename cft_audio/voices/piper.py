"""Piper neural TTS engine (the default), loading a local .onnx voice once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
from .engine import SpeechClip, VoiceSettings, trim_silence

_SENTENCE_JOIN_SECONDS = 0.35


@dataclass
class PiperEngine:
    """A Piper voice model; load lazily on first use."""

    model_path: Path
    config_path: Path | None = None
    speaker_id: int | None = None
    _voice: Any = field(default=None, init=False, repr=False)

    @property
    def sample_rate(self) -> int:
        """Sample rate of the voice model."""
        return int(self._load().config.sample_rate)

    def _load(self) -> Any:
        if self._voice is None:
            try:
                from piper import PiperVoice

                self._voice = PiperVoice.load(self.model_path, self.config_path)
            except Exception as error:  # noqa: BLE001 - any load failure is an engine error
                message = f"cannot load Piper voice {self.model_path.name}: {error}"
                raise EngineError(message) from error
        return self._voice

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak `text` without loudness normalisation, trimmed at both ends."""
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(
            speaker_id=self.speaker_id,
            length_scale=settings.length_scale,
            noise_scale=settings.noise_scale,
            noise_w_scale=settings.noise_w_scale,
            normalize_audio=False,
        )
        rate = int(voice.config.sample_rate)
        try:
            raw = [c.audio_float_array for c in voice.synthesize(text, config)]
        except Exception as error:  # noqa: BLE001
            raise EngineError(f"Piper failed on {text[:40]!r}: {error}") from error
        chunks = [c for c in (trim_silence(r, rate) for r in raw) if c.size]
        if not chunks:
            raise EngineError(f"Piper produced no audio for {text[:40]!r}")
        gap = np.zeros(int(_SENTENCE_JOIN_SECONDS * rate), dtype=np.float32)
        joined = [part for chunk in chunks for part in (chunk, gap)][:-1]
        samples = np.clip(np.concatenate(joined), -1.0, 1.0)
        samples.flags.writeable = False
        return SpeechClip(samples=samples, sample_rate=rate)
