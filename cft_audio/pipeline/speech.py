"""The speech stage: every sentence of a script, from memory, the disk cache, or the engine."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import CacheMissing
from ..files import text_sha256
from ..script.cues import Script
from ..sound import RATE
from ..sound.signal import as_pcm16, resample, resampled_length
from ..voices.cache import speech_key
from ..voices.engine import Engine, SpeechClip, VoiceSettings
from ..voices.pieces import join_seconds, pieces
from ..voices.profiles import VoiceProfile
from ..voices.text import prepare
from .context import Progress, RenderContext
from .plan import Voicing

SPOKEN_LIMIT = 40_000_000
"""Samples of speech kept in memory between renders (16-bit: about 80 MB)."""


@dataclass(frozen=True)
class SpeechJob:
    """One sentence (or piece of a long one) to synthesise: voice, text, settings, cache key."""

    voice: str
    text: str
    settings: VoiceSettings
    key: str


@dataclass(frozen=True)
class SentencePlan:
    """How one sentence is spoken: the jobs of its pieces and the silences between them."""

    key: str
    """Its speech in memory: its one piece's cache key, or one made of its pieces' keys."""
    pieces: tuple[SpeechJob, ...]
    joins: tuple[float, ...]
    """Seconds of silence after each piece but the last."""


class Speaker:
    """Speaks scripts; keeps voices loaded, and recent speech in memory, between renders."""

    def __init__(self, context: RenderContext, profiles: Mapping[str, VoiceProfile]):
        self.context = context
        self.profiles = profiles
        self._engines: dict[str, Engine] = {}
        self._identities: dict[str, str] = {}
        self._spoken: dict[str, np.ndarray] = {}
        self._spoken_samples = 0
        self.engine_calls = 0
        """Sentences (or pieces of long ones) synthesised, not found in memory or the cache."""

    def engine(self, voice: str) -> Engine:
        """The engine of a voice (opened on first use)."""
        if voice not in self._engines:
            self._engines[voice] = self.context.open_engine(self.profiles[voice])
        return self._engines[voice]

    def identity(self, voice: str) -> str:
        """What identifies the voice's model in cache keys and render records."""
        if voice not in self._identities:
            self._identities[voice] = self.engine(voice).identity()
        return self._identities[voice]

    def known_identity(self, voice: str) -> str:
        """The voice's identity if it has spoken here (no engine is opened); else ''."""
        return self._identities.get(voice, "")

    def jobs(self, script: Script, voicing: Voicing) -> tuple[SpeechJob, ...]:
        """The pieces of a script's sentences, each once, as jobs for `synthesise` (no speech)."""
        jobs: dict[str, SpeechJob] = {}
        for sentence in script.sentences:
            for job in self._plan(sentence, voicing).pieces:
                jobs.setdefault(job.key, job)
        return tuple(jobs.values())

    def all_known(self, script: Script, voicing: Voicing) -> bool:
        """Whether every piece of the script is in memory or the disk cache (none to speak)."""
        cache = self.context.cache
        plans = (self._plan(sentence, voicing) for sentence in script.sentences)
        return all(job.key in self._spoken or (cache is not None and cache.has(job.key))
                   for plan in plans if plan.key not in self._spoken for job in plan.pieces)

    def synthesise(self, jobs: Iterable[SpeechJob]) -> int:
        """Speak every job the speech cache lacks into it; return how many were spoken.

        Needs a disk cache (the context's `cache`); renders then find the speech there.
        """
        cache = self.context.cache
        if cache is None:
            raise CacheMissing("synthesising ahead needs a speech cache (a SpeechCache in "
                               "the RenderContext)")
        spoken = 0
        for job in jobs:
            if cache.has(job.key):
                continue
            clip = self.engine(job.voice).synthesize(job.text, job.settings)
            self.engine_calls += 1
            spoken += 1
            if not cache.put(job.key, clip):
                self._remember(job.key, clip)
        return spoken

    def speak(self, script: Script, voicing: Voicing, progress: Progress) -> list[np.ndarray]:
        """Every sentence at the working rate, in script order: from memory, disk, or engine.

        With a disk cache, what it lacks is synthesised first and only stored there;
        the voice is then let go (unless kept) before the speech is gathered into
        memory, so a long track's speech never sits beside the model's working memory.
        A long sentence is spoken in pieces (`voices.pieces`), joined here.
        """
        plans = {s: self._plan(s, voicing) for s in script.sentences}
        progress("speech", 0.0)
        if self.context.cache is not None:
            self._fill_cache(voicing.voice, plans.values(), progress)
        spoken: dict[str, np.ndarray] = {}
        for done, plan in enumerate(plans.values(), start=1):
            if plan.key not in self._spoken:
                self._store(plan.key, self._assemble(plan))
            spoken[plan.key] = self._spoken[plan.key]
            progress("speech", 0.9 + 0.1 * done / len(plans))
        self._let_go(voicing.voice)
        return [spoken[plans[text].key] for text in script.sentences]

    def _plan(self, sentence: str, voicing: Voicing) -> SentencePlan:
        """How a sentence is spoken: its prepared text in pieces, as jobs, and the joins."""
        identity = self.identity(voicing.voice)
        parts = pieces(prepare(sentence, voicing.lexicon))
        jobs = tuple(SpeechJob(voicing.voice, p.text, voicing.settings,
                               speech_key(identity, voicing.settings, p.text)) for p in parts)
        joins = tuple(join_seconds(p, voicing.settings) for p in parts[:-1])
        key = jobs[0].key if len(jobs) == 1 else text_sha256(
            ";".join([*(j.key for j in jobs), *map(repr, joins)]))
        return SentencePlan(key, jobs, joins)

    def _assemble(self, plan: SentencePlan) -> np.ndarray:
        """A sentence at the working rate: its one piece, or its pieces joined by silences.

        Pieces whose lengths are known ahead (in memory or the disk cache) are written
        straight into the sentence, so its speech is in memory once, not twice.
        """
        if len(plan.pieces) == 1:
            return self._working(self._cached_or_spoken(plan.pieces[0]))
        gaps = [round(join * RATE) for join in (*plan.joins, 0.0)]
        sizes = [self._known_length(job) for job in plan.pieces]
        if None in sizes:
            return joined([self._piece(job) for job in plan.pieces], gaps)
        out = np.zeros(sum(sizes) + sum(gaps), dtype=np.int16)
        at = 0
        for job, size, gap in zip(plan.pieces, sizes, gaps, strict=True):
            piece = self._piece(job)
            if len(piece) != size:  # a damaged entry spoken again, at another length
                return joined([self._piece(job) for job in plan.pieces], gaps)
            out[at:at + size] = piece
            at += size + gap
        out.flags.writeable = False
        return out

    def _piece(self, job: SpeechJob) -> np.ndarray:
        """One piece at the working rate: from memory, the disk cache, or the engine."""
        known = self._spoken.get(job.key)
        return known if known is not None else self._working(self._cached_or_spoken(job))

    def _known_length(self, job: SpeechJob) -> int | None:
        """A piece's length at the working rate if known without reading it; else None."""
        if job.key in self._spoken:
            return len(self._spoken[job.key])
        found = self.context.cache.length(job.key) if self.context.cache is not None else None
        return resampled_length(found[1], found[0], RATE) if found is not None else None

    def _fill_cache(self, voice: str, plans: Iterable[SentencePlan], progress: Progress) -> None:
        """Synthesise the pieces neither memory nor the disk cache holds, into the disk cache.

        The voice is let go after (unless kept): nothing else here holds it.
        """
        cache = self.context.cache
        assert cache is not None
        wanted = {job.key: job for plan in plans if plan.key not in self._spoken
                  for job in plan.pieces}
        missing = [job for key, job in wanted.items()
                   if key not in self._spoken and not cache.has(key)]
        for done, job in enumerate(missing, start=1):
            clip = self.engine(voice).synthesize(job.text, job.settings)
            self.engine_calls += 1
            if not cache.put(job.key, clip):  # an unwritable cache: keep it here instead
                self._remember(job.key, clip)
            progress("speech", 0.9 * done / len(missing))
        self._let_go(voice)

    def _let_go(self, voice: str) -> None:
        """Free the voice's model unless the context keeps voices loaded."""
        if not self.context.keep_voices and self._engines.pop(voice, None) is not None:
            return_freed_memory()

    def _remember(self, key: str, clip: SpeechClip) -> None:
        """Keep a piece of speech in memory at the working rate (bounded across renders)."""
        self._store(key, self._working(clip))

    def _store(self, key: str, samples: np.ndarray) -> None:
        """Keep working-rate speech in memory under `key` (bounded across renders)."""
        if self._spoken_samples > SPOKEN_LIMIT:
            self._spoken.clear()  # bounded: a long-lived renderer does not grow
            self._spoken_samples = 0
        self._spoken[key] = samples
        self._spoken_samples += len(samples)

    @staticmethod
    def _working(clip: SpeechClip) -> np.ndarray:
        """A clip as 16-bit samples at the working rate."""
        return as_pcm16(resample(clip.samples, clip.sample_rate, RATE))

    def _cached_or_spoken(self, job: SpeechJob) -> SpeechClip:
        """A piece from the disk cache, else synthesised (and cached)."""
        cache = self.context.cache
        clip = cache.get(job.key) if cache is not None else None
        if clip is None:
            clip = self.engine(job.voice).synthesize(job.text, job.settings)  # opened again
            self.engine_calls += 1
            if cache is not None:
                cache.put(job.key, clip)
        return clip


def return_freed_memory() -> None:
    """Collect a freed voice and hand its memory back to the system (glibc keeps it else).

    A hibari voice's G2P is a great many small Python objects; without this the mix
    that follows the speech would stack on top of what the freed voice still held.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def joined(parts: Iterable[np.ndarray], gaps: Iterable[int]) -> np.ndarray:
    """Working-rate pieces, each followed by its gap of silence (in samples), as one array."""
    out = np.concatenate([part for piece, gap in zip(parts, gaps, strict=True)
                          for part in (piece, np.zeros(gap, dtype=np.int16))])
    out.flags.writeable = False
    return out
