"""Conventions a command-line user expects: bare help, whole help lines, -q/-v everywhere,
case-insensitive choices shown as [a|b], every error at once, -o - and -o FILE refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from cft_audio.cli import _spoken, cli, main
from cft_audio.cli_options import count
from cft_audio.schema import FIELDS

from .test_batch_manifest import write_manifest

TINY = "Hello, Aoife.\n[pause short]\nRest here a moment.\n"


def test_bare_cft_audio_prints_the_help_and_succeeds(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: cft-audio") and "Commands:" in out


def test_top_level_help_shows_each_command_s_whole_first_line(capsys):
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split("Commands:")[1].split()).replace("- ", "-")
    assert "..." not in out
    for name, command in cli.commands.items():
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert f"{name} {first}" in out


@pytest.mark.parametrize("args", [["analyse", "x.wav"], ["voices", "preview", "joe"],
                                  ["cache", "info"], ["cache", "clear"], ["render", "safe-place"],
                                  ["batch", "programme.yaml"]])
def test_every_command_takes_quiet_and_verbose(capsys, args):
    assert main([*args, "--help"]) == 0
    out = capsys.readouterr().out
    assert "-q, --quiet" in out and "-v, --verbose" in out
    assert main([*args, "-q", "-v"]) == 2
    assert "--quiet and --verbose cannot be used together" in capsys.readouterr().err


def test_choices_come_from_the_schema_show_as_a_list_and_ignore_case(capsys):
    assert main(["render", "--help"]) == 0
    out = capsys.readouterr().out
    chosen = [spec for spec in FIELDS if spec.choices and "render" in spec.commands]
    assert {spec.key for spec in chosen} >= {"tone", "pace", "length", "pronoun", "quality"}
    for spec in chosen:
        assert f"--{spec.key} [{'|'.join(spec.choices)}]" in out
    assert main(["script", "safe-place", "--tone", "CALM", "--pace", "Brisk",
                 "--length", "Short"]) == 0
    assert capsys.readouterr().out.startswith("The Safe Place (short form)")


def test_render_lists_every_problem_at_once(tmp_path, capsys):
    args = ["render", "safe-place", "--tone", "shouty", "--pace", "sprint", "--minutes", "100",
            "--background", "thunder", "-o", str(tmp_path)]
    assert main(args) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[2].strip() for line in lines] == [  # in the order of --help
        "--minutes", "--tone", "--pace", "--background"]
    assert all(line.startswith("cft-audio: error: ") for line in lines)
    assert list(tmp_path.iterdir()) == []
    assert main(["script", "yoga", "--tone", "shouty"]) == 2  # no exercise: that alone
    assert capsys.readouterr().err.count("\n") == 1


def test_output_dash_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["render", "safe-place", "-o", "-"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--output: '-' (standard output) is not supported" in err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_file_is_kept_unless_forced(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    template, out = Path("tiny.j2"), Path("track.wav")
    template.write_text(TINY, encoding="utf-8")
    out.write_bytes(b"earlier work")
    args = ["render", "--script", str(template), "--voice", "espeak-en-gb", "--background",
            "none", "-o", str(out)]
    assert main(args) == 2
    assert capsys.readouterr().err == (f"cft-audio: error: --output: '{out}' already exists "
                                       "(allowed: a new file name, or --force to replace it)\n")
    assert out.read_bytes() == b"earlier work"
    assert main([*args, "--force", "-q"]) == 0
    assert out.read_bytes()[:4] == b"RIFF" and capsys.readouterr().out == ""


def test_batch_counts_are_worded_in_the_singular_for_one(tmp_path, capsys):
    manifest = write_manifest(tmp_path, [{"name": "Sam"}])
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out"), "--check"]) == 0
    assert "1 participant, 2 tracks" in capsys.readouterr().out
    assert [count(n, "pack") for n in (0, 1, 2)] == ["0 packs", "1 pack", "2 packs"]


def test_verbose_render_wording_of_what_was_spoken():
    assert _spoken(29, 29) == "all 29 sentences synthesised"
    assert _spoken(0, 29) == "all 29 sentences from the speech cache"
    assert _spoken(3, 29) == "3 of 29 sentences synthesised, the rest from the speech cache"


def test_the_readme_s_sample_error_is_what_the_command_says(capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ cft-audio render safe-place --tone shouty --background thunder\n")[1]
    shown = block.split("```")[0]
    assert main(["render", "safe-place", "--tone", "shouty", "--background", "thunder"]) == 2
    assert capsys.readouterr().err == shown


def test_the_readme_s_batch_check_runs_from_the_repo_root(monkeypatch, capsys):
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    readme = (root / "README.md").read_text(encoding="utf-8")
    (line,) = [x for x in readme.splitlines() if x.startswith("cft-audio batch ")
               and "--check" in x]
    assert main(line.split("#")[0].split()[1:]) == 0
    assert "programme.yaml: ok, 10 participants, 30 tracks" in capsys.readouterr().out
