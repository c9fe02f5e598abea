"""How long each script form is: the estimates, and every place that says it, agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from cft_audio.pipeline import Renderer
from cft_audio.request import Request
from cft_audio.schema import FIELDS
from cft_audio.script.catalogue import EXERCISES, FORM_MINUTES, LENGTHS

ROOT = Path(__file__).resolve().parent.parent


def _minutes(value: float) -> str:
    return str(int(value)) + ("½" if value % 1 else "")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
@pytest.mark.parametrize("length", LENGTHS)
def test_every_form_is_within_a_minute_of_its_documented_length(renderer, exercise, length):
    seconds = renderer.preview(Request(exercise=exercise, length=length)).seconds
    assert abs(seconds / 60 - FORM_MINUTES[length]) <= 1.0


def test_the_readme_the_example_manifest_and_the_form_say_the_same_minutes():
    short, standard, long = (_minutes(FORM_MINUTES[length]) for length in LENGTHS)
    documented = f"short (~{short} min), standard (~{standard}), long (~{long})"
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("`", "")
    assert documented in readme
    assert documented in (ROOT / "examples" / "programme.yaml").read_text(encoding="utf-8")
    hint = next(spec for spec in FIELDS if spec.name == "length").web.hint
    assert hint == f"Short ≈ {short} min, standard ≈ {standard}, long ≈ {long}."
