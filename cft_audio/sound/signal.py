"""Small signal helpers shared by the sound modules."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling of mono audio to another rate (float32 out)."""
    if source_rate == target_rate:
        return samples.astype(np.float32, copy=False)
    factor = gcd(source_rate, target_rate)
    out = resample_poly(samples, target_rate // factor, source_rate // factor)
    return out.astype(np.float32)


def db_to_gain(db: float) -> float:
    """Decibels to a linear amplitude factor."""
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    """Linear amplitude factor to decibels (-inf for zero)."""
    return float(20.0 * np.log10(gain)) if gain > 0 else float("-inf")


def cosine_ramp(length: int) -> np.ndarray:
    """A smooth 0→1 ramp of `length` samples."""
    if length <= 0:
        return np.zeros(0, dtype=np.float32)
    return (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, length))).astype(np.float32)


PCM16_SCALE = 32767.0
"""Full scale of 16-bit audio."""


def as_pcm16(samples: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] as 16-bit integers (half the memory; the output's own precision)."""
    pcm = np.clip(np.round(np.asarray(samples) * PCM16_SCALE), -32768, 32767).astype(np.int16)
    pcm.flags.writeable = False
    return pcm
