"""Text preparation: lexicon entries, abbreviations and numbers, as the engine will read them."""

from __future__ import annotations

import pytest

from cft_audio.errors import InvalidRequest
from cft_audio.limits import MAX_RESPELLING
from cft_audio.voices.text import (
    Lexicon,
    lexicon_from_pairs,
    load_lexicon,
    number_to_words,
    prepare,
)

LEXICON = lexicon_from_pairs(
    ["Siobhán=Shiv-awn", "Aoife=Eefa", "Nguyen=Win", "Mary Ann=Mair-ee Ann"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, Siobhán.", "Hello, Shiv-awn."),
        ("AOIFE, you are safe.", "Eefa, you are safe."),
        ("Nguyen's breath slows.", "Win's breath slows."),
        ("Nguyenx is not a name here.", "Nguyenx is not a name here."),
        ("Mary Ann and Mary.", "Mair-ee Ann and Mary."),
        ("No names at all.", "No names at all."),
    ],
)
def test_lexicon_replaces_whole_words_any_case(text, expected):
    assert prepare(text, LEXICON) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Breathe in for 4, out for 6.", "Breathe in for four, out for six."),
        ("About 5 to 6 breaths a minute.", "About five to six breaths a minute."),
        ("It is 2.5 minutes.", "It is two point five minutes."),
        ("The 1st and 22nd and 103rd time.",
         "The first and twenty-second and one hundred and third time."),
        ("100% here.", "one hundred percent here."),
        ("Dr. Patel and Mrs. Lee, e.g. friends.",
         "Doctor Patel and Missus Lee, for example friends."),
        ("Wait 10 mins & rest.", "Wait ten minutes and rest."),
        ("1,250 steps.", "one thousand two hundred and fifty steps."),
    ],
)
def test_numbers_and_abbreviations_are_spelled_out(text, expected):
    assert prepare(text) == expected


@pytest.mark.parametrize(
    ("number", "words"),
    [(0, "zero"), (13, "thirteen"), (40, "forty"), (99, "ninety-nine"), (100, "one hundred"),
     (101, "one hundred and one"), (2026, "two thousand and twenty-six"),
     (1_000_000, "one million")],
)
def test_number_to_words(number, words):
    assert number_to_words(number) == words


def test_later_lexicon_wins():
    merged = lexicon_from_pairs(["Aoife=Eefa"]).merged(lexicon_from_pairs(["aoife=Ee-fah"]))
    assert prepare("Aoife", merged) == "Ee-fah"


@pytest.mark.parametrize("pair", ["Aoife", "=Eefa", "Aoife=", "A=b=c\n"])
def test_malformed_pronunciation_names_the_field(pair):
    with pytest.raises(InvalidRequest) as caught:
        lexicon_from_pairs([pair])
    assert caught.value.field == "say"
    assert "\n" not in str(caught.value)


def test_lexicon_file(tmp_path):
    path = tmp_path / "lexicon.yaml"
    path.write_text("Siobhán: Shiv-awn\nNguyen: Win\n", encoding="utf-8")
    assert load_lexicon(path).entries == {"Siobhán": "Shiv-awn", "Nguyen": "Win"}


@pytest.mark.parametrize("content", ["- a list\n- not a map\n", "Aoife: [1, 2]\n", "a: b: c\n"])
def test_bad_lexicon_file_is_a_usage_error(tmp_path, content):
    path = tmp_path / "lexicon.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidRequest) as caught:
        load_lexicon(path)
    assert caught.value.field == "lexicon"


def test_missing_lexicon_file_is_a_usage_error(tmp_path):
    with pytest.raises(InvalidRequest, match="lexicon: cannot read"):
        load_lexicon(tmp_path / "absent.yaml")


def test_empty_lexicon_changes_nothing():
    assert prepare("  Aoife   rests. ", Lexicon()) == "Aoife rests."


def test_a_respelling_is_bounded_in_say_and_lexicon_files(tmp_path):
    longest = "a" * MAX_RESPELLING
    assert lexicon_from_pairs([f"Sam={longest}"]).entries["Sam"] == longest
    with pytest.raises(InvalidRequest) as said:
        lexicon_from_pairs([f"Sam={'a' * (MAX_RESPELLING + 1)}"])
    path = tmp_path / "lexicon.yaml"
    path.write_text(f"Aoife: Eefa\nSam: {'Sa ' * 3_333}\n", encoding="utf-8")
    with pytest.raises(InvalidRequest) as filed:
        load_lexicon(path)
    assert (said.value.field, filed.value.field) == ("say", "lexicon")
    for error in (said.value, filed.value):
        assert "MAX_RESPELLING" in str(error) and "'Sam'" in str(error)
        assert "\n" not in str(error) and len(str(error)) < 200
