"""Hostile and broken input (issue 16): one line, exit 2, bounded memory, nothing written.

Timings are printed by `benchmarks/hostile_input.py`; here a hang only fails by the
runner's guard (60 s), and peak memory (the child's own, as it reports it) is checked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cft_audio import Renderer, Request
from cft_audio.batch.errors import ManifestError
from cft_audio.batch.plan import plan_batch
from cft_audio.cli import main
from cft_audio.errors import InvalidRequest
from cft_audio.files import locked_temp, sweep_stale
from cft_audio.script.cues import Say
from cft_audio.script.markup import parse

from .batch_support import write_manifest
from .hostile import CASES, LONG_LINE, run_cli

PEAK_MB = 300


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_ends_in_one_line_and_writes_nothing(case, tmp_path):
    args = case.make(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    outcome = run_cli(args, tmp_path)
    lines = outcome.stderr.strip().splitlines()
    assert outcome.code == 2, outcome.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("cft-audio: error: "), lines[:3]
    assert case.expect in lines[0]
    assert "participants: participants:" not in lines[0]
    assert len(lines[0]) < 300
    assert outcome.peak_mb <= PEAK_MB, outcome
    assert sorted(tmp_path.rglob("*")) == before


def test_five_megabytes_of_markup_parse_in_linear_time():
    text = (LONG_LINE + "[pause 2s]\n") * 63_000
    assert len(text) > 5_000_000
    cues = parse(text)
    assert len(cues) == 126_000 and sum(isinstance(c, Say) for c in cues) == 63_000


def test_markup_errors_still_name_their_line():
    with pytest.raises(Exception, match="script, line 4: unknown markup"):
        parse("One.\nTwo.\n[pause 2s]\nThree [pause soon]\n")


@pytest.mark.parametrize("text", ["Dr. Who walks with me.", "Mr. and Mrs. Kind are near.",
                                  "We meet at St. Anne's well.", "Ask Prof. Lee, e.g. today."])
def test_titles_and_abbreviations_do_not_end_a_sentence(text):
    assert [c.text for c in parse(f"{text} Rest now.")] == [text, "Rest now."]


def test_a_phrase_with_a_title_stays_one_sentence():
    script = Renderer().script(Request("compassionate-self", phrases=("Dr. Who is kind",)))
    assert not any(s.endswith("Dr.") for s in script.sentences)
    assert any("Dr. Who is kind" in s for s in script.sentences)


def test_long_values_are_cut_in_messages(tmp_path, capsys):
    assert main(["render", "safe-place", "--name", "x" * 10_000, "-o", str(tmp_path)]) == 2
    line = capsys.readouterr().err.strip()
    assert "'" + "x" * 40 + "…'" in line and len(line) < 250


@pytest.mark.parametrize(("target", "cause"), [
    ("folder", "it is a folder, not a file"), ("/dev/zero", "not a regular file"),
    ("missing.mp3", "not found"), ("noise.mp3", "cannot decode")])
def test_analyse_names_the_true_cause(tmp_path, capsys, target, cause):
    (tmp_path / "folder").mkdir()
    (tmp_path / "noise.mp3").write_bytes(b"not audio at all" * 100)
    path = target if target.startswith("/") else str(tmp_path / target)
    assert main(["analyse", path]) == 2
    assert cause in capsys.readouterr().err


@pytest.mark.parametrize(("value", "cause"), [
    ("missing.flac", "file 'missing.flac' not found"), ("sounds/rain", "not found"),
    ("folder", "is not a file"), ("thunder", "unknown value 'thunder'")])
def test_background_names_the_true_cause(tmp_path, monkeypatch, capsys, value, cause):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    assert main(["render", "safe-place", "--background", value]) == 2
    assert cause in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_undecodable_background_keeps_ffmpeg_words_for_verbose(tmp_path, capsys):
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"not audio" * 100)
    args = ["render", "safe-place", "--background", str(bad), "-o", str(tmp_path / "out")]
    assert main(args) == 2
    quiet = capsys.readouterr().err.strip().splitlines()
    assert len(quiet) == 1 and "cannot decode 'bad.flac'" in quiet[0] and "@ 0x" not in quiet[0]
    assert main([*args, "-v"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[1].startswith("cft-audio: detail: ")


def test_ids_differing_only_in_case_collide(tmp_path):
    manifest = write_manifest(tmp_path, [{"id": "p01"}, {"id": "P01"}])
    with pytest.raises(ManifestError) as caught:
        plan_batch(manifest, tmp_path / "out", Renderer())
    assert any("'P01' is already used by participants row 1 (p01)" in line
               for line in caught.value.lines())


_HOLDER = """
import sys, time
from pathlib import Path
from cft_audio.files import locked_temp
with locked_temp(Path(sys.argv[1])) as temp:
    temp.write_bytes(b"half a track")
    print(temp, flush=True)
    time.sleep(60)
"""


def _holder(target: Path) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(target)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_killed_writers_temp_file_is_swept_and_a_living_ones_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr("cft_audio.files.SETTLING_SECONDS", 0.0)
    killed, left = _holder(tmp_path / "a.mp3")
    living, kept = _holder(tmp_path / "b.mp3")
    try:
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        assert left.exists() and left.name.startswith(".a.mp3.") and left.suffix == ".part"
        assert sweep_stale(tmp_path) == 1
        assert not left.exists() and kept.exists()
    finally:
        living.kill()
        living.wait()
    assert sweep_stale(tmp_path) == 1 and list(tmp_path.iterdir()) == []


def test_a_fresh_temp_file_is_left_alone(tmp_path):
    with locked_temp(tmp_path / "x.mp3") as temp:
        assert sweep_stale(tmp_path) == 0
    time.sleep(0.6)
    assert temp.exists() and sweep_stale(tmp_path) == 1


def test_other_programs_part_files_are_never_swept(tmp_path):
    for name in (".download.mp3.part", "song.mp3.part", ".x.part"):
        (tmp_path / name).write_bytes(b"someone else's")
        os.utime(tmp_path / name, (0, 0))
    assert sweep_stale(tmp_path) == 0 and len(list(tmp_path.iterdir())) == 3


@pytest.mark.parametrize("option", ["--cover", "--lexicon"])
@pytest.mark.parametrize(("path", "cause"), [
    ("/dev/zero", "is not a regular file"), ("folder", "is a folder, not a file"),
    ("missing.png", "not found")])
def test_file_options_are_checked_before_they_are_read(tmp_path, monkeypatch, capsys, option,
                                                       path, cause):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    assert main(["render", "safe-place", option, path, "-o", "out/"]) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"cft-audio: error: {option}: ") and cause in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_an_oversized_cover_is_refused_by_its_limit(tmp_path, capsys):
    cover = tmp_path / "huge.png"
    with open(cover, "wb") as handle:
        handle.truncate(10_000_001)  # sparse: no disk used
    assert main(["render", "safe-place", "--cover", str(cover), "-o", str(tmp_path)]) == 2
    assert "MAX_COVER_BYTES" in capsys.readouterr().err


def test_very_many_phrases_cannot_make_a_track_over_an_hour():
    phrases = tuple(f"May I be kind, {n}" for n in range(300))
    with pytest.raises(InvalidRequest, match="300 phrases .* over the track length limit"):
        Renderer().script(Request("safe-place", phrases=phrases))


def test_a_voice_sample_text_is_bounded(tmp_path, capsys):
    args = ["voices", "preview", "joe", "--text", "word " * 2000, "-o", str(tmp_path / "s")]
    assert main(args) == 2
    assert "MAX_SAMPLE_TEXT" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


LONG = "x" * 300


@pytest.mark.parametrize("args", [
    ["render", "safe-place", "--background", LONG], ["render", "--script", f"{LONG}.j2"],
    ["analyse", f"{LONG}.mp3"], ["render", "safe-place", "-o", f"{LONG}.mp3"],
    ["render", "safe-place", "-o", f"{LONG}/"], ["batch", f"{LONG}.yaml", "--check"],
    ["render", "safe-place", "--cover", LONG], ["voices", "add", f"{LONG}.onnx"]],
    ids=["background", "script", "analyse", "output file", "output folder", "manifest",
         "cover", "voices add"])
def test_names_too_long_for_the_file_system_get_one_line(tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cft-audio: error: ") and len(lines[0]) < 300
    assert any(w in lines[0] for w in ("too long", "not a readable", "MAX_FILE_NAME"))
    assert list(tmp_path.iterdir()) == []
