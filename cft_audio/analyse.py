"""Measure a finished file: loudness, true peak, loudness range, and its render record's figures."""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .clock import clock
from .errors import ExportError, InvalidRequest, os_reason, with_detail
from .export.sidecars import OUTPUT_SHA256, SPEECH_TO_BACKGROUND, TARGET_LOUDNESS
from .ffmpeg import decode_blocks, ffmpeg_exe
from .files import exists, file_sha256
from .limits import quoted
from .sound.analysis import (
    SegmentEnergies,
    integrated_from_segments,
    range_from_segments,
)
from .sound.meter import PeakMeter

READABLE = "an audio file ffmpeg can read"
_CHUNK_SECONDS = 10
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4, "5.0": 5,
            "5.1": 6, "6.1": 7, "7.1": 8}
_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: [^,]+(?:\([^)]*\))?, (\d+) Hz, ([^,]+),")


@dataclass(frozen=True)
class Analysis:
    """What a finished file measures, and what its render record says it should."""

    path: Path
    duration: float
    """Seconds."""
    sample_rate: int
    channels: int
    integrated_loudness: float
    """LUFS (-inf for silence)."""
    true_peak: float
    """dBTP."""
    loudness_range: float
    """LU."""
    target_loudness: float | None = None
    """LUFS, from the render record beside the file."""
    speech_to_background: float | None = None
    """dB, from the render record beside the file (inf: the track has no background)."""
    record: Path | None = None
    """The render record used, if one was found."""
    record_matches: bool = True
    """False when the record names a different file content (its figures are then unused)."""


def analyse_file(path: Path) -> Analysis:
    """Decode the file with the bundled ffmpeg in chunks and measure it."""
    path = Path(path)
    sample_rate, channels = _probe(path)
    meter = _Meter(sample_rate, channels)
    _decode_into(path, sample_rate, channels, meter)
    analysis = Analysis(
        path=path, duration=meter.frames / sample_rate, sample_rate=sample_rate,
        channels=channels,
        integrated_loudness=integrated_from_segments(meter.segments.energies,
                                                     meter.segments.segment),
        true_peak=meter.true_peak_db(),
        loudness_range=range_from_segments(meter.segments.energies, meter.segments.segment),
    )
    return _with_record(analysis)


def _unreadable(path: Path, why: str) -> InvalidRequest:
    return InvalidRequest("file", f"cannot read {quoted(path.name)}: {why}", READABLE)


def _probe(path: Path) -> tuple[int, int]:
    """Sample rate and channel count of the first audio stream."""
    try:
        found, folder, regular = exists(path), path.is_dir(), path.is_file()
    except OSError as error:
        raise _unreadable(path, os_reason(error)) from error
    if not found:
        raise _unreadable(path, "not found")
    if folder:
        raise _unreadable(path, "it is a folder, not a file")
    if not regular:
        raise _unreadable(path, "not a regular file (a device or pipe)")
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                            capture_output=True, check=False)
    found = _STREAM.search(result.stderr.decode("utf-8", "replace"))
    if found is None:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise with_detail(_unreadable(path, "cannot decode: no audio found in it"),
                          detail[-1] if detail else "")
    layout = found.group(2).strip()
    counted = re.match(r"(\d+) channels", layout)
    channels = int(counted.group(1)) if counted else _LAYOUTS.get(layout.split("(")[0], 2)
    return int(found.group(1)), channels


def _decode_into(path: Path, sample_rate: int, channels: int, meter: _Meter) -> None:
    """Decode to float32 through ffmpeg's stdout, feeding the meter 10 s at a time."""
    try:
        for block in decode_blocks(path, sample_rate, channels, _CHUNK_SECONDS):
            meter.add(block)
    except ExportError as error:
        raise with_detail(_unreadable(path, "cannot decode"), error.detail) from error
    if meter.frames == 0:
        raise _unreadable(path, "no audio in it")


class _Meter:
    """Loudness segments, true peak and length of audio fed in consecutive chunks."""

    def __init__(self, sample_rate: int, channels: int):
        self.segments = SegmentEnergies(sample_rate, channels)
        self.peaks = PeakMeter(sample_rate)
        self.frames = 0

    def add(self, chunk: np.ndarray) -> None:
        """Feed the next chunk (frames × channels)."""
        self.segments.add(chunk)
        self.peaks.add(chunk)
        self.frames += len(chunk)

    def true_peak_db(self) -> float:
        """The peak of everything fed, in dBTP (the end is followed by silence)."""
        return self.peaks.db


def _with_record(analysis: Analysis) -> Analysis:
    """Add the target and speech-to-background figures from `<stem>.json`, when it fits."""
    record_path = analysis.path.with_suffix(".json")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return analysis
    if not isinstance(record, dict):
        return analysis
    expected = record.get(OUTPUT_SHA256)
    if isinstance(expected, str) and expected != file_sha256(analysis.path):
        return replace(analysis, record=record_path, record_matches=False)
    return replace(analysis, record=record_path,
                    target_loudness=_number(record.get(TARGET_LOUDNESS)),
                    speech_to_background=_ratio(record, SPEECH_TO_BACKGROUND))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _ratio(record: dict, key: str) -> float | None:
    """The ratio in the record; null there means no background at all (infinite)."""
    if key in record and record[key] is None:
        return math.inf
    return _number(record.get(key))


def describe(analysis: Analysis) -> str:
    """A few aligned lines a therapist can read."""
    rows = [
        ("file", analysis.path.name),
        ("length", _length(analysis.duration)),
        ("channels", f"{_channels(analysis.channels)}, {analysis.sample_rate} Hz"),
        ("integrated loudness", _level(analysis.integrated_loudness, "LUFS")
         + (f" (target {analysis.target_loudness:g})"
            if analysis.target_loudness is not None else "")),
        ("true peak", _level(analysis.true_peak, "dBTP")),
        ("loudness range", f"{analysis.loudness_range:.1f} LU"),
    ]
    if analysis.speech_to_background is not None:
        ratio = analysis.speech_to_background
        rows.append(("speech over background",
                     f"{ratio:.1f} dB" if math.isfinite(ratio) else "no background"))
    if analysis.record is not None and not analysis.record_matches:
        rows.append(("render record", f"{analysis.record.name} is for a different file"))
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label:<{width}}{value}" for label, value in rows) + "\n"


def _length(seconds: float) -> str:
    return f"{clock(seconds)} ({seconds:.1f} s)"


def _channels(count: int) -> str:
    return {1: "mono", 2: "stereo"}.get(count, f"{count} channels")


def _level(value: float, unit: str) -> str:
    return f"{value:.1f} {unit}" if math.isfinite(value) else f"silent (no {unit} reading)"
