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
OWN_IMAGES = ["my grandmother", "a wise old owl", "the sea at dawn"]
OWN_PLACES = ["my grandmother's kitchen garden", "a quiet library"]
QUALITY_SETS = [(), ("wisdom", "strength", "warmth", "non-judgement")]


def combinations():
    """Exercise x length x gentle x personalisation, and image/place where they matter."""
    for exercise, length, gentle, personal, qualities in itertools.product(
        EXERCISES, LENGTHS, (False, True), PERSONAL, QUALITY_SETS
    ):
        # Only the compassionate other speaks of the image and only the safe place of
        # the place, so the other exercises are the same text for every image and place.
        images = [*VOCABULARY.images, *OWN_IMAGES] if exercise == "compassionate-other" \
            else ["person"]
        places = [*VOCABULARY.places, *OWN_PLACES] if exercise == "safe-place" else ["beach"]
        for image, place in itertools.product(images, places):
            yield exercise, length, gentle, image, place, *personal, qualities


CASES = list(combinations())


@pytest.mark.parametrize(("exercise", "length", "gentle", "image", "place", "name", "phrases",
                          "details", "qualities"), CASES)
def test_script_reads_cleanly(exercise, length, gentle, image, place, name, phrases, details,
                              qualities):
    script = render_script(ENV, VOCABULARY, exercise=exercise, length=length, name=name,
                           image=image, place=place, gentle=gentle, phrases=phrases,
                           details=details, qualities=qualities)
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
    assert not re.search(r"\b(a|an|the) (a|an|the|my)\b", spoken, re.I), "doubled article"
    if exercise == "compassionate-other":
        assert VOCABULARY.image(image)["a"] in spoken
    if exercise == "safe-place":
        assert VOCABULARY.place(place)["the"].lower() in spoken.lower()


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


@pytest.mark.parametrize(
    ("image", "pronoun_line"),
    [("my grandmother", "They understand"), ("a wise old owl", "It understands"),
     ("tree", "It understands"), ("person", "They understand")],
)
def test_own_words_agree_in_pronoun_and_verb(image, pronoun_line):
    script = render_script(ENV, VOCABULARY, exercise="compassionate-other", length="standard",
                           image=image, qualities=("wisdom",))
    assert any(s.startswith(pronoun_line) for s in script.sentences)


@pytest.mark.parametrize("exercise", ["compassionate-self", "compassionate-other"])
def test_dwelling_on_qualities_adds_words_and_silence(exercise):
    def spoken_and_silence(qualities):
        script = render_script(ENV, VOCABULARY, exercise=exercise, length="standard",
                               qualities=qualities)
        silence = sum(c.seconds for c in script.cues if hasattr(c, "seconds"))
        return len(script.sentences), silence

    plain, dwelt = spoken_and_silence(()), spoken_and_silence(("wisdom", "warmth"))
    assert dwelt[0] > plain[0] and dwelt[1] > plain[1]
