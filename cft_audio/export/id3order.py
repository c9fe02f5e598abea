"""ID3v2.4 CHAP frames put in time order in the file (mutagen sorts frames by their size)."""

from __future__ import annotations

import struct
from pathlib import Path

HEADER = 10
"""Bytes of the tag header and of each frame header."""


def _synchsafe(data: bytes) -> int:
    """A 28-bit integer stored as four 7-bit bytes (ID3v2.4 sizes)."""
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def id3_frames(tag: bytes) -> list[bytes]:
    """The whole frames (header and body) of an ID3v2.4 tag's bytes, in file order."""
    if tag[:3] != b"ID3" or tag[3] != 4:
        raise ValueError("not an ID3v2.4 tag")
    end = HEADER + _synchsafe(tag[6:10])
    frames, at = [], HEADER
    while at + HEADER <= end and tag[at:at + 1] not in (b"\0", b""):
        size = _synchsafe(tag[at + 4:at + 8])
        frames.append(tag[at:at + HEADER + size])
        at += HEADER + size
    return frames


def chapter_start(frame: bytes) -> int:
    """A CHAP frame's start time in milliseconds."""
    body = frame[HEADER:]
    element_end = body.index(b"\0") + 1
    return struct.unpack(">I", body[element_end:element_end + 4])[0]


def order_chapters(path: Path) -> None:
    """Rewrite the MP3's leading ID3v2.4 tag in place with its CHAP frames in time order.

    Only the CHAP frames move, among the places they already hold; the tag keeps its size,
    so the audio after it is untouched.
    """
    with open(path, "r+b") as file:
        head = file.read(HEADER)
        if head[:3] != b"ID3":
            return
        tag = head + file.read(_synchsafe(head[6:10]))
        frames = id3_frames(tag)
        chapters = sorted((f for f in frames if f[:4] == b"CHAP"), key=chapter_start)
        ordered = iter(chapters)
        rewritten = [next(ordered) if f[:4] == b"CHAP" else f for f in frames]
        if rewritten != frames:
            file.seek(HEADER)
            file.write(b"".join(rewritten))
