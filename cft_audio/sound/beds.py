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


def _normalise(audio: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if audio.size else 0.0
    scaled = audio * (BED_RMS / rms) if rms > 0 else audio
    return np.ascontiguousarray(scaled, dtype=np.float32)


def _brown(rng: np.random.Generator, frames: int, sample_rate: int) -> np.ndarray:
    """Leaky-integrated white noise with the sub-audio rumble removed."""
    white = rng.standard_normal(frames)
    leaky = sosfilt(butter(1, 35, "lowpass", fs=sample_rate, output="sos"), white)
    return sosfilt(butter(2, 25, "highpass", fs=sample_rate, output="sos"), leaky)


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
        left, right = _brown(rng, frames, sample_rate), _brown(rng, frames, sample_rate)
        mid = _brown(rng, frames, sample_rate)
        return _normalise(np.stack([mid + 0.5 * left, mid + 0.5 * right], axis=1))


@dataclass(frozen=True)
class Ocean:
    """Slow waves: filtered noise swelling and receding every seven to thirteen seconds."""

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return normalised stereo surf."""
        rng = np.random.default_rng([seed, 2])
        band = butter(2, [60, 1800], "bandpass", fs=sample_rate, output="sos")
        channels = []
        swell = self._swell(rng, frames, sample_rate)
        for delay in (0, int(0.35 * sample_rate)):
            noise = sosfilt(band, rng.standard_normal(frames))
            shifted = np.concatenate([np.full(delay, swell[0]), swell[: frames - delay]])
            channels.append(noise * shifted + 0.25 * _brown(rng, frames, sample_rate))
        return _normalise(np.stack(channels, axis=1))

    @staticmethod
    def _swell(rng: np.random.Generator, frames: int, sample_rate: int) -> np.ndarray:
        """A smooth envelope between 0.15 and 1 with randomly timed wave crests."""
        points, times, t = [], [], 0.0
        while t < frames / sample_rate + 15:
            times.append(t)
            points.append(rng.uniform(0.15, 0.3))
            crest = rng.uniform(2.5, 4.5)
            times.append(t + crest)
            points.append(rng.uniform(0.7, 1.0))
            t += crest + rng.uniform(4.5, 8.5)
        grid = np.arange(frames) / sample_rate
        position = np.interp(grid, times, np.arange(len(times)))
        index = np.floor(position).astype(int)
        fraction = position - index
        eased = 0.5 - 0.5 * np.cos(np.pi * fraction)
        values = np.asarray(points)
        upper = np.minimum(index + 1, len(values) - 1)
        return values[index] * (1 - eased) + values[upper] * eased


@dataclass(frozen=True)
class WarmDrone:
    """A soft, slowly breathing pad on a warm open chord."""

    frequencies: tuple[float, ...] = (110.0, 164.81, 220.0, 277.18, 329.63)

    def render(self, frames: int, sample_rate: int, seed: int) -> np.ndarray:
        """Return a normalised stereo pad with slow per-voice swells."""
        rng = np.random.default_rng([seed, 3])
        t = np.arange(frames) / sample_rate
        out = np.zeros((frames, 2))
        for k, f in enumerate(self.frequencies):
            weight = 1.0 / (1 + 0.6 * k)
            rate, offset = rng.uniform(0.03, 0.08), rng.uniform(0, 2 * np.pi)
            lfo = 0.65 + 0.35 * np.sin(2 * np.pi * rate * t + offset)
            for channel, detune in enumerate((-0.15, 0.15)):
                phase = rng.uniform(0, 2 * np.pi)
                voice = np.sin(2 * np.pi * (f + detune) * t + phase)
                voice += 0.2 * np.sin(2 * np.pi * 2 * (f + detune) * t + phase)
                out[:, channel] += weight * lfo * voice
        return _normalise(out)


BEDS: dict[str, Bed] = {
    "ocean": Ocean(),
    "brown-noise": BrownNoise(),
    "warm-drone": WarmDrone(),
    "none": Silence(),
}
"""Background beds by name."""
