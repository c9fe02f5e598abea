"""Fast previews for the form: the script with timing marks, a voice sample, a background sample."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..clock import clock
from ..export.encode import encode_stream, iter_blocks
from ..export.tags import TrackInfo
from ..pipeline import RenderContext, Renderer
from ..request import BedSample, Request, VoiceSample
from ..script.text import annotated
from ..sound import RATE
from ..sound.beds import BEDS, Bed, FileBed, render
from ..sound.master import TARGET_LUFS, mastered_blocks, plan_master
from ..sound.mix import bed_level

BED_SECONDS = 8.0
"""Length of a background sample."""
VOICE_SECONDS = 6.0
"""Shortest voice sample (it runs on if the sentences need longer)."""
# Measured with benchmarks/render.py --exercise safe-place --minutes 10 (a cold speech
# cache, the default voice joe, 2 cores shared at load average about 9): median 0.167 s
# wall per audio second over 3 runs (100 s for the 10-minute track, 35 s of it CPU).
RENDER_SPEED = 0.17
"""Wall seconds of rendering per second of audio, for the form's estimate (a cold speech
cache, the default voice, a machine busy with other work)."""
_CACHED = 32
"""Samples kept in memory (voice settings change often while a form is filled in)."""


@dataclass(frozen=True)
class ScriptPreview:
    """What the live preview shows."""

    title: str
    length: str
    seconds: float
    text: str
    pronoun: str = ""
    """The image's pronoun ("" when the exercise has no image)."""
    own: bool = False
    """The therapist's own template (it has no script forms)."""

    @property
    def summary(self) -> str:
        """What the preview is of: "The Safe Place · standard form · estimated length"."""
        form = "your own script" if self.own else f"{self.length} form"
        return f"{self.title} · {form} · estimated length"

    def as_json(self) -> dict[str, object]:
        """For the page's live preview."""
        return {"title": self.title, "length": self.length, "seconds": round(self.seconds, 1),
                "clock": clock(self.seconds), "text": self.text,
                "pronoun": self.pronoun, "estimate": render_estimate(self.seconds),
                "summary": self.summary}


def render_estimate(seconds: float) -> str:
    """How long a render of `seconds` of audio takes, roughly ("about 2 minutes")."""
    minutes = max(1, math.ceil(seconds * RENDER_SPEED / 60))
    return (f"Rendering takes about {minutes} minute{'s' if minutes > 1 else ''} "
            "(longer while other renders run).")


class Previewer:
    """Renderers for checks, script previews and voice samples (never for full renders).

    Checks and script previews share one Renderer (no voice loaded: they stay instant);
    voice samples have their own, which keeps its voice loaded between samples.
    """

    def __init__(self, context: RenderContext | None = None):
        self.context = dataclasses.replace(context or RenderContext(), keep_voices=True)
        self.renderer = Renderer(self.context)
        self._lock = threading.Lock()
        self._ranges: dict[str, tuple[float, float]] = {}
        self._speaker: Renderer | None = None
        self._speaker_lock = threading.Lock()
        self._samples: OrderedDict[tuple, bytes] = OrderedDict()
        self._samples_lock = threading.Lock()

    def check(self, request: Request) -> None:
        """Raise InvalidRequest as a render would before any synthesis (minutes included)."""
        with self._lock:
            self.renderer.script(request)

    def check_voice(self, sample: VoiceSample) -> None:
        """Raise InvalidRequest if a field of the voice sample is not allowed."""
        with self._lock:
            self.renderer.check_voice_sample(sample)

    def check_bed(self, sample: BedSample) -> None:
        """Raise InvalidRequest if the background (an own file decoded) or level is not allowed."""
        with self._lock:
            self.renderer.check_bed_sample(sample)

    def minutes_range(self, exercise: str) -> tuple[float, float]:
        """Whole minutes `--minutes` can ask of an exercise with default settings (cached)."""
        with self._lock:
            if exercise not in self._ranges:
                self._ranges[exercise] = self.renderer.reachable_minutes(
                    Request(exercise=exercise))
            return self._ranges[exercise]

    def reach(self, request: Request) -> tuple[float, float]:
        """Whole minutes `--minutes` can ask of this request (its voice, pace, form…)."""
        with self._lock:
            return self.renderer.reachable_minutes(request)

    def plan_batch(self, manifest: Path, output: Path, participants: Path | None,
                   name_files: bool, uploaded: dict[str, Path]) -> Any:
        """Check a batch manifest as `cft-audio batch` does (ManifestError lists every problem).

        The manifest may name only the `uploaded` files (by upload name), never a server path.
        """
        from ..batch import plan_batch

        with self._lock:
            return plan_batch(manifest, output, self.renderer, participants, name_files,
                              uploaded)

    def script(self, request: Request) -> ScriptPreview:
        """The personalised script with estimated pauses and duration (no synthesis)."""
        with self._lock:
            preview = self.renderer.preview(request)
        return ScriptPreview(preview.script.title, preview.script.length, preview.seconds,
                             annotated(preview.script, preview.pauses), preview.script.pronoun,
                             request.script is not None)

    def voice(self, sample: VoiceSample) -> bytes:
        """An MP3 of a few seconds in the sample's voice, tone and pace (and name said)."""
        key = ("voice", sample.voice, sample.tone, sample.pace, sample.name, sample.say)
        if (kept := self._kept(key)) is not None:
            return kept
        with tempfile.TemporaryDirectory(prefix="cft-voice-") as folder, self._speaker_lock:
            if self._speaker is None:
                self._speaker = Renderer(self.context)
            mp3 = dataclasses.replace(sample, output=Path(folder) / "voice.mp3", format="mp3",
                                      lexicon=None)
            data = self._speaker.preview_voice(mp3, seconds=VOICE_SECONDS).read_bytes()
        return self._keep(key, data)

    def background(self, name: str | Path, offset_db: float = 0.0,
                   accessible: bool = False) -> bytes:
        """An MP3 of a few seconds of a background (a listed name, or the path of an own sound
        file) at about its level between sentences; InvalidRequest if the file cannot be used."""
        if isinstance(name, Path):
            bed: Bed = FileBed(name)
            label = "your own sound"
            key: tuple = ("file", hashlib.sha256(name.read_bytes()).hexdigest(), offset_db,
                          accessible)
        else:
            bed, label, key = BEDS[name], name, ("bed", name, offset_db, accessible)
        if (kept := self._kept(key)) is not None:
            return kept
        frames = int(BED_SECONDS * RATE)
        audio = render(bed, frames, RATE, seed=0)
        level = bed_level(offset_db, accessible)
        target = TARGET_LUFS - (level.speech_to_bed_db - level.rise_db)
        plan = plan_master(lambda: iter_blocks(audio), frames, RATE, target)
        blocks = mastered_blocks(lambda: iter_blocks(audio), frames, RATE, plan.gain)
        info = TrackInfo(title=f"Background sample: {label}", genre="Ambient")
        with tempfile.TemporaryDirectory(prefix="cft-bed-") as folder:
            data = encode_stream(blocks, RATE, Path(folder) / "bed.mp3", "mp3", info).read_bytes()
        return self._keep(key, data)

    def _kept(self, key: tuple) -> bytes | None:
        with self._samples_lock:
            return self._samples.get(key)

    def _keep(self, key: tuple, data: bytes) -> bytes:
        with self._samples_lock:
            self._samples[key] = data
            while len(self._samples) > _CACHED:
                self._samples.popitem(last=False)
        return data
