"""The ffmpeg binary shipped by imageio-ffmpeg, decoding through it, and reading its messages."""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from .errors import ExportError, with_detail

_STDERR_LINES = 20


def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary (never a system one)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: Path, sample_rate: int = 44100, channels: int = 2) -> np.ndarray:
    """Decode any audio file to float32 of shape (frames, channels)."""
    blocks = list(decode_blocks(path, sample_rate, channels))
    return np.concatenate(blocks) if blocks else np.zeros((0, channels), dtype=np.float32)


_SAMPLES = {"f32le": "<f4", "s16le": "<i2"}
"""Raw sample formats ffmpeg can hand over, with their NumPy types."""


def decode_blocks(path: Path, sample_rate: int = 44100, channels: int = 2,
                  block_seconds: float = 10.0, *, pcm: str = "f32le",
                  seconds: float | None = None) -> Iterator[np.ndarray]:
    """The file's first audio stream as (frames, channels) blocks, as ffmpeg decodes it.

    Samples are float32 (`pcm` "f32le") or int16 ("s16le"); `seconds` stops after that
    much of the file. Memory stays at one block whatever the file's length. A file ffmpeg
    cannot decode raises ExportError("cannot decode NAME") with ffmpeg's last message as
    its detail.
    """
    limit = [] if seconds is None else ["-t", f"{seconds:g}"]
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
               *limit, "-map", "0:a:0", "-f", pcm, "-acodec", f"pcm_{pcm}",
               "-ac", str(channels), "-ar", str(sample_rate), "pipe:1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    assert process.stdout is not None and process.stderr is not None
    tail = StderrTail(process.stderr)
    sample = np.dtype(_SAMPLES[pcm])
    frame_bytes = sample.itemsize * channels
    block_bytes = max(1, round(block_seconds * sample_rate)) * frame_bytes
    try:
        while chunk := process.stdout.read(block_bytes):
            usable = len(chunk) - len(chunk) % frame_bytes
            yield np.frombuffer(chunk[:usable], dtype=sample).reshape(-1, channels)
    except BaseException:  # the reader stopped early (or failed): stop ffmpeg too
        process.kill()
        process.wait()
        raise
    finally:
        process.stdout.close()
    if process.wait() != 0:
        raise with_detail(ExportError(f"cannot decode {Path(path).name}"), tail.last())


class StderrTail:
    """Reads a process's stderr on a thread (so it can never fill up), keeping the last lines."""

    def __init__(self, stream: IO[bytes]):
        self.lines: deque[str] = deque(maxlen=_STDERR_LINES)
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            text = raw.decode("utf-8", "replace").strip()
            if text:
                self.lines.append(text)
        stream.close()

    def last(self) -> str:
        """The last non-empty line, once the process has ended."""
        self._thread.join(timeout=5)
        return self.lines[-1] if self.lines else "no message from ffmpeg"
