"""A stream of audio blocks kept on disk, so later passes replay it instead of mixing again.

Mastering listens to the mix twice (profile, write; a third time if the written
track missed its loudness). Mixing costs more than reading (the beds are
synthesised, the speech placed), so the first pass writes each block to an
anonymous temporary file and the later passes read it back. The
file has no name (deleted as it is made), is private to this process and goes away
when closed or if the process dies. Memory stays one block; the disk holds the mix
(float32: about 21 MB per stereo minute).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import numpy as np

_HEADROOM = 1.2
"""Free disk wanted over the spool's size before spooling (else the mix is remade)."""


def read_blocks(stream: BinaryIO, frames: int, channels: int, block: int,
                what: str) -> Iterator[np.ndarray]:
    """`frames` float32 frames of `channels` from a binary stream, `block` at a time."""
    for start in range(0, frames, block):
        out = np.empty((min(block, frames - start), channels), dtype=np.float32)
        if stream.readinto(memoryview(out).cast("B")) != out.nbytes:
            raise OSError(f"{what} was cut short")
        yield out


class Replay:
    """Calls `make_blocks` once and records it; later calls read the recording back.

    Falls back to calling `make_blocks` again when the disk lacks room or a pass
    stopped early. Use as a context manager (closes the file).
    """

    def __init__(self, make_blocks: Callable[[], Iterable[np.ndarray]], frames: int,
                 channels: int, block: int = 1 << 16, folder: str | None = None):
        self.make_blocks, self.frames, self.channels, self.block = (
            make_blocks, frames, channels, block)
        self._file = None
        self._complete = False
        size = frames * channels * 4
        try:
            free = shutil.disk_usage(folder or tempfile.gettempdir()).free
        except OSError:
            free = 0
        if free > size * _HEADROOM:
            self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed in close()

    def __call__(self) -> Iterator[np.ndarray]:
        """The blocks: recorded on the first call, replayed from disk on later ones."""
        if self._complete:
            return self._replay()
        if self._file is None:
            return iter(self.make_blocks())
        return self._record()

    def _record(self) -> Iterator[np.ndarray]:
        assert self._file is not None
        self._file.seek(0)
        self._file.truncate()
        written = 0
        for block in self.make_blocks():
            out = np.ascontiguousarray(block, dtype=np.float32)
            if self._file is not None:
                try:
                    self._file.write(out.tobytes())
                    written += len(out)
                    # whole once the last frame is in (a consumer may never resume us)
                    self._complete = written == self.frames
                except OSError:  # the disk filled up: stop recording, keep mixing
                    self.close()
            yield out

    def _replay(self) -> Iterator[np.ndarray]:
        assert self._file is not None
        self._file.seek(0)
        return read_blocks(self._file, self.frames, self.channels, self.block, "the mix spool")

    def close(self) -> None:
        """Delete the recording."""
        if self._file is not None:
            self._file.close()
        self._file, self._complete = None, False

    def __enter__(self) -> Replay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
