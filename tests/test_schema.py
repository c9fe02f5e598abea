"""The request schema: each declared field reaches the CLI, the web form and the manifest."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cft_audio.batch import manifest
from cft_audio.cli import cli
from cft_audio.errors import ExitCode, InvalidRequest
from cft_audio.schema import (
    BED_SAMPLE_FIELDS,
    BY_KEY,
    FIELDS,
    VOICE_SAMPLE_FIELDS,
    Request,
    form_message,
    from_record,
    request_message,
    to_record,
)
from cft_audio.web import forms

COMMANDS = {"render": ["render"], "script": ["script"], "voices preview": ["voices", "preview"]}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_field_is_an_option_of_the_commands_it_names(command):
    page = CliRunner().invoke(cli, [*COMMANDS[command], "--help"], terminal_width=200).output
    specs = [spec for spec in FIELDS if command in spec.commands]
    if command == "voices preview":  # the voice sample's own fields, the Request's specs
        assert not specs
        specs = list(VOICE_SAMPLE_FIELDS)
    assert specs
    positions = [page.index(f"{spec.flag}" if spec.argument else f"{spec.flag} ")
                 for spec in specs]
    assert positions == sorted(positions)  # in the schema's order
    for spec in specs:
        if not spec.argument:
            assert " ".join(spec.help.split()[:3]) in " ".join(page.split()), spec.name
    if command != "render":  # `script` and `voices preview` take none of the others
        keys = {spec.key for spec in specs}
        others = [spec for spec in FIELDS if spec.key not in keys and not spec.argument]
        assert others and all(f"{spec.flag} " not in page for spec in others)


def test_the_request_takes_each_declared_field_and_default():
    request = Request()
    assert [spec.name for spec in FIELDS] == list(request.__dataclass_fields__)
    assert all(getattr(request, spec.name) == spec.default for spec in FIELDS)


def test_each_web_field_is_on_the_form_of_the_exercises_that_use_it():
    shown = {spec.key for exercise in forms.PERSONAL_FIELDS
             for blocks in forms.sections(exercise).values()
             for _group, specs in blocks for spec in specs}
    assert shown == {spec.key for spec in FIELDS if spec.web}
    assert "pronoun" in forms.PERSONAL_FIELDS["compassionate-other"]
    assert "pronoun" not in forms.PERSONAL_FIELDS["safe-place"]
    assert forms.FIELD_ORDER.index("name") < forms.FIELD_ORDER.index("seed")


def test_each_column_is_a_manifest_key_where_it_belongs():
    for spec in FIELDS:
        assert (spec.name in manifest.PARTICIPANT_KEYS) == (spec.column is not None)
        if spec.column is None:
            continue
        assert (spec.name in manifest.DEFAULT_KEYS) != spec.column.personal
        assert (spec.name in manifest.EXERCISE_KEYS) == spec.column.per_exercise
        assert manifest.column_allowed(spec)


@pytest.mark.parametrize(("field", "cli_text", "form_text"), [
    ("quality", "--quality: unknown value 'x'", "Qualities to dwell on: unknown value 'x'"),
    ("bed-level", "--bed-level: unknown value 'x'", "Background level (dB): unknown value 'x'"),
    ("exercise", "EXERCISE: unknown value 'x'", "Exercise: unknown value 'x'"),
    ("file", "FILE: unknown value 'x'", "file: unknown value 'x'"),
])
def test_errors_are_worded_for_the_command_line_and_the_form(field, cli_text, form_text):
    error = InvalidRequest(field, "unknown value 'x'", ["a", "b"])
    assert request_message(error) == f"{cli_text} (allowed: a, b)"
    assert form_message(error) == f"{form_text} (allowed: a, b)"


def test_exit_codes_are_one_enum():
    assert [int(code) for code in ExitCode] == [0, 1, 2, 130]


def test_the_light_choice_sources_name_what_the_registries_hold():
    """`--help` lists beds and formats without NumPy, from names equal to the registries'."""
    from cft_audio.choices import BED_NAMES, FORMAT_NAMES, source_names
    from cft_audio.export.encode import FORMATS
    from cft_audio.resources import scripts_dir
    from cft_audio.script.vocabulary import load_vocabulary
    from cft_audio.sound.beds import BEDS

    vocabulary = load_vocabulary(scripts_dir())
    assert (tuple(BEDS), tuple(FORMATS)) == (BED_NAMES, FORMAT_NAMES)
    assert source_names("images") == tuple(vocabulary.images)
    assert source_names("places") == tuple(vocabulary.places)


@pytest.mark.parametrize("key", [spec.key for spec in FIELDS if spec.values or spec.bounds])
def test_help_names_the_declared_values_or_bounds(key):
    spec = BY_KEY[key]
    shown = spec.help + (spec.web.hint if spec.web else "")
    if spec.values:
        assert ", ".join(spec.values[:-1]) in shown and spec.values[-1] in shown
    if spec.bounds and not spec.reach:
        assert spec.span in shown


def test_a_record_reads_back_every_kind_of_field_by_its_declaration(tmp_path):
    """Paths, lists and numbers survive JSON by each field's declared kind (no list of
    path fields kept elsewhere); a name no field has (an older record's) is left out."""
    request = Request(exercise="safe-place", details=("gulls", "warm sand"), bed_level=-3.5,
                      output=tmp_path / "out", cover=tmp_path / "c.png", seed=7, gentle=True,
                      lexicon=tmp_path / "words.yaml", sidecars=("json", "vtt"))
    record = json.loads(json.dumps(to_record(request)))
    assert record["output"] == str(tmp_path / "out") and record["details"] == ["gulls",
                                                                               "warm sand"]
    assert from_record(record | {"retired-field": 1}) == request
    assert {spec.name for spec in FIELDS if spec.kind == "path"} == {
        "script", "output", "cover", "lexicon"}


def test_the_samples_are_checked_by_the_requests_own_specs():
    """A voice or background sample takes a field's declaration from the Request: the same
    choices, bounds and wording, and errors name it as the command and the form do."""
    from cft_audio.request import BedSample, VoiceSample, validate_bed_sample, validate_voice_sample

    for spec in (*VOICE_SAMPLE_FIELDS, *BED_SAMPLE_FIELDS):
        own = next(s for s in FIELDS if s.name == spec.name)
        assert (spec.bounds, spec.label) == (own.bounds, own.label)
        assert spec.choices == own.choices or spec.name == "format"
    with pytest.raises(InvalidRequest) as caught:
        validate_voice_sample(VoiceSample("joe", pace="racing"), voices=["joe"])
    assert request_message(caught.value) == "--pace: unknown value 'racing' (allowed: brisk, " \
        "moderate, slow)"
    with pytest.raises(InvalidRequest) as caught:
        validate_voice_sample(VoiceSample("nobody"), voices=["joe"])
    assert request_message(caught.value) == "VOICE: unknown value 'nobody' (allowed: joe)"
    assert form_message(caught.value).startswith("Voice: unknown value 'nobody'")
    with pytest.raises(InvalidRequest) as caught:
        validate_bed_sample(BedSample(bed_level=9.0), backgrounds=["ocean"])
    assert form_message(caught.value) == "Background level (dB): 9 is out of range (allowed: " \
        "-30 to 6 (dB, relative to the default))"


def test_invalid_request_names_only_fields_other_arguments_have_their_own_errors(capsys):
    """A stem, a missing speech cache and a sample's text are no request field: each has its
    own typed error, and the command line still words the text's as a usage error."""
    from cft_audio.cli import main
    from cft_audio.errors import ArgumentError, CacheMissing
    from cft_audio.pipeline import RenderContext, Renderer

    renderer = Renderer(RenderContext(cache=None))
    with pytest.raises(ArgumentError, match=r"^stem: unknown value 'drums' \(allowed: "):
        renderer.render(Request("safe-place"), stem="drums")
    with pytest.raises(CacheMissing, match="needs a speech cache"):
        renderer.synthesise(())
    assert main(["voices", "preview", "joe", "--text", "x" * 400]) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith("cft-audio: error: the sample text 'xxx")
    assert not issubclass(ArgumentError, InvalidRequest)
    assert not issubclass(CacheMissing, InvalidRequest)
