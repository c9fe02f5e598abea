"""The file's tags in each format's own scheme (ID3, MP4 atoms, Vorbis comments), chapters."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..clock import milliseconds, timestamp
from ..errors import ExportError, os_reason, with_detail
from .cover import image_info
from .id3order import order_chapters


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
            id3.CHAP(element_id=element, start_time=milliseconds(c.start),
                     end_time=milliseconds(c.end),
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
    from mutagen import id3

    tags = id3.ID3()
    for frame in _id3_frames(info):
        tags.add(frame)
    if info.artist:  # album artist: how players group an album (WAV keeps its pinned bytes)
        tags.add(id3.TPE2(encoding=3, text=[info.artist]))
    tags.save(path, v2_version=4, v1=0)
    order_chapters(path)  # players that read frames in file order show them in time order


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
    values = {"\xa9nam": info.title, "\xa9ART": info.artist, "aART": info.artist,
              "\xa9alb": info.album,
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
        pairs += [(f"CHAPTER{number:03d}", timestamp(chapter.start)),
                  (f"CHAPTER{number:03d}NAME", chapter.title)]
    return pairs




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
    if info.artist:  # album artist (FLAC keeps its pinned bytes)
        audio.tags.append(("ALBUMARTIST", info.artist))
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
