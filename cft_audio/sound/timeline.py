"""Place speech, silences and bells on a timeline; report when every cue happens."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..script.cues import Bell, Breath, Cue, Pause, Say
from .bell import bell
from .signal import PCM16_SCALE

LEAD_IN = 1.5
"""Seconds of bed before the first cue."""
BELL_SPACING = 4.0
"""Seconds after a bell strike before the next cue starts."""
TAIL = 5.0
"""Seconds of bed after the last cue (the master fades out across it)."""


@dataclass(frozen=True)
class TimedCue:
    """A cue with its start and end on the finished track, in seconds."""

    start: float
    end: float
    cue: Cue


@dataclass(frozen=True)
class Placement:
    """One sound on the foreground: which source, from which sample, at what gain."""

    start: int
    source: int
    gain: float = 1.0


@dataclass(frozen=True)
class Timeline:
    """The foreground (speech, bells, breath tones) as placed sources, mono at `sample_rate`.

    Nothing track-long is held: `block` sums the sources that overlap a stretch of
    samples, so the mixer can stream a track of any length.
    """

    sources: tuple[np.ndarray, ...]
    """Mono sources: float32, or int16 at full scale 32767 (speech, to halve its memory)."""
    placements: tuple[Placement, ...]
    frames: int
    speech_spans: tuple[tuple[int, int], ...]
    cues: tuple[TimedCue, ...]
    sample_rate: int

    @property
    def seconds(self) -> float:
        """Total length of the track."""
        return self.frames / self.sample_rate

    def block(self, start: int, count: int) -> np.ndarray:
        """The foreground from sample `start`, `count` samples long (mono float32)."""
        out = np.zeros(max(0, min(count, self.frames - start)), dtype=np.float32)
        stop = start + len(out)
        for place in self._overlapping(start, stop):
            source = self.sources[place.source]
            a, b = max(start, place.start), min(stop, place.start + len(source))
            piece = source[a - place.start : b - place.start]
            gain = place.gain / PCM16_SCALE if source.dtype == np.int16 else place.gain
            out[a - start : b - start] += piece if gain == 1.0 else piece * np.float32(gain)
        return out

    @property
    def foreground(self) -> np.ndarray:
        """The whole foreground at once (for tests and short tracks)."""
        return self.block(0, self.frames)

    def _overlapping(self, start: int, stop: int):
        index = bisect.bisect_left(self._starts, stop)
        longest = self._longest
        first = bisect.bisect_left(self._starts, start - longest)
        for place in self.placements[first:index]:
            if place.start + len(self.sources[place.source]) > start:
                yield place

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [p.start for p in self.placements]

    @functools.cached_property
    def _longest(self) -> int:
        return max((len(s) for s in self.sources), default=0)


def fixed_seconds(
    cues: Sequence[Cue], speech_seconds: Sequence[float], sentence_gap: float
) -> float:
    """Length of everything except the pauses, which fitting may scale."""
    total = LEAD_IN + TAIL
    speech = iter(speech_seconds)
    previous: Cue | None = None
    for cue in cues:
        if isinstance(cue, Say):
            total += next(speech) + (sentence_gap if isinstance(previous, Say) else 0.0)
        elif isinstance(cue, Bell):
            total += BELL_SPACING
        elif isinstance(cue, Breath):
            total += cue.seconds
        previous = cue
    return total


def layout(
    cues: Sequence[Cue],
    speech: Sequence[np.ndarray],
    pauses: Sequence[float],
    sentence_gap: float,
    sample_rate: int,
    breath_tone: Callable[[Breath], np.ndarray] | None = None,
) -> Timeline:
    """Place each cue after the previous one; pauses are taken in order from `pauses`.

    Identical speech arrays (the same sentence said twice) are stored once. With
    `breath_tone`, each Breath block carries the pacing tone it returns.
    """
    sources: list[np.ndarray] = []
    known: dict[int, int] = {}

    def source_of(audio: np.ndarray) -> int:
        if id(audio) not in known:
            known[id(audio)] = len(sources)
            sources.append(audio)
        return known[id(audio)]

    strike = bell(sample_rate)
    clips, waits = iter(speech), iter(pauses)
    timed: list[TimedCue] = []
    spans: list[tuple[int, int]] = []
    placements: list[Placement] = []
    t = LEAD_IN
    previous: Cue | None = None
    for cue in cues:
        start = t
        if isinstance(cue, Say):
            if isinstance(previous, Say):
                start = t = t + sentence_gap
            clip = next(clips)
            first = int(round(t * sample_rate))
            placements.append(Placement(first, source_of(clip)))
            spans.append((first, first + len(clip)))
            t += len(clip) / sample_rate
        elif isinstance(cue, Pause):
            t += next(waits)
        elif isinstance(cue, Breath):
            if breath_tone is not None:
                placements.append(Placement(int(round(t * sample_rate)),
                                            source_of(breath_tone(cue))))
            t += cue.seconds
        elif isinstance(cue, Bell):
            placements.append(Placement(int(round(t * sample_rate)), source_of(strike)))
            t += BELL_SPACING
        timed.append(TimedCue(start=start, end=t, cue=cue))
        previous = cue
    frames = int(round((t + TAIL) * sample_rate))
    placements.sort(key=lambda p: p.start)
    return Timeline(tuple(sources), tuple(placements), frames, tuple(spans), tuple(timed),
                    sample_rate)
