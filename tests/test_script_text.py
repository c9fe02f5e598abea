"""The script as text: the therapist's annotated form and the participant's reading form."""

from __future__ import annotations

from cft_audio.batch.reading import plain_text
from cft_audio.script.cues import Bell, Breath, Pause, Say, Script, Section
from cft_audio.script.text import annotated

EVERY_CUE = Script(exercise="test", title="Test", length="short", text="", cues=(
    Section("A"), Say("Hi."), Pause(3.0), Bell(), Breath(4.0, 6.0, 3), Section("B"), Say("Bye.")))


def test_annotated_marks_every_kind_of_cue_with_its_fitted_pause():
    assert annotated(EVERY_CUE, [12.4]) == (
        "[section A]\nHi.\n[pause 12s]\n[bell]\n[breath in 4 out 6 x 3]\n\n[section B]\nBye.\n")


def test_reading_text_has_headings_sentences_and_breathing_but_no_marks():
    assert plain_text(EVERY_CUE) == "A\nHi.\n(Breathe: in for 4, out for 6; 3 times)\n\nB\nBye."
