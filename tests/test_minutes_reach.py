"""`--minutes`: `exercises` and `script` show the minutes each exercise and form can reach,
as the fitting code computes them, and errors, --help and the README agree with them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cft_audio import Renderer, Request
from cft_audio.cli import main
from cft_audio.script.catalogue import EXERCISES, LENGTHS

ROOT = Path(__file__).resolve().parents[1]
REACH = re.compile(r"\[--minutes (\d+) to (\d+)(?:: (.*))?\]")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _shown(capsys, args: list[str]) -> dict[str, tuple[int, int, str]]:
    assert main(args) == 0
    found = {}
    for line in capsys.readouterr().out.splitlines():
        if match := REACH.search(line):
            found[line.split()[0]] = (int(match[1]), int(match[2]), match[3] or "")
    return found


def test_exercises_lists_each_form_s_reach_from_the_fitting_code(capsys, renderer):
    shown = _shown(capsys, ["exercises"])
    assert sorted(shown) == sorted(EXERCISES)
    for exercise, (low, high, forms) in shown.items():
        assert (low, high) == renderer.reachable_minutes(Request(exercise))
        expected = [f"{form} {a:g} to {b:g}" for form in LENGTHS
                    for a, b in [renderer.reachable_minutes(Request(exercise, length=form))]]
        assert forms.split(", ") == expected
        assert 3 <= low < high <= 60


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_errors_name_the_same_range_and_its_ends_are_accepted(capsys, renderer, exercise):
    low, high = renderer.reachable_minutes(Request(exercise))
    for outside in (low - 1, high + 1, 0.5, 500):
        assert main(["script", exercise, "--minutes", f"{outside:g}"]) == 2
        assert f"(allowed: {low:g} to {high:g})" in capsys.readouterr().err
    for inside in (low, high):
        assert main(["script", exercise, "--minutes", f"{inside:g}"]) == 0
        assert f"[--minutes {low:g} to {high:g}:" in capsys.readouterr().out


def test_script_shows_the_reach_of_this_request(capsys, renderer):
    request = Request("safe-place", place="my nan's kitchen", pace="brisk", length="long")
    assert main(["script", "safe-place", "--place", "my nan's kitchen", "--pace", "brisk",
                 "--length", "long"]) == 0
    low, high = renderer.reachable_minutes(request)
    assert capsys.readouterr().out.splitlines()[1] == f"[--minutes {low:g} to {high:g}]"


def test_help_and_readme_make_no_other_claim(capsys):
    assert main(["render", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--minutes FLOAT Target length in minutes, within the exercise's reach" in help_text
    assert "3 to 60" not in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    (row,) = [line for line in readme if line.startswith("| `--minutes` |")]
    assert "3 to 60" not in row and "cft-audio exercises" in row


def test_readme_shows_the_reach_exercises_prints(capsys):
    assert main(["exercises"]) == 0
    printed = {line.split()[0]: line[line.index("[--minutes"):]
               for line in capsys.readouterr().out.splitlines()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    shown = {line.split()[0]: line[line.index("[--minutes"):]
             for line in readme if line.split()[:1] and line.split()[0] in printed
             and "[--minutes" in line}
    assert shown == printed
