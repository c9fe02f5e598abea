"""Mix the foreground over a background bed that ducks under speech."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from .signal import db_to_gain

SPEECH_TO_BED_DB = 22.0
"""Bed level below the speech level while the voice speaks."""
BED_RISE_DB = 8.0
"""How much the bed rises in the silences."""
_FRAME_SECONDS = 0.01
_ANTICIPATE_SECONDS = 0.35
_SMOOTH_SECONDS = 0.3
_MIX_CHUNK = 1 << 18


def speech_level(foreground: np.ndarray, spans: Sequence[tuple[int, int]]) -> float:
    """RMS of the foreground over the spans where speech plays."""
    if not spans:
        return 0.0
    energy = sum(float(np.sum(foreground[a:b].astype(np.float64) ** 2)) for a, b in spans)
    count = sum(b - a for a, b in spans)
    return float(np.sqrt(energy / count)) if count else 0.0


def duck_curve(
    frames: int,
    spans: Sequence[tuple[int, int]],
    sample_rate: int,
    rise_db: float = BED_RISE_DB,
    dtype: type = np.float64,
) -> np.ndarray:
    """Gain (1 under speech, up to +rise_db in silences) with smooth attack and release."""
    hop = max(1, int(_FRAME_SECONDS * sample_rate))
    count = frames // hop + 2
    active = np.zeros(count)
    for a, b in spans:
        active[a // hop : b // hop + 1] = 1.0
    reach = int(_ANTICIPATE_SECONDS / _FRAME_SECONDS)
    held = maximum_filter1d(active, size=2 * reach + 1)
    smooth_size = int(_SMOOTH_SECONDS / _FRAME_SECONDS)
    smooth = uniform_filter1d(uniform_filter1d(held, smooth_size), smooth_size)
    smooth = np.where(active > 0, 1.0, smooth)
    gain_db = (1.0 - smooth) * rise_db
    centres = np.arange(count) * hop
    curve = np.empty(frames, dtype=dtype)
    for start in range(0, frames, _MIX_CHUNK):
        stop = min(frames, start + _MIX_CHUNK)
        curve[start:stop] = 10 ** (np.interp(np.arange(start, stop), centres, gain_db) / 20)
    return curve


def mix(
    foreground: np.ndarray,
    spans: Sequence[tuple[int, int]],
    bed: np.ndarray,
    sample_rate: int,
    speech_to_bed_db: float = SPEECH_TO_BED_DB,
) -> np.ndarray:
    """Stereo mix: centred foreground plus the bed, set below speech and ducked under it."""
    level = speech_level(foreground, spans) or 0.05
    bed_rms = float(np.sqrt(np.mean(bed.astype(np.float64) ** 2))) if bed.size else 0.0
    out = np.repeat(foreground[:, None], 2, axis=1)
    if bed_rms > 0:
        base = level * db_to_gain(-speech_to_bed_db) / bed_rms
        curve = duck_curve(len(foreground), spans, sample_rate, dtype=np.float32)
        curve *= np.float32(base)
        for start in range(0, len(out), _MIX_CHUNK):
            stop = start + _MIX_CHUNK
            out[start:stop] += bed[start:stop] * curve[start:stop, None]
    return out
