"""Automatic names tell tracks apart by exercise, place or image, length and day, never by
the client's name; the CLI and the web app's downloads name them with one function."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from cft_audio import Renderer, Request
from cft_audio.naming import name_part, track_stem, track_title
from cft_audio.web.library import download_name, list_renders

TODAY = f"{datetime.date.today():%Y-%m-%d}"


def test_two_safe_places_of_different_places_and_lengths_differ(fake_context, tmp_path):
    renderer = Renderer(fake_context)
    quick = renderer.plan(Request("safe-place", minutes=5, name="Aoife", output=tmp_path))
    own = renderer.plan(Request("safe-place", minutes=8, name="Aoife", place="my nan's kitchen",
                                output=tmp_path))
    assert quick.output.name == f"safe-place-beach-5min-{TODAY}.mp3"
    assert own.output.name == f"safe-place-own-words-8min-{TODAY}.mp3"  # not their words
    for plan in (quick, own):
        assert "aoife" not in plan.output.name.lower() and "nan" not in plan.output.name


def test_natural_length_is_named_by_its_estimated_minutes(fake_context, tmp_path):
    renderer = Renderer(fake_context)
    request = Request("compassionate-other", image="tree", length="short", output=tmp_path)
    preview = renderer.preview(request)
    name = renderer.plan(request).output.name
    assert name == f"compassionate-other-tree-{round(preview.seconds / 60)}min-{TODAY}.mp3"
    breath = renderer.plan(Request("soothing-breath", minutes=6, output=tmp_path)).output.name
    assert breath == f"soothing-breath-6min-{TODAY}.mp3"  # uses neither place nor image


def test_the_web_download_is_the_cli_s_name_with_background_voice_and_a_tag(fake_context,
                                                                             tmp_path):
    request = Request("safe-place", place="forest", minutes=5, name="Sam", format="wav",
                      background="none", sidecars=("json", "vtt"), output=tmp_path)
    result = Renderer(fake_context).render(request)
    (entry,) = list_renders(tmp_path)
    assert re.fullmatch(rf"safe-place-forest-5min-{TODAY}\.wav", result.path.name)
    named = download_name(entry, "wav")
    assert re.fullmatch(rf"safe-place-forest-5min-none-{entry.voice}-{TODAY}-[0-9a-f]{{4}}\.wav",
                        named), named
    assert download_name(entry, "vtt") == named.replace(".wav", ".vtt")  # one stem
    assert "sam" not in named.lower()


def test_name_parts_are_safe():
    assert name_part("Ocean Waves!") == "ocean-waves"
    assert name_part("../own sound") == "own-sound"
    day = datetime.date(2026, 11, 29)
    assert track_stem("safe-place", "", 5, day, ("rain", "")) == "safe-place-5min-rain-2026-11-29"


def test_a_repeat_gets_a_number_and_never_overwrites(fake_context, tmp_path):
    renderer = Renderer(fake_context)
    request = Request("safe-place", minutes=5, format="wav", background="none", output=tmp_path)
    first = renderer.render(request).path
    second = renderer.render(request).path
    assert second.name == first.name.replace(".wav", "-2.wav")
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == sorted([first.name, second.name])


def test_stem_parts():
    day = datetime.date(2026, 11, 29)
    assert track_stem("safe-place", "forest", 10.2, day) == "safe-place-forest-10min-2026-11-29"
    assert track_stem("compassionate-other", "Jesus", 12, day).split("-")[2:4] == ["own", "words"]
    assert track_stem("soothing-breath", "", 0.2, day) == "soothing-breath-2026-11-29"


@pytest.mark.parametrize(("title", "setting", "track", "expected"), [
    ("The Safe Place", "beach", None, "The Safe Place: beach"),
    ("The Safe Place", "my nan's  kitchen", 3, "3. The Safe Place: my nan's kitchen"),
    ("The Compassionate Self", "", 12, "12. The Compassionate Self"),
    ("My Evening Practice", "", None, "My Evening Practice"),
])
def test_titles_tell_tracks_apart(title, setting, track, expected):
    assert track_title(title, setting, track) == expected
