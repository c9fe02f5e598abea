"""A content-addressed, size-bounded speech cache on disk, safe for concurrent writers.

Each entry is one synthesised sentence, named by the SHA-256 of everything that
decides its sound (engine identity, settings, prepared text). Entries are written
to a temporary file and renamed into place, so readers see whole entries or none;
a checksum in the header catches anything truncated or damaged, which is then
deleted and synthesised again. The entries speak client names, so the folder is
private to the user (0700, files 0600).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_path, private_folder, text_sha256
from .engine import SpeechClip, VoiceSettings

FORMAT_VERSION = 2
"""Part of every key: bumped when finishing a clip changes for every engine (2: trimming)."""
_MAGIC = b"CFTSPCH1"
_HEADER = struct.Struct("<8sIQ32s")  # magic, sample rate, sample count, sha256 of payload
_SUFFIX = ".speech"
DEFAULT_LIMIT_BYTES = 1 << 30
"""Default bound on the cache's size (1 GiB, about 100 hours of speech at 22 kHz)."""


@dataclass(frozen=True)
class CacheInfo:
    """What the cache holds."""

    folder: Path
    entries: int
    bytes: int
    limit: int


def speech_key(identity: str, settings: VoiceSettings, text: str) -> str:
    """The content address of one sentence spoken by one voice with one set of settings."""
    material = json.dumps(
        {"v": FORMAT_VERSION, "voice": identity, "settings": asdict(settings), "text": text},
        sort_keys=True, ensure_ascii=False,
    )
    return text_sha256(material)


class SpeechCache:
    """Sentences already spoken, kept as float32 at the engine's own rate."""

    def __init__(self, folder: Path, limit_bytes: int = DEFAULT_LIMIT_BYTES):
        self.folder = Path(folder)
        self.limit_bytes = int(limit_bytes)
        self._known_bytes: int | None = None

    def get(self, key: str) -> SpeechClip | None:
        """The cached clip, or None if absent or damaged (a damaged entry is removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        clip = _decode(data)
        if clip is None:
            _remove(path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used survives eviction
        return clip

    def length(self, key: str) -> tuple[int, int] | None:
        """(sample rate, sample count) of an entry from its header alone; None if absent.

        The payload is not checked here: `get` does that when the entry is read.
        """
        try:
            with open(self._path(key), "rb") as file:
                header = file.read(_HEADER.size)
        except OSError:
            return None
        if len(header) < _HEADER.size:
            return None
        magic, rate, count, _ = _HEADER.unpack(header)
        return (int(rate), int(count)) if magic == _MAGIC and rate > 0 else None

    def has(self, key: str) -> bool:
        """Whether an entry exists (it is checked when read)."""
        return self._path(key).is_file()

    def put(self, key: str, clip: SpeechClip) -> bool:
        """Store a clip atomically; evict the oldest entries when over the limit.

        A cache that cannot be written (full disk, read-only folder) is skipped, not fatal.
        """
        path = self._path(key)
        data = _encode(clip)
        try:
            private_folder(path.parent)
            with atomic_path(path) as temp:
                temp.write_bytes(data)
        except OSError:
            return False
        if self._known_bytes is None:
            self._known_bytes = self.info().bytes
        else:
            self._known_bytes += len(data)
        if self._known_bytes > self.limit_bytes:
            self.evict()
        return True

    def evict(self) -> int:
        """Remove least recently used entries until the cache is under 80% of its limit."""
        entries = sorted(self._entries(), key=lambda e: e[1])
        total = sum(size for _, _, size in entries)
        removed = 0
        for path, _, size in entries:
            if total <= self.limit_bytes * 0.8:
                break
            _remove(path)
            total -= size
            removed += 1
        self._known_bytes = total
        return removed

    def info(self) -> CacheInfo:
        """Count and size of the entries."""
        entries = list(self._entries())
        return CacheInfo(self.folder, len(entries), sum(e[2] for e in entries), self.limit_bytes)

    def clear(self) -> int:
        """Delete every entry (and stray temporary files); return how many entries went."""
        removed = 0
        for path, _, _ in list(self._entries()):
            _remove(path)
            removed += 1
        if self.folder.is_dir():
            for stray in self.folder.glob("*/.*.part"):
                _remove(stray)
            for sub in self.folder.iterdir():  # the key-prefix folders, once empty
                with contextlib.suppress(OSError):
                    sub.rmdir()
        self._known_bytes = 0
        return removed

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{_SUFFIX}"

    def _entries(self):
        if not self.folder.is_dir():
            return
        for path in self.folder.glob(f"*/*{_SUFFIX}"):
            try:
                stat = path.stat()
            except OSError:
                continue
            yield path, stat.st_mtime, stat.st_size


def _encode(clip: SpeechClip) -> bytes:
    payload = np.ascontiguousarray(clip.samples, dtype="<f4").tobytes()
    digest = hashlib.sha256(payload).digest()
    return _HEADER.pack(_MAGIC, clip.sample_rate, len(clip.samples), digest) + payload


def _decode(data: bytes) -> SpeechClip | None:
    if len(data) < _HEADER.size:
        return None
    magic, rate, count, digest = _HEADER.unpack_from(data)
    payload = data[_HEADER.size:]
    if magic != _MAGIC or len(payload) != 4 * count or rate <= 0:
        return None
    if hashlib.sha256(payload).digest() != digest:
        return None
    samples = np.frombuffer(payload, dtype="<f4").astype(np.float32)
    samples.flags.writeable = False
    return SpeechClip(samples=samples, sample_rate=int(rate))


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
