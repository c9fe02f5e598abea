"""Property tests (Hypothesis): names, own words, phrases, manifests and templates.

Whatever the input, each run ends in a result or a one-line error within its budget,
never a traceback, and leaves no file behind (a template's time budget is the library's
own limit, script/budget.py; no test here bounds wall time). The short
profile (`ci`, the default) runs about a hundred examples per property; run the long one
by hand:

    CFT_FUZZ_PROFILE=long pytest tests/test_fuzz.py -n 0
"""

from __future__ import annotations

import contextlib
import io
import os
from functools import lru_cache
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from cft_audio.batch.errors import ManifestError
from cft_audio.batch.plan import plan_batch
from cft_audio.cli import main
from cft_audio.errors import CftAudioError
from cft_audio.pipeline import RenderContext, Renderer
from cft_audio.request import Request

settings.register_profile("ci", max_examples=100, deadline=None, database=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=3000,
                          derandomize=False)
settings.load_profile(os.environ.get("CFT_FUZZ_PROFILE", "ci"))

MESSAGE_CHARS = 400
"""Longest acceptable error line: a field, a value cut to 40 characters, the allowed values."""

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)
WORDS = st.one_of(
    TEXT,
    st.sampled_from(["Ann", "Dr. Who", "Siobhán", "O'Neill", "Jean-Luc", "my grandmother",
                     "the sea", "a tree", "a {% raw %}", "{{ 7*7 }}", "[pause 3s]",
                     "Be kind... Really!", "\u0301e", "", " ", "\x00", "e\u200d"]),
    st.integers(30, 3000).map(lambda n: "x" * n),  # around and far past the length limits
)


@lru_cache(maxsize=1)
def renderer() -> Renderer:
    """One renderer for every example (no speech cache: nothing is synthesised)."""
    return Renderer(RenderContext(cache=None, lexicon=None))


def _one_line(error: BaseException) -> None:
    text = str(error)
    assert "\n" not in text and "\r" not in text, text[:300]
    assert len(text) <= MESSAGE_CHARS, text[:300]
    assert "Traceback" not in text


def _script_or_error(request: Request) -> None:
    try:
        script = renderer().script(request)
    except CftAudioError as error:
        _one_line(error)
        event(f"refused: {type(error).__name__}")
    else:
        assert script.cues
        event("a script")


@given(name=WORDS)
def test_any_name(name):
    _script_or_error(Request("safe-place", name=name))


@given(image=WORDS, place=WORDS)
@example(image="a {% raw %}", place="x" * 10_000)  # found: own words were echoed in full
def test_any_own_words(image, place):
    _script_or_error(Request("compassionate-other", image=image))
    _script_or_error(Request("safe-place", place=place))


@given(phrases=st.lists(WORDS, max_size=4), details=st.lists(WORDS, max_size=3))
def test_any_phrases_and_details(phrases, details):
    _script_or_error(Request("safe-place", phrases=tuple(phrases), details=tuple(details)))


@given(name=WORDS, minutes=st.one_of(st.none(), st.floats(allow_nan=True)),
       place=st.one_of(WORDS, st.sampled_from(["beach", "my garden", "/dev/zero", "."])))
def test_any_command_line_value(tmp_path_factory, name, minutes, place):
    folder = tmp_path_factory.mktemp("cli")
    args = ["script", "safe-place", "--name", name]
    if minutes is not None:
        args += ["--minutes", repr(minutes)]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([*args, "--place", place])
    lines = err.getvalue().splitlines()
    assert code in (0, 2), err.getvalue()
    assert (not lines) if code == 0 else lines, lines  # render and script list every problem
    assert all(line.startswith("cft-audio: error: --") for line in lines), lines
    assert all(len(line) <= MESSAGE_CHARS for line in lines)
    assert list(folder.iterdir()) == []


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.integers(),
                    st.floats(allow_nan=True), WORDS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(WORDS, inner, max_size=4)), max_leaves=12)
KEYS = st.sampled_from(["id", "name", "image", "place", "phrases", "details", "qualities",
                        "gentle", "length", "minutes", "voice", "tone", "pace", "say",
                        "background", "bed-level", "format", "seed", "week", "exercise",
                        "script", "title", "weeks", "year", "colour"])
ROWS = st.dictionaries(KEYS, VALUES, max_size=5)
MANIFESTS = st.fixed_dictionaries(
    {},
    optional={
        "programme": st.one_of(VALUES, st.fixed_dictionaries(
            {"title": WORDS}, optional={"weeks": SCALARS, "year": SCALARS})),
        "defaults": st.one_of(VALUES, ROWS),
        "exercises": st.one_of(VALUES, st.lists(st.one_of(ROWS, st.sampled_from(
            ["safe-place", "soothing-breath", "yoga"])), max_size=3)),
        "participants": st.one_of(VALUES, st.lists(ROWS, max_size=4)),
        "extra": VALUES,
    })


def _plan_or_problems(folder: Path, text: str, keep: tuple[str, ...] = ()) -> None:
    manifest = folder / "programme.yaml"
    manifest.write_text(text, encoding="utf-8")
    try:
        plan = plan_batch(manifest, folder / "out", renderer())
    except ManifestError as error:
        assert error.problems
        event("refused")
        for line in error.lines():
            assert "\n" not in line and len(line) <= MESSAGE_CHARS + 100, line[:300]
    else:
        assert plan.tracks
        event("a plan")
    assert sorted(p.name for p in folder.iterdir()) == sorted(["programme.yaml", *keep])


@given(data=MANIFESTS)
@example(data={"participants": [{"\n": None}]})  # found: a key with a newline broke the line
@example(data={"participants": "\n"})  # found: so did a CSV file name with one
@example(data={"participants": "a\x00b.csv", "defaults": {"background": "~\x00"}})  # found
def test_any_manifest(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("manifest")
    _plan_or_problems(folder, yaml.safe_dump(data, allow_unicode=True))


def _valid_manifest() -> dict:
    return {"programme": {"title": "Fuzz", "weeks": 2},
            "defaults": {"minutes": 4, "background": "none"},
            "exercises": [{"week": 1, "exercise": "soothing-breath"},
                          {"week": 2, "exercise": "safe-place"}],
            "participants": [{"id": "p1", "name": "Ann"}, {"id": "p2"}]}


@given(row=st.sampled_from(["defaults", "exercise", "participant"]), key=KEYS, value=VALUES)
def test_any_value_in_a_good_manifest(tmp_path_factory, row, key, value):
    data = _valid_manifest()
    target = {"defaults": data["defaults"], "exercise": data["exercises"][1],
              "participant": data["participants"][0]}[row]
    target[key] = value
    folder = tmp_path_factory.mktemp("manifest")
    _plan_or_problems(folder, yaml.safe_dump(data, allow_unicode=True))


@given(text=st.one_of(TEXT, st.text("-:[]{}&*!|>'\"%@`#,? \n\tab1", max_size=200)))
@example(text="participants:\n  - name: " + "1" * 5000)  # found by hand: tracebacks, as
@example(text="participants:\n  - minutes: " + "1" * 4000)  # were these two numbers
def test_any_manifest_text(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("manifest")
    _plan_or_problems(folder, text)


FRAGMENTS = st.sampled_from([
    "Breathe in gently.", " Rest here, Dr. Kind is near. ", "[pause 3s]", "[pause medium]",
    "[section Arriving]", "[breath in 4 out 6 x 3]", "[bell]", "[pause]", "[breath in 0 out 1 x 0]",
    "[unknown tag]", "]", "[", "{{ name }}", "{{ place.noun }}", "{{ missing }}",
    "{% if gentle %}Softly.{% endif %}", "{{ 'Breathe. ' * 3 }}", "{{ 'x' * 10**9 }}",
    "{{ 9 ** 9 ** 9 }}", "{{ ''.__class__ }}", "{{ range(10**6)|list }}", "{{ lipsum(9) }}",
    "{% include 'nothing.j2' %}", "{{ '{:999999999}'.format(1) }}", "{% endfor %}", "{{",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ (phrases|join(' ')) ~ '.' }}",
    "{{ " + "1" * 5000 + " }}", "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
])


def _template(depth: int) -> st.SearchStrategy[str]:
    body = st.lists(st.one_of(FRAGMENTS, TEXT), max_size=6).map("".join)
    if depth == 0:
        return body
    inner = _template(depth - 1)
    return st.one_of(body, st.builds(
        lambda count, text: f"{{% for i in range({count}) %}}{text}{{% endfor %}}",
        st.integers(0, 100_000), inner))


@given(source=_template(3), minutes=st.one_of(st.none(), st.sampled_from([3.0, 10.0, 60.0])))
@example(source="", minutes=None)  # found: an empty template gave a script with nothing in it
@example(source="[0\n0]", minutes=None)  # found: markup over two lines made a two-line message
def test_any_template(tmp_path_factory, source, minutes):
    folder = tmp_path_factory.mktemp("template")
    template = folder / "mine.j2"
    template.write_text(source, encoding="utf-8")
    _script_or_error(Request(script=template, minutes=minutes, phrases=("Be kind",)))
    assert list(folder.iterdir()) == [template]


@given(text=st.one_of(TEXT, st.text('id,name,place,phrases;"\n\r ab1', max_size=300)))
def test_any_participants_csv(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("csv")
    (folder / "people.csv").write_text(text, encoding="utf-8")
    _plan_or_problems(folder, "programme: {title: T}\nexercises: [safe-place]\n"
                      "participants: people.csv\n", keep=("people.csv",))


@given(value=st.one_of(WORDS, st.text("./~x\\0 .mp3", max_size=300),
                       st.integers(200, 600).map(lambda n: "d/" * 3 + "y" * n + ".mp3")))
@example(value="~0")  # found: a home folder of a user that does not exist was a traceback
def test_any_path_value(tmp_path_factory, value):
    from cft_audio.analyse import analyse_file
    from cft_audio.export.encode import plan_output

    folder = tmp_path_factory.mktemp("paths")
    calls = (lambda: renderer().check(Request("safe-place", background=value)),
             lambda: renderer().check(Request("safe-place", cover=folder / value)),
             lambda: analyse_file(folder / value),
             lambda: plan_output(folder / value, "safe-place-standard", "mp3", ("vtt",)))
    for call in calls:
        try:
            call()
        except CftAudioError as error:
            _one_line(error)
    assert list(folder.iterdir()) == []
