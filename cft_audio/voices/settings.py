"""Engine-neutral synthesis settings (no NumPy: the command line's help needs them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceSettings:
    """Per-call synthesis settings, engine-neutral; each engine maps what it can."""

    length_scale: float = 1.0
    """Speech duration multiplier (above 1 is slower)."""
    pitch_semitones: float = 0.0
    """Shift of the voice's own pitch, in semitones (negative is lower)."""
    expressiveness: float = 0.5
    """0 is steady and even, 1 is lively (Piper noise scales, eSpeak pitch range)."""
    seed: int = 0
    """Seed for any randomness in the engine, so the same call gives the same audio."""
    clause_pause: float = 0.0
    """Seconds of silence added at each comma, semicolon and colon (engines that can)."""
    settle: float = 0.0
    """Seconds of silence added after a sentence that another follows in the same text."""
