"""The render plan: a request resolved once into the values every later stage works from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..export.encode import FORMATS
from ..request import Request, VoiceSample
from ..script.cues import Script
from ..script.personal import Personalisation
from ..sound.beds import Bed
from ..sound.master import TARGET_LUFS, TARGET_LUFS_MONO
from ..sound.mix import BedLevel, bed_level
from ..voices.engine import VoiceSettings
from ..voices.presets import PACES, TONES, Pace, Tone, combined
from ..voices.text import Lexicon


@dataclass(frozen=True)
class Voicing:
    """How sentences are spoken: the voice, its tone and pace, engine settings, pronunciations."""

    voice: str
    tone: Tone
    pace: Pace
    settings: VoiceSettings
    lexicon: Lexicon


def voicing_for(request: Request | VoiceSample, lexicon: Lexicon) -> Voicing:
    """The request's (or sample's) voice, tone and pace, looked up once (it is validated)."""
    tone, pace = TONES[request.tone], PACES[request.pace]
    return Voicing(request.voice, tone, pace, combined(tone, pace), lexicon)


@dataclass(frozen=True)
class Checked:
    """A validated request's voicing and personalisation, each resolved once."""

    voicing: Voicing
    personal: Personalisation


@dataclass(frozen=True)
class RenderPlan:
    """A request resolved once: the script form chosen, how it is spoken, its sound, its file."""

    request: Request
    """What was asked (tags, sidecars and the render record read it; stages do not)."""
    script: Script
    """The personalised script in the form chosen (by `length`, or to suit `target_seconds`)."""
    voicing: Voicing
    personal: Personalisation
    """The spoken fields with the image and place resolved (the script was written from it)."""
    bed: Bed
    level: BedLevel
    seed: int
    breath_tone: bool
    channels: int
    target_lufs: float
    format: str
    output: Path | None
    """Where the track goes (None: a plan for the timeline only, no file)."""
    target_seconds: float | None
    """The track length asked for (None: the script's natural length)."""
    automatic: Path | None = None
    """The unnumbered automatic name when `output` is a folder's fresh name (None: a file
    named by the request, or no file); which number is free is settled when it is reserved."""


def plan_for(request: Request, script: Script, checked: Checked, bed: Bed,
             output: Path | None, automatic: Path | None = None) -> RenderPlan:
    """The plan for a validated request, its script, voicing, bed and output path."""
    return RenderPlan(
        request=request, script=script, voicing=checked.voicing, personal=checked.personal,
        bed=bed,
        level=bed_level(request.bed_level, request.accessible), seed=request.seed,
        breath_tone=request.breath_tone, channels=1 if request.mono else 2,
        target_lufs=TARGET_LUFS_MONO if request.mono else TARGET_LUFS,
        format=output_format(request), output=output,
        target_seconds=None if request.minutes is None else request.minutes * 60,
        automatic=automatic)


def output_format(request: Request | VoiceSample) -> str:
    """The format, taken from the output file's extension when one is given."""
    if request.output is not None:
        suffix = Path(request.output).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
    return request.format or "mp3"
