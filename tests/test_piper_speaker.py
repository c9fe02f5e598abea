"""Which speaker a Piper voice speaks with: as Piper chooses it, on tiny voices built here.

Each tiny voice is an ONNX graph that ignores the text and says a steady level of
0.1 × (speaker id + 1) for one second, so the level heard tells the speaker sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cft_audio.voices.engine import VoiceSettings
from cft_audio.voices.piper import PiperEngine, speaker_for

RATE = 22050


def _config(speakers: int, default: int | None = None) -> dict:
    """A Piper voice config that reads text as its own letters (no eSpeak)."""
    letters = "^$_ abcdefghijklmnopqrstuvwxyz."
    config = {"num_symbols": len(letters), "num_speakers": speakers,
              "audio": {"sample_rate": RATE}, "espeak": {"voice": "en-us"},
              "phoneme_type": "text",
              "phoneme_id_map": {c: [i] for i, c in enumerate(letters)}}
    if default is not None:
        config["default_speaker_id"] = default
    return config


def _voice(folder: Path, speakers: int, default: int | None = None) -> Path:
    """Write a tiny voice (model and .onnx.json); one with speakers takes a `sid` input."""
    import onnx
    from onnx import TensorProto, helper

    inputs = [helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
              helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
              helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])]
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [1, 1, RATE])
    nodes = [helper.make_node("Constant", [], ["shape"], value=shape)]
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
        nodes += [helper.make_node("Cast", ["sid"], ["speaker"], to=TensorProto.FLOAT),
                  helper.make_node("Constant", [], ["one"], value=helper.make_tensor(
                      "one", TensorProto.FLOAT, [], [1.0])),
                  helper.make_node("Add", ["speaker", "one"], ["counted"])]
    else:
        nodes.append(helper.make_node("Constant", [], ["counted"], value=helper.make_tensor(
            "counted", TensorProto.FLOAT, [1], [1.0])))
    nodes += [helper.make_node("Constant", [], ["tenth"], value=helper.make_tensor(
                  "tenth", TensorProto.FLOAT, [], [0.1])),
              helper.make_node("Mul", ["counted", "tenth"], ["level"]),
              helper.make_node("Expand", ["level", "shape"], ["output"])]
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, RATE])
    model = helper.make_model(helper.make_graph(nodes, "tiny", inputs, [output]),
                              opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    path = folder / f"tiny-{speakers}-{default}.onnx"
    onnx.save(model, str(path))
    Path(f"{path}.json").write_text(json.dumps(_config(speakers, default)), encoding="utf-8")
    return path


def _level(model: Path, speaker: int | None) -> float:
    """The steady level the tiny voice says with `speaker` (None: the profile names none)."""
    clip = PiperEngine(model, speaker_id=speaker).synthesize("hello there.", VoiceSettings())
    middle = clip.samples[len(clip.samples) // 4 : -len(clip.samples) // 4]
    return float(np.median(middle))


@pytest.mark.parametrize(("speakers", "default", "chosen", "sent"), [
    (1, None, None, None),  # one speaker: no id is sent, as Piper does
    (1, None, 3, None),
    (4, None, None, 0),     # no default_speaker_id in the config: Piper's own default, 0
    (4, 2, None, 2),        # the config's default speaker
    (4, 2, 1, 1),           # the profile's speaker wins
])
def test_speaker_is_chosen_as_piper_chooses_it(speakers, default, chosen, sent):
    from piper.config import PiperConfig

    assert speaker_for(PiperConfig.from_dict(_config(speakers, default)), chosen) == sent


@pytest.mark.parametrize(("default", "chosen", "level"), [
    (None, None, 0.1), (2, None, 0.3), (2, 1, 0.2)])
def test_a_multi_speaker_voice_speaks_with_the_default_or_chosen_speaker(
        tmp_path, default, chosen, level):
    assert _level(_voice(tmp_path, 4, default), chosen) == pytest.approx(level, abs=1e-6)


def test_a_one_speaker_voice_is_sent_no_speaker(tmp_path):
    assert _level(_voice(tmp_path, 1), None) == pytest.approx(0.1, abs=1e-6)
