"""What goes with a finished track: its tags, and the captions, script and record beside it."""

from __future__ import annotations

import datetime
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..export.cover import cover_png
from ..export.sidecars import captions_vtt, render_record, script_txt
from ..export.tags import TrackInfo, chapters_from_marks
from ..files import file_sha256, text_sha256
from ..lyrics import readable_script
from ..naming import setting_of, track_title
from ..schema import to_record
from ..script.catalogue import EXERCISES
from ..script.cues import Script
from ..script.timing import TimedCue, pause_lengths, sections
from ..sound import RATE
from ..sound.timeline import Timeline
from .plan import RenderPlan


@dataclass(frozen=True)
class Result:
    """A finished render: where it is, how long it is, and when every cue happens."""

    path: Path
    seconds: float
    cues: tuple[TimedCue, ...]
    script: Script
    loudness: float
    true_peak: float
    synthesised: int = 0
    """Sentences the engine spoke for this render (the rest came from a cache)."""
    speech_to_background: float = float("inf")
    """Voice level over background level while the voice speaks, in dB."""


def track_info(plan: RenderPlan, timeline: Timeline) -> TrackInfo:
    """Tags, cover, lyrics and chapters for the finished file."""
    script, request = plan.script, plan.request
    if request.cover is not None:
        cover = Path(request.cover).read_bytes()
    else:
        cover = cover_png(script.title, request.album)
    chapters = chapters_from_marks(sections(timeline.cues), timeline.seconds)
    setting = setting_of(request.exercise, {"place": request.place, "image": request.image})
    return TrackInfo(
        title=track_title(script.title, setting, request.track), artist=request.artist,
        album=request.album, genre="Meditation",
        year=request.year or datetime.date.today().year, track=request.track,
        comment=_comment(plan), lyrics=readable_script(script, request.phrases), cover=cover,
        chapters=chapters)


def sidecar_texts(result: Result, plan: RenderPlan, timeline: Timeline, voice: str,
                  audio: Path) -> dict[str, str]:
    """The requested .vtt, .txt and .json texts by suffix (`voice`: its identity; `audio`:
    the finished file, not yet at `result.path`, that the record hashes)."""
    sidecars = plan.request.sidecars
    texts = {}
    if "vtt" in sidecars:
        texts["vtt"] = captions_vtt(result.cues)
    if "txt" in sidecars:
        texts["txt"] = script_txt(result.script, pause_lengths(result.cues))
    if "json" in sidecars:
        texts["json"] = record(result, plan, timeline, voice, audio)
    return texts


def record(result: Result, plan: RenderPlan, timeline: Timeline, voice: str,
           audio: Path | None = None) -> str:
    """Everything needed to reproduce the file, as JSON (`audio`: the file to hash, if not
    `result.path`)."""
    return render_record(
        request=to_record(plan.request),
        versions=versions(),
        seed=plan.seed,
        voice=voice,
        script_sha256=text_sha256(result.script.text),
        output_sha256=file_sha256(result.path if audio is None else audio),
        loudness=result.loudness,
        true_peak=result.true_peak,
        target_loudness=plan.target_lufs,
        speech_to_background=result.speech_to_background,
        speech_spans=[[a / RATE, b / RATE] for a, b in timeline.speech_spans],
        sections=[list(mark) for mark in sections(timeline.cues)],
    )


def versions() -> dict[str, str]:
    """Versions of what shaped the sound (recorded in every render record)."""
    found = {"python": platform.python_version()}
    for package in ("cft-audio", "numpy", "scipy", "piper-tts", "hibari-tts", "onnxruntime",
                    "imageio-ffmpeg", "espeakng-loader"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def _comment(plan: RenderPlan) -> str:
    if plan.script.exercise in EXERCISES and plan.request.script is None:
        return EXERCISES[plan.script.exercise].description
    return "A personal practice script"
