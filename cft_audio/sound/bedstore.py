"""Beds rendered once and read back: many tracks with the same bed and seed share its samples.

A procedural bed is a pure function of (bed, rate, seed, marks) sample by sample,
whatever the track's length, and only the bowls listen to the marks, so a batch
that gives 30 tracks the same ocean can synthesise it once. The first track writes
the stream to a file as it mixes (temp file, renamed when whole); later tracks read
as much of it as they need, and a track longer than what is stored records it again
from the start (a bed's generator cannot resume). So a batch `prepare`s each bed once,
as long as its longest track, before the tracks mix. A batch gives each run its own
folder and deletes it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import publish
from .beds import BLOCK, Bed, render
from .spool import read_blocks

_VERSION = "v1"
_FRAME_BYTES = 2 * 4
"""Stereo float32."""


@dataclass(frozen=True)
class StoredBed:
    """A bed whose samples come from `folder` when an earlier track already rendered them."""

    bed: Bed
    name: str
    folder: Path

    def blocks(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = (), block: int = BLOCK) -> Iterator[np.ndarray]:
        """The same blocks as the bed's own, read from the store when it holds enough."""
        path = self._path(sample_rate, seed, marks)
        if self.holds(frames, sample_rate, seed, marks):
            return _read(path, frames, block)
        return self._record(path, frames, sample_rate, seed, marks, block)

    def prepare(self, frames: int, sample_rate: int, seed: int,
                marks: Sequence[float] = ()) -> bool:
        """Store at least `frames` frames of the bed now; whether it had to be generated."""
        if self.holds(frames, sample_rate, seed, marks):
            return False
        for _ in self._record(self._path(sample_rate, seed, marks), frames, sample_rate, seed,
                              marks, BLOCK):
            pass
        return True

    def holds(self, frames: int, sample_rate: int, seed: int,
              marks: Sequence[float] = ()) -> bool:
        """Whether the store already holds at least `frames` frames of this bed."""
        try:
            return self._path(sample_rate, seed, marks).stat().st_size >= frames * _FRAME_BYTES
        except OSError:
            return False

    def render(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = ()) -> np.ndarray:
        """The whole bed as one float32 (frames, 2) array."""
        return render(self, frames, sample_rate, seed, marks)

    def _path(self, sample_rate: int, seed: int, marks: Sequence[float]) -> Path:
        # a bed that ignores the marks is shared by tracks whose sections fall elsewhere
        used = marks if getattr(self.bed, "uses_marks", True) else ()
        placed = ",".join(f"{m:.6f}" for m in sorted(used))
        digest = hashlib.sha256(f"{self.bed!r}|{placed}".encode()).hexdigest()[:16]
        return self.folder / f"{self.name}-{sample_rate}-{seed}-{digest}-{_VERSION}.f32"

    def _record(self, path: Path, frames: int, sample_rate: int, seed: int,
                marks: Sequence[float], block: int) -> Iterator[np.ndarray]:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        written = 0
        out = os.fdopen(handle, "wb")
        try:
            for piece in self.bed.blocks(frames, sample_rate, seed, marks, block):
                out.write(np.ascontiguousarray(piece, dtype=np.float32).tobytes())
                written += len(piece)
                if written == frames:  # whole: keep it now (the mixer may never ask again)
                    out.close()
                    if _longer_than_stored(path, frames):
                        publish(Path(temporary), path)
                yield piece
        finally:
            out.close()
            Path(temporary).unlink(missing_ok=True)


def _longer_than_stored(path: Path, frames: int) -> bool:
    try:
        return path.stat().st_size < frames * _FRAME_BYTES
    except OSError:
        return True


def _read(path: Path, frames: int, block: int) -> Iterator[np.ndarray]:
    """The first `frames` frames of a stored bed, block by block."""
    with open(path, "rb") as stored:
        yield from read_blocks(stored, frames, 2, block, f"stored bed {path.name}")
