"""Markup parsing: text and tags become typed cues; bad markup names its line."""

from __future__ import annotations

import pytest

from cft_audio import ScriptError
from cft_audio.script.cues import Bell, Breath, Pause, Say, Section
from cft_audio.script.markup import parse

CASES = [
    ("Hello there. How are you?", (Say("Hello there."), Say("How are you?"))),
    ("[bell]\nWelcome.\n[pause 8s]", (Bell(), Say("Welcome."), Pause(8.0))),
    ("[section Arriving]\nSettle in.", (Section("Arriving"), Say("Settle in."))),
    ("[breath in 4 out 6 x 3]", (Breath(4.0, 6.0, 3),)),
    ("[pause 2.5s] Rest.\n\n  Now,\n  notice.", (Pause(2.5), Say("Rest."), Say("Now, notice."))),
    ("[pause short] [pause medium] [pause long]", (Pause(3.0), Pause(8.0), Pause(15.0))),
    ("", ()),
]


@pytest.mark.parametrize(("text", "cues"), CASES)
def test_parse(text, cues):
    assert parse(text) == cues


def test_breath_seconds():
    assert Breath(4.0, 6.0, 3).seconds == 30.0


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("One.\nTwo.\n[pause eight]", 3),
        ("[shout]", 1),
        ("Fine.\n[breath in 0 out 6 x 3]", 2),
        ("A.\nB.\nC. [pause 3s", 3),
        ("A.\nB ] C.", 2),
    ],
)
def test_bad_markup_names_the_line(text, line):
    with pytest.raises(ScriptError, match=f"line {line}:"):
        parse(text)
