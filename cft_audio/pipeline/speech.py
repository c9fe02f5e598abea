"""The speech stage: every sentence of a script, from memory, the disk cache, or the engine."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidRequest
from ..script.cues import Say, Script
from ..sound import RATE
from ..sound.signal import as_pcm16, resample
from ..voices.cache import speech_key
from ..voices.engine import Engine, SpeechClip, VoiceSettings
from ..voices.profiles import VoiceProfile
from ..voices.text import prepare
from .context import Progress, RenderContext
from .plan import Voicing

SPOKEN_LIMIT = 40_000_000
"""Samples of speech kept in memory between renders (16-bit: about 80 MB)."""


@dataclass(frozen=True)
class SpeechJob:
    """One sentence to synthesise: which voice, the prepared text, the settings, its cache key."""

    voice: str
    text: str
    settings: VoiceSettings
    key: str


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
        """Sentences actually synthesised (not found in memory or the disk cache)."""

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
        """The sentences of a script, each once, as jobs for `synthesise` (no synthesis)."""
        identity = self.identity(voicing.voice)
        jobs: dict[str, SpeechJob] = {}
        for sentence in script.sentences:
            text = prepare(sentence, voicing.lexicon)
            key = speech_key(identity, voicing.settings, text)
            jobs.setdefault(key, SpeechJob(voicing.voice, text, voicing.settings, key))
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
        """
        engine = self.engine(voicing.voice)
        identity = self.identity(voicing.voice)
        keys = {s: speech_key(identity, voicing.settings, prepare(s, voicing.lexicon))
                for s in script.sentences}
        progress("speech", 0.0)
        if self.context.cache is not None:
            self._fill_cache(engine, keys, voicing, progress)
        spoken: dict[str, np.ndarray] = {}
        for done, (sentence, key) in enumerate(keys.items(), start=1):
            if key not in self._spoken:
                engine = self.engine(voicing.voice)  # only opened again for a damaged entry
                self._remember(key, self._cached_or_spoken(
                    engine, key, prepare(sentence, voicing.lexicon), voicing.settings))
            spoken[key] = self._spoken[key]
            progress("speech", 0.9 + 0.1 * done / len(keys))
        self._let_go(voicing.voice)
        return [spoken[keys[c.text]] for c in script.cues if isinstance(c, Say)]

    def _fill_cache(self, engine: Engine, keys: Mapping[str, str], voicing: Voicing,
                    progress: Progress) -> None:
        """Synthesise what neither memory nor the disk cache holds, into the disk cache."""
        cache = self.context.cache
        assert cache is not None
        missing = [(s, k) for s, k in keys.items() if k not in self._spoken and not cache.has(k)]
        for done, (sentence, key) in enumerate(missing, start=1):
            clip = engine.synthesize(prepare(sentence, voicing.lexicon), voicing.settings)
            self.engine_calls += 1
            if not cache.put(key, clip):  # an unwritable cache: keep it here instead
                self._remember(key, clip)
            progress("speech", 0.9 * done / len(missing))
        self._let_go(voicing.voice)

    def _let_go(self, voice: str) -> None:
        """Free the voice's model unless the context keeps voices loaded."""
        if not self.context.keep_voices and self._engines.pop(voice, None) is not None:
            return_freed_memory()

    def _remember(self, key: str, clip: SpeechClip) -> None:
        """Keep a sentence in memory at the working rate (bounded across renders)."""
        if self._spoken_samples > SPOKEN_LIMIT:
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


def return_freed_memory() -> None:
    """Collect a freed voice and hand its memory back to the system (glibc keeps it else).

    A hibari voice's G2P is about 120 MB of small Python objects; without this the mix
    that follows the speech would stack on top of what the freed voice still held.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
