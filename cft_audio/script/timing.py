"""Timing: how long each cue lasts, and the silences fitted so a track hits its target.

The one place that knows durations. Before any speech it estimates a script's reach
from word counts; once speech is measured it fits the pauses and schedules every cue
(its start and end on the track). `sound.timeline` only places samples where the
schedule says.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from .cues import Bell, Breath, Cue, Pause, Say, Script, Section

LEAD_IN = 1.5
"""Seconds of bed before the first cue."""
BELL_SPACING = 4.0
"""Seconds after a bell strike before the next cue starts."""
TAIL = 5.0
"""Seconds of bed after the last cue (the master fades out across it)."""
MIN_PAUSE = 1.0
"""No silence we place is shorter than this (seconds)."""
MAX_PAUSE = 60.0
"""No silence we place is longer than this (seconds)."""
IMAGERY_PAUSE = 8.0
"""Shortest silence after an invitation to imagine, at any pace and any fitted length."""
WORDS_PER_SECOND = 3.66
"""Measured speaking rate of the default voice at length scale 1 (for planning only)."""
LENGTH_ELASTICITY = 0.8
"""Speech duration grows as length_scale ** 0.8 (Piper rounds short phonemes up)."""
PLANNING_MARGIN = 0.06
"""Estimated ranges are narrowed by this share, so what is promised is reached."""


class Pace(Protocol):
    """What timing reads of a pace (`voices.presets.Pace` is one)."""

    @property
    def pause_factor(self) -> float:
        """Multiplier on the script's nominal pauses."""

    @property
    def between_sentences(self) -> float:
        """Silence between consecutive spoken sentences."""

    def added_seconds(self, text: str) -> float:
        """Estimate of the silence the voice adds inside one spoken text."""


@dataclass(frozen=True)
class Reach:
    """The track lengths a script can be fitted to, and its natural length, in seconds."""

    shortest: float
    longest: float
    natural: float
    """With the pauses at their nominal length for the pace."""

    def reaches(self, seconds: float) -> bool:
        """Whether the script can be fitted to `seconds`."""
        return self.shortest <= seconds <= self.longest

    def narrowed(self, margin: float) -> Reach:
        """The range narrowed by `margin` (a share) at both ends; the natural length kept."""
        return Reach(self.shortest * (1 + margin), self.longest * (1 - margin), self.natural)


class TargetOutOfReach(ValueError):
    """The target cannot be met within the pause bounds."""

    def __init__(self, reach: Reach):
        self.reach = reach
        super().__init__(f"reachable range is {reach.shortest:.0f}-{reach.longest:.0f} seconds")


@dataclass(frozen=True)
class Preview:
    """A script as it would be rendered: pauses (estimated fit) and estimated duration."""

    script: Script
    pauses: tuple[float, ...]
    seconds: float


@dataclass(frozen=True)
class Schedule:
    """Every cue of a track at its start and end, and the track's whole length."""

    cues: tuple[TimedCue, ...]
    seconds: float
    """From the start of the lead-in to the end of the tail."""


@dataclass(frozen=True)
class TimedCue:
    """A cue with its start and end on the finished track, in seconds."""

    start: float
    end: float
    cue: Cue

    @property
    def seconds(self) -> float:
        """How long the cue lasts on the track."""
        return self.end - self.start


def floor(pause: Pause) -> float:
    """The shortest this silence may become after pace and fitting."""
    return IMAGERY_PAUSE if pause.imagery else MIN_PAUSE


def floors(script: Script) -> tuple[float, ...]:
    """The shortest each of the script's pauses may become (imagery pauses: eight seconds)."""
    return tuple(floor(p) for p in script.pauses)


def nominal_pauses(script: Script, pace: Pace) -> tuple[float, ...]:
    """The script's pauses at this pace, within the clinical bounds."""
    return clamp_pauses([p.seconds * pace.pause_factor for p in script.pauses], floors(script))


def clamp_pauses(
    pauses: Sequence[float], lows: Sequence[float] | None = None
) -> tuple[float, ...]:
    """Keep each pause within the clinical bounds (its own floor, if given, else MIN_PAUSE)."""
    lows = lows if lows is not None else [MIN_PAUSE] * len(pauses)
    return tuple(min(MAX_PAUSE, max(low, p)) for p, low in zip(pauses, lows, strict=True))


def reach(
    pauses: Sequence[float], fixed: float, lows: Sequence[float] | None = None
) -> Reach:
    """Shortest and longest totals reachable with these pauses around `fixed` seconds."""
    lows = lows if lows is not None else [MIN_PAUSE] * len(pauses)
    return Reach(shortest=fixed + sum(max(MIN_PAUSE, low) for low in lows),
                 longest=fixed + MAX_PAUSE * len(pauses), natural=fixed + sum(pauses))


def fit_pauses(
    pauses: Sequence[float], fixed: float, target: float, lows: Sequence[float] | None = None
) -> tuple[float, ...]:
    """Scale all pauses by one factor (then clamp to their floors) so the total hits `target`."""
    reachable = reach(pauses, fixed, lows)
    if not pauses or not reachable.reaches(target):
        raise TargetOutOfReach(reachable)
    wanted = target - fixed
    low, high = 0.0, MAX_PAUSE / max(min(pauses), 1e-6)
    for _ in range(100):
        middle = (low + high) / 2
        if sum(clamp_pauses([p * middle for p in pauses], lows)) < wanted:
            low = middle
        else:
            high = middle
    return clamp_pauses([p * high for p in pauses], lows)


def _lengths(
    cues: Sequence[Cue], speech: Iterable[float], pauses: Iterable[float], sentence_gap: float
) -> Iterator[tuple[float, float]]:
    """(silence before, length) of each cue: sentences and pauses are taken in order."""
    said, waits = iter(speech), iter(pauses)
    previous: Cue | None = None
    for cue in cues:
        match cue:
            case Say():
                yield (sentence_gap if isinstance(previous, Say) else 0.0), next(said)
            case Pause():
                yield 0.0, next(waits)
            case Breath():
                yield 0.0, cue.seconds
            case Bell():
                yield 0.0, BELL_SPACING
            case Section():
                yield 0.0, 0.0
        previous = cue


def fixed_seconds(cues: Sequence[Cue], speech: Sequence[float], sentence_gap: float) -> float:
    """Length of everything except the pauses, which fitting may scale."""
    total = LEAD_IN + TAIL
    for before, length in _lengths(cues, speech, itertools.repeat(0.0), sentence_gap):
        total += length + before
    return total


def schedule(
    cues: Sequence[Cue], speech: Sequence[float], pauses: Sequence[float], sentence_gap: float
) -> Schedule:
    """Each cue after the previous one, from the lead-in; the track ends a tail after."""
    t = LEAD_IN
    timed = []
    for cue, (before, length) in zip(cues, _lengths(cues, speech, pauses, sentence_gap),
                                     strict=True):
        start = t = t + before
        t += length
        timed.append(TimedCue(start=start, end=t, cue=cue))
    return Schedule(tuple(timed), t + TAIL)


def estimated_speech(script: Script, pace: Pace, length_scale: float) -> list[float]:
    """Each sentence's spoken length, estimated from its word count (before any speech)."""
    rate = WORDS_PER_SECOND / length_scale**LENGTH_ELASTICITY
    return [len(s.split()) / rate + pace.added_seconds(s) for s in script.sentences]


def _estimated_fixed(script: Script, pace: Pace, length_scale: float) -> float:
    """Everything but the pauses, with speech length estimated from word counts."""
    speech = estimated_speech(script, pace, length_scale)
    return fixed_seconds(script.cues, speech, pace.between_sentences)


def estimate(script: Script, pace: Pace, length_scale: float) -> Reach:
    """Planning estimate of the shortest, longest and natural length of a script."""
    fixed = _estimated_fixed(script, pace, length_scale)
    return reach(nominal_pauses(script, pace), fixed, floors(script)).narrowed(PLANNING_MARGIN)


def preview(script: Script, pace: Pace, length_scale: float, target: float | None) -> Preview:
    """The script with estimated pause lengths and duration, without synthesising."""
    nominal = nominal_pauses(script, pace)
    fixed = _estimated_fixed(script, pace, length_scale)
    pauses = nominal
    if target is not None:
        try:
            pauses = fit_pauses(nominal, fixed, target, floors(script))
        except TargetOutOfReach:
            pauses = nominal
    return Preview(script=script, pauses=pauses, seconds=fixed + sum(pauses))


def timed(script: Script, pace: Pace, speech: Sequence[float], target: float | None) -> Schedule:
    """The track's schedule from measured speech: pauses nominal at this pace, or fitted so
    the track hits `target` (TargetOutOfReach if it cannot)."""
    pauses = nominal_pauses(script, pace)
    if target is not None:
        fixed = fixed_seconds(script.cues, speech, pace.between_sentences)
        pauses = fit_pauses(pauses, fixed, target, floors(script))
    return schedule(script.cues, speech, pauses, pace.between_sentences)


def sections(cues: Sequence[TimedCue]) -> tuple[tuple[float, str], ...]:
    """(start, title) of each section of a scheduled track: its chapters."""
    return tuple((t.start, t.cue.title) for t in cues if isinstance(t.cue, Section))


def pause_lengths(cues: Sequence[TimedCue]) -> tuple[float, ...]:
    """How long each placed silence of a scheduled track lasts, in order."""
    return tuple(t.seconds for t in cues if isinstance(t.cue, Pause))
