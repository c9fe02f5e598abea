"""The mix stage: the background bed (decoded or generated once) under the placed speech."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..script import timing
from ..script.timing import sections
from ..sound import RATE
from ..sound.ahead import BedAhead
from ..sound.beds import Bed, FileBed, bed_for, made_from_seed
from ..sound.bedstore import StoredBed
from ..sound.mix import MixStats, mix_blocks
from ..sound.timeline import Timeline
from .plan import RenderPlan


class BedShelf:
    """The bed for a name or file; a file is decoded once and kept for later renders."""

    def __init__(self, store: Path | None = None):
        self.store = store
        """A folder where generated beds are kept for later tracks; None: none."""
        self._beds: dict[str, Bed] = {}

    def get(self, background: str) -> Bed:
        """The bed for `background` (your own file is decoded, and so checked, here)."""
        if background not in self._beds:
            bed = bed_for(background)
            if isinstance(bed, FileBed):
                bed.load(RATE)
            elif self.store is not None and background != "none":
                bed = StoredBed(bed, background, Path(self.store))
            self._beds = {background: bed}  # one file at a time: its audio can be large
        return self._beds[background]


AHEAD_MARGIN = 1.02
"""Bed generated ahead, over the estimated length (the speech may run a little longer)."""


def bed_ahead(plan: RenderPlan) -> contextlib.AbstractContextManager[Bed]:
    """The plan's bed, generated in the background while the speech is spoken where it can
    be (a bed made from its seed alone, up to the estimated length); else the bed itself."""
    if not made_from_seed(plan.bed):
        return contextlib.nullcontext(plan.bed)
    voicing = plan.voicing
    seconds = plan.target_seconds or timing.preview(
        plan.script, voicing.pace, voicing.settings.length_scale, None).seconds
    return BedAhead(plan.bed, RATE, plan.seed, int(seconds * AHEAD_MARGIN * RATE))


@dataclass(frozen=True)
class Mix:
    """A timeline over its plan's bed: the blocks of the mix (or one stem), made on demand."""

    plan: RenderPlan
    timeline: Timeline

    @property
    def marks(self) -> tuple[float, ...]:
        """Where each section starts, in seconds (a bed may mark them)."""
        return tuple(start for start, _ in sections(self.timeline.cues))

    def blocks(self, stem: str = "mix", stats: MixStats | None = None) -> Iterator[np.ndarray]:
        """The blocks of `stem` (mix, voice or bed) in the plan's channels; `stats` gathers."""
        plan = self.plan
        blocks = mix_blocks(self.timeline, plan.bed, plan.seed, plan.level, self.marks,
                            stem=stem, stats=stats)
        return downmix(blocks) if plan.channels == 1 else blocks


def downmix(blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """Stereo blocks to mono (the voice is centred, so it keeps its level)."""
    for block in blocks:
        yield block.mean(axis=1, keepdims=True, dtype=np.float32)
