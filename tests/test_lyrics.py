"""The lyrics tag: the script as a client reads it, with no timing markup."""

from __future__ import annotations

import dataclasses

import mutagen

from cft_audio.lyrics import readable_script
from cft_audio.pipeline import Renderer
from cft_audio.request import Request
from cft_audio.script.cues import Bell, Breath, Pause, Say, Script, Section


def test_sections_are_headings_pauses_blank_lines_and_no_markup():
    script = Script("safe-place", "The Safe Place", "short", (
        Bell(), Section("Arriving"), Say("Welcome, Sam."), Say("Let yourself settle."),
        Pause(5), Say("There is nothing to get right."), Breath(4, 6, 3),
        Section("Returning"), Say("Feel your feet on the floor."), Bell()), "[bell] ...")
    assert readable_script(script) == (
        "The Safe Place\n\n\nArriving\n\nWelcome, Sam. Let yourself settle.\n\n"
        "There is nothing to get right.\n\n\nReturning\n\nFeel your feet on the floor.\n")


def test_a_rendered_track_carries_the_readable_script(fake_context, tmp_path):
    request = Request("safe-place", name="Sam", length="short", background="none",
                      output=tmp_path / "t.mp3")
    renderer = Renderer(dataclasses.replace(fake_context))
    result = renderer.render(request)
    lyrics = mutagen.File(result.path).tags.getall("USLT")[0].text
    assert lyrics.startswith("The Safe Place\n\n\nArriving\n\nWelcome, Sam.")
    assert "[" not in lyrics and "]" not in lyrics
    assert lyrics == readable_script(result.script)


def test_the_clients_own_phrase_stands_in_quotation_marks():
    script = Script("safe-place", "The Safe Place", "short", (
        Say("You might say your own kind words."), Say("I am doing my best."),
        Say("I am doing my best, and more.")), "...")
    assert readable_script(script, ["i am doing  my best"]) == (
        "The Safe Place\n\nYou might say your own kind words. “I am doing my best.” "
        "I am doing my best, and more.\n")
