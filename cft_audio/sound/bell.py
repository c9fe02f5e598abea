"""A soft singing-bowl bell, synthesised from decaying inharmonic partials."""

from __future__ import annotations

import functools

import numpy as np

BELL_SECONDS = 7.0
"""Length of the rendered bell (it decays to near silence)."""

_PARTIALS = ((1.0, 1.0, 3.2), (2.76, 0.45, 2.0), (5.40, 0.18, 1.1), (8.93, 0.07, 0.6))
"""(frequency ratio, amplitude, decay time constant in seconds)."""


@functools.lru_cache(maxsize=4)
def bell(sample_rate: int, fundamental: float = 262.0, peak: float = 0.5) -> np.ndarray:
    """A mono bell strike with a 6 ms attack and a gentle beating shimmer (made once, kept
    read-only: every track of a batch strikes the same bell)."""
    t = np.arange(int(BELL_SECONDS * sample_rate)) / sample_rate
    tone = np.zeros_like(t)
    for ratio, amplitude, decay in _PARTIALS:
        f = fundamental * ratio
        beating = 1.0 + 0.15 * np.sin(2 * np.pi * 0.9 * ratio * t)
        tone += amplitude * beating * np.exp(-t / decay) * np.sin(2 * np.pi * f * t)
    attack = np.minimum(1.0, t / 0.006)
    tail = np.minimum(1.0, (BELL_SECONDS - t) / 0.5)
    tone *= attack * tail
    out = (tone * peak / np.max(np.abs(tone))).astype(np.float32)
    out.flags.writeable = False
    return out
