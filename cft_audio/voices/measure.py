"""Measurements of speech: pitch (F0) track and speaking rate, to show what tones do."""

from __future__ import annotations

import numpy as np

_FRAME_SECONDS = 0.04
_HOP_SECONDS = 0.01
_LOWEST_HZ = 60.0
_HIGHEST_HZ = 400.0
_VOICED_CORRELATION = 0.6


def pitch_track(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """F0 in Hz of each clearly voiced 40 ms frame (normalised autocorrelation, 10 ms hop)."""
    x = np.asarray(samples, dtype=np.float64)
    frame, hop = int(_FRAME_SECONDS * sample_rate), int(_HOP_SECONDS * sample_rate)
    shortest, longest = int(sample_rate / _HIGHEST_HZ), int(sample_rate / _LOWEST_HZ)
    span = frame + longest
    if len(x) < span:
        return np.zeros(0)
    starts = np.arange(0, len(x) - span + 1, hop)
    windows = np.lib.stride_tricks.sliding_window_view(x, span)[starts]
    heads = windows[:, :frame]
    loud = np.sqrt(np.mean(heads**2, axis=1)) >= 0.1 * np.sqrt(np.mean(x**2))
    windows, heads = windows[loud], heads[loud]
    if not len(windows):
        return np.zeros(0)
    size = 1 << int(np.ceil(np.log2(span + frame)))
    corr = np.fft.irfft(np.fft.rfft(windows, size) * np.conj(np.fft.rfft(heads, size)), size)
    lags = np.arange(shortest, longest)
    squares = np.concatenate([np.zeros((len(windows), 1)), np.cumsum(windows**2, axis=1)], axis=1)
    lagged_energy = squares[:, lags + frame] - squares[:, lags]
    head_energy = squares[:, frame:frame + 1]
    normalised = corr[:, lags] / np.maximum(np.sqrt(head_energy * lagged_energy), 1e-12)
    best = np.argmax(normalised, axis=1)
    voiced = normalised[np.arange(len(best)), best] >= _VOICED_CORRELATION
    return np.array([sample_rate / _refine(row, int(b), shortest)
                     for row, b in zip(normalised[voiced], best[voiced], strict=True)])


def _refine(normalised: np.ndarray, best: int, shortest: int) -> float:
    """Parabolic interpolation of the correlation peak, as a lag in samples."""
    if 0 < best < len(normalised) - 1:
        a, b, c = normalised[best - 1 : best + 2]
        denominator = a - 2 * b + c
        if denominator < 0:
            return shortest + best + 0.5 * (a - c) / denominator
    return float(shortest + best)


def median_f0(samples: np.ndarray, sample_rate: int) -> float:
    """Median F0 in Hz over the voiced frames (nan if nothing is voiced)."""
    track = pitch_track(samples, sample_rate)
    return float(np.median(track)) if track.size else float("nan")


def f0_spread_semitones(samples: np.ndarray, sample_rate: int) -> float:
    """Interquartile range of F0, in semitones: how much the voice's pitch moves."""
    track = pitch_track(samples, sample_rate)
    if track.size < 4:
        return float("nan")
    low, high = np.percentile(track, [25, 75])
    return float(12 * np.log2(high / low))


def words_per_minute(text: str, seconds: float) -> float:
    """Speaking rate of `text` spoken in `seconds` (trimmed speech, pauses included)."""
    return len(text.split()) / seconds * 60.0
