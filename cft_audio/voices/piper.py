"""Piper neural TTS engine (the default): a local .onnx voice, loaded once, made reproducible.

Piper's VITS graph draws its noise from onnxruntime's RandomNormalLike, which no
seed reaches. On load we rewrite each such node to read its noise from a new graph
input, and feed it from a NumPy generator seeded by the settings and the text:
the same sentence with the same settings is the same audio, in any process.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
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
)

_CLAUSE_GAP_SECONDS = 0.35
"""Silence between the sentences Piper itself splits a text into."""
_FRAMES_PER_ID = 8
"""Generous first guess of output frames per phoneme id (measured about 2.2 at scale 1)."""
_NOISE_PREFIX = "cft_noise_"
_CHANNELS = 256
"""Noise values per frame: at least the model's latent channels (192 in Piper voices)."""


@dataclass
class PiperEngine:
    """A Piper voice model; loads on first use."""

    model_path: Path
    config_path: Path | None = None
    speaker_id: int | None = None
    prepared_folder: Path | None = None
    """Where the seeded graph is kept between runs (prepared once per voice); None: memory."""
    name: str = field(default="piper", init=False)
    _voice: Any = field(default=None, init=False, repr=False)
    _session: Any = field(default=None, init=False, repr=False)
    _noise_inputs: tuple[str, ...] = field(default=(), init=False, repr=False)

    def load(self) -> None:
        """Load the voice and its noise-seeded inference session (idempotent)."""
        if self._voice is not None:
            return
        try:
            from piper import PiperVoice
            from piper.config import PiperConfig

            config_path = self.config_path or Path(f"{self.model_path}.json")
            config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
            self._session, self._noise_inputs = _seeded_session(self.model_path,
                                                                self.prepared_folder)
            # Piper's own object phonemizes; inference goes through the seeded session.
            self._voice = PiperVoice(session=self._session, config=config)
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
        parts = ["piper", file_fingerprint(self.model_path)]
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
        """Speak `text` unnormalised; pitch shifted without changing duration; trimmed."""
        self.load()
        rate = int(self._voice.config.sample_rate)
        factor = pitch_factor(settings.pitch_semitones)
        rng = np.random.default_rng(_seed_words(settings.seed, text))
        try:
            sentences = [s for s in self._voice.phonemize(text) if s]
            raw = [self._speak_ids(self._voice.phonemes_to_ids(s), settings, factor, rng)
                   for s in sentences]
        except EngineError:
            raise
        except Exception as error:  # noqa: BLE001
            raise EngineError(f"Piper failed on {text[:40]!r}: {error}") from error
        if not raw:
            raise EngineError(f"Piper produced no audio for {text[:40]!r}")
        gap = np.zeros(int(_CLAUSE_GAP_SECONDS * rate), dtype=np.float32)
        joined = np.concatenate([part for chunk in raw for part in (chunk, gap)][:-1])
        return finish_clip(raise_pitch_by_resampling(joined, factor), rate)

    def _speak_ids(
        self, ids: list[int], settings: VoiceSettings, factor: float, rng: np.random.Generator
    ) -> np.ndarray:
        """Run the seeded graph on one sentence's phoneme ids."""
        noise_scale, noise_w = _noise_scales(settings.expressiveness)
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
            for name in self._noise_inputs:
                args[name] = rng.standard_normal(budget * _CHANNELS, dtype=np.float32)
            try:
                return np.asarray(self._session.run(None, args)[0], dtype=np.float32).reshape(-1)
            except Exception as error:  # noqa: BLE001 - noise too short: ask for more
                if "reshape" not in str(error).lower():
                    raise
                budget *= 4
        raise EngineError("Piper needed more noise than expected for one sentence")


def _noise_scales(expressiveness: float) -> tuple[float, float]:
    """Piper's noise_scale and noise_w from expressiveness (0.5 → Piper's usual 0.667/0.8)."""
    e = min(1.0, max(0.0, expressiveness))
    return round(0.367 + 0.6 * e, 4), round(0.5 + 0.6 * e, 4)


def _seed_words(seed: int, text: str) -> list[int]:
    """Seed material for the noise: the settings' seed and the text itself."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [seed & 0xFFFFFFFF, *np.frombuffer(digest[:16], dtype=np.uint32).tolist()]


def _seeded_session(model_path: Path, folder: Path | None) -> tuple[Any, tuple[str, ...]]:
    """An inference session whose noise comes from graph inputs instead of RandomNormalLike.

    The rewritten graph is saved in `folder` under the original's content hash, so
    later runs load it straight from disk (less time, and a third of the memory).
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # a too-short noise input is retried, not logged
    # Idle threads sleep instead of spinning: several renders (batch, parallel
    # workers) then share the cores instead of burning them.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    prepared = _prepared_model(model_path, folder)
    try:
        session = onnxruntime.InferenceSession(
            str(prepared) if isinstance(prepared, Path) else prepared,
            sess_options=options, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - a damaged prepared file: prepare it again, in memory
        if not isinstance(prepared, Path):
            raise
        prepared.unlink(missing_ok=True)
        session = onnxruntime.InferenceSession(
            _seeded_graph(model_path).SerializeToString(),
            sess_options=options, providers=["CPUExecutionProvider"])
    names = tuple(i.name for i in session.get_inputs() if i.name.startswith(_NOISE_PREFIX))
    return session, names


def _prepared_model(model_path: Path, folder: Path | None) -> Path | bytes:
    """The seeded graph: a file in `folder` (written once, atomically) or bytes in memory."""
    target = None
    if folder is not None:
        target = Path(folder) / f"{file_fingerprint(model_path)[:32]}-seeded-v1.onnx"
        if target.is_file():
            return target
    import onnx

    model = _seeded_graph(model_path)
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
            os.close(handle)
            try:
                onnx.save(model, temporary)
                os.replace(temporary, target)
            finally:
                Path(temporary).unlink(missing_ok=True)
            return target
        except OSError:
            pass  # an unwritable cache costs time, not correctness
    return model.SerializeToString()


def _seeded_graph(model_path: Path) -> Any:
    """The voice's graph with each RandomNormalLike reading a new noise input instead."""
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
