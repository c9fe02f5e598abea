"""Background beds: seeded, stereo, calibrated in level and streamed block by block."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np

from ..errors import ExportError, InvalidRequest, with_detail
from ..ffmpeg import decode_blocks
from ..limits import quoted

BED_RMS = 0.1
"""Every bed plays at this RMS; the mixer sets the final level."""
BLOCK = 1 << 16
"""Frames per block handed to the mixer, by default."""

_CHUNK = 1 << 16
"""Frames generated per internal step; blocks are re-sliced from these, so they never matter."""
_CALIBRATION_SEED = 0x5EED
"""Seed of the long envelope and event runs that measure a bed's expected level."""
_FILE_ALLOWED = "an audio file ffmpeg can read, at least 2 seconds long"
_MAX_SOURCE_SECONDS = 600.0
"""A user's file is used up to this length (its first ten minutes)."""
_MIN_SOURCE_SECONDS = 2.0
"""A shorter user's file is refused."""
_SILENT_RMS = 1e-3
"""Below -60 dBFS RMS a user's file counts as silent."""
_LOOP_FADE_SECONDS = 3.0
"""Equal-power crossfade at each loop point (a third of the file, if that is shorter)."""

Chunks = Iterator[np.ndarray]


class Bed(Protocol):
    """A background sound of any length, deterministic per seed, pulled block by block."""

    def blocks(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = (), block: int = BLOCK) -> Iterator[np.ndarray]:
        """Float32 (n, 2) blocks of `block` frames (a shorter last), totalling `frames`."""
        ...

    def render(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = ()) -> np.ndarray:
        """The whole bed as one float32 (frames, 2) array."""
        ...


def render(bed: Bed, frames: int, sample_rate: int, seed: int,
           marks: Sequence[float] = ()) -> np.ndarray:
    """Collect a bed's blocks into one array (tests, previews; the mixer pulls blocks)."""
    out = np.empty((frames, 2), dtype=np.float32)
    start = 0
    for piece in bed.blocks(frames, sample_rate, seed, marks):
        out[start : start + len(piece)] = piece
        start += len(piece)
    return out


def _check_sizes(frames: int, block: int) -> None:
    """Reject negative lengths and empty blocks (programming errors)."""
    if frames < 0 or block < 1:
        raise ValueError(f"need frames >= 0 and block >= 1, got {frames} and {block}")


def _reblock(chunks: Chunks, frames: int, block: int) -> Iterator[np.ndarray]:
    """Re-slice an endless stream of chunks into blocks of `block` frames, `frames` in all."""
    pending = np.zeros((0, 2), dtype=np.float32)
    for start in range(0, frames, block):
        count = min(block, frames - start)
        out = np.empty((count, 2), dtype=np.float32)
        filled = 0
        while filled < count:
            if not len(pending):
                pending = next(chunks)
            take = min(count - filled, len(pending))
            out[filled : filled + take] = pending[:take]
            pending = pending[take:]
            filled += take
        yield out


class _Streamed:
    """Gives a bed with `blocks` the matching `render`."""

    def render(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = ()) -> np.ndarray:
        """The whole bed as one float32 (frames, 2) array."""
        return render(self, frames, sample_rate, seed, marks)


class _Procedural(_Streamed):
    """A generated bed: raw fixed-size chunks times a calibrated gain, re-sliced into blocks."""

    uses_marks: ClassVar[bool] = False
    """Whether the section marks change the sound (only beds that strike at marks)."""

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Endless raw float64 (_CHUNK, 2) chunks, level not yet set."""
        raise NotImplementedError

    def power(self, sample_rate: int) -> float:
        """Expected mean square of the raw chunks (per sample, both ears), without marks."""
        raise NotImplementedError

    def blocks(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = (), block: int = BLOCK) -> Iterator[np.ndarray]:
        """Consecutive float32 (n, 2) blocks at BED_RMS, the same whatever `block` is."""
        _check_sizes(frames, block)
        gain = _gain(self, sample_rate)
        raw = self.chunks(sample_rate, seed, tuple(sorted(float(m) for m in marks)))
        return _reblock(((chunk * gain).astype(np.float32) for chunk in raw), frames, block)


@lru_cache(maxsize=64)
def _gain(bed: _Procedural, sample_rate: int) -> float:
    """BED_RMS over the bed's expected RMS: one constant per bed and rate, whatever the length."""
    return float(BED_RMS / np.sqrt(bed.power(sample_rate)))


def _time(start: int, count: int, sample_rate: int) -> np.ndarray:
    """Absolute times in seconds of samples [start, start + count)."""
    return (start + np.arange(count)) / sample_rate


def _butter(order: int, cutoff: float | list[float], kind: str, sample_rate: int) -> np.ndarray:
    """Butterworth second-order sections."""
    from scipy.signal import butter

    return butter(order, cutoff, kind, fs=sample_rate, output="sos")


def _brown_sos(sample_rate: int) -> np.ndarray:
    """Leaky integration (one-pole low-pass at 35 Hz) with rumble below 25 Hz removed."""
    return np.vstack([_butter(1, 35, "lowpass", sample_rate),
                      _butter(2, 25, "highpass", sample_rate)])


def _impulse(sos: np.ndarray, sample_rate: int) -> np.ndarray:
    """The filter's impulse response over one second (its energy is its white-noise gain)."""
    from scipy.signal import sosfilt

    pulse = np.zeros(sample_rate)
    pulse[0] = 1.0
    return sosfilt(sos, pulse)


def _unit(sos: np.ndarray, sample_rate: int) -> float:
    """The scale that gives the filter's output for unit white noise a unit variance."""
    return float(1.0 / np.sqrt(np.sum(_impulse(sos, sample_rate) ** 2)))


class _FilterBank:
    """White noise through fixed filters, each output scaled to unit variance, chunk by chunk."""

    def __init__(self, bank: Sequence[np.ndarray], sample_rate: int):
        self.bank = list(bank)
        self.scales = [_unit(sos, sample_rate) for sos in self.bank]
        self.states = [np.zeros((sos.shape[0], 2)) for sos in self.bank]

    def take(self, white: np.ndarray) -> list[np.ndarray]:
        """Every filter's output for the next stretch of white noise."""
        from scipy.signal import sosfilt

        outs = []
        for k, sos in enumerate(self.bank):
            out, self.states[k] = sosfilt(sos, white, zi=self.states[k])
            outs.append(out * self.scales[k])
        return outs


def _covariance(filters: _FilterBank, sample_rate: int) -> np.ndarray:
    """Covariance of the bank's (unit) outputs when they share one white-noise input."""
    responses = np.array([_impulse(sos, sample_rate) * scale
                          for sos, scale in zip(filters.bank, filters.scales, strict=True)])
    return responses @ responses.T


class _FilteredNoise:
    """Seeded unit-variance noise through one fixed filter, chunk by chunk."""

    def __init__(self, rng: np.random.Generator, sos: np.ndarray, sample_rate: int):
        self.rng = rng
        self.filters = _FilterBank([sos], sample_rate)

    def take(self, count: int) -> np.ndarray:
        """The next `count` samples."""
        return self.filters.take(self.rng.standard_normal(count))[0]


_TABLE = 4096
"""Length of the rotating table of a sine oscillator (divides _CHUNK)."""


class _Sine:
    """sin(2 pi freq t + phase) at absolute sample positions, from a short rotating table."""

    def __init__(self, freq: float, phase: float, sample_rate: int):
        self.step = freq / sample_rate
        self.phase = phase
        self.table = np.exp(2j * np.pi * self.step * np.arange(_TABLE)).astype(np.complex64)

    def at(self, start: int) -> np.ndarray:
        """Float32 values for the _CHUNK samples from absolute sample `start`."""
        firsts = start + _TABLE * np.arange(_CHUNK // _TABLE)
        turns = np.mod(self.step * firsts, 1.0)
        rotations = np.exp(1j * (2 * np.pi * turns + self.phase)).astype(np.complex64)
        return (rotations[:, None] * self.table[None, :]).imag.ravel()


Point = Callable[[np.random.Generator, int], tuple[float, float]]
"""Draws breakpoint number i: (level, seconds to the next breakpoint)."""


class _Envelope:
    """A cosine-eased curve through random breakpoints, drawn lazily as time moves on."""

    _KEEP = 10.0
    """Seconds of past breakpoints kept (readers may lag a little, e.g. a delayed channel)."""

    def __init__(self, rng: np.random.Generator, point: Point, start: float = -10.0):
        self.rng, self.point = rng, point
        self.times: list[float] = []
        self.levels: list[float] = []
        self.next_time = start
        self.drawn = 0

    def at(self, t0: float, count: int, dt: float, step: int = 16) -> np.ndarray:
        """`count` values every `dt` seconds from `t0`: eased every `step`, linear between.

        Successive calls must move forward in time (a small lag, e.g. a delayed ear, is fine).
        """
        knots = t0 + dt * step * np.arange(-(-count // step) + 1)
        self._extend(knots[0], knots[-1])
        values = self._eased(knots)
        ramp = np.arange(step) / step
        return (values[:-1, None] + np.diff(values)[:, None] * ramp[None, :]).ravel()[:count]

    def chunk(self, start: int, sample_rate: int, lag: float = 0.0) -> np.ndarray:
        """Values for the _CHUNK samples from absolute sample `start`, `lag` seconds late."""
        return self.at(start / sample_rate - lag, _CHUNK, 1.0 / sample_rate)

    def _extend(self, first: float, last: float) -> None:
        """Draw breakpoints up to past `last`; forget those long before `first`."""
        while len(self.times) < 2 or self.times[-1] < last + 1.0:
            level, gap = self.point(self.rng, self.drawn)
            self.drawn += 1
            self.times.append(self.next_time)
            self.levels.append(level)
            self.next_time += gap
        while len(self.times) > 2 and self.times[1] < first - self._KEEP:
            del self.times[0], self.levels[0]

    def _eased(self, t: np.ndarray) -> np.ndarray:
        """Cosine interpolation between neighbouring breakpoints."""
        times, levels = np.asarray(self.times), np.asarray(self.levels)
        position = np.interp(t, times, np.arange(len(times), dtype=float))
        index = np.minimum(np.floor(position).astype(int), len(times) - 2)
        eased = 0.5 - 0.5 * np.cos(np.pi * (position - index))
        return levels[index] * (1 - eased) + levels[index + 1] * eased


def _envelope_samples(point: Point, seconds: float, per_second: float) -> np.ndarray:
    """A long calibration run of an envelope, sampled evenly (for expected levels)."""
    envelope = _Envelope(np.random.default_rng(_CALIBRATION_SEED), point)
    return envelope.at(0.0, int(seconds * per_second), 1.0 / per_second, step=1)


Sound = Callable[[np.random.Generator, int], np.ndarray]
"""Makes one short stereo (n, 2) sound at a sample rate."""


class _Events:
    """Short sounds at random (Poisson) times, overlap-added across chunk edges."""

    def __init__(self, rng: np.random.Generator, per_second: float, sound: Sound,
                 sample_rate: int):
        self.rng, self.per_second, self.sound, self.rate = rng, per_second, sound, sample_rate
        self.tail = np.zeros((0, 2))

    def take(self, count: int) -> np.ndarray:
        """The next `count` frames of the event stream."""
        starts = np.sort(self.rng.integers(0, count, self.rng.poisson(
            self.per_second * count / self.rate)))
        placed = [(int(s), self.sound(self.rng, self.rate)) for s in starts]
        end = max([count, len(self.tail), *(s + len(x) for s, x in placed)])
        out = np.zeros((end, 2))
        out[: len(self.tail)] += self.tail
        for s, x in placed:
            out[s : s + len(x)] += x
        self.tail = out[count:].copy()
        return out[:count]


def _events_power(sound: Sound, per_second: float, sample_rate: int) -> float:
    """Expected mean square (per sample, both ears) of a stream of such events."""
    rng = np.random.default_rng(_CALIBRATION_SEED)
    energy = np.mean([np.sum(sound(rng, sample_rate) ** 2) for _ in range(500)])
    return float(per_second * energy / sample_rate / 2)


def _blip(sample_rate: int, freq: float, glide: float, attack: float, decay: float,
          level: float, pan: float) -> np.ndarray:
    """A soft-attacked, exponentially decaying, gliding sine that ends at exactly zero."""
    count = int((attack + 6 * decay) * sample_rate)
    t = np.arange(count) / sample_rate
    phase = 2 * np.pi * np.cumsum(freq * (1 + glide * t / t[-1])) / sample_rate
    rise = np.minimum(1.0, t / attack)
    end = np.clip((t[-1] - t) / decay, 0.0, 1.0)
    envelope = (0.5 - 0.5 * np.cos(np.pi * rise)) * np.exp(-t / decay) * np.sin(np.pi / 2 * end)
    mono = level * envelope * np.sin(phase)
    return np.stack([mono * np.sqrt(1 - pan), mono * np.sqrt(pan)], axis=1)


def _droplet(rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """A tiny water drop: a high, quickly fading plip, panned anywhere."""
    return _blip(sample_rate, rng.uniform(1800, 4200), rng.uniform(-0.2, 0.05), 0.002,
                 rng.uniform(0.004, 0.012), rng.uniform(0.2, 1.0) ** 2, rng.uniform(0.1, 0.9))


def _bubble(rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """A small bubble in running water: a short sine that glides upward."""
    return _blip(sample_rate, rng.uniform(450, 1600), rng.uniform(0.3, 0.9), 0.003,
                 rng.uniform(0.008, 0.025), rng.uniform(0.2, 1.0) ** 2, rng.uniform(0.15, 0.85))


@dataclass(frozen=True)
class Silence(_Streamed):
    """No background at all."""

    def blocks(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = (), block: int = BLOCK) -> Iterator[np.ndarray]:
        """Blocks of silence."""
        _check_sizes(frames, block)
        return (np.zeros((min(block, frames - s), 2), np.float32)
                for s in range(0, frames, block))


@dataclass(frozen=True)
class BrownNoise(_Procedural):
    """Deep, soft brown noise, decorrelated between the ears."""

    side: float = 0.5
    """Level of each ear's own noise next to the shared centre."""

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """A shared centre plus a quieter independent noise per ear."""
        rng = np.random.default_rng([seed, 1])
        left, right, mid = (_FilteredNoise(rng, _brown_sos(sample_rate), sample_rate)
                            for _ in range(3))
        while True:
            centre = mid.take(_CHUNK)
            yield np.stack([centre + self.side * left.take(_CHUNK),
                            centre + self.side * right.take(_CHUNK)], axis=1)

    def power(self, sample_rate: int) -> float:
        """Unit centre plus the sides."""
        return 1.0 + self.side**2


Span = tuple[float, float]


def _alternating(rng: np.random.Generator, index: int, low: tuple[Span, Span],
                 high: tuple[Span, Span]) -> tuple[float, float]:
    """Breakpoints alternately low and high: each (level range, seconds range), drawn."""
    level, seconds = low if index % 2 == 0 else high
    return rng.uniform(*level), rng.uniform(*seconds)


_wave_point: Point = partial(_alternating, low=((0.15, 0.3), (2.5, 4.5)),
                             high=((0.7, 1.0), (4.5, 8.5)))
"""Alternating troughs (0.15-0.3, then a 2.5-4.5 s rise) and crests (0.7-1, 4.5-8.5 s fall)."""


@dataclass(frozen=True)
class Ocean(_Procedural):
    """Slow waves: warm filtered surf swelling and receding every seven to thirteen seconds."""

    delay: float = 0.35
    """Seconds the right ear hears each wave after the left."""
    rumble: float = 0.3

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Band-passed, gently darkened surf under a wave envelope, over a low rumble, per ear."""
        rng = np.random.default_rng([seed, 2])
        swell = _Envelope(np.random.default_rng([seed, 2, 1]), _wave_point, start=-5.0)
        sources = [(_FilteredNoise(rng, self._surf(sample_rate), sample_rate),
                    _FilteredNoise(rng, _brown_sos(sample_rate), sample_rate)) for _ in range(2)]
        for start in itertools.count(0, _CHUNK):
            out = np.empty((_CHUNK, 2))
            for channel, (surf, rumble) in enumerate(sources):
                level = swell.chunk(start, sample_rate, self.delay * channel)
                out[:, channel] = surf.take(_CHUNK) * level + self.rumble * rumble.take(_CHUNK)
            yield out

    @staticmethod
    def _surf(sample_rate: int) -> np.ndarray:
        """60-1800 Hz band with a one-pole roll-off from 400 Hz (warm, distant surf)."""
        return np.vstack([_butter(2, [60, 1800], "bandpass", sample_rate),
                          _butter(1, 400, "lowpass", sample_rate)])

    def power(self, sample_rate: int) -> float:
        """Unit surf under the swell plus the rumble."""
        swell = _envelope_samples(_wave_point, 4 * 3600.0, 20.0)
        return float(np.mean(swell**2)) + self.rumble**2


def _drift_point(rng: np.random.Generator, index: int) -> tuple[float, float]:
    """Rain intensity: 0.75-1 every 3-8 s."""
    return rng.uniform(0.75, 1.0), rng.uniform(3.0, 8.0)


@dataclass(frozen=True)
class Rain(_Procedural):
    """Soft broadband rain hiss with sparse, gently enveloped droplets."""

    drops_per_second: float = 6.0
    drop_level: float = 4.0
    """Droplet peak relative to the hiss's RMS (1)."""

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Slowly drifting hiss (a shared centre plus independent sides) and droplets."""
        rng = np.random.default_rng([seed, 4])
        sos = np.vstack([_butter(2, 400, "highpass", sample_rate),
                         _butter(1, min(5000, 0.45 * sample_rate), "lowpass", sample_rate)])
        mid, left, right = (_FilteredNoise(rng, sos, sample_rate) for _ in range(3))
        drift = _Envelope(np.random.default_rng([seed, 4, 1]), _drift_point)
        drops = _Events(np.random.default_rng([seed, 4, 2]), self.drops_per_second,
                        _droplet, sample_rate)
        for start in itertools.count(0, _CHUNK):
            level = drift.chunk(start, sample_rate)
            centre = 0.6 * mid.take(_CHUNK)
            hiss = np.stack([centre + 0.8 * left.take(_CHUNK),
                             centre + 0.8 * right.take(_CHUNK)], axis=1)
            yield hiss * level[:, None] + self.drop_level * drops.take(_CHUNK)

    def power(self, sample_rate: int) -> float:
        """Unit hiss under the drift plus the droplets."""
        drift = _envelope_samples(_drift_point, 3600.0, 20.0)
        drops = _events_power(_droplet, self.drops_per_second, sample_rate)
        return float(np.mean(drift**2)) + self.drop_level**2 * drops


def _ripple_point(rng: np.random.Generator, index: int) -> tuple[float, float]:
    """Babbling: a level 0.05-1 (mostly low) every 40-160 ms."""
    return 0.05 + 0.95 * rng.uniform() ** 2, rng.uniform(0.04, 0.16)


@dataclass(frozen=True)
class Stream(_Procedural):
    """A babbling brook: noise bands rippling fast and independently, with small bubbles."""

    bands: tuple[tuple[float, float], ...] = (
        (600.0, 0.6), (1300.0, 1.0), (2700.0, 1.0), (5000.0, 0.7))
    """(centre Hz, weight) of each octave-wide band."""
    bubbles_per_second: float = 10.0
    bubble_level: float = 0.8

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Per ear: one noise split into bands, each under its own fast random envelope."""
        rng = np.random.default_rng([seed, 5])
        ears = []
        for channel in range(2):
            ripples = [_Envelope(np.random.default_rng([seed, 5, channel, k]), _ripple_point)
                       for k in range(len(self.bands))]
            ears.append((self._filters(sample_rate), ripples))
        bubbles = _Events(np.random.default_rng([seed, 5, 9]), self.bubbles_per_second,
                          _bubble, sample_rate)
        for start in itertools.count(0, _CHUNK):
            out = self.bubble_level * bubbles.take(_CHUNK)
            for channel, (filters, ripples) in enumerate(ears):
                bands = filters.take(rng.standard_normal(_CHUNK))
                for (_, weight), band, ripple in zip(self.bands, bands, ripples, strict=True):
                    out[:, channel] += band * (weight * ripple.chunk(start, sample_rate))
            yield out

    def _filters(self, sample_rate: int) -> _FilterBank:
        """Octave-wide band-passes at the band centres."""
        return _FilterBank([_butter(1, [c / 1.414, min(c * 1.414, 0.45 * sample_rate)],
                                    "bandpass", sample_rate) for c, _ in self.bands], sample_rate)

    def power(self, sample_rate: int) -> float:
        """Weighted unit bands (overlapping, so correlated) under independent ripples, bubbles."""
        ripple = _envelope_samples(_ripple_point, 900.0, 400.0)
        covariance = _covariance(self._filters(sample_rate), sample_rate)
        weights = np.array([w for _, w in self.bands])
        moments = np.full(covariance.shape, np.mean(ripple) ** 2)
        np.fill_diagonal(moments, np.mean(ripple**2))
        bands = float(weights @ (covariance * moments) @ weights)
        bubbles = _events_power(_bubble, self.bubbles_per_second, sample_rate)
        return bands + self.bubble_level**2 * bubbles


_gust_point: Point = partial(_alternating, low=((0.2, 0.45), (2.0, 5.0)),
                             high=((0.65, 1.0), (1.5, 4.0)))
"""Alternating lulls (0.2-0.45, held 2-5 s) and gusts (0.65-1, 1.5-4 s)."""


@dataclass(frozen=True)
class Wind(_Procedural):
    """Slowly gusting low-passed noise with a resonant band that rises as a gust builds."""

    delay: float = 0.5
    """Seconds the right ear feels each gust after the left."""
    whistle: float = 0.5
    """Level of the moving resonant band relative to the body of the wind."""
    centres: tuple[float, ...] = tuple(float(c) for c in np.geomspace(260.0, 1000.0, 6))
    """Centres of the overlapping bands the resonance moves across."""

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Per ear: (own body + shared bands weighted at the ear's gust pitch) x gust strength."""
        rng = np.random.default_rng([seed, 6])
        gust = _Envelope(np.random.default_rng([seed, 6, 1]), _gust_point)
        bodies = [_FilterBank([self._body(sample_rate)], sample_rate) for _ in range(2)]
        resonance = _FilterBank(self._bands(sample_rate), sample_rate)
        for start in itertools.count(0, _CHUNK):
            bands = resonance.take(rng.standard_normal(_CHUNK))
            out = np.empty((_CHUNK, 2))
            for channel, body in enumerate(bodies):
                strength = gust.chunk(start, sample_rate, self.delay * channel)
                sound = body.take(rng.standard_normal(_CHUNK))[0]
                pitch = self._pitch(strength)
                for centre, band in zip(self.centres, bands, strict=True):
                    sound += band * self._weight(centre, pitch)
                out[:, channel] = sound * strength
            yield out

    @staticmethod
    def _body(sample_rate: int) -> np.ndarray:
        """Low-pass at 450 Hz, nothing below 40 Hz."""
        return np.vstack([_butter(2, 450, "lowpass", sample_rate),
                          _butter(1, 40, "highpass", sample_rate)])

    def _bands(self, sample_rate: int) -> list[np.ndarray]:
        """Overlapping band-passes about half an octave wide."""
        return [_butter(1, [c / 1.2, c * 1.2], "bandpass", sample_rate) for c in self.centres]

    @staticmethod
    def _pitch(strength: np.ndarray) -> np.ndarray:
        """The resonance in octaves (log2 Hz): 260 Hz x 2^(1.6 strength), rising with the gust."""
        return np.log2(260.0) + 1.6 * strength

    def _weight(self, centre: float, pitch: np.ndarray) -> np.ndarray:
        """A band's weight: a bump a quarter octave wide around the resonance."""
        return self.whistle * np.exp(-0.5 * ((np.log2(centre) - pitch) / 0.25) ** 2)

    def power(self, sample_rate: int) -> float:
        """E[strength^2 x (unit body + variance of the weighted bands at that strength)]."""
        covariance = _covariance(_FilterBank(self._bands(sample_rate), sample_rate), sample_rate)
        strength = _envelope_samples(_gust_point, 4 * 3600.0, 5.0)
        pitch = self._pitch(strength)
        weights = np.vstack([self._weight(c, pitch) for c in self.centres])
        variance = 1.0 + np.einsum("in,ij,jn->n", weights, covariance, weights)
        return float(np.mean(strength**2 * variance))


@dataclass(frozen=True)
class WarmDrone(_Procedural):
    """A soft, slowly breathing pad on a warm open chord."""

    frequencies: tuple[float, ...] = (110.0, 164.81, 220.0, 277.18, 329.63)

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Each chord tone slightly detuned per ear, swelling at its own slow rate."""
        rng = np.random.default_rng([seed, 3])
        voices = []
        for k, f in enumerate(self.frequencies):
            swell = _Sine(rng.uniform(0.03, 0.08), rng.uniform(0, 2 * np.pi), sample_rate)
            ears = []
            for detune in (-0.15, 0.15):
                phase = rng.uniform(0, 2 * np.pi)
                ears.append((_Sine(f + detune, phase, sample_rate),
                             _Sine(2 * (f + detune), 2 * phase, sample_rate)))
            voices.append((self._weight(k), swell, ears))
        for start in itertools.count(0, _CHUNK):
            out = np.zeros((_CHUNK, 2))
            for weight, swell, ears in voices:
                lfo = weight * (0.75 + 0.25 * swell.at(start))
                for channel, (tone, octave) in enumerate(ears):
                    out[:, channel] += lfo * (tone.at(start) + 0.2 * octave.at(start))
            yield out

    @staticmethod
    def _weight(k: int) -> float:
        """Higher chord tones are softer."""
        return 1.0 / (1 + 0.6 * k)

    def power(self, sample_rate: int) -> float:
        """Sum over chord tones of weight^2 x E[swell^2] x (tone + octave power)."""
        swell = 0.75**2 + 0.25**2 / 2
        return sum(self._weight(k) ** 2 for k in range(len(self.frequencies))) * swell * 0.52


_BOWL_PARTIALS = ((1.0, 1.0, 3.2), (2.76, 0.45, 2.0), (5.40, 0.18, 1.1), (8.93, 0.07, 0.6))
"""(frequency ratio, amplitude, strike decay in seconds), as in the bell."""


@dataclass(frozen=True)
class Bowls(_Procedural):
    """A very soft, shimmering singing-bowl hum, and a gentle strike at each mark."""

    uses_marks: ClassVar[bool] = True
    fundamental: float = 174.61
    strike: float = 1.5
    """Strike amplitude of each partial relative to its hum amplitude."""
    strike_seconds: float = 14.0
    attack: float = 0.02

    def chunks(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Chunks:
        """Each partial as two slightly detuned sines per ear (beating), plus strikes."""
        rng = np.random.default_rng([seed, 7])
        partials = []
        for ratio, amplitude, _ in _BOWL_PARTIALS:
            f = self.fundamental * ratio
            swell = _Sine(rng.uniform(0.02, 0.05), rng.uniform(0, 2 * np.pi), sample_rate)
            ears = [(_Sine(f, rng.uniform(0, 2 * np.pi), sample_rate),
                     _Sine(f + rng.uniform(0.3, 1.2), rng.uniform(0, 2 * np.pi), sample_rate))
                    for _ in range(2)]
            partials.append((amplitude, swell, ears))
        for start in itertools.count(0, _CHUNK):
            out = np.zeros((_CHUNK, 2))
            for amplitude, swell, ears in partials:
                level = 0.5 * amplitude * (0.9 + 0.1 * swell.at(start))
                for channel, (tone, beat) in enumerate(ears):
                    out[:, channel] += level * (tone.at(start) + beat.at(start))
            out += self._strikes(start, sample_rate, marks)[:, None]
            yield out

    def _strikes(self, start: int, sample_rate: int, marks: Sequence[float]) -> np.ndarray:
        """Every strike sounding in the chunk from absolute sample `start`."""
        out = np.zeros(_CHUNK)
        first, last = start / sample_rate, (start + _CHUNK) / sample_rate
        for mark in marks:
            if mark >= last or mark + self.strike_seconds <= first:
                continue
            t = _time(start, _CHUNK, sample_rate)
            inside = (t >= mark) & (t < mark + self.strike_seconds)
            out[inside] += self._strike(t[inside] - mark)
        return out

    def _strike(self, t: np.ndarray) -> np.ndarray:
        """One strike at local times `t`: raised-cosine attack, decaying beating partials."""
        tone = np.zeros(len(t))
        for ratio, amplitude, decay in _BOWL_PARTIALS:
            beating = 1.0 + 0.15 * np.sin(2 * np.pi * 0.9 * ratio * t)
            angle = 2 * np.pi * self.fundamental * ratio * t
            tone += amplitude * beating * np.exp(-t / decay) * np.sin(angle)
        attack = 0.5 - 0.5 * np.cos(np.pi * np.minimum(1.0, t / self.attack))
        tail = np.sin(np.pi / 2 * np.clip((self.strike_seconds - t) / 2.0, 0.0, 1.0))
        return self.strike * tone * attack * tail

    def power(self, sample_rate: int) -> float:
        """The hum only: each partial's two sines at a quarter of amplitude^2 x E[swell^2]."""
        swell = 0.9**2 + 0.1**2 / 2
        return sum(0.25 * amplitude**2 * swell for _, amplitude, _ in _BOWL_PARTIALS)


@dataclass(frozen=True)
class _Loop:
    """A decoded source (int16) looped with an equal-power crossfade at each loop point."""

    source: np.ndarray
    fade: np.ndarray
    """The crossfade: the source's last len(fade) frames fading out into its first."""
    gain: float
    """Float scale from int16 samples to BED_RMS."""

    @property
    def period(self) -> int:
        """Frames from one loop point to the next."""
        return len(self.source) - len(self.fade)

    def frames(self, start: int, count: int) -> np.ndarray:
        """Float32 (count, 2) frames of the endless loop from absolute frame `start`."""
        n = np.arange(start, start + count)
        period = self.period
        m = np.where(n < period, n, (n - period) % period)
        in_fade = (n >= period) & (m < len(self.fade))
        out = self.source[m].astype(np.float32)
        out *= np.float32(self.gain)
        out[in_fade] = self.fade[m[in_fade]]
        return out


def _rms16(source: np.ndarray) -> float:
    """RMS of int16 audio as a float in [0, 1], summed chunk by chunk."""
    energy = sum(float(np.sum(np.square(source[i : i + _CHUNK], dtype=np.float64)))
                 for i in range(0, len(source), _CHUNK))
    return float(np.sqrt(energy / max(source.size, 1)) / 32768.0)


def _loop(source: np.ndarray, sample_rate: int, rms: float) -> _Loop:
    """The loop: gain to BED_RMS from the source's RMS, equal-power crossfade of up to 3 s."""
    width = min(int(_LOOP_FADE_SECONDS * sample_rate), len(source) // 3)
    gain = BED_RMS / rms / 32768.0
    u = (np.arange(width) / width)[:, None]
    tail = source[len(source) - width :].astype(np.float64)
    head = source[:width].astype(np.float64)
    fade = (tail * np.cos(np.pi / 2 * u) + head * np.sin(np.pi / 2 * u)) * gain
    return _Loop(source, fade.astype(np.float32), float(gain))


def _decode16(path: Path, sample_rate: int) -> np.ndarray:
    """Stereo int16 frames of the file's first _MAX_SOURCE_SECONDS at `sample_rate`."""
    source = np.empty((int(_MAX_SOURCE_SECONDS * sample_rate) + sample_rate, 2), dtype="<i2")
    filled = 0  # pages never written are never resident: a short file costs its own length
    try:
        for block in decode_blocks(path, sample_rate, 2, pcm="s16le",
                                   seconds=_MAX_SOURCE_SECONDS):
            take = min(len(block), len(source) - filled)
            source[filled:filled + take] = block[:take]
            filled += take
    except ExportError as error:
        raise with_detail(InvalidRequest("background", f"cannot decode {quoted(path.name)}",
                                         _FILE_ALLOWED), error.detail) from error
    except OSError as error:
        raise InvalidRequest("background", f"cannot run ffmpeg on {path.name}: {error}",
                             _FILE_ALLOWED) from error
    return source[:filled]


@dataclass(frozen=True)
class FileBed(_Streamed):
    """The user's own audio file, looped with ~3 s equal-power crossfades, at BED_RMS.

    Only the file's first 10 minutes are used (a longer file loops over those). It is
    decoded to stereo int16 at the requested rate and kept in memory; the seed is ignored.
    """

    path: Path
    _cache: dict[int, _Loop] = field(default_factory=dict, init=False, compare=False,
                                     hash=False, repr=False)

    def load(self, sample_rate: int) -> _Loop:
        """Decode and check the file once per rate (call early to validate a request)."""
        if sample_rate not in self._cache:
            source = _decode16(self.path, sample_rate)
            if len(source) < _MIN_SOURCE_SECONDS * sample_rate:
                raise InvalidRequest("background", f"{self.path.name} is shorter than "
                                     f"{_MIN_SOURCE_SECONDS:g} seconds", _FILE_ALLOWED)
            rms = _rms16(source)
            if rms < _SILENT_RMS:
                raise InvalidRequest("background", f"{self.path.name} is silent",
                                     _FILE_ALLOWED)
            self._cache.clear()
            self._cache[sample_rate] = _loop(source, sample_rate, rms)
        return self._cache[sample_rate]

    def blocks(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = (), block: int = BLOCK) -> Iterator[np.ndarray]:
        """Consecutive float32 (n, 2) blocks of the looped file."""
        _check_sizes(frames, block)
        loop = self.load(sample_rate)
        return (loop.frames(s, min(block, frames - s)) for s in range(0, frames, block))


BEDS: dict[str, Bed] = {
    "rain": Rain(),
    "ocean": Ocean(),
    "stream": Stream(),
    "wind": Wind(),
    "brown-noise": BrownNoise(),
    "warm-drone": WarmDrone(),
    "bowls": Bowls(),
    "none": Silence(),
}
"""Procedural background beds by name."""


def made_from_seed(bed: Bed) -> bool:
    """Whether the bed is generated from its rate and seed alone (no file, deaf to the
    section marks), so that it can be made before the track's length is known."""
    return isinstance(bed, _Procedural) and not bed.uses_marks


def bed_for(name_or_path: str) -> Bed:
    """The bed named `name_or_path`, or a FileBed when it names an existing file."""
    if name_or_path in BEDS:
        return BEDS[name_or_path]
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return FileBed(path)
    raise InvalidRequest("background", f"{quoted(name_or_path)} is neither a background nor "
                         "a file",
                         [*BEDS, "or an audio file path"])
