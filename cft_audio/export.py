"""Stream the finished track through ffmpeg into a tagged file, written atomically."""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from .cover import image_info
from .errors import ExportError, InvalidRequest, ffmpeg_reason, os_reason, with_detail
from .ffmpeg import ffmpeg_exe
from .limits import MAX_FILE_NAME, quoted
from .tempfiles import locked_temp


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
_STDERR_LINES = 20


@dataclass(frozen=True)
class Chapter:
    """A named stretch of the track, in seconds.

    Chapters should tile the track: the first from 0 (M4A players put it there anyway),
    each ending where the next starts, none past the end of the audio (an M4A would
    grow to the last chapter's end). `chapters_from_marks` builds such a list.
    """

    start: float
    end: float
    title: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"chapter {self.title!r}: need 0 <= start <= end")


@dataclass(frozen=True)
class TrackInfo:
    """Everything written into the file besides the audio."""

    title: str
    artist: str = ""
    album: str = ""
    genre: str = ""
    year: int = 0
    """0 leaves the date out."""
    track: int | None = None
    comment: str = ""
    lyrics: str = ""
    cover: bytes | None = None
    """A PNG (or JPEG) image."""
    chapters: tuple[Chapter, ...] = ()

    def __post_init__(self) -> None:
        if self.cover is not None:
            image_info(self.cover)  # raises InvalidRequest("cover") for anything else
        object.__setattr__(self, "chapters", tuple(self.chapters))


def chapters_from_marks(
    marks: Sequence[tuple[float, str]], seconds: float
) -> tuple[Chapter, ...]:
    """Chapters from (start, title) marks: first from 0, each to the next, last to the end."""
    ordered = sorted(marks, key=lambda mark: mark[0])
    if not ordered:
        return ()
    starts = [0.0] + [min(max(0.0, start), seconds) for start, _ in ordered[1:]]
    ends = starts[1:] + [seconds]
    return tuple(Chapter(start, end, title)
                 for start, end, (_, title) in zip(starts, ends, ordered, strict=True))


def plan_output(
    output: Path | None, exercise: str, length: str, fmt: str, sidecars: Iterable[str] = ()
) -> Path:
    """Where the file goes: an explicit file, or a fresh name in a folder (never overwrites).

    A fresh name is also free of the `sidecars` suffixes (e.g. "json"), so a render never
    takes over another render's captions or record.
    """
    target = Path("output") if output is None else Path(output)
    if target.suffix and target.suffix.lower().lstrip(".") in FORMATS:
        if len(target.name.encode("utf-8")) > MAX_FILE_NAME:
            raise InvalidRequest("output", f"the file name {quoted(target.name)} is over the "
                                 f"limit MAX_FILE_NAME = {MAX_FILE_NAME} bytes",
                                 "a shorter file name")
        for path in (target, *(target.with_suffix(f".{s}") for s in sidecars)):
            if _is_dir(path):
                raise InvalidRequest("output", f"{quoted(str(path))} is a folder, not a file",
                                     "a new file path, or a folder name without an audio "
                                     "extension")
        _check_writable_folder(target.parent)
        return target
    _check_writable_folder(target)
    stem, extension = f"{exercise}-{length}", FORMATS[fmt].extension
    suffixes = (extension, *sidecars)
    number = 1
    while True:
        name = stem if number == 1 else f"{stem}-{number}"
        if not any((target / f"{name}.{s}").exists() for s in suffixes):
            return target / f"{name}.{extension}"
        number += 1


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long to be anything: the writability check says why
        return False


def _check_writable_folder(folder: Path) -> None:
    """The folder exists (or can be created under a writable parent) and can be written."""
    probe = folder if str(folder) else Path(".")
    try:
        while not probe.exists():
            if probe.parent == probe:
                break
            probe = probe.parent
        if not probe.is_dir():
            raise NotADirectoryError(str(probe))
        with tempfile.TemporaryFile(dir=probe):  # unnamed where the OS allows: leaves no trace
            pass
    except OSError as error:
        raise InvalidRequest(
            "output", f"cannot write to {quoted(str(folder))} ({os_reason(error)})",
            "a writable folder or file path") from error


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
) -> Path:
    """Encode float blocks (frames × channels, -1..1) as they come into a tagged `target`.

    ffmpeg writes a hidden temp file beside the target, which is tagged, made private
    (0600) and renamed over the target; on any failure nothing is left behind.
    """
    spec = FORMATS[fmt]
    target = Path(target)
    with contextlib.ExitStack() as held:
        temp = _temp_beside(held, target, ".part")
        metadata: Path | None = None
        try:
            if fmt == "m4a" and info.chapters:
                metadata = _temp_beside(held, target, ".chapters.part")
                metadata.write_text(ffmetadata(info.chapters), encoding="utf-8")
            command = _command(spec, sample_rate, channels, temp, metadata)
            _run_encoder(command, blocks, spec.pcm, channels, target.name)
            write_tags(temp, fmt, info)
            os.chmod(temp, 0o600)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        finally:
            if metadata is not None:
                metadata.unlink(missing_ok=True)
    return target


def _temp_beside(held: contextlib.ExitStack, target: Path, suffix: str) -> Path:
    """A new private hidden file in the target's folder (created with the folder if need be),
    locked while `held` is open so that a later run knows whether its writer is alive."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return held.enter_context(locked_temp(target, suffix))
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
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={_ms(chapter.start)}",
                  f"END={_ms(chapter.end)}", f"title={_escape(chapter.title)}"]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    """Escape the characters ffmetadata gives a meaning to."""
    for char in "\\=;#\n":
        value = value.replace(char, "\\" + char)
    return value


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


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


def write_tags(path: Path, fmt: str, info: TrackInfo) -> None:
    """Write `info` into the file in its format's own tag scheme (ID3, MP4 atoms, Vorbis)."""
    writers: dict[str, Callable[[Path, TrackInfo], None]] = {
        "mp3": _tag_id3, "wav": _tag_wav, "m4a": _tag_mp4, "opus": _tag_opus, "flac": _tag_flac,
    }
    from mutagen import MutagenError

    try:
        writers[fmt](Path(path), info)
    except OSError as error:
        raise with_detail(ExportError(f"tagging {Path(path).name} failed: {os_reason(error)}"),
                          str(error)) from error
    except (MutagenError, ValueError) as error:
        cause = error.__context__ if isinstance(error.__context__, OSError) else None
        reason = os_reason(cause) if cause is not None else "the file could not be read back"
        raise with_detail(ExportError(f"tagging {Path(path).name} failed: {reason}"),
                          str(error)) from error


def _id3_frames(info: TrackInfo) -> list:
    """ID3v2.4 frames for every field that has a value, chapters included."""
    from mutagen import id3

    frames: list = [id3.TIT2(encoding=3, text=[info.title])]
    simple = ((id3.TPE1, info.artist), (id3.TALB, info.album), (id3.TCON, info.genre))
    frames += [kind(encoding=3, text=[value]) for kind, value in simple if value]
    if info.track is not None:
        frames.append(id3.TRCK(encoding=3, text=[str(info.track)]))
    if info.year > 0:
        frames.append(id3.TDRC(encoding=3, text=[str(info.year)]))
    if info.comment:
        frames.append(id3.COMM(encoding=3, lang="eng", desc="", text=[info.comment]))
    if info.lyrics:
        frames.append(id3.USLT(encoding=3, lang="eng", desc="", text=info.lyrics))
    if info.cover is not None:
        frames.append(id3.APIC(encoding=3, mime=image_info(info.cover).mime,
                               type=id3.PictureType.COVER_FRONT, desc="Cover", data=info.cover))
    if info.chapters:
        ids = [f"chp{index}" for index in range(1, len(info.chapters) + 1)]
        frames += [
            id3.CHAP(element_id=element, start_time=_ms(c.start), end_time=_ms(c.end),
                     sub_frames=[id3.TIT2(encoding=3, text=[c.title])])
            for element, c in zip(ids, info.chapters, strict=True)
        ]
        frames.append(id3.CTOC(element_id="toc",
                               flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                               child_element_ids=ids,
                               sub_frames=[id3.TIT2(encoding=3, text=["Chapters"])]))
    return frames


def _tag_id3(path: Path, info: TrackInfo) -> None:
    """MP3: an ID3v2.4 tag at the front."""
    from mutagen.id3 import ID3

    tags = ID3()
    for frame in _id3_frames(info):
        tags.add(frame)
    tags.save(path, v2_version=4, v1=0)


def _tag_wav(path: Path, info: TrackInfo) -> None:
    """WAV: an ID3v2.4 tag in an `id3 ` chunk."""
    from mutagen.wave import WAVE

    audio = WAVE(path)
    if audio.tags is None:
        audio.add_tags()
    for frame in _id3_frames(info):
        audio.tags.add(frame)
    audio.save(v2_version=4)


def _tag_mp4(path: Path, info: TrackInfo) -> None:
    """M4A: iTunes-style atoms (chapters were written by ffmpeg at encode time)."""
    from mutagen.mp4 import MP4, MP4Cover

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    values = {"\xa9nam": info.title, "\xa9ART": info.artist, "\xa9alb": info.album,
              "\xa9gen": info.genre, "\xa9cmt": info.comment, "\xa9lyr": info.lyrics,
              "\xa9day": str(info.year) if info.year > 0 else ""}
    for key, value in values.items():
        if value:
            audio.tags[key] = [value]
    if info.track is not None:
        audio.tags["trkn"] = [(info.track, 0)]
    if info.cover is not None:
        kind = MP4Cover.FORMAT_PNG if image_info(info.cover).mime == "image/png" \
            else MP4Cover.FORMAT_JPEG
        audio.tags["covr"] = [MP4Cover(info.cover, imageformat=kind)]
    audio.save()


def vorbis_comments(info: TrackInfo) -> list[tuple[str, str]]:
    """Vorbis comment fields, chapters as CHAPTERxxx / CHAPTERxxxNAME."""
    fields = [("TITLE", info.title), ("ARTIST", info.artist), ("ALBUM", info.album),
              ("GENRE", info.genre), ("COMMENT", info.comment), ("LYRICS", info.lyrics),
              ("TRACKNUMBER", "" if info.track is None else str(info.track)),
              ("DATE", str(info.year) if info.year > 0 else "")]
    pairs = [(key, value) for key, value in fields if value]
    for number, chapter in enumerate(info.chapters, start=1):
        pairs += [(f"CHAPTER{number:03d}", vorbis_time(chapter.start)),
                  (f"CHAPTER{number:03d}NAME", chapter.title)]
    return pairs


def vorbis_time(seconds: float) -> str:
    """HH:MM:SS.mmm, as the Vorbis chapter convention writes times."""
    ms = _ms(seconds)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _picture(cover: bytes):
    """A FLAC picture block (front cover) for the image."""
    from mutagen.flac import Picture

    image = image_info(cover)
    picture = Picture()
    picture.type, picture.mime, picture.desc = 3, image.mime, "Cover"
    picture.width, picture.height, picture.depth = image.width, image.height, 24
    picture.data = cover
    return picture


def _fill_vorbis(tags, info: TrackInfo) -> None:
    """Replace the comments with `info`'s fields (repeated keys kept in order)."""
    tags.clear()
    for key, value in vorbis_comments(info):
        tags.append((key, value))


def _tag_opus(path: Path, info: TrackInfo) -> None:
    """Opus: Vorbis comments; the cover as METADATA_BLOCK_PICTURE."""
    from mutagen.oggopus import OggOpus

    audio = OggOpus(path)
    _fill_vorbis(audio.tags, info)
    if info.cover is not None:
        block = base64.b64encode(_picture(info.cover).write()).decode("ascii")
        audio.tags.append(("METADATA_BLOCK_PICTURE", block))
    audio.save()


def _tag_flac(path: Path, info: TrackInfo) -> None:
    """FLAC: a Vorbis comment block and a picture block."""
    from mutagen.flac import FLAC

    audio = FLAC(path)
    if audio.tags is None:
        audio.add_tags()
    _fill_vorbis(audio.tags, info)
    audio.clear_pictures()
    if info.cover is not None:
        audio.add_picture(_picture(info.cover))
    audio.save()
