"""A soft tone pacing soothing-rhythm breathing: swelling up on each in-breath, down on each out."""

from __future__ import annotations

import functools

import numpy as np

from ..errors import ScriptError

LOW_HZ = 196.0
"""Pitch at the start of each in-breath and the end of each out-breath (G3)."""
HIGH_HZ = 220.0
"""Pitch at the turn from in-breath to out-breath (A3)."""
PEAK = 0.25
"""Peak amplitude of the tone."""
_HARMONICS = ((1, 1.0), (2, 0.25), (3, 0.08))
"""(multiple of the fundamental, amplitude): a soft, round timbre."""


@functools.lru_cache(maxsize=4)
def breath_tone(inhale: float, exhale: float, cycles: int, sample_rate: int) -> np.ndarray:
    """Mono float32 pacing tone, exactly round((inhale + exhale) * cycles * rate) samples long.

    Made once per shape and kept, read-only (a track repeats its blocks and a batch its
    tracks; 4 are kept, at most a few MB each).
    """
    if inhale <= 0 or exhale <= 0 or cycles < 0:
        raise ScriptError(f"breath: need inhale and exhale above 0 s and cycles >= 0, got "
                          f"{inhale:g}, {exhale:g} and {cycles}")
    count = round((inhale + exhale) * cycles * sample_rate)
    swell = _swell(np.arange(count) / sample_rate, inhale, exhale)
    frequency = LOW_HZ + (HIGH_HZ - LOW_HZ) * swell
    phase = 2 * np.pi * (np.cumsum(frequency) - frequency[:1]) / sample_rate
    tone = sum(amplitude * np.sin(k * phase) for k, amplitude in _HARMONICS) * swell
    peak = float(np.max(np.abs(tone))) if count else 0.0
    out = (tone * (PEAK / peak if peak > 0 else 0.0)).astype(np.float32)
    out.flags.writeable = False
    return out


def _swell(t: np.ndarray, inhale: float, exhale: float) -> np.ndarray:
    """0 to 1 with a cosine ease over each in-breath, back to 0 over each out-breath."""
    position = np.mod(t, inhale + exhale)
    rising = position < inhale
    progress = np.where(rising, position / inhale, (position - inhale) / exhale)
    eased = 0.5 - 0.5 * np.cos(np.pi * progress)
    return np.where(rising, eased, 1.0 - eased)
