"""Typed cues: the only form of a script that later stages see."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Say:
    """One sentence to be spoken."""

    text: str


@dataclass(frozen=True)
class Pause:
    """A silence we place, in seconds (before pace and fitting)."""

    seconds: float
    imagery: bool = False
    """A silence to imagine in (`[pause 15s imagine]`): never under timing.IMAGERY_PAUSE."""


@dataclass(frozen=True)
class Section:
    """A chapter mark; takes no time."""

    title: str


@dataclass(frozen=True)
class Breath:
    """Paced breathing: `cycles` of `inhale` then `exhale` seconds, in silence."""

    inhale: float
    exhale: float
    cycles: int

    @property
    def seconds(self) -> float:
        """Total length of the breathing block."""
        return (self.inhale + self.exhale) * self.cycles


@dataclass(frozen=True)
class Bell:
    """A soft bell strike."""


Cue = Say | Pause | Section | Breath | Bell


@dataclass(frozen=True)
class Script:
    """A personalised exercise script, as cues plus the text a therapist reads."""

    exercise: str
    title: str
    length: str
    cues: tuple[Cue, ...]
    text: str
    pronoun: str = ""
    """The pronoun used for the compassionate other's image ("" when none is spoken of)."""
    pronoun_inferred: bool = True
    """The pronoun was inferred from the image's words rather than chosen."""

    @property
    def sentences(self) -> tuple[str, ...]:
        """The spoken sentences in order."""
        return tuple(c.text for c in self.cues if isinstance(c, Say))

    @property
    def pauses(self) -> tuple[Pause, ...]:
        """The silences we place, in order."""
        return tuple(c for c in self.cues if isinstance(c, Pause))
