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
    from scipy.signal import lfilter, lfilter_zi

    stereo = audio if audio.ndim == 2 else audio[:, None]
    segment = int(round(_SEGMENT_SECONDS * sample_rate))
    stages = _k_weighting(sample_rate)
    energies = []
    for channel in range(stereo.shape[1]):
        states = [lfilter_zi(f.b, f.a) * 0.0 for f in stages]
        sums = []
        chunk = segment * 100
        for start in range(0, len(stereo) - len(stereo) % segment, chunk):
            x = stereo[start : start + chunk, channel].astype(np.float64) + _SUBNORMAL_GUARD
            for index, f in enumerate(stages):
                x, states[index] = lfilter(f.b, f.a, x, zi=states[index])
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


def _k_weighting(sample_rate: int) -> list:
    """The two K-weighting filter stages of BS.1770 (pyloudnorm's coefficients)."""
    from pyloudnorm.iirfilter import IIRfilter

    return [IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass")]


@cache
def _interpolation_phases() -> np.ndarray:
    """Polyphase FIR (48 taps, 4 phases) interpolating between samples, as in BS.1770-4."""
    from scipy.signal import firwin

    taps = firwin(12 * _OVERSAMPLE, 0.9 / _OVERSAMPLE, window=("kaiser", 8.0)) * _OVERSAMPLE
    return taps.reshape(-1, _OVERSAMPLE).T.astype(np.float32)


_BLOCK = 4096
_PAD = 16
_HEADROOM = 10 ** (-6 / 20)


def peak_envelope(audio: np.ndarray, sample_rate: int, floor: float | None = None) -> np.ndarray:
    """Per-sample peak: the true (4x oversampled) peak wherever the signal comes near `floor`.

    Between-sample peaks exceed the sample peak by a few dB at most in real audio, so
    blocks whose samples stay more than 6 dB below `floor` (default: 6 dB below the
    loudest sample) keep their sample peak, which is all any caller needs there.
    """
    stereo = audio if audio.ndim == 2 else audio[:, None]
    frames = len(stereo)
    out = np.abs(stereo[:, 0]).astype(np.float32)
    for channel in range(1, stereo.shape[1]):
        np.maximum(out, np.abs(stereo[:, channel]), out=out)
    if frames == 0:
        return out
    floor = float(out.max()) if floor is None else floor
    starts = np.arange(0, frames, _BLOCK)
    loud = np.flatnonzero(np.maximum.reduceat(out, starts) >= floor * _HEADROOM)
    for start in starts[loud]:
        stop = min(frames, start + _BLOCK)
        lo, hi = max(0, start - _PAD), min(frames, stop + _PAD)
        for channel in range(stereo.shape[1]):
            segment = np.asarray(stereo[lo:hi, channel], dtype=np.float32)
            for phase in _interpolation_phases()[1:]:
                between = np.abs(np.convolve(segment, phase, mode="same"))
                np.maximum(out[start:stop], between[start - lo : stop - lo], out=out[start:stop])
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
        from scipy.signal import lfilter_zi

        self.segment = int(round(_SEGMENT_SECONDS * sample_rate))
        hops = next(k for k in range(max(1, hops_per_segment), 0, -1) if self.segment % k == 0)
        self.hop = self.segment // hops
        """Frames per hop: the finest step energies are kept at (a whole part of a segment)."""
        self._stages = _k_weighting(sample_rate)
        self._states = [[lfilter_zi(f.b, f.a) * 0.0 for f in self._stages]
                        for _ in range(channels)]
        self._carry = np.zeros(0)
        self._done: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        """Feed the next block (frames × channels, or mono)."""
        from scipy.signal import lfilter

        stereo = block if block.ndim == 2 else block[:, None]
        if len(stereo) == 0:  # scipy's lfilter returns garbage state for empty input
            return
        squares = np.zeros(len(stereo))
        for channel in range(stereo.shape[1]):
            x = stereo[:, channel].astype(np.float64) + _SUBNORMAL_GUARD
            for index, f in enumerate(self._stages):
                x, self._states[channel][index] = lfilter(
                    f.b, f.a, x, zi=self._states[channel][index])
            squares += x**2
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
