"""Measurements used by several tests."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import welch


def jump_ratios(audio: np.ndarray, window: int = 2205, audible: float = 0.0) -> np.ndarray:
    """Each sample-to-sample step relative to the local RMS step (clicks score high).

    Steps smaller than `audible` (absolute) are ignored, so quiet consonant onsets
    over a near-silent bed do not count as clicks.
    """
    steps = np.diff(audio.astype(np.float64), axis=0)
    steps = steps if steps.ndim == 2 else steps[:, None]
    local = np.sqrt(np.maximum(uniform_filter1d(steps**2, window, axis=0), 0.0)) + 1e-9
    ratio = np.abs(steps) / local
    ratio[np.abs(steps) < audible] = 0.0
    return ratio.max(axis=1)


def worst_jump(audio: np.ndarray, window: int = 2205, audible: float = 0.0) -> float:
    """The largest of `jump_ratios` over the whole signal."""
    return float(np.max(jump_ratios(audio, window, audible)))


def worst_jump_near(audio: np.ndarray, times: list[float], rate: int, reach: float = 0.05,
                    audible: float = 0.0) -> float:
    """The largest jump ratio within `reach` seconds of the given times (joins, loop points)."""
    ratios = jump_ratios(audio, audible=audible)
    worst = 0.0
    for t in times:
        a, b = max(0, int((t - reach) * rate)), min(len(ratios), int((t + reach) * rate))
        if b > a:
            worst = max(worst, float(np.max(ratios[a:b])))
    return worst


def rms(audio: np.ndarray) -> float:
    """RMS over every sample of every channel."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))


def level_db(audio: np.ndarray, reference: float) -> float:
    """RMS relative to `reference`, in dB."""
    return float(20 * np.log10(rms(audio) / reference))


def window_levels(audio: np.ndarray, window: int) -> np.ndarray:
    """RMS of each whole consecutive window of `window` frames (over all channels)."""
    count = len(audio) // window
    frames = np.asarray(audio[: count * window], dtype=np.float64).reshape(count, window, -1)
    return np.sqrt(np.mean(frames**2, axis=(1, 2)))


def band_share(audio: np.ndarray, rate: int, low: float, high: float) -> float:
    """Share of the (mono-summed) power between `low` and `high` Hz, from a Welch spectrum."""
    mono = audio.astype(np.float64)
    mono = mono.mean(axis=1) if mono.ndim == 2 else mono
    frequencies, power = welch(mono, rate, nperseg=8192)
    inside = (frequencies >= low) & (frequencies < high)
    return float(power[inside].sum() / power.sum())


def silent_runs(samples: np.ndarray, rate: int, seconds: float) -> list[float]:
    """Start times of runs of digital silence at least `seconds` long."""
    quiet = np.concatenate([[False], np.abs(samples) < 1e-6, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    return [a / rate for a, b in zip(edges[::2], edges[1::2], strict=True)
            if b - a >= seconds * rate]
