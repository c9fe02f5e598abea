"""A participant's pack: tracks, captions, playlist, handout, phone player page, and a zip."""

from __future__ import annotations

import base64
import zipfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from ..export.player import PlayerTrack, player_html
from ..files import atomic_file, write_text_atomic
from ..practice import Source
from .handout import handout_html
from .manifest import Programme
from .plan import Pack
from .reading import plain_text
from .status import TrackStatus

PLAYLIST = "playlist.m3u8"
HANDOUT = "handout.html"
PLAYER = "index.html"
_ZIPPED_SUFFIXES = {".vtt", ".m3u8", ".html"}
"""Besides the audio: what goes in the zip (the .json render records stay with the therapist)."""


def write_pack(pack: Pack, statuses: Sequence[TrackStatus], programme: Programme) -> Path:
    """Write the pack's playlist, handout and player page, then its zip; return the zip."""
    write_if_changed(pack.folder / PLAYLIST, playlist_m3u8(statuses, programme))
    write_if_changed(pack.folder / HANDOUT, handout_html(programme, statuses))
    write_if_changed(pack.folder / PLAYER, player_page(statuses, programme, pack_key(pack.folder)))
    return write_zip(pack.folder, pack.folder.with_name(pack.folder.name + ".zip"),
                     [s.track.path for s in statuses])


def playlist_m3u8(statuses: Sequence[TrackStatus], programme: Programme) -> str:
    """An extended M3U playlist (UTF-8) with durations and paths relative to the pack."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(programme.title)}"]
    for status in statuses:
        lines.append(f"#EXTINF:{round(status.seconds)},{_one_line(programme.artist)} - "
                     f"{_one_line(status.track.title)}")
        lines.append(status.track.path.name)
    return "\n".join(lines) + "\n"


def pack_key(folder: Path) -> str:
    """What a pack's practice log is keyed to: its batch folder and its own (`batch/pack`)."""
    return f"{folder.parent.name}/{folder.name}"


def player_page(statuses: Sequence[TrackStatus], programme: Programme, key: str = "") -> str:
    """The phone player page (captions inline as data: URIs, which file:// pages may load).

    With `key` (see `pack_key`), it carries the practice log, kept in the phone's browser.
    """
    tracks = [PlayerTrack(title=f"Week {s.track.week}: {s.track.title}",
                          audio_href=quote(s.track.path.name),
                          captions_href=_captions_uri(s.track.path.with_suffix(".vtt")),
                          script=plain_text(s.track.script), seconds=s.seconds)
              for s in statuses]
    practice = Source("pack", key, programme.title) if key else None
    return player_html(programme.title, tracks, subtitle=programme.artist, practice=practice)


def _captions_uri(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return "data:text/vtt;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_if_changed(path: Path, text: str) -> Path:
    """Write text atomically, unless the file already holds exactly that."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    return write_text_atomic(path, text)


def zip_members(folder: Path, audio: Sequence[Path]) -> list[Path]:
    """What the zip holds: the audio, captions, playlist, handout and player page."""
    extra = sorted(p for p in folder.iterdir()
                   if p.suffix in _ZIPPED_SUFFIXES and not p.name.startswith("."))
    return [*audio, *extra]


def write_zip(folder: Path, target: Path, audio: Sequence[Path]) -> Path:
    """Zip the pack (as one folder) through a temp file and rename; skip if up to date."""
    members = zip_members(folder, audio)
    if _up_to_date(target, folder, members):
        return target
    with atomic_file(target) as temp, zipfile.ZipFile(temp, "w") as archive:
        for member in members:
            compress = zipfile.ZIP_DEFLATED if member.suffix in _ZIPPED_SUFFIXES \
                else zipfile.ZIP_STORED
            archive.write(member, f"{folder.name}/{member.name}", compress_type=compress)
    return target


def _up_to_date(target: Path, folder: Path, members: Sequence[Path]) -> bool:
    """The zip exists, is newer than every member, and holds exactly these members."""
    try:
        stamp = target.stat().st_mtime
        if any(m.stat().st_mtime > stamp for m in members):
            return False
        with zipfile.ZipFile(target) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    return names == {f"{folder.name}/{m.name}" for m in members}
