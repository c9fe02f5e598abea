"""hibari neural TTS engine: a 7.9 MB student of Kokoro, one model per voice, vocoded in numpy.

hibari's graph turns misaki phoneme ids into five spectral parts and an f0 contour per
12.5 ms frame; its numpy vocoder makes the waveform. On load the graph is given one more
output, the frames each phoneme id lasts (the rounded durations it already computes),
so clause pauses open at the real moment of each comma, semicolon, colon or dash.

Tone and pace map onto the model's own controls: speech length through its `speed`
input; expressiveness by scaling the f0 contour's movement around the sentence's mean
(in semitones) before vocoding; a pitch offset by shifting that contour, which keeps the
spectral envelope (no resampling). The vocoder's noise comes from a generator seeded by
the settings and the text: the same sentence with the same settings is the same audio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
from .engine import (
    EXPRESSIVENESS,
    PITCH,
    SPEED,
    SpeechClip,
    VoiceSettings,
    file_fingerprint,
    finish_clip,
    pitch_factor,
    seed_words,
)
from .pauses import PAUSE_FADE_SECONDS, insert_silences, mark_points
from .profiles import VoiceProfile

_VERSION = "h1"
"""Bumped whenever this engine changes what a voice says; part of the voice identity."""
_DURATION_TENSOR = "/Cast_32_output_0"
"""hibari's rounded frames per phoneme id (int64), the input of its alignment CumSum."""
_FRAMES_OUTPUT = "cft_frames_per_id"
_CLAUSE_MARKS = ",;:—"
"""Phonemes after which `clause_pause` adds silence."""
_VOICED_HZ = 40.0
"""Frames with f0 above this are voiced (hibari's own threshold)."""
_SPEEDS = (0.5, 2.0)
"""The speed range hibari was trained for."""
_RATE_EXPONENT = 0.65
"""speed = length_scale ** -0.65. hibari rounds each phoneme to 25 ms frames after dividing
by speed, so its words per minute move in steps; of the exponents 0.6-0.8 this one puts
each tone nearest joe's words per minute at the slow pace (benchmarks/voices.py prints
each voice's words per minute by tone)."""
_PHONEMES = re.compile(r"(?<![\w/])/([^/\s]{1,80})/(?![\w/])")
"""A word given as misaki phonemes between slashes (`--say "Aoife=/ˈifə/"`)."""


def movement_scale(expressiveness: float) -> float:
    """How much of the f0 contour's movement around its mean is kept (0.5 → all of it)."""
    e = min(1.0, max(0.0, expressiveness))
    return round(0.6 + 0.8 * e, 4)


def shape_f0(f0: np.ndarray, scale: float, factor: float) -> np.ndarray:
    """The contour with its voiced movement scaled around the log mean, then shifted by `factor`."""
    f0 = np.array(f0, dtype=np.float32)
    voiced = f0 > _VOICED_HZ
    if not voiced.any() or (scale == 1.0 and factor == 1.0):
        return f0
    cents = np.log2(f0[voiced])
    mean = float(np.mean(cents))
    shaped = 2.0 ** (mean + (cents - mean) * scale) * factor
    f0[voiced] = np.maximum(shaped, _VOICED_HZ + 1.0).astype(np.float32)
    return f0


def with_phonemes(text: str) -> str:
    """`text` with each `/phonemes/` written the way hibari's G2P takes them: `[w](/…/)`."""
    return _PHONEMES.sub(lambda m: f"[{m.group(1)}](/{m.group(1)}/)", text)


def from_profile(profile: VoiceProfile, threads: int | None = None) -> HibariEngine:
    """The hibari engine a voice profile names; an en_GB profile speaks British rules."""
    return HibariEngine(model_path=profile.model_file(), threads=threads,
                        british=profile.language.replace("-", "_").lower() == "en_gb")


@dataclass
class HibariEngine:
    """A hibari voice model; loads on first use."""

    model_path: Path
    british: bool = False
    """British spelling-to-sound rules (misaki's gb lexicon), for British voices."""
    threads: int | None = None
    """onnxruntime threads; None: one (hibari is fast on one core: benchmarks/voices.py)."""
    name: str = field(default="hibari", init=False)
    _tts: Any = field(default=None, init=False, repr=False)
    _marks: frozenset[int] = field(default=frozenset(), init=False, repr=False)

    def load(self) -> None:
        """Load the model (with its durations exposed) and the G2P (idempotent)."""
        if self._tts is not None:
            return
        try:
            from hibari import Hibari
            from hibari.g2p import G2P

            self._tts = Hibari(model=_timed_graph(self.model_path), threads=self.threads or 1,
                               g2p=G2P(british=self.british))
        except Exception as error:  # noqa: BLE001 - any load failure is an engine error
            raise EngineError(f"cannot load hibari voice {self.model_path.name}: "
                              f"{error}") from error
        self._marks = frozenset(self._tts.vocab[m] for m in _CLAUSE_MARKS
                                if m in self._tts.vocab)

    @property
    def sample_rate(self) -> int:
        """Sample rate of hibari's vocoder (24 kHz)."""
        from hibari import SAMPLE_RATE

        return int(SAMPLE_RATE)

    def identity(self) -> str:
        """Engine, this engine's version, hibari's (its G2P), model content, accent rules."""
        from importlib.metadata import version

        return ":".join(["hibari", _VERSION, version("hibari-tts"),
                         file_fingerprint(self.model_path), "gb" if self.british else "us"])

    def capabilities(self) -> frozenset[str]:
        """Length by the model's speed, expressiveness and pitch through its f0 contour."""
        return frozenset({SPEED, PITCH, EXPRESSIVENESS})

    def sentences(self, text: str) -> list[list[str]]:
        """The misaki phonemes hibari speaks for `text`: per sentence, its clause chunks."""
        from hibari.tts import MAX_PHONEMES

        self.load()
        out = []
        for sentence in self._tts.split_sentences(with_phonemes(text)):
            phonemes = self._tts.g2p(sentence)
            if phonemes:
                out.append(_chunks(phonemes, MAX_PHONEMES))
        return out

    def phonemes(self, text: str) -> str:
        """The misaki phonemes hibari speaks for `text`, joined by spaces."""
        return " ".join(" ".join(chunks) for chunks in self.sentences(text))

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak `text` with its clause pauses and settles; tone through f0; trimmed."""
        return finish_clip(self.speak(text, settings), self.sample_rate)

    def speak(self, text: str, settings: VoiceSettings) -> np.ndarray:
        """The untrimmed audio of `text`: sentences joined with their settles, pauses added."""
        rng = np.random.default_rng(seed_words(settings.seed, text))
        try:
            pieces = []
            for chunks in self.sentences(text):
                for index, chunk in enumerate(chunks):
                    pieces.append(self._speak_chunk(chunk, settings, rng))
                    last = index == len(chunks) - 1
                    pieces.append(self._silence(settings.settle if last else
                                                settings.clause_pause))
        except EngineError:
            raise
        except Exception as error:  # noqa: BLE001
            raise EngineError(f"hibari failed on {text[:40]!r}: {error}") from error
        if not pieces or not any(len(p) for p in pieces[::2]):
            raise EngineError(f"hibari produced no audio for {text[:40]!r}")
        return np.concatenate(pieces[:-1])

    def _silence(self, seconds: float) -> np.ndarray:
        return np.zeros(max(0, int(seconds * self.sample_rate)), dtype=np.float32)

    def _speak_chunk(self, phonemes: str, settings: VoiceSettings,
                     rng: np.random.Generator) -> np.ndarray:
        """One model call: audio of a chunk, with `clause_pause` at each inner clause mark."""
        from hibari import dsp

        ids = self._tts.ids(phonemes)
        if len(ids) < 3:
            return np.zeros(0, dtype=np.float32)
        speed = float(np.clip(settings.length_scale ** -_RATE_EXPONENT, *_SPEEDS))
        feed = {"ids": np.asarray([ids], np.int64), "speed": np.asarray([speed], np.float32)}
        *parts, f0, frames = (o[0] if o.ndim > 1 else o for o in self._tts.sess.run(None, feed))
        f0 = shape_f0(f0, movement_scale(settings.expressiveness),
                      pitch_factor(settings.pitch_semitones))
        audio = dsp.synth(*parts, f0, rng)
        if settings.clause_pause <= 0 or len(frames) != len(ids) or not frames.sum():
            return audio
        # a mark ending the chunk is left: the chunk's own end (and its join) follows it
        points = mark_points(audio, ids, np.asarray(frames, np.int64), self._marks, len(ids) - 2)
        return insert_silences(audio, points, int(settings.clause_pause * self.sample_rate),
                               int(PAUSE_FADE_SECONDS * self.sample_rate))


def _chunks(phonemes: str, limit: int) -> list[str]:
    """A sentence's phonemes cut at clause marks into pieces of at most `limit` (as hibari does)."""
    if len(phonemes) <= limit:
        return [phonemes]
    chunks, current = [], ""
    for part in re.split(r"(?<=[,;:—])\s+", phonemes):
        if current and len(current) + len(part) + 1 > limit:
            chunks.append(current)
            current = part
        else:
            current = f"{current} {part}" if current else part
    return [*chunks, current] if current else chunks


def _timed_graph(model_path: Path) -> bytes:
    """The model with its frames per phoneme id as one more output (in memory, ~10 ms).

    Written at the protobuf wire level, without the `onnx` package (17 MB of imports and a
    parsed copy of the model): a message field that appears twice is merged, its repeated
    fields joined, so one more `graph` holding just the node and the output appends them.
    """
    data = Path(model_path).read_bytes()
    if _DURATION_TENSOR.encode() not in data:
        raise EngineError(f"{Path(model_path).name} is not a hibari model (no durations)")
    node = _field(1, _DURATION_TENSOR.encode()) + _field(2, _FRAMES_OUTPUT.encode()) \
        + _field(4, b"Identity")
    int64_tensor = _field(1, _varint(1 << 3) + _varint(_INT64))  # tensor_type.elem_type
    output = _field(1, _FRAMES_OUTPUT.encode()) + _field(2, int64_tensor)
    return data + _field(_GRAPH, _field(_NODE, node) + _field(_OUTPUT, output))


_GRAPH, _NODE, _OUTPUT, _INT64 = 7, 1, 12, 7
"""ModelProto.graph, GraphProto.node and .output field numbers; TensorProto.INT64."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field (bytes, a string or a message)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def is_hibari_model(path: Path) -> bool:
    """Whether an .onnx file has hibari's inputs (ids, speed) and outputs (five parts and f0)."""
    try:
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - unreadable: not a hibari model
        return False
    inputs = {i.name for i in session.get_inputs()}
    outputs = [o.name for o in session.get_outputs()]
    return inputs == {"ids", "speed"} and outputs[-1:] == ["f0"]
