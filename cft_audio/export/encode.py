"""The output formats, where a file goes, and streaming the track through ffmpeg into it."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..clock import milliseconds
from ..errors import ExportError, InvalidRequest, ffmpeg_reason, os_reason, with_detail
from ..ffmpeg import StderrTail, ffmpeg_exe
from ..files import atomic_path, exists, locked_temp
from ..limits import MAX_FILE_NAME, quoted
from .tags import Chapter, TrackInfo, write_tags


@dataclass(frozen=True)
class Format:
    """How one output format is encoded."""

    extension: str
    muxer: str
    codec: str
    options: tuple[str, ...] = ()
    """Encoder options after the codec."""
    pcm: str = "f32le"
    """Raw sample format fed to ffmpeg: float, or 16-bit we round ourselves (lossless)."""


FORMATS: dict[str, Format] = {
    # VBR V4 (about 160 kb/s): CBR 128k measurably drops the quiet bed (-0.45 LU overall).
    "mp3": Format("mp3", "mp3", "libmp3lame", ("-q:a", "4", "-id3v2_version", "0",
                                               "-write_id3v1", "0")),
    "m4a": Format("m4a", "ipod", "aac", ("-b:a", "128k", "-movflags", "+faststart")),
    "opus": Format("opus", "opus", "libopus", ("-b:a", "96k", "-ar", "48000")),
    "flac": Format("flac", "flac", "flac", (), pcm="s16le"),
    "wav": Format("wav", "wav", "pcm_s16le", (), pcm="s16le"),
}
"""Output formats by name."""

_BLOCK_FRAMES = 1 << 16
"""Largest piece converted and written at once (bounds the temporary copies)."""


def plan_output(
    output: Path | None, stem: str, fmt: str, sidecars: Iterable[str] = ()
) -> Path:
    """Where the file goes: an explicit file, or a fresh name in a folder (never overwrites).

    A fresh name is also free of the `sidecars` suffixes (e.g. "json"), so a render never
    takes over another render's captions or record.
    """
    target = Path("output") if output is None else Path(output)
    if is_file_output(output):
        if len(target.name.encode("utf-8")) > MAX_FILE_NAME:
            raise InvalidRequest("output", f"the file name {quoted(target.name)} is over the "
                                 f"limit MAX_FILE_NAME = {MAX_FILE_NAME} bytes",
                                 "a shorter file name")
        for path in (target, *(target.with_suffix(f".{s}") for s in sidecars)):
            if _is_dir(path):
                raise InvalidRequest("output", f"{quoted(str(path))} is a folder, not a file",
                                     "a new file path, or a folder name without an audio "
                                     "extension")
        check_output_folder(target.parent)
        return target
    check_output_folder(target)
    first = automatic_name(target, stem, fmt)
    assert first is not None
    number = 1
    while True:
        name = first.stem if number == 1 else f"{first.stem}-{number}"
        if not any((target / f"{name}.{s}").exists() for s in (first.suffix[1:], *sidecars)):
            return target / f"{name}{first.suffix}"
        number += 1


def is_file_output(output: Path | None) -> bool:
    """Whether `output` names a file (an audio extension) rather than a folder."""
    suffix = Path("output" if output is None else output).suffix
    return bool(suffix) and suffix.lower().lstrip(".") in FORMATS


def automatic_name(output: Path | None, stem: str, fmt: str) -> Path | None:
    """The unnumbered automatic name in the folder `output`; None if `output` is a file.

    Which number is free is settled by `publish.reserve`, atomically; `plan_output` only
    looks.
    """
    if is_file_output(output):
        return None
    folder = Path("output") if output is None else Path(output)
    return folder / f"{stem}.{FORMATS[fmt].extension}"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long to be anything: the writability check says why
        return False


def check_output_folder(folder: Path) -> None:
    """The folder exists (or can be created under a writable parent) and can be written;
    else InvalidRequest("output") saying why (not a folder, a symlink loop, read-only…)."""
    probe = folder if str(folder) else Path(".")
    try:
        while not exists(probe):
            if probe.parent == probe:
                break
            probe = probe.parent
        if probe.is_dir():
            with tempfile.TemporaryFile(dir=probe):  # unnamed where the OS allows: no trace
                pass
    except OSError as error:
        raise InvalidRequest(
            "output", f"cannot write to {quoted(str(folder))} ({os_reason(error)})",
            "a writable folder or file path") from error
    if not probe.is_dir():
        message = f"{quoted(str(probe))} is not a folder"
        if probe != folder:
            message = f"cannot write to {quoted(str(folder))} ({message})"
        raise InvalidRequest("output", message, "a writable folder or file path")


def iter_blocks(audio: np.ndarray, frames: int = _BLOCK_FRAMES) -> Iterator[np.ndarray]:
    """Views of consecutive `frames`-long pieces of an in-memory track."""
    for start in range(0, len(audio), frames):
        yield audio[start : start + frames]


def encode_stream(
    blocks: Iterable[np.ndarray],
    sample_rate: int,
    target: Path,
    fmt: str,
    info: TrackInfo,
    channels: int = 2,
    into: Path | None = None,
) -> Path:
    """Encode float blocks (frames × channels, -1..1) as they come into a tagged `target`.

    ffmpeg writes a hidden temp file beside the target, which is tagged, made private
    (0600) and renamed over the target; on any failure nothing is left behind. With `into`
    (a temp file the caller publishes) the track is written there instead, and `into` is
    returned.
    """
    spec = FORMATS[fmt]
    target = Path(target)
    with contextlib.ExitStack() as held:
        temp = _temp_beside(held, target, ".part") if into is None else Path(into)
        if fmt == "m4a" and info.chapters:
            metadata = _temp_beside(held, target, ".chapters.part", publish=False)
            metadata.write_text(ffmetadata(info.chapters), encoding="utf-8")
        else:
            metadata = None
        _run_encoder(_command(spec, sample_rate, channels, temp, metadata), blocks, spec.pcm,
                     channels, target.name)
        write_tags(temp, fmt, info)
    return target if into is None else Path(into)


def _temp_beside(held: contextlib.ExitStack, target: Path, suffix: str,
                 publish: bool = True) -> Path:
    """A new private hidden file in the target's folder (created with the folder if need be),
    locked while `held` is open so that a later run knows whether its writer is alive; when
    `held` closes it is renamed onto the target (`publish`) if all went well, else removed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if publish:
            return held.enter_context(atomic_path(target, suffix))
        temp = held.enter_context(locked_temp(target, suffix))
        held.callback(temp.unlink, missing_ok=True)
        return temp
    except OSError as error:
        raise InvalidRequest("output", f"cannot write to {quoted(str(target.parent))}: "
                             f"{os_reason(error)}", "a writable folder or file path") from error


def _command(spec: Format, sample_rate: int, channels: int, temp: Path,
             metadata: Path | None) -> list[str]:
    """The ffmpeg command: raw PCM on stdin, one reproducible file out."""
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error",
        "-f", spec.pcm, "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0",
    ]
    if metadata is not None:
        command += ["-f", "ffmetadata", "-i", str(metadata),
                    "-map_metadata", "1", "-map_chapters", "1"]
    else:
        command += ["-map_metadata", "-1", "-map_chapters", "-1"]
    return command + [
        "-map", "0:a", "-c:a", spec.codec, *spec.options,
        "-fflags", "+bitexact", "-flags", "+bitexact",
        "-f", spec.muxer, "-y", str(temp),
    ]


def ffmetadata(chapters: Iterable[Chapter]) -> str:
    """Chapters as an ffmpeg metadata file (millisecond time base)."""
    lines = [";FFMETADATA1"]
    for chapter in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={milliseconds(chapter.start)}",
                  f"END={milliseconds(chapter.end)}", f"title={_escape(chapter.title)}"]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    """Escape the characters ffmetadata gives a meaning to."""
    for char in "\\=;#\n":
        value = value.replace(char, "\\" + char)
    return value


def _run_encoder(command: list[str], blocks: Iterable[np.ndarray], pcm: str, channels: int,
                 name: str) -> None:
    """Start ffmpeg, feed it every block, and check that it finished cleanly."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
    except OSError as error:
        raise ExportError(f"encoding {name} failed: cannot start ffmpeg "
                          f"({error.strerror or error})") from error
    assert process.stdin is not None and process.stderr is not None
    tail = StderrTail(process.stderr)
    broken = False
    try:
        if _feed(process.stdin, blocks, pcm, channels) == 0:
            raise ExportError(f"encoding {name} failed: no audio")
        process.stdin.close()
    except BrokenPipeError:  # ffmpeg stopped reading: its message tells why
        broken = True
        _close_quietly(process.stdin)
    except BaseException:
        process.kill()
        _close_quietly(process.stdin)
        process.wait()
        raise
    if process.wait() != 0 or broken:
        detail = tail.last()
        raise with_detail(ExportError(f"encoding {name} failed: "
                                      f"{ffmpeg_reason(detail, 'the encoder stopped')}"), detail)


def _close_quietly(stream: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        stream.close()


def _feed(stdin: IO[bytes], blocks: Iterable[np.ndarray], pcm: str, channels: int) -> int:
    """Write every block as raw PCM; return the frames written."""
    frames = 0
    for block in blocks:
        samples = np.asarray(block, dtype=np.float32)
        if samples.ndim == 1 and channels == 1:
            samples = samples[:, None]
        if samples.ndim != 2 or samples.shape[1] != channels:
            raise ValueError(f"block of shape {samples.shape}; expected (frames, {channels})")
        for start in range(0, len(samples), _BLOCK_FRAMES):
            stdin.write(pcm_bytes(samples[start : start + _BLOCK_FRAMES], pcm))
        frames += len(samples)
    return frames


def pcm_bytes(samples: np.ndarray, pcm: str) -> bytes:
    """Float samples as little-endian float32, or as 16-bit round(x * 32767) clipped."""
    if pcm == "s16le":
        scaled = np.round(samples * np.float32(32767.0))
        return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()
    return np.ascontiguousarray(samples, dtype="<f4").tobytes()


