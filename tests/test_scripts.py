"""Every template combination reads cleanly and carries what the clinical brief asks."""

from __future__ import annotations

import itertools
import re

import pytest

from cft_audio.resources import scripts_dir
from cft_audio.script.catalogue import EXERCISES, LENGTHS
from cft_audio.script.cues import Bell, Section
from cft_audio.script.templates import environment, render_script
from cft_audio.script.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary(scripts_dir())
ENV = environment(scripts_dir())
FORBIDDEN = re.compile(r"\b(should|must|have to|has to|need to|ought|try harder)\b", re.I)
PERMISSION = re.compile(r"nothing to get right|no right way", re.I)
GROUNDING = re.compile(r"feet", re.I)
PERSONAL = [("", (), ()), ("Sam", ("May I be kind to myself",), ("the smell of pine", "gulls"))]


def combinations():
    """Exercise x length x gentle x personalisation, and image/place where they matter."""
    for exercise, length, gentle, personal in itertools.product(
        EXERCISES, LENGTHS, (False, True), PERSONAL
    ):
        images = VOCABULARY.images if exercise == "compassionate-other" else ["person"]
        places = VOCABULARY.places if exercise == "safe-place" else ["beach"]
        for image, place in itertools.product(images, places):
            yield exercise, length, gentle, image, place, *personal


CASES = list(combinations())


@pytest.mark.parametrize(("exercise", "length", "gentle", "image", "place", "name", "phrases",
                          "details"), CASES)
def test_script_reads_cleanly(exercise, length, gentle, image, place, name, phrases, details):
    script = render_script(ENV, VOCABULARY, exercise=exercise, length=length, name=name,
                           image=image, place=place, gentle=gentle, phrases=phrases,
                           details=details)
    spoken = " ".join(script.sentences)
    assert "{" not in spoken and "}" not in spoken and "[" not in spoken
    assert "  " not in spoken
    assert not re.search(r"\b(\w+) \1\b", spoken, re.I), "doubled word"
    assert all(s[-1] in ".?!" for s in script.sentences)
    assert not FORBIDDEN.search(spoken)
    assert PERMISSION.search(spoken)
    if name:
        assert 1 <= spoken.count(name) <= 3
    if exercise != "soothing-breath" and not (exercise == "safe-place" and length == "short"):
        assert all(phrase.lower() in spoken.lower() for phrase in phrases)
    if exercise == "safe-place":
        assert all(d in spoken for d in details)
    closing = script.cues[[i for i, c in enumerate(script.cues) if isinstance(c, Section)][-1]:]
    assert GROUNDING.search(" ".join(getattr(c, "text", "") for c in closing))
    assert isinstance(script.cues[0], Bell) and isinstance(script.cues[-1], Bell)


def test_every_image_and_place_is_spoken():
    for image, entry in VOCABULARY.images.items():
        script = render_script(ENV, VOCABULARY, exercise="compassionate-other",
                               length="standard", image=image)
        assert entry["a"] in " ".join(script.sentences)
    for place, entry in VOCABULARY.places.items():
        script = render_script(ENV, VOCABULARY, exercise="safe-place", length="standard",
                               place=place)
        assert entry["the"].lower() in " ".join(script.sentences).lower()


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_lengths_grow(exercise):
    words = [
        len(" ".join(render_script(ENV, VOCABULARY, exercise=exercise, length=n).sentences).split())
        for n in LENGTHS
    ]
    assert words[0] < words[1] < words[2]
