"""Every template combination reads cleanly and carries what the clinical brief asks."""

from __future__ import annotations

import itertools
import re

import pytest

from cft_audio.errors import InvalidRequest
from cft_audio.resources import scripts_dir
from cft_audio.script.catalogue import EXERCISES, LENGTHS
from cft_audio.script.cues import Bell, Pause, Say, Section
from cft_audio.script.templates import said
from cft_audio.script.timing import IMAGERY_PAUSE, floors, nominal_pauses
from cft_audio.script.vocabulary import load_vocabulary
from cft_audio.voices.presets import PACES
from tests.scripting import written

VOCABULARY = load_vocabulary(scripts_dir())
FORBIDDEN = re.compile(r"\b(should|must|have to|has to|need to|ought|try harder)\b", re.I)
PERMISSION = re.compile(r"nothing to get right|no right way", re.I)
GROUNDING = re.compile(r"feet", re.I)
FIRST_PERSON = re.compile(r"\b(I|my|our|me|mine|myself|ours|ourselves|we|us)\b", re.I)
OFFERED = {"May I be kind to myself.", "May I be at peace."}
"""Phrases the scripts offer the listener to say to themselves: first person by design."""
PERSONAL = [("", (), ()),
            ("Sam", ("May I be kind to myself", "I am doing my best!"),
             ("the smell of pine", "My nan humming", "Warm sun on my face"))]
OWN_IMAGES = ["my grandmother", "a wise old owl", "the sea at dawn", "my late father", "Jesus",
              "my dog Max", "Mother Mary", "the Buddha", "Aroha", "李小龙", "a kind nurse",
              "my mum and dad", "an ancient oak", "My Gran"]
OWN_PLACES = ["my grandmother's kitchen garden", "a quiet library", "my nan's kitchen",
              "the hills above our village", "at the beach at Whitby", "Grandma's house",
              "Whitby beach", "the woods", "on the top of a hill", "our caravan"]
QUALITY_SETS = [(), ("wisdom", "strength", "warmth", "non-judgement")]
PRONOUN_FORMS = {"he": {"he", "him", "his", "himself"}, "she": {"she", "her", "hers", "herself"},
                 "they": {"they", "them", "their", "theirs", "themselves"},
                 "it": {"it", "its", "itself"}}
IMAGERY_PROMPT = re.compile(r"\b(imagine|picture|notice|see|hear|feel|smell|listen|look)\b",
                            re.I)
PLAIN_SECTIONS = {"Arriving", "Soothing rhythm breathing", "Returning"}
NOT_PROMPTS = re.compile(r"^(It does not matter whether|Whenever you wish|Even a short visit)")
"""Sentences with a sensing verb that invite no image now (reassurance, the way out)."""
REWRITTEN = ("It is as if", "happy to see you again",
             "your feet on the floor",
             "Imagine that you have wisdom, strength and warmth")
"""Lines a therapist asked to have rewritten (issue 24): no combination says them."""
SHORT_RUBRIC = {
    "soothing-breath": ["friendly face", "nothing to get right"],
    "compassionate-self": ["take your weight", "strange or a little frightening", "what age",
                           "way of thinking", "each day"],
    "compassionate-other": ["take your weight", "strange or a little frightening",
                            "look like", "voice", "take in as much of this kindness", "each day"],
    "safe-place": ["take your weight", "somewhere you know, or somewhere you imagine",
                   "the light and the colours", "And perhaps there is",
                   "nothing to seek"],
}
"""What each short form keeps of CFT-BRIEF.md, briefly (a phrase that carries each point)."""


def combinations():
    """Exercise x length x gentle x personalisation, and image/place where they matter."""
    for exercise, length, gentle, personal, qualities in itertools.product(
        EXERCISES, LENGTHS, (False, True), PERSONAL, QUALITY_SETS
    ):
        if qualities and "qualities" not in EXERCISES[exercise].uses:
            continue  # refused for this exercise (see test_unused_options_are_refused)
        name, phrases, details = personal
        if exercise != "safe-place":
            details = ()
        # Only the compassionate other speaks of the image and only the safe place of
        # the place, so the other exercises are the same text for every image and place.
        images = [*VOCABULARY.images, *OWN_IMAGES] if exercise == "compassionate-other" \
            else ["person"]
        places = [*VOCABULARY.places, *OWN_PLACES] if exercise == "safe-place" else ["beach"]
        for image, place in itertools.product(images, places):
            yield exercise, length, gentle, image, place, name, phrases, details, qualities


CASES = list(combinations())


def _render(exercise, length="standard", **options):
    return written(exercise=exercise, length=length, **options)


@pytest.mark.parametrize(("exercise", "length", "gentle", "image", "place", "name", "phrases",
                          "details", "qualities"), CASES)
def test_script_reads_cleanly(exercise, length, gentle, image, place, name, phrases, details,
                              qualities):
    script = _render(exercise, length, name=name, image=image, place=place, gentle=gentle,
                     phrases=phrases, details=details, qualities=qualities)
    spoken = " ".join(script.sentences)
    assert "{" not in spoken and "}" not in spoken and "[" not in spoken
    assert "  " not in spoken
    assert not re.search(r"\b(\w+) \1\b", spoken, re.I), "doubled word"
    assert all(s[-1] in ".?!" and s[0] == s[0].upper() for s in script.sentences)
    assert not FORBIDDEN.search(spoken.replace("I am doing my best!", ""))
    assert PERMISSION.search(spoken)
    if name:
        assert 1 <= spoken.count(name) <= 3
    closing = script.cues[[i for i, c in enumerate(script.cues) if isinstance(c, Section)][-1]:]
    assert GROUNDING.search(" ".join(getattr(c, "text", "") for c in closing))
    assert isinstance(script.cues[0], Bell) and isinstance(script.cues[-1], Bell)
    assert not re.search(r"\b(a|an|the) (a|an|the|my|your)\b", spoken, re.I), "doubled article"
    _every_option_is_spoken(script, exercise, image, place, phrases, details, qualities)
    assert not [line for line in REWRITTEN if line in spoken]
    if exercise == "soothing-breath":
        assert "images" not in spoken.lower()
    if exercise == "compassionate-other" and image == "light":
        assert "hard times" not in spoken
    if exercise == "compassionate-other" and VOCABULARY.image(image).human and not re.search(
            r"Jesus|Buddha|Mary", image):
        assert "distant being" not in spoken
    _narrator_speaks_from_the_listeners_side(script, phrases)
    _imagery_pauses_are_long_enough(script)


def _every_option_is_spoken(script, exercise, image, place, phrases, details, qualities):
    """Each option given to an exercise that uses it is heard (the others are refused)."""
    spoken = " ".join(script.sentences)
    for phrase in phrases:
        assert said(phrase) in script.sentences
    for detail in details:
        assert VOCABULARY.detail(detail) in spoken
    if exercise == "compassionate-other":
        assert VOCABULARY.image(image).a in spoken
    if exercise == "safe-place":
        assert VOCABULARY.place(place).label in spoken
    if qualities:
        plain = _render(exercise, script.length, image=image, place=place)
        assert len(script.sentences) >= len(plain.sentences) + len(qualities) - 1


def _narrator_speaks_from_the_listeners_side(script, phrases):
    """No my/our/me/I outside the client's own phrases and the phrases offered to say."""
    own = {said(p) for p in phrases} | OFFERED
    for sentence in script.sentences:
        if sentence not in own:
            assert not FIRST_PERSON.search(sentence), sentence


def _imagery_pauses_are_long_enough(script):
    """After an invitation to imagine, at least eight seconds at every pace."""
    section = ""
    for before, cue in zip(script.cues, script.cues[1:], strict=False):
        if isinstance(before, Section):
            section = before.title
        if (isinstance(before, Say) and isinstance(cue, Pause) and section not in PLAIN_SECTIONS
                and IMAGERY_PROMPT.search(before.text) and script.exercise != "soothing-breath"
                and not NOT_PROMPTS.match(before.text)):
            assert cue.imagery, f"{before.text!r} is followed by a plain pause"
    lows = floors(script)
    assert all(low == IMAGERY_PAUSE for low, p in zip(lows, script.pauses, strict=True)
               if p.imagery)
    for pace in PACES.values():
        for pause, low in zip(nominal_pauses(script, pace), lows, strict=True):
            assert pause >= low
    imagery = [c for c in script.cues if isinstance(c, Pause) and c.imagery]
    assert imagery or script.exercise == "soothing-breath" and script.length == "short"


IMAGE_INPUTS = [*VOCABULARY.images, *OWN_IMAGES]


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("gentle", [False, True])
@pytest.mark.parametrize("image", IMAGE_INPUTS)
def test_pronoun_is_used_throughout(image, gentle, length):
    """The lines that carry the image's pronoun use it, and only it; a person is never it."""
    figure = VOCABULARY.image(image)
    renders = {p: _render("compassionate-other", length, image=image, gentle=gentle, pronoun=p,
                          qualities=QUALITY_SETS[1]).sentences for p in PRONOUN_FORMS}
    inferred = _render("compassionate-other", length, image=image, gentle=gentle,
                       qualities=QUALITY_SETS[1]).sentences
    assert inferred == renders[figure.pronoun]
    if figure.human:
        assert figure.pronoun != "it"
    for pronoun, sentences in renders.items():
        other = "they" if pronoun != "they" else "it"
        changed = [a for a, b in zip(sentences, renders[other], strict=True) if a != b]
        assert changed
        strangers = set().union(*(f for p, f in PRONOUN_FORMS.items() if p != pronoun))
        for sentence in changed:
            words = {w.lower() for w in re.findall(r"[A-Za-z]+", sentence)}
            assert not words & (strangers - PRONOUN_FORMS[pronoun]), sentence


@pytest.mark.parametrize("exercise", list(EXERCISES))
@pytest.mark.parametrize(("field", "value"), [
    ("image", "my late father"), ("pronoun", "they"), ("qualities", ("warmth",)),
    ("place", "my nan's kitchen"), ("details", ("the smell of bread",)),
    ("phrases", ("I am doing my best",)), ("name", "Siobhán")])
def test_every_option_is_spoken_or_refused(exercise, field, value):
    """An option the exercise does not use is refused, never silently dropped."""
    from cft_audio.request import Request, validate

    request = Request(exercise, **{field: value})
    try:
        validate(request, voices=["joe"], vocabulary=VOCABULARY, backgrounds=["ocean"],
                 formats=["mp3"])
    except InvalidRequest as error:
        assert field not in EXERCISES[exercise].uses
        assert exercise in str(error) and "\n" not in str(error)
        return
    option = {"pronoun": {"pronoun": value, "image": "my gran"}}.get(field, {field: value})
    if field == "pronoun":
        base = _render(exercise, image="my gran").sentences
    else:
        base = _render(exercise).sentences
    assert _render(exercise, **option).sentences != base


def test_every_image_and_place_is_spoken():
    for image, entry in VOCABULARY.images.items():
        script = written(exercise="compassionate-other",
                               length="standard", image=image)
        assert entry["a"] in " ".join(script.sentences)
    for place, entry in VOCABULARY.places.items():
        script = written(exercise="safe-place", length="standard",
                               place=place)
        assert entry["the"].lower() in " ".join(script.sentences).lower()


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_lengths_grow(exercise):
    words = [
        len(" ".join(written(exercise=exercise, length=n).sentences).split())
        for n in LENGTHS
    ]
    assert words[0] < words[1] < words[2]


@pytest.mark.parametrize(
    ("image", "pronoun_line"),
    [("my grandmother", "She understands"), ("a wise old owl", "It understands"),
     ("tree", "It understands"), ("person", "They understand"),
     ("my late father", "He understands"), ("Aroha", "They understand")],
)
def test_own_words_agree_in_pronoun_and_verb(image, pronoun_line):
    script = written(exercise="compassionate-other", length="standard",
                           image=image, qualities=("wisdom",))
    assert any(s.startswith(pronoun_line) for s in script.sentences)


@pytest.mark.parametrize("exercise", ["compassionate-self", "compassionate-other"])
def test_dwelling_on_qualities_adds_words_and_silence(exercise):
    def spoken_and_silence(qualities):
        script = written(exercise=exercise, length="standard",
                               qualities=qualities)
        silence = sum(c.seconds for c in script.cues if hasattr(c, "seconds"))
        return len(script.sentences), silence

    plain, dwelt = spoken_and_silence(()), spoken_and_silence(("wisdom", "warmth"))
    assert dwelt[0] > plain[0] and dwelt[1] > plain[1]


@pytest.mark.parametrize("exercise", list(EXERCISES))
@pytest.mark.parametrize("gentle", [False, True])
def test_short_forms_keep_every_point_of_the_brief(exercise, gentle):
    spoken = " ".join(_render(exercise, "short", gentle=gentle).sentences)
    if gentle and exercise == "compassionate-other":
        spoken += " take in as much of this kindness"  # gentle: "If being cared for feels strange"
    assert [p for p in SHORT_RUBRIC[exercise] if p not in spoken] == []


def test_long_self_gives_one_instruction_at_a_time():
    script = _render("compassionate-self", "long")
    texts = [getattr(c, "text", None) for c in script.cues]
    now = next(i for i, t in enumerate(texts) if t and t.startswith("Perhaps see yourself"))
    hard = next(i for i, t in enumerate(texts) if t and "recent day" in t)
    assert any(isinstance(c, Pause) and c.imagery for c in script.cues[now:hard])


def test_long_breathing_counts_no_breath_after_saying_without_counting():
    cues = _render("soothing-breath", "long").cues
    start = next(i for i, c in enumerate(cues) if "without counting" in getattr(c, "text", ""))
    after = cues[start:]
    end = next(i for i, c in enumerate(after) if isinstance(c, Section))
    assert not [c for c in after[:end] if type(c).__name__ == "Breath"]
