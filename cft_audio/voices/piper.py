"""Piper neural TTS engine (the default): a local .onnx voice, loaded once, made reproducible.

Piper's VITS graph draws its noise from onnxruntime's RandomNormalLike, which no
seed reaches. On first use we rewrite each such node to read its noise from a new
graph input, and feed it from a NumPy generator seeded by the settings and the
text: the same sentence with the same settings is the same audio, in any process.

The graph is also cut in two at the waveform decoder (`/dec/`): text to latent
frames, then latent frames to audio. The decoder runs on pieces of about a second
with enough frames either side to cover its receptive field, so the result equals
decoding the whole sentence (to float rounding) while its working memory no longer
grows with the sentence: a long sentence used to take ~20 MB per second of audio.

The text part also returns how many frames each phoneme id lasts (Piper's `w_ceil`),
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
from ..files import atomic_path
from .engine import (
    EXPRESSIVENESS,
    PITCH,
    RATE,
    SpeechClip,
    VoiceSettings,
    file_fingerprint,
    finish_clip,
    pitch_factor,
    raise_pitch_by_resampling,
    seed_words,
)
from .pauses import PAUSE_FADE_SECONDS, insert_silences, mark_points

_CLAUSE_GAP_SECONDS = 0.35
"""Silence between the sentences Piper itself splits a text into."""
_FRAMES_PER_ID = 4
"""First guess of latent frames per phoneme id (measured about 2.2 at scale 1)."""
_NOISE_PREFIX = "cft_noise_"
_CHANNELS = 256
"""Noise values per frame: at least the model's latent channels (192 in Piper voices)."""
_DECODE_FRAMES = 100
"""Latent frames the decoder turns into audio per run (about 1.2 s at 22 kHz)."""
_DECODE_CONTEXT = 24
"""Frames of context either side of a piece (the decoder's receptive field is under 16)."""
_CLAUSE_MARKS = frozenset({",", ";", ":"})
"""Phonemes after which `clause_pause` adds silence (eSpeak writes a dash as ';')."""
_FRAMES_OUTPUT = "cft_frames_per_id"
"""Output of the prepared graph: latent frames each phoneme id lasts (Piper's w_ceil)."""
_PREPARED_VERSION = "v3"
"""Bumped whenever preparation changes what a voice says; part of the voice identity."""


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
    that already run one per core ask for 1, which speaks about 12% more per second."""
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
            self._graph = _load_graph(self.model_path, self.prepared_folder, self.threads)
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
        parts = ["piper", _PREPARED_VERSION, file_fingerprint(self.model_path)]
        parts.append(file_fingerprint(config) if config.is_file() else "-")
        parts.append(str(self.speaker_id))
        return ":".join(parts)

    def capabilities(self) -> frozenset[str]:
        """Piper varies length and noise natively; pitch by length-compensated resampling."""
        return frozenset({RATE, PITCH, EXPRESSIVENESS})

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
        config = self._voice.config
        if config.num_speakers > 1:
            speaker = config.default_speaker_id if self.speaker_id is None else self.speaker_id
            args["sid"] = np.array([speaker or 0], dtype=np.int64)
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


@dataclass(frozen=True)
class _Graph:
    """The seeded voice as sessions: text to latent frames, and latent frames to audio."""

    text: Any
    """Session from phoneme ids (and noise) to the decoder's inputs; or to audio if uncut."""
    decoder: Any | None
    """Session from latent frames to audio; None when the graph could not be cut."""
    noise_inputs: tuple[str, ...]
    timed: bool = False
    """Whether the text session's last output is the frames each phoneme id lasts."""

    def decode(self, latent: list[np.ndarray]) -> np.ndarray:
        """Audio for the text session's outputs, decoded piece by piece (bounded memory)."""
        if self.decoder is None:
            return np.asarray(latent[0], dtype=np.float32).reshape(-1)
        names = [i.name for i in self.decoder.get_inputs()]
        frames, conditions = latent[0], dict(zip(names[1:], latent[1:], strict=True))
        total, pieces = frames.shape[2], []
        for start in range(0, total, _DECODE_FRAMES):
            low = max(0, start - _DECODE_CONTEXT)
            count = min(_DECODE_FRAMES, total - start)
            high = min(total, start + count + _DECODE_CONTEXT)
            piece = np.ascontiguousarray(frames[:, :, low:high])
            audio = self.decoder.run(None, {names[0]: piece, **conditions})[0].reshape(-1)
            hop = len(audio) // (high - low)
            pieces.append(audio[(start - low) * hop : (start - low + count) * hop])
        return np.concatenate(pieces).astype(np.float32, copy=False) if pieces else \
            np.zeros(0, dtype=np.float32)


def _load_graph(model_path: Path, folder: Path | None, threads: int | None = None) -> _Graph:
    """Sessions for the seeded, cut graph: prepared once into `folder`, then loaded from it.

    A damaged prepared file is deleted and the graph prepared again.
    """
    try:
        parts = _prepared_parts(model_path, folder)
        sessions = [_session(part, threads) for part in parts]
    except Exception:  # noqa: BLE001 - a damaged prepared file: prepare it again
        if folder is None:
            raise
        for stale in Path(folder).glob(f"{_prepared_stem(model_path)}-*.onnx"):
            stale.unlink(missing_ok=True)
        sessions = [_session(part, threads) for part in _prepared_parts(model_path, folder)]
    names = tuple(i.name for i in sessions[0].get_inputs() if i.name.startswith(_NOISE_PREFIX))
    timed = sessions[0].get_outputs()[-1].name == _FRAMES_OUTPUT
    return _Graph(sessions[0], sessions[1] if len(sessions) > 1 else None, names, timed)


def _session(model: Path | bytes, threads: int | None = None) -> Any:
    """An onnxruntime CPU session for a prepared graph file (or bytes)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    options.log_severity_level = 4  # a too-short noise input is retried, not logged
    # Idle threads sleep instead of spinning: several renders (batch, parallel
    # workers) then share the cores instead of burning them.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(model) if isinstance(model, Path) else model,
                                        sess_options=options,
                                        providers=["CPUExecutionProvider"])


def _prepared_stem(model_path: Path) -> str:
    return f"{file_fingerprint(model_path)[:32]}-seeded-{_PREPARED_VERSION}"


def _prepared_parts(model_path: Path, folder: Path | None) -> list[Path | bytes]:
    """The seeded graph's parts as files in `folder` (written once, atomically) or bytes."""
    stem = _prepared_stem(model_path)
    if folder is not None:
        found = sorted(Path(folder).glob(f"{stem}-*.onnx"))
        if found and found[-1].name == f"{stem}-{len(found)}of{len(found)}.onnx":
            return list(found)
    parts = _cut_at_decoder(_seeded_graph(model_path))
    if folder is None:
        return [part.SerializeToString() for part in parts]
    written = []
    for index, part in enumerate(parts, start=1):
        target = Path(folder) / f"{stem}-{index}of{len(parts)}.onnx"
        try:
            _save_atomically(part, target)
        except OSError:  # an unwritable cache costs time, not correctness
            return [p.SerializeToString() for p in parts]
        written.append(target)
    return written


def _save_atomically(model: Any, target: Path) -> None:
    import onnx

    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temp:
        onnx.save(model, str(temp))


def _cut_at_decoder(model: Any) -> list[Any]:
    """[text-to-latent, decoder] models cut at the `/dec/` scope, or [model] if there is none.

    The decoder's first input is its latent frames (what `/dec/conv_pre` reads); any
    others (a speaker's conditioning) are passed whole.
    """
    from onnx import TensorProto, helper

    graph = model.graph
    decoder = [n for n in graph.node if n.name.startswith("/dec/")]
    if not decoder or not decoder[0].name.startswith("/dec/conv_pre"):
        return [model]
    made = {o for n in decoder for o in n.output}
    weights = {t.name for t in graph.initializer}
    producers = {o: n for n in graph.node for o in n.output}
    constants = [producers[i] for n in decoder for i in n.input
                 if i in producers and i not in made and producers[i].op_type == "Constant"]
    cut = list(dict.fromkeys(i for n in decoder for i in n.input
                             if i and i not in made and i not in weights
                             and not (i in producers and producers[i].op_type == "Constant")))
    if not cut or cut[0] != decoder[0].input[0]:
        return [model]
    inside = set(id(n) for n in decoder)
    before = [n for n in graph.node if id(n) not in inside and not set(n.input) & made]

    def part(nodes, inputs, outputs, name):
        used = {i for n in nodes for i in n.input}
        return helper.make_model(
            helper.make_graph(nodes, name, inputs, outputs,
                              initializer=[t for t in graph.initializer if t.name in used]),
            opset_imports=model.opset_import, ir_version=model.ir_version)

    def floats(names):
        return [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in names]

    timing = [o.name for o in graph.output if o.name == _FRAMES_OUTPUT]
    text = part(before, list(graph.input), floats(cut + timing), "text_to_latent")
    audio = part(constants + decoder, floats(cut), floats([decoder[-1].output[0]]), "decoder")
    return [text, audio]


def _seeded_graph(model_path: Path) -> Any:
    """The voice's graph with each RandomNormalLike reading a new noise input instead.

    Its frames per phoneme id become one more output, when the graph has exactly one Ceil.
    """
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(model_path))
    graph = model.graph
    nodes, count = [], 0
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        name = f"{_NOISE_PREFIX}{count}"
        count += 1
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [name]))
        nodes.extend(_noise_from_input(node, name, helper, TensorProto))
    ceil = [n.output[0] for n in nodes if n.op_type == "Ceil"]
    if len(ceil) == 1:  # Piper's w_ceil: frames per phoneme id, also given out
        nodes.append(helper.make_node("Identity", ceil, [_FRAMES_OUTPUT]))
        graph.output.append(helper.make_tensor_value_info(_FRAMES_OUTPUT, TensorProto.FLOAT,
                                                          None))
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def _noise_from_input(node: Any, name: str, helper: Any, tensor_proto: Any) -> list[Any]:
    """Nodes that reshape the first elements of input `name` to the shape of `node`'s input."""
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    out, like = node.output[0], node.input[0]
    shape, count, zero, flat = (f"{out}_cft_{part}" for part in ("shape", "count", "zero", "flat"))
    made = [
        helper.make_node("Shape", [like], [shape]),
        helper.make_node("ReduceProd", [shape], [count], keepdims=1),
        helper.make_node("Constant", [], [zero],
                         value=helper.make_tensor(zero, tensor_proto.INT64, [1], [0])),
        helper.make_node("Slice", [name, zero, count], [flat]),
    ]
    mean, scale = float(attrs.get("mean", 0.0)), float(attrs.get("scale", 1.0))
    if mean == 0.0 and scale == 1.0:
        return [*made, helper.make_node("Reshape", [flat, shape], [out])]
    shaped, scaled = f"{out}_cft_shaped", f"{out}_cft_scaled"
    factors = [(f"{out}_cft_scale", scale), (f"{out}_cft_mean", mean)]
    made.append(helper.make_node("Reshape", [flat, shape], [shaped]))
    for const, value in factors:
        made.append(helper.make_node("Constant", [], [const], value=helper.make_tensor(
            const, tensor_proto.FLOAT, [], [value])))
    made.append(helper.make_node("Mul", [shaped, factors[0][0]], [scaled]))
    made.append(helper.make_node("Add", [scaled, factors[1][0]], [out]))
    return made
