"""Tone and pace presets: how a voice is asked to speak, independent of engine."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .settings import VoiceSettings


@dataclass(frozen=True)
class Tone:
    """Engine-neutral description of a speaking tone."""

    pitch_semitones: float
    """Shift from the voice's own pitch (negative is lower, deeper)."""
    expressiveness: float
    """0 is steady and even, 1 is lively."""
    length_factor: float
    """Multiplier on speech duration (above 1 is slower)."""
    description: str
    """What a therapist hears, in a few words."""


@dataclass(frozen=True)
class Pace:
    """How fast words come and how long the silences are."""

    length_scale: float
    """Base speech duration multiplier (above 1 is slower speech)."""
    pause_factor: float
    """Multiplier on the script's nominal pauses."""
    sentence_gap: float
    """Seconds of silence between consecutive sentences (before `settle`)."""
    clause_pause: float = 0.0
    """Seconds of silence added at each comma, semicolon, colon or dash, on top of the
    voice's own (Piper voices)."""
    settle: float = 0.0
    """Seconds added after each sentence that another sentence follows."""

    @property
    def between_sentences(self) -> float:
        """Silence between consecutive spoken sentences: the gap and the settle."""
        return self.sentence_gap + self.settle

    def added_seconds(self, text: str) -> float:
        """Estimate of the silence this pace's clause pauses and settles add to one text."""
        return (self.clause_pause * len(_CLAUSE_MARK.findall(text))
                + self.settle * len(_INNER_SENTENCE_END.findall(text)))


TONES: dict[str, Tone] = {
    # No tone moves the pitch: every way of doing it (resampling, a formant-keeping
    # time-stretcher) cost more naturalness than a listener could gain from a semitone
    # (DNSMOS, issue 18; benchmarks/naturalness.py scores a tone's pitch shift).
    "warm": Tone(0.0, 0.50, 1.00, "the voice's own pitch and natural lilt"),
    "calm": Tone(0.0, 0.30, 1.05, "the steadiest, a little slower"),
    "gentle": Tone(0.0, 0.35, 1.15, "even and unhurried: the slowest"),
    "bright": Tone(0.0, 0.70, 0.92, "the liveliest and quickest"),
}

# Clause pauses and settles are kept small: each short form must stay reachable at its
# documented shortest length (soothing-breath short at 4 minutes, with a client's name).
PACES: dict[str, Pace] = {
    "slow": Pace(length_scale=1.4, pause_factor=1.25, sentence_gap=0.9,
                 clause_pause=0.1, settle=0.1),
    "moderate": Pace(length_scale=1.15, pause_factor=1.0, sentence_gap=0.7,
                     clause_pause=0.08, settle=0.08),
    "brisk": Pace(length_scale=1.0, pause_factor=0.8, sentence_gap=0.5,
                  clause_pause=0.05, settle=0.05),
}


_CLAUSE_MARK = re.compile(r"[,;:\u2013\u2014]")
_INNER_SENTENCE_END = re.compile(r"[.!?]+\s+\S")


def added_pause_seconds(text: str, pace: str) -> float:
    """Estimate of the silence a pace's clause pauses and settles add to one spoken text."""
    return PACES[pace].added_seconds(text)


def combined(tone: Tone, pace: Pace) -> VoiceSettings:
    """Combine a tone and a pace into engine-neutral settings."""
    return VoiceSettings(
        length_scale=round(pace.length_scale * tone.length_factor, 4),
        pitch_semitones=tone.pitch_semitones,
        expressiveness=tone.expressiveness,
        clause_pause=pace.clause_pause,
        settle=pace.settle,
    )


def voice_settings(tone: str, pace: str) -> VoiceSettings:
    """Combine a tone and a pace preset, by name, into engine-neutral settings."""
    return combined(TONES[tone], PACES[pace])
