"""The form ↔ Request mapping: the CLI's options, defaults and exact error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cft_audio.cli import main
from cft_audio.pipeline import Renderer
from cft_audio.request import Request
from cft_audio.schema import from_record, to_record
from cft_audio.web import forms

from .conftest import fake_render_context

CASES = [
    ("safe-place", "name", "Sam!", ["--name", "Sam!"]),
    ("safe-place", "minutes", "2", ["--minutes", "2"]),
    ("safe-place", "minutes", "3", ["--minutes", "3"]),
    ("safe-place", "minutes", "abc", ["--minutes", "abc"]),
    ("safe-place", "place", "volcano", ["--place", "volcano"]),
    ("compassionate-self", "quality", ["kindness"], ["--quality", "kindness"]),
    ("compassionate-other", "image", "dragon", ["--image", "dragon"]),
    ("safe-place", "bed-level", "9", ["--bed-level", "9"]),
    ("safe-place", "say", ["Aoife"], ["--say", "Aoife"]),
    ("safe-place", "phrase", ["<b>kind</b>"], ["--phrase", "<b>kind</b>"]),
    ("safe-place", "track", "0", ["--track", "0"]),
    ("safe-place", "seed", "x", ["--seed", "x"]),
    ("safe-place", "length", "medium", ["--length", "medium"]),
    ("safe-place", "tone", "cold", ["--tone", "cold"]),
    ("compassionate-other", "pronoun", "xe", ["--pronoun", "xe"]),
    ("compassionate-other", "image", "a {% raw %}", ["--image", "a {% raw %}"]),
    ("safe-place", "place", "my nan's <kitchen>", ["--place", "my nan's <kitchen>"]),
    ("safe-place", "detail", ["the {{ sea }}"], ["--detail", "the {{ sea }}"]),
]


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> Renderer:
    """A renderer with the fake voice (checks never synthesise)."""
    return Renderer(fake_render_context(tmp_path_factory.mktemp("forms")))


def labelled(cli_line: str, field: str) -> str:
    """The CLI's message worded with the form's label instead of the option."""
    flag, label = f"--{field}", forms.LABELS[field]
    if cli_line.startswith(f"Invalid value for '{flag}': "):
        return f"{label}: " + cli_line.split("': ", 1)[1]
    assert cli_line.startswith(f"{flag}: ")
    return label + cli_line[len(flag):]


def _values(exercise: str, **given) -> dict:
    values = forms.defaults(exercise)
    values.update(given)
    return values


@pytest.mark.parametrize(("exercise", "field", "value", "argv"), CASES)
def test_each_problem_has_the_cli_message_beside_its_field(renderer, capsys, tmp_path,
                                                            exercise, field, value, argv):
    parsed = forms.parse_form(_values(exercise, **{field: value}), None, renderer.script)
    assert parsed.request is None
    assert main(["render", exercise, *argv, "-o", str(tmp_path)]) == 2
    cli_line = capsys.readouterr().err.strip().removeprefix("cft-audio: error: ")
    assert parsed.errors == {field: labelled(cli_line, field)}
    assert "--" not in parsed.errors[field]
    assert list(tmp_path.iterdir()) == []


def test_every_problem_at_once(renderer):
    parsed = forms.parse_form(_values("safe-place", name="Sam!", **{"bed-level": "12"},
                                      place="volcano"), None, renderer.script)
    assert set(parsed.errors) == {"name", "bed-level", "place"}


def test_defaults_are_the_cli_defaults(renderer):
    parsed = forms.parse_form(forms.defaults("safe-place"), Path("out"), renderer.script)
    assert parsed.errors == {}
    assert parsed.formats == ("mp3",)
    expected = Request(exercise="safe-place", output=Path("out"), format="mp3",
                       sidecars=("json", "vtt", "txt"))
    assert parsed.request == expected


def test_a_full_form_maps_to_the_request(renderer):
    values = _values("compassionate-other", name="Aoife", image="my grandmother",
                     quality=["warmth", "wisdom"], phrase=["May I be kind to myself"],
                     gentle=True, minutes="12", voice="joe", tone="calm", pace="moderate",
                     say=["Aoife=Eefa"], background="rain", **{"bed-level": "-3"},
                     accessible=True, format=["m4a", "mp3"], mono=True, seed="7",
                     artist="Dr Lee", album="Week 2", track="2", year="2025")
    values["breath-tone"] = True
    parsed = forms.parse_form(values, None, renderer.script)
    assert parsed.errors == {}
    request = parsed.request
    assert (request.name, request.image, request.qualities) == ("Aoife", "my grandmother",
                                                                ("warmth", "wisdom"))
    assert (request.minutes, request.tone, request.pace, request.say) == (
        12.0, "calm", "moderate", ("Aoife=Eefa",))
    assert (request.background, request.bed_level, request.accessible, request.breath_tone,
            request.mono) == ("rain", -3.0, True, True, True)
    assert (request.seed, request.artist, request.album, request.track, request.year) == (
        7, "Dr Lee", "Week 2", 2, 2025)
    assert parsed.formats == ("m4a", "mp3") and request.format == "m4a"


def test_form_values_read_lines_checkboxes_and_leave_out_missing_fields():
    class Form(dict):
        def getlist(self, key):
            value = self.get(key, [])
            return value if isinstance(value, list) else [value]

    values = forms.form_values(Form(name=" Sam ", detail="warm sand\n\n gulls ",
                                    quality=["warmth", "wisdom"], gentle="1"))
    assert values["name"] == "Sam" and values["detail"] == ["warm sand", "gulls"]
    assert values["quality"] == ["warmth", "wisdom"] and values["gentle"] is True
    assert "voice" not in values and values["mono"] is False


def test_a_render_record_round_trips_to_the_form(renderer):
    request = Request(exercise="safe-place", name="Sam", details=("gulls",), minutes=6.0,
                      format="mp3", sidecars=("json",))
    record = json.loads(json.dumps(to_record(request)))
    assert from_record(record) == request
    values = forms.values_from_request(record, ("mp3", "m4a"))
    assert values["name"] == "Sam" and values["detail"] == ["gulls"]
    assert values["minutes"] == "6" and values["format"] == ["mp3", "m4a"]


@pytest.mark.parametrize(("exercise", "given", "line"), [
    ("compassionate-other", {"image": "my late father"},
     "Now imagine compassion flowing from your late father to you."),
    ("compassionate-other", {"image": "Jesus", "pronoun": "he"},
     "He wants you to be free from suffering, and accepts you exactly as you are."),
    ("compassionate-other", {"image": "my dog Max", "pronoun": "he"},
     "He wants you to be free from suffering, and accepts you exactly as you are."),
    ("safe-place", {"place": "Grandma's house"},
     "Imagine that Grandma's house is glad you are here."),
    ("safe-place", {"place": "at the beach at Whitby"},
     "Imagine that you are there now, at the beach."),
])
def test_own_words_with_capitals_and_a_pronoun_pass(renderer, exercise, given, line):
    parsed = forms.parse_form(_values(exercise, **given), None, renderer.script)
    assert parsed.errors == {} and parsed.request is not None
    assert line in renderer.script(parsed.request).sentences


def test_a_pressure_word_is_a_warning_beside_the_phrase(renderer):
    parsed = forms.parse_form(_values("soothing-breath", phrase=["I must slow down"]), None,
                              renderer.script)
    assert parsed.errors == {} and parsed.request is not None
    assert "'must'" in parsed.warnings["phrase"]


@pytest.mark.enable_socket  # TestClient's event loop needs a local socketpair
def test_the_minutes_hint_is_each_exercises_own_range(tmp_path, renderer):
    import re

    from starlette.testclient import TestClient

    from cft_audio.web import Settings, create_app

    settings = Settings(output=tmp_path / "out", context=fake_render_context(tmp_path))
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        for exercise in ("soothing-breath", "safe-place"):
            low, high = renderer.reachable_minutes(Request(exercise=exercise))
            page = client.get(f"/new/{exercise}").text
            hint = re.search(r'id="hint-minutes">([^<]*)<', page).group(1)
            assert hint.startswith(f"About {low:g} to {high:g} for this exercise"), hint
