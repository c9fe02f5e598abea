"""Durations written out: the m:ss clock people read, and the HH:MM:SS.mmm stamp files carry."""

from __future__ import annotations

import math


def whole_seconds(seconds: float) -> int:
    """`seconds` to the nearest whole second, a half second up; never below 0."""
    return max(0, math.floor(seconds + 0.5))


def clock(seconds: float) -> str:
    """M:SS for a duration (H:MM:SS from an hour), to the nearest second: 119.6 s is 2:00."""
    hours, rest = divmod(whole_seconds(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def milliseconds(seconds: float) -> int:
    """Seconds as whole milliseconds (rounded), the unit of chapter times."""
    return int(round(seconds * 1000))


def timestamp(seconds: float) -> str:
    """HH:MM:SS.mmm, to the nearest millisecond (WebVTT cues and Vorbis chapters)."""
    ms = milliseconds(seconds)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
