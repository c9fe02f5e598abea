"""Decide which tracks are already done: their render record matches and their audio is intact."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..pipeline import versions as render_versions
from ..sidecars import OUTPUT_SHA256, file_sha256, render_record
from .plan import Track

_IGNORED = ("output",)
"""Request fields that do not change the sound (the folder may move between runs)."""


def fingerprint(request: dict, versions: dict, script_sha256: str) -> str:
    """A hash of a track's settings, the versions that shaped it and its script."""
    settings = {k: v for k, v in request.items() if k not in _IGNORED}
    blob = json.dumps({"request": settings, "versions": versions, "script": script_sha256},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def expected_fingerprint(track: Track) -> str:
    """The fingerprint a fresh render of `track` would record."""
    fields = {k: (str(v) if isinstance(v, Path) else v)
              for k, v in track.request.__dict__.items()}
    record = json.loads(render_record(request=fields, versions=render_versions()))
    script = hashlib.sha256(track.script.text.encode("utf-8")).hexdigest()
    return fingerprint(record["request"], record["versions"], script)


def record_path(track: Track) -> Path:
    """The render record beside the track."""
    return track.path.with_suffix(".json")


def is_done(track: Track, expected: str | None = None) -> bool:
    """True when the track, its captions and its matching record are all there and intact."""
    record_file, captions = record_path(track), track.path.with_suffix(".vtt")
    if not (track.path.is_file() and record_file.is_file() and captions.is_file()):
        return False
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        found = fingerprint(record["request"], record["versions"], record["script_sha256"])
        digest = record[OUTPUT_SHA256]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if found != (expected or expected_fingerprint(track)):
        return False
    return file_sha256(track.path) == digest


