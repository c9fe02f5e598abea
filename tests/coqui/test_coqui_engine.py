"""CoquiEngine on a tiny random-weight VITS built here: rate, seeding, scales, identity."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from cft_audio.errors import EngineError
from cft_audio.voices.coqui import CoquiEngine
from cft_audio.voices.engine import EXPRESSIVENESS, PITCH, SPEED, VoiceSettings
from cft_audio.voices.profiles import load_profiles, open_engine

from .build_tiny_model import build

pytestmark = pytest.mark.coqui
needs_coqui = pytest.mark.skipif(importlib.util.find_spec("TTS") is None,
                                 reason="Coqui TTS not installed (cft-audio[coqui])")

TEXT = "you are safe here, and you are welcome."


@pytest.fixture(scope="module")
def engine(tiny_model: tuple[Path, Path]) -> CoquiEngine:
    """One loaded engine on the tiny model, shared by the module's tests."""
    model, config = tiny_model
    voice = CoquiEngine(model_path=model, config_path=config)
    voice.load()
    return voice


@needs_coqui
def test_speech_is_float_audio_at_the_configs_sample_rate(
    engine: CoquiEngine, tiny_model: tuple[Path, Path]
) -> None:
    """The clip is non-empty float32 in [-1, 1] at the config's sample rate."""
    config = json.loads(tiny_model[1].read_text(encoding="utf-8"))
    clip = engine.synthesize(TEXT, VoiceSettings())
    assert clip.sample_rate == config["audio"]["sample_rate"]
    assert clip.samples.dtype == np.float32
    assert clip.samples.size > 0
    assert np.all(np.isfinite(clip.samples))
    assert float(np.max(np.abs(clip.samples))) <= 1.0
    assert float(np.max(np.abs(clip.samples))) > 0.0


@needs_coqui
def test_same_seed_gives_identical_samples_and_another_seed_does_not(
    engine: CoquiEngine, tiny_model: tuple[Path, Path]
) -> None:
    """Seeded noise: repeat calls, and a freshly loaded engine, give the very same audio."""
    first = engine.synthesize(TEXT, VoiceSettings(seed=7)).samples
    again = engine.synthesize(TEXT, VoiceSettings(seed=7)).samples
    fresh = CoquiEngine(model_path=tiny_model[0], config_path=tiny_model[1])
    reloaded = fresh.synthesize(TEXT, VoiceSettings(seed=7)).samples
    other = engine.synthesize(TEXT, VoiceSettings(seed=8)).samples
    assert np.array_equal(first, again)
    assert np.array_equal(first, reloaded)
    assert not np.array_equal(first[: len(other)], other[: len(first)])


@needs_coqui
def test_longer_length_scale_gives_longer_audio(engine: CoquiEngine) -> None:
    """length_scale lengthens speech about in proportion."""
    normal = engine.synthesize(TEXT, VoiceSettings(length_scale=1.0)).seconds
    slow = engine.synthesize(TEXT, VoiceSettings(length_scale=1.5)).seconds
    assert slow == pytest.approx(1.5 * normal, rel=0.06)


@needs_coqui
def test_pitch_shift_keeps_the_duration(engine: CoquiEngine) -> None:
    """Pitch is raised by resampling longer speech, so the duration barely moves."""
    plain = engine.synthesize(TEXT, VoiceSettings())
    for semitones in (-3.0, 3.0):
        shifted = engine.synthesize(TEXT, VoiceSettings(pitch_semitones=semitones))
        assert shifted.seconds == pytest.approx(plain.seconds, rel=0.06)
        assert not np.array_equal(shifted.samples[: plain.samples.size],
                                  plain.samples[: shifted.samples.size])


@needs_coqui
def test_expressiveness_changes_the_voice(engine: CoquiEngine) -> None:
    """Noise scales follow expressiveness; the model's own values come back at 0.5."""
    steady = engine.synthesize(TEXT, VoiceSettings(expressiveness=0.0)).samples
    lively = engine.synthesize(TEXT, VoiceSettings(expressiveness=1.0)).samples
    middle = engine.synthesize(TEXT, VoiceSettings(expressiveness=0.5))
    assert not np.array_equal(steady[: len(lively)], lively[: len(steady)])
    assert engine._tts.synthesizer.tts_model.inference_noise_scale == pytest.approx(0.667)
    assert middle.samples.size > 0


@needs_coqui
def test_vits_honours_rate_pitch_and_expressiveness(engine: CoquiEngine) -> None:
    """A VITS model can vary all three."""
    assert engine.capabilities() == frozenset({SPEED, PITCH, EXPRESSIVENESS})


@needs_coqui
def test_identity_is_stable_and_follows_the_model_file(tmp_path: Path) -> None:
    """Identity hashes file content without loading: same files same id, new weights new id."""
    model, config = build(tmp_path / "voice", seed=0)
    voice = CoquiEngine(model_path=model, config_path=config)
    before = voice.identity()
    assert before == CoquiEngine(model_path=model, config_path=config).identity()
    assert before.startswith("coqui:")
    assert voice._tts is None
    other, _ = build(tmp_path / "other", seed=1)
    shutil.copyfile(other, model)
    assert voice.identity() != before
    assert CoquiEngine(model_path=model, config_path=config, speaker="b").identity() != (
        voice.identity())


def test_identity_does_not_load_the_model(tmp_path: Path) -> None:
    """identity() reads bytes only: a file that is no model still gets one (no Coqui needed)."""
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a model")
    assert CoquiEngine(model_path=junk).identity().startswith("coqui:")
    with pytest.raises(EngineError, match="cannot read Coqui voice files"):
        CoquiEngine(model_path=junk, speaker_wav=tmp_path / "absent.wav").identity()


@needs_coqui
def test_a_file_that_is_no_model_fails_to_load(tmp_path: Path) -> None:
    """Whatever Coqui raises on a bad checkpoint becomes one EngineError line."""
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a model")
    with pytest.raises(EngineError, match="cannot load Coqui model junk.pth") as failure:
        CoquiEngine(model_path=junk).load()
    assert "\n" not in str(failure.value)


@needs_coqui
def test_a_speaker_the_model_lacks_is_a_one_line_engine_error(
    tiny_model: tuple[Path, Path]
) -> None:
    """Coqui's own (multi-line) complaint comes back as one EngineError line."""
    voice = CoquiEngine(model_path=tiny_model[0], config_path=tiny_model[1], speaker="nobody")
    with pytest.raises(EngineError, match="Coqui failed") as failure:
        voice.synthesize(TEXT, VoiceSettings())
    assert "\n" not in str(failure.value)


def test_a_missing_model_file_is_an_engine_error(tmp_path: Path) -> None:
    """Checked before Coqui is even imported, so this runs without Coqui too."""
    with pytest.raises(EngineError, match="Coqui model file absent.pth is missing"):
        CoquiEngine(model_path=tmp_path / "absent.pth").load()


def test_a_missing_tts_install_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the TTS package, load() names the extra to install (runs without Coqui too)."""
    model = tmp_path / "model.pth"
    model.write_bytes(b"weights")
    monkeypatch.setitem(sys.modules, "TTS.api", None)  # makes `from TTS.api import` fail
    with pytest.raises(EngineError, match=r"cft-audio\[coqui\]") as failure:
        CoquiEngine(model_path=model).load()
    assert "\n" not in str(failure.value)


@needs_coqui
def test_a_coqui_voice_profile_opens_this_engine(
    tmp_path: Path, tiny_model: tuple[Path, Path]
) -> None:
    """A profile naming engine coqui speaks through CoquiEngine (its language is metadata)."""
    folder = tmp_path / "voices"
    folder.mkdir()
    for path in tiny_model:
        shutil.copyfile(path, folder / path.name)
    (folder / "tiny.yaml").write_text(
        "id: tiny\nengine: coqui\nmodel: model.pth\nconfig: config.json\nlanguage: en_GB\n",
        encoding="utf-8")
    voice = open_engine(load_profiles([folder])["tiny"])
    assert isinstance(voice, CoquiEngine)
    assert voice.synthesize(TEXT, VoiceSettings()).samples.size > 0
