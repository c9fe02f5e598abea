"""Tone and pace presets: how a voice is asked to speak, independent of engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tone:
    """Engine-neutral description of a speaking tone."""

    noise_scale: float
    """Variation in the voice quality (lower is steadier)."""
    noise_w_scale: float
    """Variation in phoneme timing (lower is more even)."""
    length_factor: float
    """Multiplier on speech duration (above 1 is slower)."""


@dataclass(frozen=True)
class Pace:
    """How fast words come and how long the silences are."""

    length_scale: float
    """Base phoneme length (above 1 is slower speech)."""
    pause_factor: float
    """Multiplier on the script's nominal pauses."""
    sentence_gap: float
    """Seconds of silence between consecutive sentences."""


TONES: dict[str, Tone] = {
    "warm": Tone(noise_scale=0.60, noise_w_scale=0.70, length_factor=1.00),
    "calm": Tone(noise_scale=0.50, noise_w_scale=0.50, length_factor=1.05),
    "gentle": Tone(noise_scale=0.45, noise_w_scale=0.55, length_factor=1.10),
    "bright": Tone(noise_scale=0.70, noise_w_scale=0.85, length_factor=0.95),
}

PACES: dict[str, Pace] = {
    "slow": Pace(length_scale=1.15, pause_factor=1.25, sentence_gap=0.9),
    "moderate": Pace(length_scale=1.0, pause_factor=1.0, sentence_gap=0.7),
    "brisk": Pace(length_scale=0.92, pause_factor=0.8, sentence_gap=0.5),
}
