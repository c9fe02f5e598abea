"""Measurements on finished audio: integrated loudness (BS.1770) and true peak."""

from __future__ import annotations

import numpy as np
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import firwin, lfilter, lfilter_zi

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
    stages = [IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
              IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass")]
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


def _interpolation_phases() -> np.ndarray:
    """Polyphase FIR (48 taps, 4 phases) interpolating between samples, as in BS.1770-4."""
    taps = firwin(12 * _OVERSAMPLE, 0.9 / _OVERSAMPLE, window=("kaiser", 8.0)) * _OVERSAMPLE
    return taps.reshape(-1, _OVERSAMPLE).T.astype(np.float32)


_PHASES = _interpolation_phases()
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
            for phase in _PHASES[1:]:
                between = np.abs(np.convolve(segment, phase, mode="same"))
                np.maximum(out[start:stop], between[start - lo : stop - lo], out=out[start:stop])
    return out


def true_peak_db(audio: np.ndarray, sample_rate: int) -> float:
    """Highest true peak in dBTP."""
    peak = float(np.max(peak_envelope(audio, sample_rate))) if len(audio) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")
