"""Measurements used by several tests."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d


def worst_jump(audio: np.ndarray, window: int = 2205, audible: float = 0.0) -> float:
    """Largest sample-to-sample step relative to the local RMS step (clicks score high).

    Steps smaller than `audible` (absolute) are ignored, so quiet consonant onsets
    over a near-silent bed do not count as clicks.
    """
    steps = np.diff(audio.astype(np.float64), axis=0)
    steps = steps if steps.ndim == 2 else steps[:, None]
    local = np.sqrt(np.maximum(uniform_filter1d(steps**2, window, axis=0), 0.0)) + 1e-9
    ratio = np.abs(steps) / local
    ratio[np.abs(steps) < audible] = 0.0
    return float(np.max(ratio))
