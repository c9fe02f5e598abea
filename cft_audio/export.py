"""Encode the mastered track, tag it, and write it atomically (temp file, then rename)."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ExportError, InvalidRequest
from .ffmpeg import ffmpeg_exe


@dataclass(frozen=True)
class Format:
    """How one output format is encoded."""

    extension: str
    ffmpeg_format: str
    codec: str | None
    bitrate: str | None
    quality: tuple[str, ...] = ()
    """Extra encoder options."""


FORMATS: dict[str, Format] = {
    # VBR V4 (about 160 kb/s): CBR 128k measurably drops the quiet bed (-0.45 LU overall).
    "mp3": Format("mp3", "mp3", "libmp3lame", None, ("-q:a", "4")),
    "m4a": Format("m4a", "ipod", "aac", "128k"),
    "wav": Format("wav", "wav", None, None),
}
"""Output formats by name."""


def plan_output(output: Path | None, exercise: str, length: str, fmt: str) -> Path:
    """Where the file goes: an explicit file, or a fresh name in a folder (never overwrites)."""
    target = Path("output") if output is None else Path(output)
    if target.suffix and target.suffix.lower().lstrip(".") in FORMATS:
        _check_writable_folder(target.parent)
        return target
    _check_writable_folder(target)
    stem = f"{exercise}-{length}"
    candidate = target / f"{stem}.{FORMATS[fmt].extension}"
    number = 2
    while candidate.exists():
        candidate = target / f"{stem}-{number}.{FORMATS[fmt].extension}"
        number += 1
    return candidate


def _check_writable_folder(folder: Path) -> None:
    """The folder exists (or can be created under a writable parent) and can be written."""
    probe = folder if str(folder) else Path(".")
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    try:
        if not probe.is_dir():
            raise NotADirectoryError(str(probe))
        with tempfile.TemporaryFile(dir=probe):  # unnamed where the OS allows: leaves no trace
            pass
    except OSError as error:
        raise InvalidRequest(
            "output", f"cannot write to {str(folder)!r}", "a writable folder or file path"
        ) from error


def export(
    audio: np.ndarray, sample_rate: int, target: Path, fmt: str, tags: Mapping[str, str]
) -> Path:
    """Encode float audio to `target` through a temp file in the same folder."""
    with warnings.catch_warnings():  # pydub warns when no ffmpeg is on PATH; we pass ours
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment

    spec = FORMATS[fmt]
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype("<i2")
    segment = AudioSegment(pcm.tobytes(), sample_width=2, frame_rate=sample_rate, channels=2)
    segment.converter = ffmpeg_exe()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=".part", dir=target.parent
        )
    except OSError as error:
        raise InvalidRequest("output", f"cannot write to {str(target.parent)!r}: {error.strerror}",
                             "a writable folder or file path") from error
    os.close(handle)
    temp = Path(temp_name)
    try:
        segment.export(
            str(temp),
            format=spec.ffmpeg_format,
            codec=spec.codec,
            bitrate=spec.bitrate,
            parameters=list(spec.quality),
            tags=dict(tags),
            id3v2_version="3",
        ).close()
        os.replace(temp, target)
    except Exception as error:
        temp.unlink(missing_ok=True)
        raise ExportError(f"encoding {target.name} failed: {str(error)[-300:]}") from error
    return target
