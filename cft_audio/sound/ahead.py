"""Work done ahead in a background thread, on the second core: the bed, and blocks of a stream.

Speech uses one core; a procedural bed that ignores the section marks depends only on
its rate and seed, sample by sample, so it can be generated on the other core before
the track's length is known. The blocks go to an anonymous temporary file (as the mix
spool does: private, gone when closed); the mixer reads them back and whatever the
track needs beyond them is generated then, from the same stream. The blocks are the
bed's own, bit for bit.

`pulled_ahead` makes the blocks of a stream (the mix) in a thread while the caller
works on the ones made before (profiles them): NumPy and SciPy let go of the
interpreter while they work on whole blocks, so the two share both cores.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from .beds import BLOCK, Bed, render

_FRAME_BYTES = 2 * 4
"""Stereo float32."""
_UNBOUNDED = 1 << 40
"""Frames asked of the bed's stream: more than any track (it is pulled only as needed)."""
_HEADROOM = 1.2
"""Free disk wanted over the bed's expected size before generating ahead."""
_DEPTH = 3
"""Blocks a stream pulled ahead may run ahead of its reader (a few MB)."""
_DONE = object()


class BedAhead:
    """A bed whose first `frames` are generated in the background from the moment it is made.

    `blocks` with the same rate and seed gives the bed's own blocks, read from what was
    generated ahead and then generated on; any other call is the bed's own. Use as a
    context manager (stops the thread, deletes the file).
    """

    def __init__(self, bed: Bed, sample_rate: int, seed: int, frames: int,
                 folder: str | None = None):
        self.bed, self.sample_rate, self.seed = bed, sample_rate, seed
        self._stream = bed.blocks(_UNBOUNDED, sample_rate, seed)
        self._written = 0
        self._file = _spool(frames, folder)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self._file is not None:
            self._thread = threading.Thread(target=self._ahead, args=(frames,), daemon=True,
                                            name="bed-ahead")
            self._thread.start()

    def _ahead(self, frames: int) -> None:
        """Generate up to `frames` into the file, until told to stop (the thread's work)."""
        try:
            while self._written < frames and not self._stop.is_set():
                self._extend()
        except (OSError, MemoryError):
            self._close_file()  # the disk filled up: the mixer generates the bed itself

    def _extend(self) -> None:
        """Pull the stream's next block into the file."""
        assert self._file is not None
        block = np.ascontiguousarray(next(self._stream), dtype=np.float32)
        os.pwrite(self._file.fileno(), block.tobytes(), self._written * _FRAME_BYTES)
        self._written += len(block)

    def blocks(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = (), block: int = BLOCK) -> Iterator[np.ndarray]:
        """The bed's blocks (`marks` do not change it), from the file where it can."""
        self._finish()
        if (sample_rate, seed) != (self.sample_rate, self.seed) or self._file is None:
            return self.bed.blocks(frames, sample_rate, seed, marks, block)
        return self._read(frames, block, marks)

    def _read(self, frames: int, block: int, marks: Sequence[float]) -> Iterator[np.ndarray]:
        for start in range(0, frames, block):
            count = min(block, frames - start)
            try:
                while self._written < start + count:
                    self._extend()
                out = np.empty((count, 2), dtype=np.float32)
                if os.preadv(self._file.fileno(), [memoryview(out).cast("B")],  # type: ignore
                             start * _FRAME_BYTES) != out.nbytes:
                    raise OSError("the bed spool was cut short")
            except OSError:  # the disk filled up: the bed's own blocks from here on
                self._close_file()
                yield from _skipped(self.bed.blocks(frames, self.sample_rate, self.seed,
                                                    marks, block), start)
                return
            yield out

    def render(self, frames: int, sample_rate: int, seed: int,
               marks: Sequence[float] = ()) -> np.ndarray:
        """The whole bed as one float32 (frames, 2) array."""
        return render(self, frames, sample_rate, seed, marks)

    def _finish(self) -> None:
        """Stop the background thread and wait for it (the file is then this thread's)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None

    def close(self) -> None:
        """Stop generating and delete the file."""
        self._finish()
        self._close_file()

    def __enter__(self) -> BedAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _spool(frames: int, folder: str | None):
    """An anonymous temporary file for `frames` of bed, or None where the disk lacks room."""
    try:
        free = shutil.disk_usage(folder or tempfile.gettempdir()).free
    except OSError:
        return None
    if free <= frames * _FRAME_BYTES * _HEADROOM:
        return None
    return tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed in close()


def _skipped(blocks: Iterator[np.ndarray], frames: int) -> Iterator[np.ndarray]:
    """The blocks after the first `frames` frames (which fall on a block boundary)."""
    done = 0
    for block in blocks:
        if done >= frames:
            yield block
        done += len(block)


def pulled_ahead(blocks: Iterable[np.ndarray], depth: int = _DEPTH) -> Iterator[np.ndarray]:
    """The same blocks, made in a background thread up to `depth` ahead of the reader.

    An error in making them is raised here; a reader that stops early stops the thread.
    """
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def make() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        ready.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as error:  # handed to the reader, raised there
            ready.put(error)

    thread = threading.Thread(target=make, daemon=True, name="pulled-ahead")
    thread.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
