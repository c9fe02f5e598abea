"""The eyes choice (`--eyes`, a field declared once in the schema and read by the templates):
every exercise, form and variant speaks each choice, and the default is the script as it was."""

from __future__ import annotations

import itertools
import re

import pytest

from cft_audio.cli import main
from cft_audio.schema import BY_KEY, EYES
from cft_audio.script.catalogue import EXERCISES, LENGTHS

from .scripting import written

COMBINATIONS = list(itertools.product(EXERCISES, LENGTHS, (False, True)))
"""Every template combination the eyes choice meets: exercise x form x gentle variant."""
SHUTTING = re.compile(r"close your eyes|eyes close|if they are closed|open your eyes", re.I)
"""What a script for eyes kept open never says."""


def _scripts(exercise: str, length: str, gentle: bool) -> dict[str, object]:
    return {eyes: written(exercise=exercise, length=length, gentle=gentle, eyes=eyes)
            for eyes in EYES}


@pytest.mark.parametrize(("exercise", "length", "gentle"), COMBINATIONS)
def test_every_combination_speaks_each_eyes_choice(exercise, length, gentle):
    scripts = _scripts(exercise, length, gentle)
    spoken = {eyes: " ".join(script.sentences) for eyes, script in scripts.items()}
    assert written(exercise=exercise, length=length, gentle=gentle) == scripts["either"]
    assert "open all the way through" in spoken["open"] and not SHUTTING.search(spoken["open"])
    assert "take in the room around you" in spoken["open"]
    assert "let your eyes close" in spoken["closed"] and "open them again" in spoken["closed"]
    assert "or keep them open" in spoken["either"] or "keep your eyes open" in spoken["either"]
    for eyes in ("open", "closed"):
        changed = set(scripts[eyes].sentences) ^ set(scripts["either"].sentences)
        assert changed and all(re.search(r"eyes|gaze|room", s) for s in changed), changed


@pytest.mark.parametrize(("exercise", "length", "gentle"), COMBINATIONS)
@pytest.mark.parametrize("eyes", EYES)
def test_every_eyes_script_reads_cleanly(exercise, length, gentle, eyes):
    script = written(exercise=exercise, length=length, gentle=gentle, eyes=eyes)
    assert all(s[0].isupper() and s[-1] in ".?!" and "{" not in s for s in script.sentences)
    spoken = " ".join(script.sentences)
    assert "  " not in spoken and not re.search(r"\b(\w+) \1\b", spoken, re.I), "doubled word"
    assert sum("eyes" in s or "gaze" in s for s in script.sentences) >= 2


def test_the_command_line_takes_and_refuses_it(capsys):
    assert main(["script", "safe-place", "--length", "short", "--eyes", "open"]) == 0
    assert "soft, lowered gaze resting on a spot" in capsys.readouterr().out
    assert main(["script", "safe-place", "--eyes", "shut"]) == 2
    assert "--eyes: unknown value 'shut' (allowed: closed, either, open)" in \
        capsys.readouterr().err
    assert BY_KEY["eyes"].default == "either" and BY_KEY["eyes"].web is not None
