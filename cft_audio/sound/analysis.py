"""Measurements on finished audio: integrated loudness (BS.1770), true peak, loudness range."""

from __future__ import annotations

from functools import cache

import numpy as np

# SciPy and pyloudnorm are imported where used: synthesis never needs them (memory).

_OVERSAMPLE = 4
_SUBNORMAL_GUARD = 1e-9
_SEGMENT_SECONDS = 0.1
_SEGMENTS_PER_BLOCK = 4


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4: K-weighting, 400 ms blocks, gating).

    Works through the track in chunks, so memory stays small for long tracks; the tests
    check it against pyloudnorm on decoded files.
    """
    stereo = audio if audio.ndim == 2 else audio[:, None]
    segment = int(round(_SEGMENT_SECONDS * sample_rate))
    sos = _k_weighting_sos(sample_rate)
    energies = []
    for channel in range(stereo.shape[1]):
        state = np.zeros((len(sos), 2))
        sums = []
        chunk = segment * 100
        for start in range(0, len(stereo) - len(stereo) % segment, chunk):
            x = stereo[start : start + chunk, channel].astype(np.float64) + _SUBNORMAL_GUARD
            x, state = _k_weight(sos, x, state)
            x = x[: len(x) - len(x) % segment]
            sums.append((x.reshape(-1, segment) ** 2).sum(axis=1))
        energies.append(np.concatenate(sums) if sums else np.zeros(0))
    per_segment = np.sum(energies, axis=0)  # channel weights are 1 for left and right
    if len(per_segment) < _SEGMENTS_PER_BLOCK:
        return float("-inf")
    window = np.ones(_SEGMENTS_PER_BLOCK)
    blocks = np.convolve(per_segment, window, mode="valid") / (segment * _SEGMENTS_PER_BLOCK)
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(blocks)
    above_absolute = blocks[block_lufs > -70.0]
    if above_absolute.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(above_absolute.mean()) - 10.0
    gated = blocks[(block_lufs > -70.0) & (block_lufs > relative)]
    return float(-0.691 + 10 * np.log10(gated.mean()))


@cache
def _k_weighting_sos(sample_rate: int) -> np.ndarray:
    """The two K-weighting stages of BS.1770 (pyloudnorm's coefficients) as biquad sections."""
    from pyloudnorm.iirfilter import IIRfilter

    stages = [IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
              IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass")]
    return np.array([np.concatenate([f.b, f.a]) for f in stages])


def _k_weight(sos: np.ndarray, x: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """K-weight `x` (frames, or frames × channels) along time, carrying the filter state."""
    from scipy.signal import sosfilt

    return sosfilt(sos, x, axis=0, zi=state)


@cache
def _interpolation_phases() -> np.ndarray:
    """Polyphase FIR (48 taps, 4 phases) interpolating between samples, as in BS.1770-4."""
    from scipy.signal import firwin

    taps = firwin(12 * _OVERSAMPLE, 0.9 / _OVERSAMPLE, window=("kaiser", 8.0)) * _OVERSAMPLE
    return taps.reshape(-1, _OVERSAMPLE).T.astype(np.float32)


_BLOCK = 256
_PAD = 16
_HEADROOM = 10 ** (-6 / 20)
_REACH = 6
"""Samples either side a between-sample value depends on: with 12 taps a phase, the value
after sample n is made from samples n-6 … n+5."""
_ROUNDING = 1.0001
"""float32 rounding moves an interpolated value by far less than this share of its bound."""


@cache
def interpolation_gain() -> float:
    """The most a between-sample value can exceed the local sample peak: the largest sum of
    |taps| of one phase (1.581, +3.98 dB)."""
    phases = _interpolation_phases()[1:].astype(np.float64)
    return float(np.abs(phases).sum(axis=1).max())


def peak_envelope(audio: np.ndarray, sample_rate: int, floor: float | None = None) -> np.ndarray:
    """Per-sample peak: the true (4x oversampled) peak wherever the signal comes near `floor`.

    Between-sample peaks exceed the sample peak by a few dB at most in real audio, so
    runs of 256 samples that stay more than 6 dB below `floor` (default: 6 dB below
    the loudest sample) keep their sample peak, which is all any caller needs there.
    The loud runs, each with 16 samples of context, are interpolated in one go.
    """
    stereo, out = _sample_peaks(audio)
    if len(out) == 0:
        return out
    floor = float(out.max()) if floor is None else floor
    starts = np.arange(0, len(out), _BLOCK)
    return _interpolated(stereo, out, starts[np.maximum.reduceat(out, starts) >= floor * _HEADROOM])


def ceiling_envelope(audio: np.ndarray, sample_rate: int, ceiling: float) -> np.ndarray:
    """Per-sample peak, exact wherever the true peak can reach `ceiling`.

    A between-sample value is at most `interpolation_gain()` times the largest sample
    within 6 of it, so a run of 256 samples whose samples, and the 6 either side, stay
    under `ceiling / interpolation_gain()` cannot reach `ceiling` anywhere: it keeps its
    sample peak. Every other run gets its true (4x oversampled) peak, as from
    `peak_envelope`. So everything at or above `ceiling` is the true peak.
    """
    stereo, out = _sample_peaks(audio)
    if len(out) == 0:
        return out
    return _interpolated(stereo, out, _runs_reaching(out, ceiling / (interpolation_gain()
                                                                      * _ROUNDING)))


def _sample_peaks(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The audio as frames × channels, and its sample peak over the channels (float32)."""
    stereo = audio if audio.ndim == 2 else audio[:, None]
    out = np.abs(stereo[:, 0]).astype(np.float32)
    for channel in range(1, stereo.shape[1]):
        np.maximum(out, np.abs(stereo[:, channel]), out=out)
    return stereo, out


def _runs_reaching(peaks: np.ndarray, level: float) -> np.ndarray:
    """Starts of the runs with a sample peak at or above `level` within `_REACH` of them."""
    runs = -(-len(peaks) // _BLOCK)
    grid = np.zeros(runs * _BLOCK, dtype=np.float32)
    grid[: len(peaks)] = peaks
    grid = grid.reshape(runs, _BLOCK)
    near = grid.max(axis=1)
    np.maximum(near[1:], grid[:-1, -_REACH:].max(axis=1), out=near[1:])
    np.maximum(near[:-1], grid[1:, :_REACH].max(axis=1), out=near[:-1])
    return np.flatnonzero(near >= level) * _BLOCK


def _interpolated(stereo: np.ndarray, out: np.ndarray, loud: np.ndarray) -> np.ndarray:
    """`out` with the true peak of each run starting at `loud`, each seen with its context."""
    if len(loud) == 0:
        return out
    frames, channels = stereo.shape
    span = _BLOCK + 2 * _PAD
    padded = np.zeros((frames + span, channels), dtype=np.float32)
    padded[_PAD : _PAD + frames] = stereo
    windows = padded[loud[:, None] + np.arange(span)]  # each loud run with its context
    best = np.zeros((len(loud), _BLOCK), dtype=np.float32)
    for channel in range(channels):
        line = np.ascontiguousarray(windows[:, :, channel]).ravel()
        for phase in _interpolation_phases()[1:]:
            between = np.abs(np.convolve(line, phase, mode="same")).reshape(len(loud), span)
            np.maximum(best, between[:, _PAD : _PAD + _BLOCK], out=best)
    positions = (loud[:, None] + np.arange(_BLOCK)).ravel()
    inside = positions < frames
    positions = positions[inside]
    out[positions] = np.maximum(out[positions], best.ravel()[inside])
    return out


def true_peak_db(audio: np.ndarray, sample_rate: int) -> float:
    """Highest true peak in dBTP."""
    peak = float(np.max(peak_envelope(audio, sample_rate))) if len(audio) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


_SHORT_TERM_SEGMENTS = 30
"""EBU Tech 3342 short-term loudness: 3 s windows (of 100 ms segments), one every second."""
_RANGE_HOP_SEGMENTS = 10
_RANGE_GATE_LU = -20.0
_RANGE_PERCENTILES = (10.0, 95.0)


class SegmentEnergies:
    """K-weighted energy of each 100 ms segment (channels summed) of audio fed block by block.

    Holds one number per segment (36,000 for an hour), never the audio; integrated
    loudness and loudness range are computed from these.
    """

    def __init__(self, sample_rate: int, channels: int = 2, hops_per_segment: int = 1):
        self.segment = int(round(_SEGMENT_SECONDS * sample_rate))
        hops = next(k for k in range(max(1, hops_per_segment), 0, -1) if self.segment % k == 0)
        self.hop = self.segment // hops
        """Frames per hop: the finest step energies are kept at (a whole part of a segment)."""
        self._sos = _k_weighting_sos(sample_rate)
        self._state = np.zeros((len(self._sos), 2, channels))
        self._carry = np.zeros(0)
        self._done: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        """Feed the next block (frames × channels, or mono)."""
        stereo = block if block.ndim == 2 else block[:, None]
        if len(stereo) == 0:
            return
        weighted, self._state = _k_weight(
            self._sos, stereo.astype(np.float64) + _SUBNORMAL_GUARD, self._state)
        squares = np.einsum("ij,ij->i", weighted, weighted)  # channel weights are 1
        joined = np.concatenate([self._carry, squares])
        whole = len(joined) - len(joined) % self.hop
        self._done.append(joined[:whole].reshape(-1, self.hop).sum(axis=1))
        self._carry = joined[whole:]

    def hop_energies(self) -> np.ndarray:
        """Energy of every complete hop so far."""
        return np.concatenate(self._done) if self._done else np.zeros(0)

    @property
    def energies(self) -> np.ndarray:
        """Energy of every complete segment so far (a trailing partial segment is left out)."""
        hops = self.hop_energies()
        per_segment = self.segment // self.hop
        usable = len(hops) - len(hops) % per_segment
        return hops[:usable].reshape(-1, per_segment).sum(axis=1)


def _windows(energies: np.ndarray, segment: int, length: int, hop: int) -> np.ndarray:
    """Mean square of each `length`-segment window, every `hop` segments."""
    if len(energies) < length:
        return np.zeros(0)
    sums = np.convolve(energies, np.ones(length), mode="valid")[::hop]
    return sums / (segment * length)


def _lufs(mean_square: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(mean_square)


def integrated_from_segments(energies: np.ndarray, segment: int) -> float:
    """Integrated loudness (BS.1770-4 gating of 400 ms blocks) from segment energies."""
    blocks = _windows(energies, segment, _SEGMENTS_PER_BLOCK, 1)
    loud = blocks[_lufs(blocks) > -70.0]
    if loud.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(loud.mean()) - 10.0
    gated = loud[_lufs(loud) > relative]
    return float(-0.691 + 10 * np.log10(gated.mean()))


def range_from_segments(energies: np.ndarray, segment: int) -> float:
    """Loudness range in LU (EBU Tech 3342) from 100 ms segment energies."""
    short_term = _windows(energies, segment, _SHORT_TERM_SEGMENTS, _RANGE_HOP_SEGMENTS)
    loud = short_term[_lufs(short_term) > -70.0]
    if loud.size == 0:
        return 0.0
    relative = -0.691 + 10 * np.log10(loud.mean()) + _RANGE_GATE_LU
    levels = _lufs(loud)
    low, high = np.percentile(levels[levels > relative], _RANGE_PERCENTILES)
    return float(high - low)


def loudness_range(audio: np.ndarray, sample_rate: int) -> float:
    """Loudness range in LU (EBU Tech 3342: 3 s windows every 1 s, -20 LU gate, 10th-95th)."""
    stereo = audio if audio.ndim == 2 else audio[:, None]
    segments = SegmentEnergies(sample_rate, stereo.shape[1])
    chunk = segments.segment * 100
    for start in range(0, len(stereo), chunk):
        segments.add(stereo[start : start + chunk])
    return range_from_segments(segments.energies, segments.segment)
