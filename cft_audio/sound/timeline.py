"""Place speech, bells and breath tones on a timeline, where the timing schedule puts them."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..script.cues import Bell, Breath, Say
from ..script.timing import Schedule, TimedCue
from .bell import bell
from .signal import PCM16_SCALE


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


def layout(
    schedule: Schedule,
    speech: Sequence[np.ndarray],
    sample_rate: int,
    breath_tone: Callable[[Breath], np.ndarray] | None = None,
) -> Timeline:
    """Place each sound where the schedule puts its cue: speech, bells, breath tones.

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
    clips = iter(speech)
    spans: list[tuple[int, int]] = []
    placements: list[Placement] = []
    for timed in schedule.cues:
        first = int(round(timed.start * sample_rate))
        match timed.cue:
            case Say():
                clip = next(clips)
                placements.append(Placement(first, source_of(clip)))
                spans.append((first, first + len(clip)))
            case Breath() if breath_tone is not None:
                placements.append(Placement(first, source_of(breath_tone(timed.cue))))
            case Bell():
                placements.append(Placement(first, source_of(strike)))
    frames = int(round(schedule.seconds * sample_rate))
    placements.sort(key=lambda p: p.start)
    return Timeline(tuple(sources), tuple(placements), frames, tuple(spans), schedule.cues,
                    sample_rate)
