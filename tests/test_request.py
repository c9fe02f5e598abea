"""Request validation: every bad field is named with its allowed values."""

from __future__ import annotations

import pytest

from cft_audio import InvalidRequest, Renderer, Request

BAD = [
    ({"exercise": "yoga"}, "exercise", "safe-place"),
    ({"image": "dragon"}, "image", "tree"),
    ({"place": "moon"}, "place", "beach"),
    ({"voice": "bob"}, "voice", "joe"),
    ({"tone": "angry"}, "tone", "warm"),
    ({"pace": "sprint"}, "pace", "slow"),
    ({"background": "thunder"}, "background", "ocean"),
    ({"format": "ogg"}, "format", "mp3"),
    ({"length": "epic"}, "length", "standard"),
    ({"minutes": 0.0}, "minutes", "cannot be reached for safe-place"),  # its own range
    ({"minutes": 500.0}, "minutes", "cannot be reached for safe-place"),
    ({"minutes": float("nan")}, "minutes", "cannot be reached for safe-place"),
    ({"name": "{{ x }}"}, "name", "letters"),
    ({"name": "x" * 200}, "name", "letters"),
    ({"phrases": ("[pause 3s]",)}, "phrase", "no brackets"),
    ({"details": ("",)}, "detail", "letters"),
    ({"details": ("the {{ sea }}",)}, "detail", "letters"),
    ({"image": "a {% raw %}"}, "image", "letters"),
    ({"pronoun": "xe"}, "pronoun", "he, it, she, they"),
    ({"place": "the"}, "place", "letters"),
    ({"place": "my"}, "place", "letters"),
    ({"place": "the the beach"}, "place", "letters"),
    ({"place": "the 's"}, "place", "letters"),
    ({"details": ("I",)}, "detail", "letters"),
    ({"image": "my gran"}, "image", "compassionate-other"),
    ({"qualities": ("wisdom",)}, "quality", "compassionate-self, compassionate-other"),
]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    """A renderer with the bundled scripts and voices (no engine is opened)."""
    return Renderer()


@pytest.mark.parametrize(("change", "field", "allowed"), BAD)
def test_bad_field_is_named_with_allowed_values(renderer, change, field, allowed):
    request = Request(**{"exercise": "safe-place", **change})
    with pytest.raises(InvalidRequest) as caught:
        renderer.check(request)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert allowed in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [{}, {"name": "Siobhán"}, {"name": "Mary-Jane O'Neil"}, {"minutes": 3.0}, {"minutes": 60.0},
     {"image": "tree", "gentle": True}, {"format": "wav"}, {"image": "Jesus", "pronoun": "he"},
     {"image": "my dog Max"}, {"image": "李小龙"}, {"picture": "presence"}],
)
def test_good_requests_pass(renderer, change):
    renderer.check(Request(**{"exercise": "compassionate-other", **change}))


def test_a_default_value_given_to_an_exercise_that_never_uses_it_is_refused(renderer):
    """`--place beach` on the compassionate other is refused like any other place."""
    with pytest.raises(InvalidRequest) as caught:
        renderer.check(Request("compassionate-other", place="beach"))
    assert caught.value.field == "place" and "not used by compassionate-other" in str(
        caught.value)


def test_bad_own_words_name_the_character(renderer):
    with pytest.raises(InvalidRequest) as caught:
        renderer.check(Request("compassionate-other", image="a {% raw %}"))
    assert "'{' is not allowed" in str(caught.value)


@pytest.mark.parametrize(("phrase", "warned"), [
    ("I should be kinder to myself", "should"), ("I must rest", "must"),
    ("I have to slow down", "have to"), ("I am doing my best", None),
    ("Shoulders soft", None)])
def test_pressure_words_in_a_phrase_warn_but_pass(renderer, phrase, warned):
    from cft_audio.request import warnings

    request = Request("soothing-breath", phrases=(phrase,))
    renderer.check(request)
    found = warnings(request)
    assert (warned is None and not found) or (warned in found[0][1] and found[0][0] == "phrase")
