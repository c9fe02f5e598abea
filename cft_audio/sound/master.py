"""Mastering of the whole track: loudness target, true-peak limiting, fades.

The track is never held whole: `plan_master` measures the mix as it streams past
(once raw, then through the limiter until the loudness is on target) and
`mastered_blocks` streams it a last time with the settled gain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .analysis import peak_envelope
from .meter import LoudnessMeter, PeakMeter, gated_loudness
from .signal import cosine_ramp, db_to_gain

TARGET_LUFS = -16.0
"""Integrated loudness for stereo phone listening."""
TARGET_LUFS_MONO = -19.0
"""Integrated loudness for mono files (AES TD1004 / Apple: 3 LU below stereo)."""
CEILING_DBTP = -1.8
"""Limiter ceiling, below the -1 dBTP limit to leave room for the lossy encoder."""
FADE_IN = 1.0
FADE_OUT = 4.0
_LIMITER_WINDOW = 0.02
_TOLERANCE_LU = 0.1
_LIGHT_LIMITING_LU = 0.3
"""Below this much loudness taken by the limiter, the simulated gain is not checked."""
_PEAK_HOP_SECONDS = 0.01
_TRUE_PEAK_MARGIN = 10 ** (0.5 / 20)
"""Speech's peaks between samples rise about 0.5 dB over its sample peaks."""


@dataclass(frozen=True)
class MasterPlan:
    """The gain that brings a streamed mix to target, and what the result measures."""

    gain: float
    loudness: float
    true_peak: float


def faded(blocks: Iterable[np.ndarray], frames: int, sample_rate: int) -> Iterator[np.ndarray]:
    """Apply the fade in and fade out by absolute position as the blocks stream past."""
    fade_in = min(frames, int(FADE_IN * sample_rate))
    fade_out = min(frames, int(FADE_OUT * sample_rate))
    ramp_in, ramp_out = cosine_ramp(fade_in), cosine_ramp(fade_out)[::-1]
    position = 0
    for block in blocks:
        out = np.array(block, dtype=np.float32)
        stop = position + len(out)
        if position < fade_in:
            n = min(stop, fade_in) - position
            out[:n] *= ramp_in[position : position + n, None]
        tail = frames - fade_out
        if stop > tail:
            a = max(position, tail)
            out[a - position :] *= ramp_out[a - tail : stop - tail, None]
        position = stop
        yield out


def limit_stream(
    blocks: Iterable[np.ndarray], sample_rate: int, ceiling_db: float = CEILING_DBTP,
    chunk: int = 1 << 16,
) -> Iterator[np.ndarray]:
    """The look-ahead true-peak limiter over a stream (holds back a few hundred ms)."""
    ceiling = db_to_gain(ceiling_db)
    size = 2 * int(_LIMITER_WINDOW * sample_rate) + 1
    pad = 2 * size
    pending: list[np.ndarray] = []
    waiting = 0
    history: np.ndarray | None = None
    for block in blocks:
        pending.append(np.asarray(block, dtype=np.float32))
        waiting += len(block)
        while waiting >= chunk + pad:
            out, pending, history = _limit_chunk(pending, history, chunk, pad, size, ceiling,
                                                 sample_rate)
            waiting -= chunk
            yield out
    while waiting > 0:
        count = min(chunk, waiting)
        out, pending, history = _limit_chunk(pending, history, count, pad, size, ceiling,
                                             sample_rate)
        waiting -= count
        yield out


def _limit_chunk(pending, history, count, pad, size, ceiling, sample_rate):
    """Limit the first `count` pending frames, seeing `pad` frames either side."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    data = np.concatenate(pending) if len(pending) > 1 else pending[0]
    head = history if history is not None else data[:0]
    segment = np.concatenate([head, data[: count + pad]])
    peaks = peak_envelope(segment, sample_rate, floor=ceiling)
    wanted = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(np.float32)
    out = data[:count].copy()
    if wanted.min() < 1.0:
        gain = np.minimum(uniform_filter1d(minimum_filter1d(wanted, size), size), wanted)
        out *= gain[len(head) : len(head) + count, None]
    new_history = np.concatenate([head, data[:count]])[-pad:]
    return out, [data[count:]], new_history


def _scaled(blocks: Iterable[np.ndarray], gain: float) -> Iterator[np.ndarray]:
    for block in blocks:
        yield block * np.float32(gain)


def plan_master(
    make_blocks: Callable[[], Iterable[np.ndarray]], frames: int, sample_rate: int,
    target_lufs: float = TARGET_LUFS, channels: int = 2,
) -> MasterPlan:
    """Find the gain that brings the faded, limited mix to the target loudness, in one pass.

    One pass over the mix gathers its K-weighted energy per 100 ms and its peak per
    10 ms. The limiter's gain is then simulated on those profiles for any trial
    gain, so the gain is solved without listening to the track again; the final
    pass measures what really came out (`measure_blocks`). Where the limiter works
    hard, one limited pass checks the simulation and corrects it.
    """
    meter = LoudnessMeter(sample_rate, channels)
    hop = max(1, int(_PEAK_HOP_SECONDS * sample_rate))
    peaks: list[np.ndarray] = []
    carry = np.zeros((0, channels), dtype=np.float32)
    for block in faded(make_blocks(), frames, sample_rate):
        meter.add(block)
        joined = np.concatenate([carry, block.reshape(len(block), -1)])
        whole = len(joined) - len(joined) % hop
        peaks.append(np.abs(joined[:whole]).reshape(-1, hop * joined.shape[1]).max(axis=1))
        carry = joined[whole:]
    if len(carry):
        peaks.append(np.abs(carry).max(keepdims=True).reshape(1))
    energies = meter.segment_energies()
    raw = gated_loudness(energies, meter.segment)
    if not np.isfinite(raw):
        return MasterPlan(1.0, raw, float("-inf"))
    profile = _LimiterModel(np.concatenate(peaks) * _TRUE_PEAK_MARGIN, energies,
                            meter.segment // hop, _frames(2 * int(_LIMITER_WINDOW * sample_rate)
                                                          + 1, hop), meter.segment)
    gain_db = _solve(profile.loudness, target_lufs, target_lufs - raw)
    predicted = profile.loudness(db_to_gain(gain_db))
    if raw + gain_db - predicted < _LIGHT_LIMITING_LU:
        # the limiter barely touches this mix, so the simulation is as good as a pass
        return MasterPlan(db_to_gain(gain_db), predicted, float("nan"))
    loudness = _measure(mastered_blocks(make_blocks, frames, sample_rate, db_to_gain(gain_db)),
                        sample_rate, channels)
    if abs(loudness - target_lufs) >= _TOLERANCE_LU:
        # the simulation is a little off where the limiter works hard: correct it by what
        # one real pass measured, and solve again
        offset = loudness - profile.loudness(db_to_gain(gain_db))
        gain_db = _solve(lambda g: profile.loudness(g) + offset, target_lufs, gain_db)
    return MasterPlan(db_to_gain(gain_db), loudness, float("nan"))


def _solve(loudness_at: Callable[[float], float], target: float, guess_db: float) -> float:
    """The gain in dB at which `loudness_at(linear gain)` meets the target (bisection)."""
    low, high, gain_db = None, None, guess_db
    for _ in range(40):
        error = loudness_at(db_to_gain(gain_db)) - target
        if abs(error) < 0.01:
            break
        if error < 0:
            low = gain_db
        else:
            high = gain_db
        if low is not None and high is not None:
            gain_db = (low + high) / 2
        else:
            gain_db -= error * (1.0 if error > 0 else 2.0)
    return gain_db


def _measure(blocks: Iterable[np.ndarray], sample_rate: int, channels: int) -> float:
    meter = LoudnessMeter(sample_rate, channels)
    for block in blocks:
        meter.add(block)
    return meter.integrated()


def _frames(samples: int, hop: int) -> int:
    return max(1, int(round(samples / hop)))


@dataclass(frozen=True)
class _LimiterModel:
    """The limiter and loudness meter, simulated on 10 ms peaks and 100 ms energies."""

    peaks: np.ndarray
    energies: np.ndarray
    hops_per_segment: int
    window: int
    segment: int

    def loudness(self, gain: float) -> float:
        """Predicted integrated loudness after scaling by `gain` and limiting."""
        from scipy.ndimage import minimum_filter1d, uniform_filter1d

        ceiling = db_to_gain(CEILING_DBTP)
        wanted = np.minimum(1.0, ceiling / np.maximum(self.peaks * gain, 1e-12))
        limited = np.minimum(uniform_filter1d(minimum_filter1d(wanted, self.window),
                                              self.window), wanted)
        count = len(self.energies) * self.hops_per_segment
        squares = np.ones(count)
        usable = min(count, len(limited))
        squares[:usable] = limited[:usable] ** 2
        per_segment = squares.reshape(-1, self.hops_per_segment).mean(axis=1)
        return gated_loudness(self.energies * gain**2 * per_segment, self.segment)


def measure_blocks(blocks: Iterable[np.ndarray], sample_rate: int, channels: int,
                   into: list[float]) -> Iterator[np.ndarray]:
    """Pass blocks through; when they end, put [loudness, true peak dB] into `into`."""
    loudness, peak = LoudnessMeter(sample_rate, channels), PeakMeter(sample_rate)
    for block in blocks:
        loudness.add(block)
        peak.add(block)
        yield block
    into[:] = [loudness.integrated(), peak.db]


def mastered_blocks(
    make_blocks: Callable[[], Iterable[np.ndarray]], frames: int, sample_rate: int, gain: float
) -> Iterator[np.ndarray]:
    """The mix faded, scaled by `gain` and limited, as blocks."""
    return limit_stream(_scaled(faded(make_blocks(), frames, sample_rate), gain), sample_rate)
