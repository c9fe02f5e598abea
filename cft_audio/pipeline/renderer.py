"""The renderer: resolves a request into a plan, then runs the stages, each taking values.

request → plan → script → speech → timeline (fit) → mix → master → export (+ sidecars)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..errors import ArgumentError, InvalidRequest
from ..export.encode import FORMATS, automatic_name, plan_output
from ..export.publish import reserve
from ..naming import setting_of, track_stem
from ..request import (
    BedSample,
    Request,
    VoiceSample,
    validate,
    validate_bed_sample,
    validate_voice_sample,
)
from ..schema import BY_KEY
from ..script import timing
from ..script.cues import Breath, Script
from ..sound import RATE
from ..sound.beds import BEDS
from ..sound.breath import breath_tone
from ..sound.mix import STEMS
from ..sound.timeline import Timeline, layout
from ..voices.profiles import read_voices
from ..voices.text import Lexicon, check_phonemes_for, lexicon_from_pairs, load_lexicon
from .context import RenderContext
from .mastering import master
from .mix import BedShelf, Mix, bed_ahead
from .plan import Checked, RenderPlan, Voicing, output_format, plan_for, voicing_for
from .record import Result, sidecar_texts, track_info
from .sample import PREVIEW_SECONDS, sample_script, sample_track
from .scripts import Option, ScriptWriter, minutes_range, reach_words, refuse_target
from .speech import Speaker, SpeechJob


class Renderer:
    """Renders requests; keeps loaded voices, recent speech and the bed for later renders."""

    def __init__(self, context: RenderContext | None = None):
        self.context = context or RenderContext()
        self.profiles, self.broken_voices = read_voices(self.context.voice_folders)
        self.scripts = ScriptWriter(self.context.scripts)
        self.vocabulary = self.scripts.vocabulary
        self.speaker = Speaker(self.context, self.profiles)
        self.beds = BedShelf(self.context.bed_store)

    @property
    def engine_calls(self) -> int:
        """Sentences actually synthesised (not found in memory or the disk cache)."""
        return self.speaker.engine_calls

    def check(self, request: Request, own_range: bool = True, whole: bool = True) -> Checked:
        """Raise InvalidRequest if any field of the request is not allowed; its voicing and
        personalisation, each resolved once.

        A `minutes` past the track limits is refused with the minutes this exercise (or
        template) can reach, as any unreachable target is, unless `own_range` is False.
        `whole` False checks fields one by one (a manifest's rows): not how they combine
        (phonemes in --say need a voice that takes them).
        """
        try:
            personal = validate(request, voices=self.profiles, vocabulary=self.vocabulary,
                     backgrounds=BEDS, formats=FORMATS, broken_voices=self.broken_voices)
        except InvalidRequest as error:
            if own_range and error.field == "minutes" and _number(request.minutes):
                untargeted = dataclasses.replace(request, minutes=None)
                checked = self.check(untargeted, whole=whole)
                refuse_target(request, self.scripts.options(untargeted, checked.voicing,
                                                            checked.personal))
            raise
        voicing = voicing_for(request, self._lexicon(request))
        if whole:
            check_phonemes_for(voicing.lexicon, self.profiles[request.voice].engine)
        self.beds.get(request.background)  # your own file is decoded (and checked) before speech
        return Checked(voicing, personal)

    def problems(self, request: Request) -> list[InvalidRequest]:
        """Every problem of the request at once, as `batch` lists a manifest's: each field set
        is checked on its own with the exercise (none when `check` passes)."""
        try:
            self.check(request)
            return []
        except InvalidRequest as first:
            source = {"exercise": request.exercise, "script": request.script}
            try:
                self.check(Request(**source))  # type: ignore[arg-type]
            except InvalidRequest as unknown:  # no exercise to check the rest against
                return [unknown]
            found = [first]
            for name, value in _set_fields(request, skip=source):
                try:
                    self.check(Request(**source, **{name: value}))  # type: ignore[arg-type]
                except InvalidRequest as error:
                    if str(error) not in map(str, found):
                        found.append(error)
            keys = list(BY_KEY)  # in the order --help lists the options
            return sorted(found, key=lambda e: keys.index(e.field) if e.field in keys else 0)

    def script(self, request: Request) -> Script:
        """Validate the request and write its personalised script (no audio)."""
        return self._written(request, self.check(request))

    def plan(self, request: Request, with_output: bool = True) -> RenderPlan:
        """Validate the request and resolve it, once, into the plan every stage works from."""
        checked = self.check(request)
        chosen = self.scripts.choose(request, checked.voicing, checked.personal)
        script = chosen.script
        output = automatic = None
        if with_output:  # fail before the slow work, not after it
            stem, fmt = automatic_stem(request, chosen), output_format(request)
            output = plan_output(request.output, stem, fmt, request.sidecars)
            automatic = automatic_name(request.output, stem, fmt)
        return plan_for(request, script, checked, self.beds.get(request.background), output,
                        automatic)

    def render(self, request: Request, stem: str = "mix") -> Result:
        """Render the request to a finished, tagged audio file (streamed, bounded memory).

        `stem` "voice" or "bed" writes that part alone, at exactly its level in the mix
        (same gain, no limiter): for checking the speech-to-background ratio.
        """
        if stem not in STEMS:
            raise ArgumentError(f"stem: unknown value {stem!r} (allowed: {', '.join(STEMS)})")
        calls_before = self.engine_calls
        with contextlib.ExitStack() as held:
            plan, timeline = self._placed(request, with_output=True, held=held)
            return self._written_out(request, plan, timeline, stem, calls_before)

    def _written_out(self, request: Request, plan: RenderPlan, timeline: Timeline, stem: str,
                     calls_before: int) -> Result:
        """Mix, master and publish a placed track (with its sidecars); what was written."""
        assert plan.output is not None
        first = plan.automatic
        with reserve(first or plan.output, first is not None, request.sidecars) as slot:
            plan = dataclasses.replace(plan, output=slot.audio)
            mastered = master(Mix(plan, timeline), track_info(plan, timeline),
                              self.context.progress, slot.temp, stem)
            result = Result(
                path=slot.audio, seconds=timeline.seconds, cues=timeline.cues,
                script=plan.script, loudness=mastered.measured.loudness,
                true_peak=mastered.measured.true_peak,
                synthesised=self.engine_calls - calls_before,
                speech_to_background=mastered.speech_to_background)
            voice = self.speaker.known_identity(plan.voicing.voice)
            slot.publish(mastered.path, sidecar_texts(result, plan, timeline, voice,
                                                      mastered.path))
        return result

    def timeline(self, request: Request) -> tuple[Script, Timeline]:
        """Script, speech and placement only: the track's exact layout, before any mixing."""
        plan, timeline = self._placed(request, with_output=False)
        return plan.script, timeline

    def _placed(self, request: Request, with_output: bool,
                held: contextlib.ExitStack | None = None) -> tuple[RenderPlan, Timeline]:
        """The plan, and its timeline: script, speech and silences in place.

        With `held`, the bed is generated in the background while the speech is spoken,
        until `held` closes (not when every sentence is known already: no speech to overlap).
        """
        progress = self.context.progress
        progress("script", 0.0)
        plan = self.plan(request, with_output)
        if held is not None and not self.speaker.all_known(plan.script, plan.voicing):
            plan = dataclasses.replace(plan, bed=held.enter_context(bed_ahead(plan)))
        progress("script", 1.0)
        speech = self.speaker.speak(plan.script, plan.voicing, progress)
        progress("timeline", 0.0)
        return plan, laid_out(plan, speech)

    def reachable_minutes(self, request: Request) -> tuple[float, float]:
        """Whole minutes that `--minutes` can ask of this request (any form, or the one set)."""
        untargeted = dataclasses.replace(request, minutes=None)
        checked = self.check(untargeted)
        return minutes_range(self.scripts.options(untargeted, checked.voicing, checked.personal))

    def preview(self, request: Request) -> timing.Preview:
        """The script with estimated pause lengths and duration, without synthesising."""
        checked = self.check(request)
        voicing = checked.voicing
        return timing.preview(self._written(request, checked), voicing.pace,
                              voicing.settings.length_scale,
                              None if request.minutes is None else request.minutes * 60)

    def speech_jobs(self, request: Request) -> tuple[SpeechJob, ...]:
        """The sentences a render of `request` speaks, each once (validates; no synthesis).

        A batch gathers these over many requests, drops repeats by `key`, and hands them
        to `synthesise` so a sentence shared by many tracks is spoken once.
        """
        checked = self.check(request)
        return self.speaker.jobs(self._written(request, checked), checked.voicing)

    def synthesise(self, jobs: Iterable[SpeechJob]) -> int:
        """Speak every job the speech cache lacks into it; return how many were spoken."""
        return self.speaker.synthesise(jobs)

    def check_voice_sample(self, sample: VoiceSample) -> Voicing:
        """The sample's voicing; InvalidRequest if a field of it is not allowed."""
        validate_voice_sample(sample, voices=self.profiles, broken_voices=self.broken_voices)
        voicing = voicing_for(sample, self._lexicon(sample))
        check_phonemes_for(voicing.lexicon, self.profiles[voicing.voice].engine)
        return voicing

    def check_bed_sample(self, sample: BedSample) -> None:
        """InvalidRequest if the background or its level is not allowed (an own file decoded)."""
        validate_bed_sample(sample, backgrounds=BEDS)
        self.beds.get(sample.background)

    def preview_voice(
        self, sample: VoiceSample, text: str | None = None, seconds: float = PREVIEW_SECONDS
    ) -> Path:
        """A short voice sample (its voice, tone, pace and pronunciations), no bed."""
        voicing = self.check_voice_sample(sample)
        script = sample_script(sample, text)
        speech = self.speaker.speak(script, voicing, self.context.progress)
        return sample_track(script, speech, voicing.pace, sample, seconds)

    def _written(self, request: Request, checked: Checked) -> Script:
        """The script in the form asked for or that suits the target, from one personalisation."""
        return self.scripts.choose(request, checked.voicing, checked.personal).script

    def _lexicon(self, request: Request | VoiceSample) -> Lexicon:
        """The user's lexicon, then the request's lexicon file, then its --say entries."""
        lexicon = Lexicon()
        user = self.context.lexicon
        if user is not None and user.is_file():
            lexicon = load_lexicon(user)
        if request.lexicon is not None:
            lexicon = lexicon.merged(load_lexicon(Path(request.lexicon)))
        return lexicon.merged(lexicon_from_pairs(request.say))


def _number(value: object) -> bool:
    """A number (inf and nan too), not a bool: a `minutes` the reach can be named for."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _set_fields(request: Request, skip: Iterable[str]) -> list[tuple[str, object]]:
    """(name, value) of the request's fields that differ from their defaults."""
    return [(f.name, getattr(request, f.name)) for f in dataclasses.fields(request)
            if f.name not in skip and getattr(request, f.name) != f.default]


def automatic_stem(request: Request, chosen: Option) -> str:
    """The automatic file name (no extension) of a render: `safe-place-forest-10min-2026-12-02`,
    the web app's naming, with the target or estimated length and today's date."""
    seconds = request.minutes * 60 if request.minutes else chosen.estimate.natural
    setting = setting_of(request.exercise, {"place": request.place, "image": request.image})
    return track_stem(chosen.script.exercise, setting, seconds / 60, datetime.date.today())


def laid_out(plan: RenderPlan, speech: Sequence[np.ndarray]) -> Timeline:
    """The track's exact layout: every sentence and silence (and breath tone) in place,
    the pauses fitted to the plan's target (InvalidRequest if the speech leaves it out of
    reach)."""
    script = plan.script
    try:
        schedule = timing.timed(script, plan.voicing.pace, [len(s) / RATE for s in speech],
                                plan.target_seconds)
    except timing.TargetOutOfReach as error:
        raise InvalidRequest(
            "minutes",
            f"{plan.request.minutes:g} cannot be reached for {script.exercise} with this voice",
            reach_words(math.ceil(error.reach.shortest / 60),
                        math.floor(error.reach.longest / 60)),
        ) from error
    return layout(schedule, speech, RATE, breath_tone=_tone if plan.breath_tone else None)


def _tone(breath: Breath) -> np.ndarray:
    """The pacing tone under one breathing block."""
    return breath_tone(breath.inhale, breath.exhale, breath.cycles, RATE)


def render(request: Request, context: RenderContext | None = None) -> Result:
    """Render one request to a finished audio file and return where and what it is."""
    return Renderer(context).render(request)
