"""Files beside the track: WebVTT captions, the annotated script, and a JSON render record."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..clock import timestamp
from ..script.cues import Say, Script
from ..script.text import annotated
from ..script.timing import TimedCue

CAPTION_LINE = 42
"""Characters per caption line before a sentence is split onto two lines."""

TARGET_LOUDNESS = "target_loudness"
"""Record key: the loudness the track was mastered to, LUFS."""
SPEECH_TO_BACKGROUND = "speech_to_background"
"""Record key: voice level over background level while the voice speaks, dB."""
OUTPUT_SHA256 = "output_sha256"
"""Record key: SHA-256 of the finished audio file."""


def captions_vtt(cues: Sequence[TimedCue]) -> str:
    """WebVTT captions: one cue per spoken sentence, at its real start and end."""
    blocks = ["WEBVTT"]
    spoken = [c for c in cues if isinstance(c.cue, Say)]
    for number, timed in enumerate(spoken, start=1):
        text = "\n".join(_caption_lines(_vtt_escape(timed.cue.text)))
        blocks.append(f"{number}\n{timestamp(timed.start)} --> {timestamp(timed.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def _vtt_escape(text: str) -> str:
    """Escape the characters WebVTT cue text reserves."""
    return " ".join(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split())


def _caption_lines(text: str) -> list[str]:
    """One line, or two of similar length split at the space nearest the middle."""
    if len(text) <= CAPTION_LINE or " " not in text:
        return [text]
    middle = len(text) // 2
    spaces = [i for i, c in enumerate(text) if c == " "]
    split = min(spaces, key=lambda i: (abs(i - middle), i))
    return [text[:split], text[split + 1 :]]


def script_txt(script: Script, pauses: Sequence[float]) -> str:
    """The script as a therapist reads it: title, then sentences with [timing] marks."""
    return f"{script.title}\n\n{annotated(script, pauses)}"


def render_record(**fields: object) -> str:
    """A JSON record of the render (sorted keys, indent 2); inf and NaN become null."""
    return json.dumps(_plain(fields), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def _plain(value: object) -> object:
    """The value as JSON types: paths as text, tuples as lists, non-finite floats as None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_plain(v) for v in items]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    return str(value)
