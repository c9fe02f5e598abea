"""The ffmpeg binary shipped by imageio-ffmpeg, and decoding through it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from .errors import ExportError, with_detail


def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary (never a system one)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: Path, sample_rate: int = 44100, channels: int = 2) -> np.ndarray:
    """Decode any audio file to float32 of shape (frames, channels)."""
    command = [
        ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path),
        "-f", "f32le", "-acodec", "pcm_f32le", "-ac", str(channels), "-ar", str(sample_rate), "-",
    ]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise with_detail(ExportError(f"cannot decode {Path(path).name}"),
                          result.stderr.decode(errors="replace")[-300:].strip())
    return np.frombuffer(result.stdout, dtype=np.float32).reshape(-1, channels)
