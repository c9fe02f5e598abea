"""Place speech, silences and bells on a timeline; report when every cue happens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..script.cues import Bell, Breath, Cue, Pause, Say
from .bell import BELL_SECONDS, bell

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
class Timeline:
    """The foreground (speech and bells) laid out in time, mono at `sample_rate`."""

    foreground: np.ndarray
    speech_spans: tuple[tuple[int, int], ...]
    cues: tuple[TimedCue, ...]
    sample_rate: int

    @property
    def seconds(self) -> float:
        """Total length of the track."""
        return len(self.foreground) / self.sample_rate


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
) -> Timeline:
    """Place each cue after the previous one; pauses are taken in order from `pauses`."""
    speech_seconds = [len(s) / sample_rate for s in speech]
    total = fixed_seconds(cues, speech_seconds, sentence_gap) + sum(pauses)
    frames = int(round(total * sample_rate)) + int(BELL_SECONDS * sample_rate)
    foreground = np.zeros(frames, dtype=np.float32)
    strike = bell(sample_rate)
    clips, waits = iter(speech), iter(pauses)
    timed: list[TimedCue] = []
    spans: list[tuple[int, int]] = []
    t = LEAD_IN
    previous: Cue | None = None
    for cue in cues:
        start = t
        if isinstance(cue, Say):
            if isinstance(previous, Say):
                start = t = t + sentence_gap
            clip = next(clips)
            first = int(round(t * sample_rate))
            foreground[first : first + len(clip)] += clip
            spans.append((first, first + len(clip)))
            t += len(clip) / sample_rate
        elif isinstance(cue, Pause):
            t += next(waits)
        elif isinstance(cue, Breath):
            t += cue.seconds
        elif isinstance(cue, Bell):
            first = int(round(t * sample_rate))
            foreground[first : first + len(strike)] += strike
            t += BELL_SPACING
        timed.append(TimedCue(start=start, end=t, cue=cue))
        previous = cue
    end = int(round((t + TAIL) * sample_rate))
    foreground = foreground[:end]
    foreground.flags.writeable = False
    return Timeline(foreground, tuple(spans), tuple(timed), sample_rate)
