"""Piper neural TTS engine (the default): a local .onnx voice, loaded once, made reproducible.

The voice's graph is rewritten once into a seeded graph cut at its decoder (piper_graph.py):
the same sentence with the same settings is the same audio, in any process, and a long
sentence is decoded in pieces of bounded memory.

The seeded graph also returns how many frames each phoneme id lasts (Piper's `w_ceil`),
so the pauses of a meditation guide can be added where the text has them: extra
silence at commas, semicolons and colons (`VoiceSettings.clause_pause`) and after a
sentence that another follows in the same text (`VoiceSettings.settle`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
from ..resources import model_cache_dir
from .engine import (
    EXPRESSIVENESS,
    PITCH,
    SPEED,
    SpeechClip,
    VoiceSettings,
    file_fingerprint,
    finish_clip,
    pitch_factor,
    raise_pitch_by_resampling,
    seed_words,
)
from .pauses import PAUSE_FADE_SECONDS, insert_silences, mark_points
from .piper_graph import PREPARED_VERSION, load_graph
from .profiles import VoiceProfile

_CLAUSE_GAP_SECONDS = 0.35
"""Silence between the sentences Piper itself splits a text into."""
_FRAMES_PER_ID = 4
"""First guess of latent frames per phoneme id (more than a voice uses at scale 1; too few
is retried with twice as many)."""
_CHANNELS = 256
"""Noise values per frame: at least the model's latent channels (192 in Piper voices)."""
_CLAUSE_MARKS = frozenset({",", ";", ":"})
"""Phonemes after which `clause_pause` adds silence (eSpeak writes a dash as ';')."""


def from_profile(profile: VoiceProfile, threads: int | None = None) -> PiperEngine:
    """The Piper engine a voice profile names; its speaker, if given, is a speaker id."""
    try:
        speaker = int(profile.speaker) if profile.speaker is not None else None
    except ValueError as error:
        raise EngineError(f"voice {profile.id}: Piper speaker must be a number") from error
    return PiperEngine(model_path=profile.model_file(), config_path=profile.config_file(),
                       speaker_id=speaker, prepared_folder=model_cache_dir(), threads=threads)


def speaker_for(config: Any, chosen: int | None) -> int | None:
    """The speaker id to send, as Piper chooses it: none for a one-speaker voice, else the
    chosen one or the voice config's `default_speaker_id` (0 when the config has none)."""
    if config.num_speakers <= 1:
        return None
    return chosen if chosen is not None else int(getattr(config, "default_speaker_id", 0))


@dataclass
class PiperEngine:
    """A Piper voice model; loads on first use."""

    model_path: Path
    config_path: Path | None = None
    speaker_id: int | None = None
    prepared_folder: Path | None = None
    """Where the seeded graph is kept between runs (prepared once per voice); None: memory."""
    threads: int | None = None
    """Threads inference may use; None: onnxruntime's choice (every core). Batch workers
    that already run one per core ask for 1 (benchmarks/voices.py measures both)."""
    name: str = field(default="piper", init=False)
    _voice: Any = field(default=None, init=False, repr=False)
    _graph: Any = field(default=None, init=False, repr=False)

    def load(self) -> None:
        """Load the voice and its noise-seeded inference session (idempotent)."""
        if self._voice is not None:
            return
        try:
            from piper import PiperVoice
            from piper.config import PiperConfig

            config_path = self.config_path or Path(f"{self.model_path}.json")
            config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
            self._graph = load_graph(self.model_path, self.prepared_folder, self.threads)
            # Piper's own object phonemizes; inference goes through our sessions.
            self._voice = PiperVoice(session=self._graph.text, config=config)
        except EngineError:
            raise
        except Exception as error:  # noqa: BLE001 - any load failure is an engine error
            message = f"cannot load Piper voice {self.model_path.name}: {error}"
            raise EngineError(message) from error

    @property
    def sample_rate(self) -> int:
        """Sample rate of the voice model."""
        self.load()
        return int(self._voice.config.sample_rate)

    def identity(self) -> str:
        """Engine, model and config content, and speaker."""
        config = self.config_path or Path(f"{self.model_path}.json")
        parts = ["piper", PREPARED_VERSION, file_fingerprint(self.model_path)]
        parts.append(file_fingerprint(config) if config.is_file() else "-")
        parts.append(str(self.speaker_id))
        return ":".join(parts)

    def capabilities(self) -> frozenset[str]:
        """Piper varies length and noise natively; pitch by length-compensated resampling."""
        return frozenset({SPEED, PITCH, EXPRESSIVENESS})

    def phonemes(self, text: str) -> str:
        """The eSpeak phonemes Piper speaks for `text`, sentences joined by spaces."""
        self.load()
        return " ".join("".join(sentence) for sentence in self._voice.phonemize(text))

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak `text` unnormalised, with its clause pauses; pitch shifted; trimmed."""
        return finish_clip(self.speak(text, settings), self.sample_rate)

    def speak(self, text: str, settings: VoiceSettings) -> np.ndarray:
        """The untrimmed audio of `text`: sentences joined, clause pauses, pitch shifted."""
        self.load()
        rate = int(self._voice.config.sample_rate)
        factor = pitch_factor(settings.pitch_semitones)
        rng = np.random.default_rng(seed_words(settings.seed, text))
        try:
            sentences = [s for s in self._voice.phonemize(text) if s]
            raw = [self._speak_sentence(s, settings, factor, rng) for s in sentences]
        except EngineError:
            raise
        except Exception as error:  # noqa: BLE001
            raise EngineError(f"Piper failed on {text[:40]!r}: {error}") from error
        if not raw:
            raise EngineError(f"Piper produced no audio for {text[:40]!r}")
        # silences are made `factor` times longer: resampling for pitch shortens them back
        gap = np.zeros(int((_CLAUSE_GAP_SECONDS + settings.settle) * rate * factor),
                       dtype=np.float32)
        joined = np.concatenate([part for chunk in raw for part in (chunk, gap)][:-1])
        return raise_pitch_by_resampling(joined, factor)

    def _speak_sentence(
        self, phonemes: list[str], settings: VoiceSettings, factor: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """One sentence's audio, with `clause_pause` of silence added at each clause mark."""
        ids = self._voice.phonemes_to_ids(phonemes)
        audio, frames = self._speak_ids(ids, settings, factor, rng)
        if settings.clause_pause <= 0 or frames is None or not frames.sum():
            return audio
        id_map = self._voice.config.phoneme_id_map
        marks = {i for mark in _CLAUSE_MARKS for i in id_map.get(mark, ())}
        # the quietest moment of the mark and the pad after it; a mark ending the sentence
        # is left (the sentence's own end follows it)
        points = mark_points(audio, ids, frames, marks, len(ids) - 3)
        silence = int(settings.clause_pause * self._voice.config.sample_rate * factor)
        fade = int(PAUSE_FADE_SECONDS * self._voice.config.sample_rate)
        return insert_silences(audio, points, silence, fade)

    def _speak_ids(
        self, ids: list[int], settings: VoiceSettings, factor: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Run the seeded graph on one sentence's phoneme ids: audio, frames per id (or None)."""
        noise_scale, noise_w = noise_scales(settings.expressiveness)
        length = settings.length_scale * factor
        args: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([noise_scale, length, noise_w], dtype=np.float32),
        }
        speaker = speaker_for(self._voice.config, self.speaker_id)
        if speaker is not None:
            args["sid"] = np.array([speaker], dtype=np.int64)
        state = rng.bit_generator.state
        budget = int(len(ids) * _FRAMES_PER_ID * max(1.0, length)) + 64
        for _ in range(4):
            rng.bit_generator.state = state  # the same draws, only more of them
            for name in self._graph.noise_inputs:
                args[name] = rng.standard_normal(budget * _CHANNELS, dtype=np.float32)
            try:
                latent = self._graph.text.run(None, args)
                break
            except Exception as error:  # noqa: BLE001 - noise too short: ask for more
                if "reshape" not in str(error).lower():
                    raise
                budget *= 2
        else:
            raise EngineError("Piper needed more noise than expected for one sentence")
        if not self._graph.timed:
            return self._graph.decode(latent), None
        frames = np.asarray(latent[-1]).reshape(-1).astype(np.int64)
        return self._graph.decode(latent[:-1]), frames if len(frames) == len(ids) else None


def noise_scales(expressiveness: float) -> tuple[float, float]:
    """Piper's noise_scale and noise_w from expressiveness (0.5 → Piper's usual 0.667/0.8)."""
    e = min(1.0, max(0.0, expressiveness))
    return round(0.367 + 0.6 * e, 4), round(0.5 + 0.6 * e, 4)
