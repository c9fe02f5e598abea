"""`cft-audio voices` and `cft-audio cache`: listing, samples, adding and installing voices."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from cft_audio.cli import main
from cft_audio.ffmpeg import decode
from cft_audio.resources import user_voices_dir, voices_dir
from cft_audio.voices.profiles import load_profiles, resolve_reference


@pytest.fixture(scope="module")
def joe_files(tmp_path_factory) -> Path:
    """A copy of the bundled Piper voice as a user would have it: .onnx and .onnx.json."""
    profile = load_profiles([voices_dir()])["joe"]
    folder = tmp_path_factory.mktemp("downloads")
    model = resolve_reference(profile.model, profile.source.parent)
    shutil.copyfile(model, folder / "en_GB-test-medium.onnx")
    shutil.copyfile(f"{model}.json", folder / "en_GB-test-medium.onnx.json")
    return folder / "en_GB-test-medium.onnx"


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cft-audio: error: ")
    assert "Traceback" not in err
    return err


def test_added_voice_is_listed_and_speaks(capsys, joe_files, tmp_path):
    assert main(["voices", "add", str(joe_files), "--id", "clinic-voice"]) == 0
    assert "clinic-voice" in capsys.readouterr().out
    assert (user_voices_dir() / "clinic-voice.yaml").is_file()
    assert main(["voices"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["espeak-en-gb", "heart", "joe", "clinic-voice"]
    assert main(["voices", "preview", "clinic-voice", "--tone", "calm", "-o",
                 str(tmp_path / "sample.wav")]) == 0
    audio = decode(tmp_path / "sample.wav", 44100)
    assert len(audio) / 44100 == pytest.approx(10.0, abs=0.01)
    assert np.max(np.abs(audio)) > 0.1


def test_added_voice_gets_its_id_from_the_file_name(capsys, joe_files):
    assert main(["voices", "add", str(joe_files)]) == 0
    assert "en_gb-test-medium" in load_profiles([user_voices_dir()])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "absent.onnx", "PATH: absent.onnx is not a Piper voice file"),
        (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("x"))[0], "not a Piper voice"),
        (lambda d: (d / "lonely.onnx", (d / "lonely.onnx").write_bytes(b"x"))[0],
         "lonely.onnx.json is missing"),
        (lambda d: (d / "junk.onnx", (d / "junk.onnx").write_bytes(b"junk"),
                    (d / "junk.onnx.json").write_text("{}"))[0], "cannot be loaded"),
    ],
    ids=["missing", "not-onnx", "no-config", "not-a-model"],
)
def test_bad_voice_file_is_refused_and_nothing_is_kept(capsys, tmp_path, make, message):
    assert main(["voices", "add", str(make(tmp_path))]) == 2
    assert message in one_line_error(capsys)
    folder = user_voices_dir()
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.filterwarnings("ignore:A test tried to use socket")  # offline is the point
def test_install_without_internet_fails_in_one_line(capsys):
    assert main(["voices", "install", "en_GB-alba-medium"]) == 1
    err = one_line_error(capsys)
    assert "cannot download Piper voice en_GB-alba-medium" in err
    folder = user_voices_dir()
    assert not folder.exists() or not any(folder.iterdir())


@pytest.fixture()
def heart_model() -> Path:
    profile = load_profiles([voices_dir()])["heart"]
    return resolve_reference(profile.model, profile.source.parent)


def test_a_hibari_model_is_added_under_another_id_and_speaks(capsys, heart_model, tmp_path):
    assert main(["voices", "add", str(heart_model), "--id", "second-heart"]) == 0
    capsys.readouterr()
    profile = load_profiles([user_voices_dir()])["second-heart"]
    assert (profile.engine, profile.gender, profile.accent) == ("hibari", "female", "US English")
    assert profile.origin == "added from hibari.onnx"
    assert main(["voices"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("second-heart"))
    assert "hibari" in line and "female" in line and "[added from hibari.onnx]" in line
    assert main(["voices", "preview", "second-heart", "--name", "Aoife", "-o",
                 str(tmp_path / "sample.wav")]) == 0
    assert np.max(np.abs(decode(tmp_path / "sample.wav", 44100))) > 0.1


def test_install_of_a_hibari_voice_from_a_local_file(capsys, heart_model, tmp_path, monkeypatch):
    """hibari's own downloader and hash check, fed from a file: URL (tests cannot download)."""
    from hibari import voices

    from cft_audio.voices.engine import file_fingerprint

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copyfile(heart_model, mirror / voices.VOICES["emma"]["file"])
    monkeypatch.setattr(voices, "BASE_URL", mirror.as_uri() + "/")
    monkeypatch.setitem(voices.VOICES, "emma", {**voices.VOICES["emma"],
                                                "sha256": file_fingerprint(heart_model)})
    assert main(["voices", "install", "emma"]) == 0
    assert "installed voice emma" in capsys.readouterr().out
    profile = load_profiles([user_voices_dir()])["emma"]
    assert profile.engine == "hibari" and profile.origin.startswith("installed with hibari")
    assert (user_voices_dir() / "emma" / voices.VOICES["emma"]["file"]).is_file()


@pytest.mark.filterwarnings("ignore:A test tried to use socket")  # offline is the point
@pytest.mark.parametrize("name", ["emma", "fable", "fenrir", "kore"])
def test_install_of_a_hibari_voice_offline_fails_in_one_line(capsys, name):
    assert main(["voices", "install", name]) == 1
    assert f"cannot download hibari voice {name}" in one_line_error(capsys)
    folder = user_voices_dir()
    assert not folder.exists() or not any(folder.iterdir())


def test_a_damaged_download_is_refused_by_the_hash_check(capsys, tmp_path, monkeypatch):
    from hibari import voices

    (tmp_path / voices.VOICES["kore"]["file"]).write_bytes(b"not the voice")
    monkeypatch.setattr(voices, "BASE_URL", tmp_path.as_uri() + "/")
    assert main(["voices", "install", "kore"]) == 1
    assert "cannot download hibari voice kore" in one_line_error(capsys)
    folder = user_voices_dir()
    assert not folder.exists() or not any(folder.iterdir())


def test_install_rejects_a_name_that_is_not_a_piper_voice(capsys):
    assert main(["voices", "install", "alba"]) == 2
    assert "NAME: 'alba' is not a Piper voice name" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["voices", "preview", "nobody"], "VOICE"),  # the argument, not an option
        (["voices", "preview", "joe", "--tone", "shouty"], "--tone"),
        (["voices", "preview", "joe", "--say", "Aoife"], "--say"),
        (["render", "safe-place", "--say", "=Eefa"], "--say"),
        (["render", "safe-place", "--lexicon", "absent.yaml"], "--lexicon"),
    ],
)
def test_bad_voice_options_are_usage_errors(capsys, tmp_path, args, field):
    assert main([*args, "-o", str(tmp_path / "out")]) == 2
    assert f"error: {field}:" in one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_preview_says_the_name_as_the_lexicon_says(capsys, tmp_path):
    plain, respelt = tmp_path / "plain.wav", tmp_path / "respelt.wav"
    assert main(["voices", "preview", "joe", "--name", "Nguyen", "-o", str(plain)]) == 0
    assert main(["voices", "preview", "joe", "--name", "Nguyen", "--say", "Nguyen=Win",
                 "-o", str(respelt)]) == 0
    assert plain.read_bytes() != respelt.read_bytes()


def test_cache_info_and_clear(capsys, tmp_path):
    assert main(["voices", "preview", "joe", "-o", str(tmp_path / "a.wav")]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    assert "3 sentences" in info and "MiB of 1.0 GiB" in info  # the README's units
    speech = Path(info.split()[1])
    models = Path(info.splitlines()[2].split()[1])
    assert models.name == "models" and any(models.iterdir())  # the prepared voice is counted
    assert f"{sum(f.stat().st_size for f in models.rglob('*') if f.is_file()) / 2**20:.1f} MiB" \
        in info.splitlines()[3]
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out == "removed 3 cached sentences\n"
    assert list(speech.iterdir()) == []  # no empty folders left behind
    assert main(["cache", "info"]) == 0
    assert "0 sentences, 0.0 MiB" in capsys.readouterr().out


def test_preview_without_a_voice_lists_the_voices(capsys):
    assert main(["voices", "preview"]) == 2
    line = one_line_error(capsys)
    assert line.startswith("cft-audio: error: VOICE: missing (allowed: ") and "joe" in line


@pytest.mark.parametrize("voice", ["espeak-en-gb", "heart", "joe"])
def test_each_bundled_voice_renders_a_track(capsys, tmp_path, voice):
    template = tmp_path / "tiny.j2"
    template.write_text("Hello, Aoife.\n[pause short]\nRest here a moment.\n", encoding="utf-8")
    out = tmp_path / f"{voice}.wav"
    assert main(["render", "--script", str(template), "--voice", voice, "--tone", "gentle",
                 "--say", "Aoife=Eefa", "-o", str(out)]) == 0
    audio = decode(out, 44100)
    assert 8.0 < len(audio) / 44100 < 20.0
    assert np.sqrt(np.mean(audio**2)) > 0.01
