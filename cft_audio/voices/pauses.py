"""Added silences inside one engine call: where a clause mark is quietest, and the cut itself."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

PAUSE_FADE_SECONDS = 0.02
"""Fade out and in either side of an added clause pause (no click where it opens)."""


def quietest(audio: np.ndarray, start: int, stop: int, step: int = 64) -> int:
    """The sample between `start` and `stop` where the audio is quietest (by 64-sample steps)."""
    piece = np.abs(audio[start:stop])
    if len(piece) < step:
        return (start + stop) // 2
    levels = piece[: len(piece) // step * step].reshape(-1, step).max(axis=1)
    return start + int(np.argmin(levels)) * step + step // 2


def mark_points(audio: np.ndarray, ids: Sequence[int], frames: np.ndarray,
                marks: Collection[int], last: int) -> list[int]:
    """Where to open a pause at each mark id before index `last`, from the frames per id.

    Each point is the quietest moment of the mark and the id after it (a pad or a space),
    placed by the model's own durations, not by guessing.
    """
    ends = np.cumsum(frames)
    hop = len(audio) / ends[-1]
    return [quietest(audio, int(hop * (ends[i] - frames[i])), int(hop * ends[i + 1]))
            for i in range(min(last, len(ids) - 1)) if ids[i] in marks]


def insert_silences(audio: np.ndarray, points: list[int], length: int, fade: int) -> np.ndarray:
    """`audio` with `length` samples of silence at each point, faded out and in around it."""
    points = sorted(p for p in set(points) if 0 < p < len(audio))
    if not points or length <= 0:
        return audio
    ramp = np.linspace(1.0, 0.0, fade + 2, dtype=np.float32)[1:-1]
    pieces, start = [], 0
    for point in points:
        piece = np.array(audio[start:point], dtype=np.float32)
        if start:
            head = min(fade, len(piece))
            piece[:head] *= ramp[::-1][:head]
        tail = min(fade, len(piece))
        if tail:
            piece[-tail:] *= ramp[fade - tail:]
        pieces += [piece, np.zeros(length, dtype=np.float32)]
        start = point
    last = np.array(audio[start:], dtype=np.float32)
    head = min(fade, len(last))
    last[:head] *= ramp[::-1][:head]
    return np.concatenate([*pieces, last])
