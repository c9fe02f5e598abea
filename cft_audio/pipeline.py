"""The render pipeline: request → script → speech → timeline → master → export."""

from __future__ import annotations

import datetime
import platform
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import InvalidRequest
from .export.cover import cover_png
from .export.encode import FORMATS, encode_stream, iter_blocks, plan_output
from .export.sidecars import captions_vtt, render_record, script_txt
from .export.tags import TrackInfo, chapters_from_marks
from .files import file_sha256, sweep_stale, text_sha256, write_text_atomic
from .limits import MAX_SAMPLE_TEXT, quoted
from .lyrics import readable_script
from .request import MAX_MINUTES, MIN_MINUTES, Request, validate
from .resources import (
    scripts_dir,
    speech_cache_dir,
    user_lexicon_path,
    user_voices_dir,
    voices_dir,
)
from .script.catalogue import EXERCISES, LENGTHS
from .script.cues import Pause, Say, Script, Section
from .script.fitting import TargetOutOfReach, clamp_pauses, feasible_range, fit_pauses
from .script.templates import environment, render_script
from .script.vocabulary import Vocabulary, load_vocabulary
from .sound import RATE
from .sound.beds import BEDS, Bed, FileBed, bed_for
from .sound.bedstore import StoredBed
from .sound.breath import breath_tone
from .sound.master import (
    TARGET_LUFS,
    TARGET_LUFS_MONO,
    faded,
    mastered_blocks,
    measure_blocks,
    plan_master,
)
from .sound.mix import STEMS, MixStats, bed_level, mix_blocks
from .sound.signal import PCM16_SCALE, as_pcm16, resample
from .sound.spool import Replay
from .sound.timeline import TimedCue, Timeline, fixed_seconds, layout
from .voices.cache import SpeechCache, speech_key
from .voices.engine import Engine, SpeechClip, VoiceSettings
from .voices.presets import PACES, added_pause_seconds, voice_settings
from .voices.profiles import VoiceProfile, load_profiles, open_engine
from .voices.text import Lexicon, lexicon_from_pairs, load_lexicon, prepare

Progress = Callable[[str, float], None]
"""Called with a stage name and the fraction of that stage done (0 to 1)."""

STAGES = ("script", "speech", "timeline", "master", "export")
"""Stage names reported to the progress callback, in order."""

WORDS_PER_SECOND = 3.66
"""Measured speaking rate of the default voice at length scale 1 (for planning only)."""
LENGTH_ELASTICITY = 0.8
"""Speech duration grows as length_scale ** 0.8 (Piper rounds short phonemes up)."""
_WRITE_PASSES = 2
"""Most times a track is written: once, and again if the loudness model missed."""
PREVIEW_SECONDS = 10.0
"""Length of a voice sample."""
_PLANNING_MARGIN = 0.06
_SPOKEN_LIMIT = 40_000_000
"""Samples of speech kept in memory between renders (16-bit: about 80 MB)."""


def _silent(stage: str, fraction: float) -> None:
    """A progress callback that reports nothing."""


@dataclass(frozen=True)
class RenderContext:
    """Where templates and voices come from, how progress is reported, which engines open."""

    scripts: Path = field(default_factory=scripts_dir)
    voice_folders: tuple[Path, ...] = field(
        default_factory=lambda: (voices_dir(), user_voices_dir()))
    progress: Progress = _silent
    open_engine: Callable[[VoiceProfile], Engine] = open_engine
    cache: SpeechCache | None = field(default_factory=lambda: SpeechCache(speech_cache_dir()))
    """Speech already synthesised, shared by processes; None to synthesise everything."""
    lexicon: Path | None = field(default_factory=user_lexicon_path)
    """The user's pronunciation lexicon, used when the file exists."""
    keep_voices: bool = True
    """Keep voice models loaded between renders (batch, web); False frees each after speech."""
    bed_store: Path | None = None
    """A folder where generated beds are kept for later tracks (a batch's own); None: none."""


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


@dataclass(frozen=True)
class SpeechJob:
    """One sentence to synthesise: which voice, the prepared text, the settings, its cache key."""

    voice: str
    text: str
    settings: VoiceSettings
    key: str


@dataclass(frozen=True)
class Preview:
    """A script as it would be rendered: pauses (estimated fit) and estimated duration."""

    script: Script
    pauses: tuple[float, ...]
    seconds: float


class Renderer:
    """Renders requests; keeps loaded voices so several renders share them."""

    def __init__(self, context: RenderContext | None = None):
        self.context = context or RenderContext()
        self.vocabulary: Vocabulary = load_vocabulary(self.context.scripts)
        self.profiles = load_profiles(self.context.voice_folders)
        self._env = environment(self.context.scripts)
        self._engines: dict[str, Engine] = {}
        self._identities: dict[str, str] = {}
        self._beds: dict[str, Bed] = {}
        self._spoken: dict[str, np.ndarray] = {}
        self._spoken_samples = 0
        self.engine_calls = 0
        """Sentences actually synthesised (not found in memory or the disk cache)."""

    def check(self, request: Request) -> None:
        """Raise InvalidRequest if any field of the request is not allowed."""
        validate(
            request,
            voices=self.profiles,
            vocabulary=self.vocabulary,
            backgrounds=BEDS,
            formats=FORMATS,
        )
        self._lexicon(request)
        self._bed(request.background)  # your own file is decoded (and checked) before speech

    def script(self, request: Request) -> Script:
        """Validate the request and write its personalised script (no audio)."""
        self.check(request)
        return self._choose_script(request)

    def render(self, request: Request, stem: str = "mix") -> Result:
        """Render the request to a finished, tagged audio file (streamed, bounded memory).

        `stem` "voice" or "bed" writes that part alone, at exactly its level in the mix
        (same gain, no limiter): for checking the speech-to-background ratio.
        """
        if stem not in STEMS:
            raise InvalidRequest("stem", f"unknown value {stem!r}", STEMS)
        progress = self.context.progress
        calls_before = self.engine_calls
        script, timeline = self._timeline(request, check_output=True)
        fmt = _format(request)
        target = plan_output(request.output, script.exercise, script.length, fmt,
                             request.sidecars)
        sweep_stale(target.parent)  # what a killed render left beside its track
        bed = self._bed(request.background)
        marks = tuple(t.start for t in timeline.cues if isinstance(t.cue, Section))
        level = bed_level(request.bed_level, request.accessible)
        channels = 1 if request.mono else 2
        stats = MixStats()

        def mixed(part: str = "mix", with_stats: bool = False) -> Iterator[np.ndarray]:
            blocks = mix_blocks(timeline, bed, request.seed, level, marks, stem=part,
                                stats=stats if with_stats else None)
            return _downmix(blocks) if request.mono else blocks

        info = self._track_info(script, request, timeline)
        measured: list[float] = []
        # the mix is made once and replayed from a private temporary file by later passes
        with Replay(lambda: mixed(with_stats=stats.frames == 0), timeline.frames,
                    channels) as replay:
            plan = plan_master(
                lambda: _reported(replay(), timeline.frames, progress, "master"),
                timeline.frames, RATE, TARGET_LUFS_MONO if request.mono else TARGET_LUFS,
                channels)
            progress("master", 1.0)
            for attempt in range(1, _WRITE_PASSES + 1):
                if stem == "mix":
                    out = mastered_blocks(replay, timeline.frames, RATE, plan.gain)
                else:
                    out = (b * np.float32(plan.gain)
                           for b in faded(mixed(stem), timeline.frames, RATE))
                out = measure_blocks(_reported(out, timeline.frames, progress, "export"), RATE,
                                     channels, measured)
                path = encode_stream(out, RATE, target, fmt, info, channels)
                if stem != "mix" or attempt == _WRITE_PASSES or plan.on_target(measured[0]):
                    break
                # the limiter model missed (rare): correct it by what this pass measured
                plan = plan.corrected(measured[0])
        progress("export", 1.0)
        result = Result(
            path=path,
            seconds=timeline.seconds,
            cues=timeline.cues,
            script=script,
            loudness=measured[0],
            true_peak=measured[1],
            synthesised=self.engine_calls - calls_before,
            speech_to_background=stats.speech_to_background_db,
        )
        self._write_sidecars(result, request, timeline)
        return result

    def _track_info(self, script: Script, request: Request, timeline: Timeline) -> TrackInfo:
        """Tags, cover, lyrics and chapters for the finished file."""
        if request.cover is not None:
            cover = Path(request.cover).read_bytes()
        else:
            cover = cover_png(script.title, request.album)
        chapters = chapters_from_marks(
            [(t.start, t.cue.title) for t in timeline.cues if isinstance(t.cue, Section)],
            timeline.seconds)
        return TrackInfo(
            title=script.title, artist=request.artist, album=request.album, genre="Meditation",
            year=request.year or datetime.date.today().year, track=request.track,
            comment=_comment(script, request), lyrics=readable_script(script),
            cover=cover, chapters=chapters)

    def _write_sidecars(self, result: Result, request: Request, timeline: Timeline) -> None:
        """The requested .vtt, .txt and .json files beside the track."""
        path = result.path  # with_suffix on the track itself: a dot in its name is kept
        if "vtt" in request.sidecars:
            write_text_atomic(path.with_suffix(".vtt"), captions_vtt(result.cues))
        if "txt" in request.sidecars:
            pauses = [t.end - t.start for t in result.cues if isinstance(t.cue, Pause)]
            write_text_atomic(path.with_suffix(".txt"), script_txt(result.script, pauses))
        if "json" in request.sidecars:
            write_text_atomic(path.with_suffix(".json"), self._record(result, request, timeline))

    def _record(self, result: Result, request: Request, timeline: Timeline) -> str:
        """Everything needed to reproduce the file, as JSON."""
        fields = {k: (str(v) if isinstance(v, Path) else v) for k, v in request.__dict__.items()}
        return render_record(
            request=fields,
            versions=versions(),
            seed=request.seed,
            voice=self._identities.get(request.voice, ""),
            script_sha256=text_sha256(result.script.text),
            output_sha256=file_sha256(result.path),
            loudness=result.loudness,
            true_peak=result.true_peak,
            target_loudness=TARGET_LUFS_MONO if request.mono else TARGET_LUFS,
            speech_to_background=result.speech_to_background,
            speech_spans=[[a / RATE, b / RATE] for a, b in timeline.speech_spans],
            sections=[[t.start, t.cue.title] for t in timeline.cues
                      if isinstance(t.cue, Section)],
        )

    def timeline(self, request: Request) -> tuple[Script, Timeline]:
        """Script, speech and placement only: the track's exact layout, before any mixing."""
        return self._timeline(request, check_output=False)

    def _timeline(self, request: Request, check_output: bool) -> tuple[Script, Timeline]:
        progress = self.context.progress
        progress("script", 0.0)
        script = self.script(request)
        if check_output:  # fail before the slow work, not after it
            plan_output(request.output, script.exercise, script.length, _format(request),
                        request.sidecars)
        progress("script", 1.0)
        speech = self._speak(script, request, progress)
        pauses = self._pauses(script, speech, request)
        progress("timeline", 0.0)
        tone = (lambda b: breath_tone(b.inhale, b.exhale, b.cycles, RATE)) \
            if request.breath_tone else None
        timeline = layout(script.cues, speech, pauses, PACES[request.pace].between_sentences, RATE,
                          breath_tone=tone)
        return script, timeline

    def _script_for(self, request: Request, length: str) -> Script:
        return render_script(
            self._env,
            self.vocabulary,
            exercise=request.exercise,
            custom=Path(request.script) if request.script is not None else None,
            length=length,
            name=request.name,
            image=request.image,
            place=request.place,
            pronoun=request.pronoun,
            gentle=request.gentle,
            qualities=request.qualities,
            phrases=request.phrases,
            details=request.details,
        )

    def _choose_script(self, request: Request) -> Script:
        """The script in the form asked for, or the form whose natural length suits the target."""
        if request.minutes is None:
            script = self._script_for(request, request.length or "standard")
            self._check_natural_length(script, request)
            return script
        target = request.minutes * 60
        forms = (request.length,) if request.length else LENGTHS
        options = []
        for length in forms:
            script = self._script_for(request, length)
            shortest, longest, natural = self._estimate(script, request)
            options.append((script, shortest, longest, natural))
        reachable = [o for o in options if o[1] <= target <= o[2]]
        if not reachable:
            low, high = _minutes_range(options)
            which = f"the {request.length} form of " if request.length else ""
            if low > high:  # even the shortest silences leave it over MAX_MINUTES
                raise InvalidRequest(
                    "minutes", f"{request.minutes:g} cannot be reached: {which}"
                    f"{options[0][0].exercise} is at least {low:.0f} minutes long",
                    f"a script that fits in {MAX_MINUTES:g} minutes (MAX_MINUTES)")
            raise InvalidRequest(
                "minutes",
                f"{request.minutes:g} cannot be reached for {which}{options[0][0].exercise}",
                f"{low:.0f} to {high:.0f}",
            )
        return min(reachable, key=lambda o: abs(np.log(target / o[3])))[0]

    def _check_natural_length(self, script: Script, request: Request) -> None:
        """Refuse a script whose estimated length is over MAX_MINUTES, before any speech.

        Our exercises reach it only with very many phrases or details; a custom template
        may on its own. A shorter one than MIN_MINUTES is allowed: a short template is how
        a therapist tries one out (and how the tests render quickly).
        """
        minutes = self._estimate(script, request)[2] / 60
        if minutes <= MAX_MINUTES:
            return
        if request.script is not None:
            field, what = "script", Path(request.script).name
        else:
            field = "phrase"
            what = (f"{script.exercise} with {len(request.phrases)} phrases and "
                    f"{len(request.details)} details")
        raise InvalidRequest(
            field, f"{what} is about {minutes:.0f} minutes long (estimated), over the track "
            f"length limit MAX_MINUTES = {MAX_MINUTES:g}",
            f"a script of up to {MAX_MINUTES:g} minutes; --minutes fits the silences")

    def reachable_minutes(self, request: Request) -> tuple[float, float]:
        """Whole minutes that `--minutes` can ask of this request (any form, or the one set)."""
        self.check(request)
        forms = (request.length,) if request.length else LENGTHS
        options = []
        for length in forms:
            script = self._script_for(request, length)
            options.append((script, *self._estimate(script, request)))
        return _minutes_range(options)

    def preview(self, request: Request) -> Preview:
        """The script with estimated pause lengths and duration, without synthesising."""
        script = self.script(request)
        nominal = _nominal_pauses(script, request.pace)
        fixed = _estimated_fixed_seconds(script, request)
        pauses = nominal
        if request.minutes is not None:
            try:
                pauses = fit_pauses(nominal, fixed, request.minutes * 60, _floors(script))
            except TargetOutOfReach:
                pauses = nominal
        return Preview(script=script, pauses=pauses, seconds=fixed + sum(pauses))

    def _estimate(self, script: Script, request: Request) -> tuple[float, float, float]:
        """Planning estimate of (shortest, longest, natural) seconds for a script."""
        fixed = _estimated_fixed_seconds(script, request)
        nominal = _nominal_pauses(script, request.pace)
        feasible = feasible_range(nominal, fixed, _floors(script))
        return (
            feasible.shortest * (1 + _PLANNING_MARGIN),
            feasible.longest * (1 - _PLANNING_MARGIN),
            fixed + sum(nominal),
        )

    def _engine(self, voice: str) -> Engine:
        if voice not in self._engines:
            self._engines[voice] = self.context.open_engine(self.profiles[voice])
        return self._engines[voice]

    def _bed(self, background: str) -> Bed:
        """The bed for a name or file; a file is decoded once and kept for later renders."""
        if background not in self._beds:
            bed = bed_for(background)
            if isinstance(bed, FileBed):
                bed.load(RATE)
            elif self.context.bed_store is not None and background != "none":
                bed = StoredBed(bed, background, Path(self.context.bed_store))
            self._beds = {background: bed}  # one file at a time: its audio can be large
        return self._beds[background]

    def _lexicon(self, request: Request) -> Lexicon:
        """The user's lexicon, then the request's lexicon file, then its --say entries."""
        lexicon = Lexicon()
        user = self.context.lexicon
        if user is not None and user.is_file():
            lexicon = load_lexicon(user)
        if request.lexicon is not None:
            lexicon = lexicon.merged(load_lexicon(Path(request.lexicon)))
        return lexicon.merged(lexicon_from_pairs(request.say))

    def _identity(self, voice: str, engine: Engine) -> str:
        if voice not in self._identities:
            self._identities[voice] = engine.identity()
        return self._identities[voice]

    def speech_jobs(self, request: Request) -> tuple[SpeechJob, ...]:
        """The sentences a render of `request` speaks, each once (validates; no synthesis).

        A batch gathers these over many requests, drops repeats by `key`, and hands them
        to `synthesise` so a sentence shared by many tracks is spoken once.
        """
        script = self.script(request)
        settings = voice_settings(request.tone, request.pace)
        lexicon = self._lexicon(request)
        identity = self._identity(request.voice, self._engine(request.voice))
        jobs: dict[str, SpeechJob] = {}
        for sentence in script.sentences:
            text = prepare(sentence, lexicon)
            key = speech_key(identity, settings, text)
            jobs.setdefault(key, SpeechJob(request.voice, text, settings, key))
        return tuple(jobs.values())

    def synthesise(self, jobs: Iterable[SpeechJob]) -> int:
        """Speak every job the speech cache lacks into it; return how many were spoken.

        Needs a disk cache (the context's `cache`); renders then find the speech there.
        """
        cache = self.context.cache
        if cache is None:
            raise InvalidRequest("cache", "synthesising ahead needs a speech cache",
                                 "a SpeechCache in the RenderContext")
        spoken = 0
        for job in jobs:
            if cache.has(job.key):
                continue
            clip = self._engine(job.voice).synthesize(job.text, job.settings)
            self.engine_calls += 1
            spoken += 1
            if not cache.put(job.key, clip):
                self._remember(job.key, clip)
        return spoken

    def _speak(self, script: Script, request: Request, progress: Progress) -> list[np.ndarray]:
        """Every sentence at the working rate, in script order: from memory, disk, or engine.

        With a disk cache, what it lacks is synthesised first and only stored there;
        the voice is then let go (unless kept) before the speech is gathered into
        memory, so a long track's speech never sits beside the model's working memory.
        """
        engine = self._engine(request.voice)
        settings = voice_settings(request.tone, request.pace)
        lexicon = self._lexicon(request)
        identity = self._identity(request.voice, engine)
        keys = {s: speech_key(identity, settings, prepare(s, lexicon)) for s in script.sentences}
        cache = self.context.cache
        progress("speech", 0.0)
        if cache is not None:
            missing = [(s, k) for s, k in keys.items()
                       if k not in self._spoken and not cache.has(k)]
            for done, (sentence, key) in enumerate(missing, start=1):
                clip = engine.synthesize(prepare(sentence, lexicon), settings)
                self.engine_calls += 1
                if not cache.put(key, clip):  # an unwritable cache: keep it here instead
                    self._remember(key, clip)
                progress("speech", 0.9 * done / len(missing))
            if not self.context.keep_voices:
                self._engines.pop(request.voice, None)
        spoken: dict[str, np.ndarray] = {}
        for done, (sentence, key) in enumerate(keys.items(), start=1):
            if key not in self._spoken:
                engine = self._engine(request.voice)  # only opened again for a damaged entry
                self._remember(key, self._cached_or_spoken(
                    engine, key, prepare(sentence, lexicon), settings))
            spoken[key] = self._spoken[key]
            progress("speech", 0.9 + 0.1 * done / len(keys))
        if not self.context.keep_voices:
            self._engines.pop(request.voice, None)
        return [spoken[keys[c.text]] for c in script.cues if isinstance(c, Say)]

    def _remember(self, key: str, clip: SpeechClip) -> None:
        """Keep a sentence in memory at the working rate (bounded across renders)."""
        if self._spoken_samples > _SPOKEN_LIMIT:
            self._spoken.clear()  # bounded: a long-lived renderer does not grow
            self._spoken_samples = 0
        self._spoken[key] = as_pcm16(resample(clip.samples, clip.sample_rate, RATE))
        self._spoken_samples += len(self._spoken[key])

    def _cached_or_spoken(
        self, engine: Engine, key: str, text: str, settings: VoiceSettings
    ) -> SpeechClip:
        cache = self.context.cache
        clip = cache.get(key) if cache is not None else None
        if clip is None:
            clip = engine.synthesize(text, settings)
            self.engine_calls += 1
            if cache is not None:
                cache.put(key, clip)
        return clip

    def _pauses(
        self, script: Script, speech: list[np.ndarray], request: Request
    ) -> tuple[float, ...]:
        """Pause lengths: nominal at this pace, or fitted so the track hits the target."""
        pace = PACES[request.pace]
        nominal = _nominal_pauses(script, request.pace)
        if request.minutes is None:
            return nominal
        fixed = fixed_seconds(script.cues, [len(s) / RATE for s in speech], pace.between_sentences)
        try:
            return fit_pauses(nominal, fixed, request.minutes * 60, _floors(script))
        except TargetOutOfReach as error:
            raise InvalidRequest(
                "minutes",
                f"{request.minutes:g} cannot be reached for {script.exercise} with this voice",
                f"{np.ceil(error.feasible.shortest / 60):.0f} to "
                f"{np.floor(error.feasible.longest / 60):.0f}",
            ) from error

    def preview_voice(
        self, request: Request, text: str | None = None, seconds: float = PREVIEW_SECONDS
    ) -> Path:
        """A short voice sample (voice, tone, pace, pronunciations of the request), no bed."""
        self.check(request)
        if text is not None and len(text) > MAX_SAMPLE_TEXT:
            raise InvalidRequest("text", f"{quoted(text)} is over the limit MAX_SAMPLE_TEXT = "
                                 f"{MAX_SAMPLE_TEXT} characters", "a sentence or two")
        lines = [text] if text else _preview_lines(request.name)
        script = Script(title=f"Voice sample: {request.voice}", exercise="voice-sample",
                        length="sample", cues=tuple(Say(line) for line in lines),
                        text="\n".join(lines))
        speech = self._speak(script, request, self.context.progress)
        gap = np.zeros(int(PACES[request.pace].between_sentences * RATE), dtype=np.float32)
        lead = np.zeros(int(0.5 * RATE), dtype=np.float32)
        voice = np.concatenate([lead, *[p for s in speech
                                        for p in (s.astype(np.float32) / PCM16_SCALE, gap)]])
        length = max(int(seconds * RATE), len(voice) + int(0.5 * RATE))
        mono = np.zeros(length, dtype=np.float32)
        mono[: len(voice)] = voice
        stereo = np.repeat(mono[:, None], 2, axis=1)
        plan = plan_master(lambda: iter_blocks(stereo), len(stereo), RATE)
        info = TrackInfo(title=script.title, artist=request.artist, album=request.album,
                         genre="Speech", year=datetime.date.today().year, track=None,
                         comment="Voice sample", lyrics=script.text, cover=None, chapters=())
        fmt = _format(request)
        target = plan_output(request.output, f"voice-{request.voice}",
                             f"{request.tone}-{request.pace}", fmt)
        sweep_stale(target.parent)
        blocks = mastered_blocks(lambda: iter_blocks(stereo), len(stereo), RATE, plan.gain)
        return encode_stream(blocks, RATE, target, fmt, info)


def _preview_lines(name: str) -> list[str]:
    """What a voice sample says: a greeting (with the name, to check it), then a settling."""
    return [
        f"Hello, {name}." if name else "Hello.",
        "This is how I will sound as I guide your practice.",
        "There is no hurry.",
    ]


def render(request: Request, context: RenderContext | None = None) -> Result:
    """Render one request to a finished audio file and return where and what it is."""
    return Renderer(context).render(request)


def _minutes_range(options: list[tuple[Script, float, float, float]]) -> tuple[float, float]:
    """Whole minutes reachable by any of the (script, shortest, longest, natural) options."""
    low = max(MIN_MINUTES, min(o[1] for o in options) / 60)
    high = min(MAX_MINUTES, max(o[2] for o in options) / 60)
    return float(np.ceil(low)), float(np.floor(high))


def _estimated_fixed_seconds(script: Script, request: Request) -> float:
    """Everything but the pauses, with speech length estimated from word counts."""
    length_scale = voice_settings(request.tone, request.pace).length_scale
    rate = WORDS_PER_SECOND / length_scale**LENGTH_ELASTICITY
    speech = [len(s.split()) / rate + added_pause_seconds(s, request.pace)
              for s in script.sentences]
    return fixed_seconds(script.cues, speech, PACES[request.pace].between_sentences)


def _nominal_pauses(script: Script, pace: str) -> tuple[float, ...]:
    """The script's pauses at this pace, within the clinical bounds."""
    factor = PACES[pace].pause_factor
    return clamp_pauses([c.seconds * factor for c in script.cues if isinstance(c, Pause)],
                        _floors(script))


def _floors(script: Script) -> tuple[float, ...]:
    """The shortest each of the script's pauses may become (imagery pauses: eight seconds)."""
    return tuple(c.floor for c in script.cues if isinstance(c, Pause))


def _format(request: Request) -> str:
    """The format, taken from the output file's extension when one is given."""
    if request.output is not None:
        suffix = Path(request.output).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
    return request.format or "mp3"


def _comment(script: Script, request: Request) -> str:
    if script.exercise in EXERCISES and request.script is None:
        return EXERCISES[script.exercise].description
    return "A personal practice script"


def _downmix(blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """Stereo blocks to mono (the voice is centred, so it keeps its level)."""
    for block in blocks:
        yield block.mean(axis=1, keepdims=True, dtype=np.float32)


def _reported(blocks: Iterable[np.ndarray], frames: int, progress: Progress,
              stage: str) -> Iterator[np.ndarray]:
    """Pass blocks through, reporting the fraction of the track done."""
    done = 0
    for block in blocks:
        done += len(block)
        progress(stage, min(0.99, done / max(1, frames)))
        yield block


def versions() -> dict[str, str]:
    """Versions of what shaped the sound (recorded in every render record)."""
    found = {"python": platform.python_version()}
    for package in ("cft-audio", "numpy", "scipy", "piper-tts", "onnxruntime",
                    "imageio-ffmpeg", "espeakng-loader"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found
