"""Procedural background beds: stereo, seeded, as long as asked, normalised in level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.signal import butter, sosfilt

BED_RMS = 0.1
"""Every bed is rendered at this RMS; the mixer sets the final level."""


class Bed(Protocol):
    """A background sound that can render any length deterministically."""

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return float32 audio of shape (frames, 2)."""
        ...


_CHUNK = 1 << 18
"""Samples generated per step, so memory does not grow with track length."""


def _normalise(audio: np.ndarray) -> np.ndarray:
    """Scale in place to BED_RMS."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    if rms > 0:
        audio *= np.float32(BED_RMS / rms)
    return audio


class _FilteredNoise:
    """Seeded white noise through a fixed filter, produced chunk by chunk."""

    def __init__(self, rng: np.random.Generator, sos: np.ndarray):
        self.rng = rng
        self.sos = sos
        self.state = np.zeros((sos.shape[0], 2))

    def take(self, count: int) -> np.ndarray:
        """The next `count` samples."""
        out, self.state = sosfilt(self.sos, self.rng.standard_normal(count), zi=self.state)
        return out


def _brown_sos(sample_rate: int) -> np.ndarray:
    """Leaky integration (one-pole low-pass at 35 Hz) with rumble below 25 Hz removed."""
    return np.vstack([butter(1, 35, "lowpass", fs=sample_rate, output="sos"),
                      butter(2, 25, "highpass", fs=sample_rate, output="sos")])


@dataclass(frozen=True)
class Silence:
    """No background at all."""

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return silence."""
        return np.zeros((frames, 2), dtype=np.float32)


@dataclass(frozen=True)
class BrownNoise:
    """Deep, soft brown noise, decorrelated between the ears."""

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return normalised stereo brown noise."""
        rng = np.random.default_rng([seed, 1])
        left, right, mid = (_FilteredNoise(rng, _brown_sos(sample_rate)) for _ in range(3))
        out = np.empty((frames, 2), dtype=np.float32)
        for start in range(0, frames, _CHUNK):
            count = min(_CHUNK, frames - start)
            centre = mid.take(count)
            out[start : start + count, 0] = centre + 0.5 * left.take(count)
            out[start : start + count, 1] = centre + 0.5 * right.take(count)
        return _normalise(out)


@dataclass(frozen=True)
class Ocean:
    """Slow waves: filtered noise swelling and receding every seven to thirteen seconds."""

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return normalised stereo surf."""
        rng = np.random.default_rng([seed, 2])
        band = butter(2, [60, 1800], "bandpass", fs=sample_rate, output="sos")
        times, points = self._crests(rng, frames / sample_rate)
        delay = 0.35
        sources = [(_FilteredNoise(rng, band), _FilteredNoise(rng, _brown_sos(sample_rate)))
                   for _ in range(2)]
        out = np.empty((frames, 2), dtype=np.float32)
        for start in range(0, frames, _CHUNK):
            count = min(_CHUNK, frames - start)
            grid = (start + np.arange(count)) / sample_rate
            for channel, (surf, rumble) in enumerate(sources):
                swell = self._swell(grid - delay * channel, times, points)
                out[start : start + count, channel] = (
                    surf.take(count) * swell + 0.25 * rumble.take(count)
                )
        return _normalise(out)

    @staticmethod
    def _crests(rng: np.random.Generator, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        """Times and levels of alternating troughs (0.15-0.3) and crests (0.7-1)."""
        points, times, t = [], [], -5.0
        while t < seconds + 15:
            times.append(t)
            points.append(rng.uniform(0.15, 0.3))
            crest = rng.uniform(2.5, 4.5)
            times.append(t + crest)
            points.append(rng.uniform(0.7, 1.0))
            t += crest + rng.uniform(4.5, 8.5)
        return np.asarray(times), np.asarray(points)

    @staticmethod
    def _swell(grid: np.ndarray, times: np.ndarray, points: np.ndarray) -> np.ndarray:
        """Cosine-eased envelope through the crest points at the times in `grid`."""
        position = np.interp(grid, times, np.arange(len(times)))
        index = np.floor(position).astype(int)
        eased = 0.5 - 0.5 * np.cos(np.pi * (position - index))
        upper = np.minimum(index + 1, len(points) - 1)
        return points[index] * (1 - eased) + points[upper] * eased


@dataclass(frozen=True)
class WarmDrone:
    """A soft, slowly breathing pad on a warm open chord."""

    frequencies: tuple[float, ...] = (110.0, 164.81, 220.0, 277.18, 329.63)

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return a normalised stereo pad with slow per-voice swells."""
        rng = np.random.default_rng([seed, 3])
        voices = []
        for k, f in enumerate(self.frequencies):
            swell = (rng.uniform(0.03, 0.08), rng.uniform(0, 2 * np.pi))
            phases = (rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi))
            voices.append((f, 1.0 / (1 + 0.6 * k), swell, phases))
        out = np.zeros((frames, 2), dtype=np.float32)
        for start in range(0, frames, _CHUNK):
            count = min(_CHUNK, frames - start)
            t = (start + np.arange(count)) / sample_rate
            for f, weight, (rate, offset), phases in voices:
                lfo = weight * (0.65 + 0.35 * np.sin(2 * np.pi * rate * t + offset))
                for channel, detune in enumerate((-0.15, 0.15)):
                    angle = 2 * np.pi * (f + detune) * t + phases[channel]
                    voice = np.sin(angle) + 0.2 * np.sin(2 * angle)
                    out[start : start + count, channel] += lfo * voice
        return _normalise(out)


BEDS: dict[str, Bed] = {
    "ocean": Ocean(),
    "brown-noise": BrownNoise(),
    "warm-drone": WarmDrone(),
    "none": Silence(),
}
"""Background beds by name."""
