"""Measurements used by several tests."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d


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
