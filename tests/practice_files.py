"""Shared practice log files for tests: a good one, and the hostile ones each check refuses."""

from __future__ import annotations

import datetime
import json
from typing import Any

from cft_audio.practice import MARKER

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def entry(days_ago: float = 1, before: Any = 3, after: Any = 6, note: Any = "calmer",
          **more: Any) -> dict[str, Any]:
    """One entry as the player writes it (a local time with its offset)."""
    at = (NOW - datetime.timedelta(days=days_ago)).astimezone(
        datetime.timezone(datetime.timedelta(hours=1)))
    return {"at": at.isoformat(), "track": "The Safe Place", "before": before,
            "after": after, "note": note, **more}


def log(entries: list[Any] | None = None, **more: Any) -> dict[str, Any]:
    """A whole log (the JSON part of a shared file)."""
    return {"format": "cft-audio practice log", "version": 1,
            "source": {"kind": "recording", "key": "20261201-101010-abcdef/safe-place",
                       "title": "The Safe Place"},
            "made": NOW.isoformat(), "entries": [entry()] if entries is None else entries,
            **more}


def shared(data: Any) -> bytes:
    """The bytes of a shared `.txt`: readable lines, the marker, the JSON."""
    return f"Practice notes: The Safe Place\n\n{MARKER}\n{json.dumps(data)}\n".encode()


def _at(year: int) -> str:
    return f"{year}-06-01T10:00:00+00:00"


HOSTILE: dict[str, tuple[bytes, str]] = {
    "ten megabytes": (shared(log()).ljust(10 * 1024 * 1024, b" "), "larger than"),
    "wrong shape: a list": (shared([1, 2, 3]), "format"),
    "wrong shape: entries an object": (shared(log({"a": 1})), "entries: must be a list"),
    "wrong shape: an unknown field": (shared(log([entry(score=100)])), "unknown field"),
    "rating 99": (shared(log([entry(before=99)])), "entries[0].before: 99"),
    "rating -1": (shared(log([entry(after=-1)])), "entries[0].after: -1"),
    "rating 5.5": (shared(log([entry(after=5.5)])), "entries[0].after: 5.5"),
    "date in 1900": (shared(log([{**entry(), "at": _at(1900)}])), "1900-06-01 is outside"),
    "date in 2100": (shared(log([{**entry(), "at": _at(2100)}])), "2100-06-01 is outside"),
    "date without offset": (shared(log([{**entry(), "at": "2026-06-01T10:00:00"}])),
                            "not a date and time with its offset"),
    "script in a note, with terminal escapes": (
        shared(log([entry(note="<script>alert(1)</script>\x1b]0;owned\x07")])),
        "entries[0].note: holds control characters"),
    "script in a note, too long": (
        shared(log([entry(note="<script>" + "a" * 5000 + "</script>")])),
        "entries[0].note: 5017 characters; at most 400"),
    "100,000 entries": (shared(log([entry()] * 100_000)), "larger than"),
    "not JSON": (f"notes\n{MARKER}\n{{nope".encode(), "not valid JSON"),
    "no marker": (b"Dear therapist, I practised twice.", "not a practice log"),
}
"""Name → (file bytes, words its one-line refusal holds)."""
