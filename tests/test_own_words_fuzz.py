"""Any own words a therapist might type end in a clean script or one clear error, never a crash."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cft_audio.errors import InvalidRequest
from cft_audio.resources import scripts_dir
from cft_audio.script.vocabulary import load_vocabulary
from tests.scripting import written

VOCABULARY = load_vocabulary(scripts_dir())
FIRST_PERSON = re.compile(r"\b(I|my|our|me|mine|myself)\b")
WORDS = st.sampled_from(["my", "our", "the", "a", "an", "I", "me", "nan's", "Grandma's", "late",
                         "father", "dog", "Max", "hills", "kitchen", "at", "by", "on", "of",
                         "Whitby", "Siobhán", "李小龙", "sea", "light", "and", "wise", "Jesus",
                         "parents'", "house", "am", "was", "we", "mine", "Warm", "O'Neil",
                         "Our Lady", "Our Father", "Our Saviour", "of Lourdes", "Allah", "God",
                         "Gran and Pop", "and her baby", ",", "Mr.", "St.", "GRAN", "pod of",
                         "Auntie's", "Ben", "Isle of", "river", "Thames", "and", "swings"])
TYPED = st.one_of(
    st.lists(WORDS, min_size=1, max_size=7).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "Zs", "Pd", "Po", "M")),
            max_size=70),
)
FUZZ = settings(max_examples=int(os.environ.get("CFT_FUZZ_EXAMPLES", "150")), deadline=None,
                derandomize="CFT_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow])
"""150 fixed examples per test in CI; CFT_FUZZ_EXAMPLES=5000 for a longer random run by hand."""


def _clean(sentences: tuple[str, ...], own: str) -> None:
    for sentence in sentences:
        assert sentence[-1] in ".?!", sentence
        assert "{" not in sentence and "[" not in sentence
        assert not FIRST_PERSON.search(sentence), (own, sentence)


@pytest.mark.parametrize(("exercise", "field"), [("compassionate-other", "image"),
                                               ("safe-place", "place")])
@FUZZ
@given(typed=TYPED)
def test_any_image_or_place_is_spoken_or_refused(exercise, field, typed):
    try:
        script = written(exercise=exercise, length="short",
                               **{field: typed})
    except InvalidRequest as error:
        assert error.field == field and "\n" not in str(error)
        return
    _clean(script.sentences, typed)
    if field == "image":
        assert script.pronoun in ("he", "she", "they", "it")


@FUZZ
@given(TYPED)
def test_any_detail_is_spoken_or_refused(typed):
    from cft_audio.request import Request, validate

    request = Request("safe-place", details=(typed,))
    try:
        validate(request, voices=["joe"], vocabulary=VOCABULARY, backgrounds=["ocean"],
                 formats=["mp3"])
    except InvalidRequest as error:
        assert error.field == "detail" and "\n" not in str(error)
        return
    script = written(exercise="safe-place", length="short",
                           details=(typed,))
    _clean(script.sentences, typed)


@pytest.mark.parametrize("typed", ["my", "I", "the the", "a ,", "'s", "x{y}"])
def test_known_bad_words_are_refused(typed):
    with pytest.raises(InvalidRequest):
        VOCABULARY.image(typed)


PEOPLE = st.sampled_from(["my nan", "Gran", "Pop", "my sister", "her baby", "my dog Max",
                          "Auntie Jean", "Uncle Bob", "my late father", "a kind nurse",
                          "my mum", "Dad", "our cat", "Siobhán", "李小龙"])
TITLES = st.sampled_from(["Our Lady", "Our Father", "Our Saviour", "Our Lord", "Our Lady of Knock",
                          "our lady", "OUR LADY", "Saint Francis", "St. Anthony", "Allah",
                          "the Buddha", "Kuan Yin"])


@FUZZ
@given(people=st.lists(PEOPLE, min_size=2, max_size=3, unique=True))
def test_two_or_more_at_once_are_all_kept_and_they(people):
    typed = ", ".join(people[:-1]) + " and " + people[-1]
    figure = VOCABULARY.image(typed)
    script = written(exercise="compassionate-other", length="short",
                           image=typed)
    _clean(script.sentences, typed)
    assert figure.pronoun == "they" and figure.plural
    spoken = " ".join(script.sentences)
    for person in people:
        last = person.split()[-1]
        assert last in figure.a and last in figure.the, (typed, figure.the)
    assert " is wise" not in spoken and "flowing from" in spoken


@FUZZ
@given(title=TITLES, tail=st.sampled_from(["", " of Lourdes", " of my childhood"]))
def test_set_titles_are_kept_whole(title, tail):
    figure = VOCABULARY.image(title + tail)
    as_written = VOCABULARY.lexicon.titles.get(title.lower().replace(".", "."), None)
    script = written(exercise="compassionate-other", length="short", image=title + tail)
    _clean(script.sentences, title)
    assert not figure.a.lower().startswith(("your lady", "your father", "your saviour"))
    if as_written:
        assert as_written.lower() in figure.a.lower() and figure.pronoun in ("he", "she", "they")
    if title.lower() in VOCABULARY.presences:
        assert "hard times" not in " ".join(script.sentences)
