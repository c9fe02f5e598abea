"""The Engine protocol, engine-neutral voice settings, and the audio values engines produce."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np

from ..files import file_sha256
from ..sound.signal import resample_poly
from .settings import VoiceSettings

SPEED = "speed"
"""Capability: speech made longer or shorter (`VoiceSettings.length_scale`)."""
PITCH = "pitch"
"""Capability: the voice raised or lowered (`VoiceSettings.pitch_semitones`)."""
EXPRESSIVENESS = "expressiveness"
"""Capability: more or less variation (`VoiceSettings.expressiveness`)."""
CAPABILITIES = (SPEED, PITCH, EXPRESSIVENESS)
"""What an engine may be able to vary, as reported by `Engine.capabilities`."""

PEAK_CEILING = 0.98
"""Engine output above this peak is scaled down whole, never clipped."""


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
    """A voice that turns one sentence of prepared text into speech."""

    name: str
    """Engine name as used in voice profiles: piper, espeak or coqui."""

    def load(self) -> None:
        """Load the model now (idempotent); synthesize loads on first use otherwise."""
        ...

    def identity(self) -> str:
        """Stable fingerprint of the voice (engine, model content, speaker), without loading."""
        ...

    def capabilities(self) -> frozenset[str]:
        """Which of SPEED, PITCH, EXPRESSIVENESS this engine honours."""
        ...

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak one sentence with `settings`; the clip states its own sample rate."""
        ...


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def file_fingerprint(path: Path) -> str:
    """SHA-256 of a file's content (memoised per path, size and modification time)."""
    stat = os.stat(path)
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = file_sha256(path)
    return _FILE_HASHES[key]


def seed_words(seed: int, text: str) -> list[int]:
    """Seed material for an engine's noise: the settings' seed and the text itself."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [seed & 0xFFFFFFFF, *np.frombuffer(digest[:16], dtype=np.uint32).tolist()]


def pitch_factor(semitones: float) -> float:
    """Frequency ratio of a shift in semitones."""
    return float(2.0 ** (semitones / 12.0))


def raise_pitch_by_resampling(samples: np.ndarray, factor: float) -> np.ndarray:
    """Play `samples` `factor` times faster (pitch up by `factor`, duration shorter).

    Engines that can lengthen speech first synthesise `factor` times longer, then
    call this: the duration comes back and only the pitch moves. Polyphase
    resampling keeps it clean (no phasing artefacts of a time-stretcher).
    """
    if abs(factor - 1.0) < 1e-4:
        return np.asarray(samples, dtype=np.float32)
    ratio = Fraction(factor).limit_denominator(200)
    return resample_poly(samples, ratio.denominator, ratio.numerator)


TRIM_THRESHOLD_DB = -60.0
"""Frames quieter than this (relative to the clip's peak) at either end are silence."""
TRIM_LEAD = 0.04
"""Seconds kept before the first sounding frame."""
TRIM_TAIL = 0.15
"""Seconds kept after the last sounding frame: the voice's own decay, not cut short."""
TRIM_FADE = 0.01
"""Fade in and out at the cut ends (no click)."""


def trim_silence(
    samples: np.ndarray, sample_rate: int, threshold_db: float = TRIM_THRESHOLD_DB
) -> np.ndarray:
    """Cut engine silence at both ends, keeping a little lead, the decay, and short fades.

    Gentle on purpose: cutting at -45 dB with 15 ms margins clipped the ends of words
    and cost naturalness (benchmarks/naturalness.py scores the trimming step).
    """
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
    start = max(0, loud[0] * frame - int(TRIM_LEAD * sample_rate))
    end = min(len(samples), (loud[-1] + 1) * frame + int(TRIM_TAIL * sample_rate))
    out = np.array(samples[start:end], dtype=np.float32)
    fade = min(len(out) // 2, int(TRIM_FADE * sample_rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out


def finish_clip(samples: np.ndarray, sample_rate: int) -> SpeechClip:
    """Trim engine silence and keep the peak under the ceiling (scaled, never clipped)."""
    trimmed = trim_silence(np.asarray(samples, dtype=np.float32), sample_rate)
    peak = float(np.max(np.abs(trimmed))) if trimmed.size else 0.0
    if peak > PEAK_CEILING:
        trimmed = (trimmed * (PEAK_CEILING / peak)).astype(np.float32)
    trimmed.flags.writeable = False
    return SpeechClip(samples=trimmed, sample_rate=sample_rate)
