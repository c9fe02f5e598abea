"""Small signal helpers shared by the sound modules."""

from __future__ import annotations

from math import gcd

import numpy as np

_KAISER_BETA = 5.0
_HALF_TAPS_PER_STEP = 10


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling of mono audio to another rate (float32 out)."""
    if source_rate == target_rate:
        return samples.astype(np.float32, copy=False)
    factor = gcd(source_rate, target_rate)
    return resample_poly(samples, target_rate // factor, source_rate // factor)


def resampled_length(count: int, source_rate: int, target_rate: int) -> int:
    """How many samples `resample` makes of `count` samples (without resampling them)."""
    if source_rate == target_rate:
        return count
    factor = gcd(source_rate, target_rate)
    return -(-count * (target_rate // factor) // (source_rate // factor))


def resample_poly(samples: np.ndarray, up: int, down: int) -> np.ndarray:
    """Upsample by `up`, low-pass, downsample by `down` (scipy's resample_poly, in NumPy).

    The same Kaiser-windowed sinc (beta 5, 10 zero crossings per side of the slower
    rate) and the same alignment as scipy.signal.resample_poly. In NumPy so that
    speech synthesis never loads SciPy's signal package (a large import, in memory and time).
    """
    x = np.asarray(samples, dtype=np.float64)
    gcd_ = gcd(up, down)
    up, down = up // gcd_, down // gcd_
    if up == down == 1:
        return x.astype(np.float32)
    taps = _lowpass(up, down)
    centre = (len(taps) - 1) // 2
    per_phase = -(-len(taps) // up)
    count = -(-len(x) * up // down)
    padded = np.concatenate([np.zeros(per_phase), x, np.zeros(per_phase + down)])
    out = np.zeros(count)
    # Output n reads taps[phase + k*up] against x[base - k], where n*down + centre =
    # base*up + phase. Outputs n0, n0+up, n0+2*up... share a phase, and their bases
    # step by `down`: each phase is a strided filter over the input.
    for first in range(min(up, count)):
        phase, base = divmod(first * down + centre, up)[::-1]
        wanted = len(range(first, count, up))
        branch = out[first::up]
        if down == 1:  # a plain FIR per phase: NumPy's convolution is much faster
            taps_here = taps[phase::up][:per_phase]
            start = base + per_phase - len(taps_here) + 1
            window = padded[start : start + wanted + len(taps_here) - 1]
            out[first::up] = np.convolve(window, taps_here, mode="valid")
            continue
        for k in range(per_phase):
            tap = phase + k * up
            if tap >= len(taps):
                break
            start = base - k + per_phase
            branch += taps[tap] * padded[start : start + down * wanted : down]
        out[first::up] = branch
    return out.astype(np.float32)


def _lowpass(up: int, down: int) -> np.ndarray:
    """The anti-aliasing filter at the upsampled rate, with a passband gain of `up`."""
    steps = max(up, down)
    half = _HALF_TAPS_PER_STEP * steps
    n = np.arange(2 * half + 1) - half
    cutoff = 1.0 / steps
    taps = cutoff * np.sinc(cutoff * n) * np.kaiser(2 * half + 1, _KAISER_BETA)
    return taps / taps.sum() * up


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
