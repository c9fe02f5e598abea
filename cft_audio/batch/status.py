"""Where each track of a batch stands: rendered, kept from an earlier run, failed, or not done."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from ..sound.master import TARGET_LUFS, TARGET_LUFS_MONO
from .plan import Track
from .resume import record_path

RENDERED = "rendered"
KEPT = "kept"
"""Already done by an earlier run (its record matched): not rendered again."""
FAILED = "failed"
NOT_RENDERED = "not rendered"
LOUDNESS_TOLERANCE = 1.0
"""LU either side of the target a finished track may measure."""
TRUE_PEAK_LIMIT = -1.0
"""dBTP a finished track may not exceed."""


@dataclass(frozen=True)
class TrackStatus:
    """A track's state after the run, with its measured figures."""

    track: Track
    state: str
    seconds: float = 0.0
    loudness: float = float("nan")
    true_peak: float = float("nan")
    error: str = ""

    @property
    def finished(self) -> bool:
        """The audio file is there and complete."""
        return self.state in (RENDERED, KEPT)

    @property
    def check(self) -> str:
        """"ok", or what is wrong with the measured loudness or true peak."""
        if not self.finished:
            return ""
        target = TARGET_LUFS_MONO if self.track.request.mono else TARGET_LUFS
        problems = []
        if not (math.isfinite(self.loudness)
                and abs(self.loudness - target) <= LOUDNESS_TOLERANCE):
            problems.append(f"loudness {self.loudness:.1f} LUFS (target {target:g})")
        if not (math.isfinite(self.true_peak) and self.true_peak <= TRUE_PEAK_LIMIT):
            problems.append(f"true peak {self.true_peak:.1f} dBTP (limit {TRUE_PEAK_LIMIT:g})")
        return "; ".join(problems) or "ok"


def kept(track: Track) -> TrackStatus:
    """The status of a track an earlier run finished: figures from its record and file."""
    record = json.loads(record_path(track).read_text(encoding="utf-8"))
    return TrackStatus(track, KEPT, audio_seconds(track), _number(record.get("loudness")),
                       _number(record.get("true_peak")))


def audio_seconds(track: Track) -> float:
    """The audio file's duration, read from its header (0 if it cannot be read)."""
    import mutagen

    try:
        found = mutagen.File(track.path)
    except (mutagen.MutagenError, OSError):
        return 0.0
    return float(found.info.length) if found is not None and found.info else 0.0


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else float("nan")
