"""Mastering of the whole track: loudness target, true-peak limiting, fades.

The track is never held whole: `plan_master` profiles the mix as it streams past
once and solves the gain on a model of the limiter; `mastered_blocks` streams it a
second time with that gain, and a `TrackMeter` measures what came out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from .analysis import ceiling_envelope, peak_envelope
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
TOLERANCE_LU = 0.1
"""How far a mastered pass may land from the target before it is made again."""
_HOPS_PER_SEGMENT = 10
"""The limiter model works in 10 ms hops (up to ten to each 100 ms loudness segment)."""
_TRUE_PEAK_REACH = 10 ** (-12 / 20)
_ENVELOPE_HEADROOM = 10 ** (-6 / 20)
"""`peak_envelope` interpolates wherever the signal comes within 6 dB of its floor."""


@dataclass(frozen=True)
class MasterPlan:
    """The gain that brings a streamed mix to target, and the loudness it should give."""

    gain: float
    loudness: float
    target: float = TARGET_LUFS
    model: _LimiterModel | None = field(default=None, repr=False, compare=False)

    def on_target(self, measured: float) -> bool:
        """Whether a pass mastered with this plan measured close enough to the target."""
        return not np.isfinite(measured) or abs(measured - self.target) < TOLERANCE_LU

    def corrected(self, measured: float) -> MasterPlan:
        """The plan for one more pass, after a pass with this plan measured `measured`."""
        if not np.isfinite(measured):
            return self
        if self.model is None:
            return replace(self, gain=self.gain * db_to_gain(self.target - measured))
        offset = measured - self.model.loudness(self.gain)
        gain_db = _solve(lambda g: self.model.loudness(g) + offset, self.target,
                         20 * float(np.log10(self.gain)))
        return replace(self, gain=db_to_gain(gain_db), loudness=self.target)


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
    peaks = ceiling_envelope(segment, sample_rate, ceiling)  # exact at and over the ceiling
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

    One pass over the mix gathers its K-weighted energy and its true peak per 10 ms
    hop. The limiter is then simulated on those profiles for any trial gain, so the
    gain is solved without listening to the track again (within about 0.02 LU on
    real renders). The write pass measures what really came out; where that misses,
    `MasterPlan.corrected` gives the gain for one more pass.
    """
    meter = LoudnessMeter(sample_rate, channels, hops_per_segment=_HOPS_PER_SEGMENT)
    peaks = _HopPeaks(meter.hop, sample_rate)
    for block in faded(make_blocks(), frames, sample_rate):
        meter.add(block)
        peaks.add(block)
    raw = gated_loudness(meter.segment_energies(), meter.segment)
    if not np.isfinite(raw):
        return MasterPlan(1.0, raw, target_lufs)
    window = _frames(2 * int(_LIMITER_WINDOW * sample_rate) + 1, meter.hop)
    model = _LimiterModel(peaks.result(), meter.hop_energies(), window, meter.segment,
                          meter.segment // meter.hop)
    gain_db = _solve(model.loudness, target_lufs, target_lufs - raw)
    return MasterPlan(db_to_gain(gain_db), model.loudness(db_to_gain(gain_db)), target_lufs,
                      model)


class _HopPeaks:
    """The true peak of each hop of a stream, where it comes near the loudest sample so far.

    Hops more than 12 dB under the loudest sample keep their sample peak: the limiter
    seldom reaches that far down (on real renders, reaching 18 dB down moved the
    predicted loudness by under 0.005 LU).
    """

    def __init__(self, hop: int, sample_rate: int):
        self.hop, self.sample_rate = hop, sample_rate
        self.loudest = 0.0
        self._carry: np.ndarray | None = None
        self._done: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        """Feed the next block."""
        stereo = block.reshape(len(block), -1)
        if len(stereo) == 0:
            return
        self.loudest = max(self.loudest, float(np.abs(stereo).max()))
        envelope = peak_envelope(stereo, self.sample_rate,
                                 floor=self.loudest * _TRUE_PEAK_REACH / _ENVELOPE_HEADROOM)
        joined = envelope if self._carry is None else np.concatenate([self._carry, envelope])
        whole = len(joined) - len(joined) % self.hop
        self._done.append(joined[:whole].reshape(-1, self.hop).max(axis=1))
        self._carry = joined[whole:]

    def result(self) -> np.ndarray:
        """The peak of every hop, a trailing part hop included."""
        parts = list(self._done)
        if self._carry is not None and len(self._carry):
            parts.append(self._carry.max(keepdims=True))
        return np.concatenate(parts) if parts else np.zeros(0)


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


def _frames(samples: int, hop: int) -> int:
    return max(1, int(round(samples / hop)))


@dataclass(frozen=True)
class _LimiterModel:
    """The limiter and loudness meter, simulated on per-hop true peaks and energies."""

    peaks: np.ndarray
    energies: np.ndarray
    window: int
    segment: int
    hops_per_segment: int

    def loudness(self, gain: float) -> float:
        """Predicted integrated loudness after scaling by `gain` and limiting."""
        from scipy.ndimage import minimum_filter1d, uniform_filter1d

        ceiling = db_to_gain(CEILING_DBTP)
        wanted = np.minimum(1.0, ceiling / np.maximum(self.peaks * gain, 1e-12))
        limited = np.minimum(uniform_filter1d(minimum_filter1d(wanted, self.window),
                                              self.window), wanted)
        usable = len(self.energies) - len(self.energies) % self.hops_per_segment
        hops = self.energies[:usable] * limited[:usable] ** 2 * gain**2
        return gated_loudness(hops.reshape(-1, self.hops_per_segment).sum(axis=1),
                              self.segment)


@dataclass(frozen=True)
class Measurement:
    """What a written track measured: integrated loudness (LUFS) and true peak (dBTP)."""

    loudness: float
    true_peak: float


class TrackMeter:
    """Measures the blocks that stream through it (loudness and true peak of the whole)."""

    def __init__(self, sample_rate: int, channels: int):
        self._loudness = LoudnessMeter(sample_rate, channels)
        self._peak = PeakMeter(sample_rate)

    def through(self, blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Pass blocks through, measuring each."""
        for block in blocks:
            self._loudness.add(block)
            self._peak.add(block)
            yield block

    def measurement(self) -> Measurement:
        """What the blocks passed so far measured."""
        return Measurement(self._loudness.integrated(), self._peak.db)


def mastered_blocks(
    make_blocks: Callable[[], Iterable[np.ndarray]], frames: int, sample_rate: int, gain: float
) -> Iterator[np.ndarray]:
    """The mix faded, scaled by `gain` and limited, as blocks."""
    return limit_stream(_scaled(faded(make_blocks(), frames, sample_rate), gain), sample_rate)
