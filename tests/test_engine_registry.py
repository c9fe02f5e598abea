"""Engines by name: every registered engine opens its profiles, and no other name is taken."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cft_audio.errors import EngineError
from cft_audio.resources import voices_dir
from cft_audio.voices.profiles import VoiceProfile, open_engine, read_voices
from cft_audio.voices.registry import ENGINES, engine_factory, takes_phonemes


def _profile(folder: Path, engine: str, **fields: str | None) -> VoiceProfile:
    """A profile of `engine` whose model is a file beside it (an eSpeak voice name for espeak)."""
    (folder / "model.bin").write_bytes(b"not a real model")
    values = dict(id=f"tiny-{engine}", name="Tiny", engine=engine,
                  model="en-gb" if engine == "espeak" else "model.bin", config=None,
                  speaker=None, speaker_wav=None, language="en_GB", accent="", gender="",
                  description="", source=folder / "tiny.yaml")
    return VoiceProfile(**{**values, **fields})


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_each_engine_opens_a_profile_naming_it_without_loading_a_model(tmp_path, engine):
    opened = open_engine(_profile(tmp_path, engine), threads=1)
    assert opened.name == engine
    assert engine_factory(engine).__module__ == f"cft_audio.voices.{ENGINES[engine].module}"


def test_the_bundled_voices_open_with_their_engines():
    profiles, broken = read_voices([voices_dir()])
    assert broken == {}
    assert {p.engine for p in profiles.values()} <= set(ENGINES)
    for profile in profiles.values():
        assert open_engine(profile).name == profile.engine


def test_the_profile_files_are_found_beside_the_profile(tmp_path):
    profile = _profile(tmp_path, "coqui", config="config.json", speaker_wav="me.wav")
    engine = open_engine(profile)
    assert (engine.model_path, engine.config_path, engine.speaker_wav, engine.language) == (
        tmp_path / "model.bin", tmp_path / "config.json", tmp_path / "me.wav", "en")


def test_a_missing_model_file_is_an_engine_error(tmp_path):
    with pytest.raises(EngineError, match="model file gone.onnx is missing"):
        open_engine(_profile(tmp_path, "piper", model="gone.onnx"))


def test_a_piper_speaker_must_be_a_number(tmp_path):
    with pytest.raises(EngineError, match="Piper speaker must be a number"):
        open_engine(_profile(tmp_path, "piper", speaker="alba"))


def test_an_unknown_engine_is_refused_by_name(tmp_path):
    with pytest.raises(EngineError, match="unknown voice engine 'festival' .*piper"):
        engine_factory("festival")
    (tmp_path / "odd.yaml").write_text("id: odd\nengine: festival\nmodel: x\n", encoding="utf-8")
    profiles, broken = read_voices([tmp_path])
    assert "odd" not in profiles and "engine 'festival' is not one of piper" in broken["odd"]


def test_reading_profiles_loads_no_engine_module():
    code = ("import sys; from cft_audio.resources import voices_dir; "
            "from cft_audio.voices.profiles import read_voices; read_voices([voices_dir()]); "
            "print(sorted(m for m in sys.modules if m.startswith('cft_audio.voices.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert "cft_audio.voices.profiles" in loaded
    modules = [f"'cft_audio.voices.{entry.module}'" for entry in ENGINES.values()]
    assert not [m for m in modules if m in loaded], loaded


def test_only_hibari_takes_words_as_phonemes():
    assert {name for name in ENGINES if takes_phonemes(name)} == {"hibari"}
    assert not takes_phonemes("festival")
