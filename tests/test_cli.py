"""CLI behaviour: listings, version, and one-line errors with exit code 2 that write nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cft_audio import __version__
from cft_audio.cli import main

BAD_INPUT = [
    (["render", "yoga"], "EXERCISE", "safe-place"),
    (["render", "safe-place", "--voice", "bob"], "--voice", "joe"),
    (["render", "safe-place", "--tone", "shouty"], "--tone", "warm"),
    (["render", "safe-place", "--pace", "sprint"], "--pace", "slow"),
    (["render", "safe-place", "--background", "thunder"], "--background", "ocean"),
    (["render", "safe-place", "--minutes", "0"], "--minutes", "cannot be reached for safe-place"),
    (["render", "safe-place", "--minutes", "500"], "--minutes", "cannot be reached for safe-place"),
    (["render", "safe-place", "--minutes", "ten"], "--minutes", "is not a number"),
    (["render", "safe-place", "--format", "ogg"], "--format", "mp3"),
    (["render", "compassionate-other", "--image", "dragon"], "--image", "tree"),
    (["render", "safe-place", "--place", "moon"], "--place", "beach"),
    (["render", "safe-place", "-o", "blocker/inside/"], "--output", "writable"),
    (["render", "safe-place", "-o", "/proc/cft-audio-test/"], "--output", "writable"),
    (["render", "safe-place", "-o", "track.ogg"], "--output", ".mp3"),
    (["render", "safe-place", "--quiet", "--verbose"], "--quiet", "together"),
    (["render", "safe-place", "--bogus"], "--bogus", "No such option"),
]


@pytest.fixture
def in_empty_dir(tmp_path, monkeypatch) -> Path:
    """Run in an empty folder holding only a regular file named `blocker`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocker").write_text("not a folder")
    return tmp_path


@pytest.mark.parametrize(("args", "names", "allowed"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_nothing_written(in_empty_dir, capsys, args, names,
                                                      allowed):
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cft-audio: error: ")
    assert names in lines[0] and allowed in lines[0]
    assert sorted(p.name for p in in_empty_dir.iterdir()) == ["blocker"]


def test_console_script_has_no_traceback(tmp_path):
    command = [sys.executable, "-m", "cft_audio.cli", "render", "safe-place", "--minutes", "500"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    ("command", "first_words"),
    [
        (["exercises"], ["compassionate-self", "compassionate-other", "safe-place",
                         "soothing-breath"]),
        (["voices"], ["espeak-en-gb", "heart", "joe"]),
        (["voices", "list"], ["espeak-en-gb", "heart", "joe"]),
    ],
)
def test_listings_one_line_each(capsys, command, first_words):
    assert main(command) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == first_words


def test_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(word in out for word in ("render", "exercises", "voices"))
