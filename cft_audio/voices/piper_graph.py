"""Piper's VITS graph rewritten once per voice: seeded noise, and a decoder run in pieces.

Piper's graph draws its noise from onnxruntime's RandomNormalLike, which no seed
reaches. `seeded_model` rewrites each such node to read its noise from a new graph
input (`NOISE_PREFIX`), which the engine feeds from a NumPy generator seeded by the
settings and the text: the same sentence with the same settings is the same audio, in
any process. The frames each phoneme id lasts (Piper's `w_ceil`) become one more output.

`cut_at_decoder` cuts the graph in two at the waveform decoder (`/dec/`): text to latent
frames, then latent frames to audio. The decoder runs on pieces of about a second with
enough frames either side to cover its receptive field, so the result equals decoding the
whole sentence (to float rounding) while its working memory no longer grows with the
sentence (benchmarks/long_sentence.py measures a render's peak).

`load_graph` prepares both parts once into a folder (atomically) and opens them as
onnxruntime sessions: a `SeededGraph`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..files import atomic_path
from .engine import file_fingerprint

NOISE_PREFIX = "cft_noise_"
"""Name of each noise input the seeded graph reads instead of drawing its own noise."""
FRAMES_OUTPUT = "cft_frames_per_id"
"""Output of the seeded graph: latent frames each phoneme id lasts (Piper's w_ceil)."""
DECODE_FRAMES = 100
"""Latent frames the decoder turns into audio per run (about 1.2 s at 22 kHz)."""
DECODE_CONTEXT = 24
"""Frames of context either side of a piece (the decoder's receptive field is under 16)."""
PREPARED_VERSION = "v3"
"""Bumped whenever preparation changes what a voice says; part of the voice identity."""


@dataclass(frozen=True)
class SeededGraph:
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
        for start in range(0, total, DECODE_FRAMES):
            low = max(0, start - DECODE_CONTEXT)
            count = min(DECODE_FRAMES, total - start)
            high = min(total, start + count + DECODE_CONTEXT)
            piece = np.ascontiguousarray(frames[:, :, low:high])
            audio = self.decoder.run(None, {names[0]: piece, **conditions})[0].reshape(-1)
            hop = len(audio) // (high - low)
            pieces.append(audio[(start - low) * hop : (start - low + count) * hop])
        return np.concatenate(pieces).astype(np.float32, copy=False) if pieces else \
            np.zeros(0, dtype=np.float32)


def load_graph(model_path: Path, folder: Path | None, threads: int | None = None) -> SeededGraph:
    """Sessions for the seeded, cut graph: prepared once into `folder`, then loaded from it.

    A damaged prepared file is deleted and the graph prepared again.
    """
    try:
        parts = prepared_parts(model_path, folder)
        sessions = [open_session(part, threads) for part in parts]
    except Exception:  # noqa: BLE001 - a damaged prepared file: prepare it again
        if folder is None:
            raise
        for stale in Path(folder).glob(f"{prepared_stem(model_path)}-*.onnx"):
            stale.unlink(missing_ok=True)
        sessions = [open_session(part, threads) for part in prepared_parts(model_path, folder)]
    names = tuple(i.name for i in sessions[0].get_inputs() if i.name.startswith(NOISE_PREFIX))
    timed = sessions[0].get_outputs()[-1].name == FRAMES_OUTPUT
    return SeededGraph(sessions[0], sessions[1] if len(sessions) > 1 else None, names, timed)


def open_session(model: Path | bytes, threads: int | None = None) -> Any:
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


def prepared_stem(model_path: Path) -> str:
    return f"{file_fingerprint(model_path)[:32]}-seeded-{PREPARED_VERSION}"


def prepared_parts(model_path: Path, folder: Path | None) -> list[Path | bytes]:
    """The seeded graph's parts as files in `folder` (written once, atomically) or bytes."""
    stem = prepared_stem(model_path)
    if folder is not None:
        found = sorted(Path(folder).glob(f"{stem}-*.onnx"))
        if found and found[-1].name == f"{stem}-{len(found)}of{len(found)}.onnx":
            return list(found)
    parts = cut_at_decoder(seeded_model(model_path))
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


def cut_at_decoder(model: Any) -> list[Any]:
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

    timing = [o.name for o in graph.output if o.name == FRAMES_OUTPUT]
    text = part(before, list(graph.input), floats(cut + timing), "text_to_latent")
    audio = part(constants + decoder, floats(cut), floats([decoder[-1].output[0]]), "decoder")
    return [text, audio]


def seeded_model(model_path: Path) -> Any:
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
        name = f"{NOISE_PREFIX}{count}"
        count += 1
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [name]))
        nodes.extend(_noise_from_input(node, name, helper, TensorProto))
    ceil = [n.output[0] for n in nodes if n.op_type == "Ceil"]
    if len(ceil) == 1:  # Piper's w_ceil: frames per phoneme id, also given out
        nodes.append(helper.make_node("Identity", ceil, [FRAMES_OUTPUT]))
        graph.output.append(helper.make_tensor_value_info(FRAMES_OUTPUT, TensorProto.FLOAT,
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
