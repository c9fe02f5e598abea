"""The master and export stages: the whole mix brought to target loudness and encoded.

The mix is made once and replayed from a private temporary file by later passes: one
pass profiles it (while a second thread mixes the blocks ahead) and solves the gain,
one limits, measures and writes the file (and one more, rarely, where the written track
missed its loudness).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..export.encode import encode_stream
from ..export.tags import TrackInfo
from ..sound import RATE
from ..sound.ahead import pulled_ahead
from ..sound.master import Measurement, TrackMeter, faded, mastered_blocks, plan_master
from ..sound.mix import MixStats
from ..sound.spool import Replay
from .context import Progress
from .mix import Mix

WRITE_PASSES = 2
"""Most times a track is written: once, and again if the loudness model missed."""


@dataclass(frozen=True)
class Mastered:
    """A written track: where it is, what it measured, how far the voice sits over the bed."""

    path: Path
    """The hidden temp file written (the caller publishes it)."""
    measured: Measurement
    speech_to_background: float


def master(mix: Mix, info: TrackInfo, progress: Progress, temps: Callable[[], Path],
           stem: str = "mix") -> Mastered:
    """Master the mix (or write one stem at its level in it) into a file from `temps`.

    `temps` gives a new hidden temp file beside the plan's output for each write pass; the
    caller publishes the one returned.
    """
    plan, frames = mix.plan, mix.timeline.frames
    assert plan.output is not None, "a plan made without an output cannot be written"
    stats = MixStats()
    with Replay(lambda: mix.blocks(stats=stats if stats.frames == 0 else None), frames,
                plan.channels) as replay:
        loudness = plan_master(lambda: reported(pulled_ahead(replay()), frames, progress,
                                                "master"),
                               frames, RATE, plan.target_lufs, plan.channels)
        progress("master", 1.0)
        for attempt in range(1, WRITE_PASSES + 1):
            if stem == "mix":
                out = mastered_blocks(replay, frames, RATE, loudness.gain)
            else:
                out = (b * np.float32(loudness.gain)
                       for b in faded(mix.blocks(stem), frames, RATE))
            path, measured = _write(out, mix, info, progress, temps())
            if (stem != "mix" or attempt == WRITE_PASSES
                    or loudness.on_target(measured.loudness)):
                break
            # the limiter model missed (rare): correct it by what this pass measured
            loudness = loudness.corrected(measured.loudness)
    progress("export", 1.0)
    return Mastered(path, measured, stats.speech_to_background_db)


def _write(blocks: Iterable[np.ndarray], mix: Mix, info: TrackInfo, progress: Progress,
           into: Path) -> tuple[Path, Measurement]:
    """Encode one pass into the temp file `into`; the file and what it measured."""
    plan = mix.plan
    assert plan.output is not None
    meter = TrackMeter(RATE, plan.channels)
    out = meter.through(reported(blocks, mix.timeline.frames, progress, "export"))
    path = encode_stream(out, RATE, plan.output, plan.format, info, plan.channels, into)
    return path, meter.measurement()


def reported(blocks: Iterable[np.ndarray], frames: int, progress: Progress,
             stage: str) -> Iterator[np.ndarray]:
    """Pass blocks through, reporting the fraction of the track done."""
    done = 0
    for block in blocks:
        done += len(block)
        progress(stage, min(0.99, done / max(1, frames)))
        yield block

