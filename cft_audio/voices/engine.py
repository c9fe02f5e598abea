"""The Engine protocol and the audio values speech engines produce."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class VoiceSettings:
    """Per-call synthesis settings, separate from the voice's own description."""

    length_scale: float = 1.0
    """Phoneme length (above 1 is slower)."""
    noise_scale: float = 0.667
    """Variation in voice quality."""
    noise_w_scale: float = 0.8
    """Variation in phoneme timing."""


@dataclass(frozen=True)
class SpeechClip:
    """Mono float32 speech in [-1, 1], trimmed of leading and trailing silence."""

    samples: np.ndarray
    sample_rate: int

    @property
    def seconds(self) -> float:
        """Duration of the clip."""
        return len(self.samples) / self.sample_rate


class Engine(Protocol):
    """A loaded voice that turns text into speech."""

    sample_rate: int

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak `text` with `settings`; the clip states its own sample rate."""
        ...


def trim_silence(samples: np.ndarray, sample_rate: int, threshold_db: float = -45.0) -> np.ndarray:
    """Cut engine silence at both ends, keeping 15 ms of margin and short fades."""
    if samples.size == 0:
        return samples.astype(np.float32)
    peak = float(np.max(np.abs(samples)))
    if peak == 0.0:
        return np.zeros(0, dtype=np.float32)
    frame = max(1, sample_rate // 100)
    frames = len(samples) // frame
    if frames == 0:
        return samples.astype(np.float32)
    rms = np.sqrt(np.mean(samples[: frames * frame].reshape(frames, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > peak * 10 ** (threshold_db / 20))
    if loud.size == 0:
        return np.zeros(0, dtype=np.float32)
    margin = int(0.015 * sample_rate)
    start = max(0, loud[0] * frame - margin)
    end = min(len(samples), (loud[-1] + 1) * frame + margin)
    out = np.array(samples[start:end], dtype=np.float32)
    fade = min(len(out) // 2, int(0.005 * sample_rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out
