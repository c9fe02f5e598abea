"""Output and input paths that cannot work get one true line, exit 2: not a folder, a loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cft_audio.cli import main

NOT_A_FOLDER = [Path(os.devnull).with_name("full"), None]
"""A device (where the system has /dev/full), and a regular file (made by the test)."""


def _not_a_folder(tmp_path: Path, device: Path | None) -> Path:
    """The device, or a file `notes` in the current folder (short enough to be shown)."""
    if device is None:
        device = Path("notes")
        device.write_text("a file, not a folder\n")
    elif not device.exists():
        pytest.skip(f"no {device} here")
    return device


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("device", NOT_A_FOLDER, ids=["device", "file"])
def test_serve_checks_its_output_folder_before_it_starts(tmp_path, capsys, monkeypatch, device):
    monkeypatch.chdir(tmp_path)

    def started(*args: object) -> None:
        raise AssertionError("the server started with an output that is not a folder")

    monkeypatch.setattr("cft_audio.web.cli.run_server", started)
    folder = _not_a_folder(tmp_path, device)
    assert main(["serve", "-o", str(folder)]) == 2
    assert _error(capsys) == (f"cft-audio: error: --output: '{folder}' is not a folder "
                              "(allowed: a writable folder or file path)")


@pytest.mark.parametrize("device", NOT_A_FOLDER, ids=["device", "file"])
@pytest.mark.parametrize("inside", ["", "track.mp3", "sub/track.mp3"])
def test_render_into_something_not_a_folder_says_so(tmp_path, capsys, monkeypatch, device,
                                                    inside):
    monkeypatch.chdir(tmp_path)
    folder = _not_a_folder(tmp_path, device)
    output = folder / inside if inside else folder
    assert main(["render", "safe-place", "-o", str(output)]) == 2
    line = _error(capsys)
    assert f"'{folder}' is not a folder" in line and "Error" not in line, line


@pytest.mark.parametrize("option", ["--background", "--lexicon", "--cover", "-o"])
@pytest.mark.parametrize("shape", ["self", "pair", "below"])
def test_a_symlink_loop_is_called_one(tmp_path, capsys, option, shape):
    loop = tmp_path / "loop"
    if shape == "pair":
        (tmp_path / "other").symlink_to(loop)
        loop.symlink_to(tmp_path / "other")
    else:
        loop.symlink_to(loop)
    path = loop / "x.mp3" if shape == "below" else loop
    assert main(["render", "safe-place", option, str(path),
                 *([] if option == "-o" else ["-o", str(tmp_path / "out")])]) == 2
    line = _error(capsys)
    assert "a symlink loop" in line and "not found" not in line, line
    assert not (tmp_path / "out").exists()


def test_a_symlink_loop_for_analyse_and_batch_is_called_one(tmp_path, capsys):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert main(["analyse", str(loop)]) == 2
    assert "a symlink loop" in _error(capsys)
    assert main(["batch", str(loop), "-o", str(tmp_path / "out")]) == 2
    assert "a symlink loop" in _error(capsys)


def test_batch_into_standard_output_is_refused_before_anything_renders(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    manifest = Path(__file__).parents[1] / "examples" / "programme.yaml"
    assert main(["batch", str(manifest), "-o", "-"]) == 2
    error = _error(capsys)
    assert error.startswith("cft-audio: error: --output: '-'") and "folder" in error
    assert not (tmp_path / "-").exists()
