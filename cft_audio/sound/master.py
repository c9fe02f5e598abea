"""Mastering of the whole track: loudness target, true-peak limiting, fades."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from .analysis import integrated_loudness, peak_envelope
from .signal import cosine_ramp, db_to_gain

TARGET_LUFS = -16.0
"""Integrated loudness for stereo phone listening."""
CEILING_DBTP = -1.8
"""Limiter ceiling, below the -1 dBTP limit to leave room for the lossy encoder."""
FADE_IN = 1.0
FADE_OUT = 4.0
_LIMITER_WINDOW = 0.02
_TOLERANCE_LU = 0.1
_CHUNK_SECONDS = 10.0


@dataclass(frozen=True)
class Mastered:
    """The mastered track and what it measures before encoding."""

    audio: np.ndarray
    loudness: float
    true_peak: float


def limit(audio: np.ndarray, sample_rate: int, ceiling_db: float = CEILING_DBTP) -> np.ndarray:
    """Look-ahead true-peak limiter, in place: smooth gain that keeps peaks under the ceiling.

    Works in chunks (with enough overlap for its filters) so memory does not grow with
    the length of the track.
    """
    ceiling = db_to_gain(ceiling_db)
    size = 2 * int(_LIMITER_WINDOW * sample_rate) + 1
    chunk = int(_CHUNK_SECONDS * sample_rate)
    frames = len(audio)
    gains = []
    for start in range(0, frames, chunk):
        stop = min(frames, start + chunk)
        lo, hi = max(0, start - 2 * size), min(frames, stop + 2 * size)
        peaks = peak_envelope(audio[lo:hi], sample_rate, floor=ceiling)
        wanted = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(np.float32)
        if wanted.min() >= 1.0:
            gains.append(None)
            continue
        gain = np.minimum(uniform_filter1d(minimum_filter1d(wanted, size), size), wanted)
        gains.append(gain[start - lo : stop - lo])
    for index, gain in enumerate(gains):
        if gain is not None:
            start = index * chunk
            audio[start : start + len(gain)] *= gain[:, None]
    return audio


def master(audio: np.ndarray, sample_rate: int, target_lufs: float = TARGET_LUFS) -> Mastered:
    """Bring the whole track to the target loudness under the true-peak ceiling, with fades."""
    out = _fade(audio, sample_rate)
    loudness = integrated_loudness(out, sample_rate)
    for _ in range(4):
        if not np.isfinite(loudness) or abs(loudness - target_lufs) < _TOLERANCE_LU:
            break
        out *= np.float32(db_to_gain(target_lufs - loudness))
        out = limit(out, sample_rate)
        loudness = integrated_loudness(out, sample_rate)
    peak = float(np.max(peak_envelope(out, sample_rate))) if len(out) else 0.0
    true_peak = 20 * np.log10(peak) if peak > 0 else float("-inf")
    return Mastered(audio=np.ascontiguousarray(out, dtype=np.float32), loudness=loudness,
                    true_peak=true_peak)


def _fade(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    out = np.array(audio, dtype=np.float32)
    fade_in = min(len(out), int(FADE_IN * sample_rate))
    fade_out = min(len(out), int(FADE_OUT * sample_rate))
    out[:fade_in] *= cosine_ramp(fade_in)[:, None]
    if fade_out:
        out[-fade_out:] *= cosine_ramp(fade_out)[::-1, None]
    return out
