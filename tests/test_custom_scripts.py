"""Therapist-authored templates: sandboxed, with one-line errors that name the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cft_audio import Renderer, Request, ScriptError
from cft_audio.cli import main

GOOD = """[bell]
[section Hello]
Hello{% if name %}, {{ name }}{% endif %}.
[pause long]
Rest a while in {{ place.the }}.
{% include "partials/grounding.j2" %}
[bell]
"""

BAD = [
    ("mro.j2", "Hello.\n\n{{ ''.__class__.__mro__ }}\n", 3, "not allowed"),
    ("include.j2", "Hello.\n{% include '/etc/passwd' %}\n", 2, "not found"),
    ("parent.j2", "Hello.\n{% include '../../etc/passwd' %}\n", 2, "not found"),
    ("undefined.j2", "Hello.\nOne.\nTwo {{ nobody }}.\n", 3, "'nobody' is undefined"),
    ("markup.j2", "Hello.\n[pause 5 seconds]\n", 2, "unknown markup"),
    ("syntax.j2", "Hello.\n{% if name %}\nHi.\n", 3, "endif"),
    ("globals.j2", "Hello.\n{{ range.__globals__ }}\n", 2, "not allowed"),
]


@pytest.mark.parametrize(("filename", "text", "line", "message"), BAD)
def test_bad_template_fails_with_its_line_and_renders_nothing(tmp_path, capsys, filename,
                                                              text, line, message):
    template = tmp_path / filename
    template.write_text(text)
    out = tmp_path / "out"
    assert main(["render", "--script", str(template), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"{filename}, line {line}:" in err and message in err
    assert not out.exists()


def test_custom_template_renders_with_partials(fake_context, tmp_path):
    template = tmp_path / "my-evening-practice.j2"
    template.write_text(GOOD)
    request = Request(script=template, name="Ann", place="forest", format="wav",
                      background="none", output=tmp_path)
    result = Renderer(fake_context).render(request)
    assert re.fullmatch(r"my-evening-practice-\d+min-\d{4}-\d\d-\d\d\.wav", result.path.name)
    assert result.script.title == "My Evening Practice"
    assert "Rest a while in the forest." in result.script.sentences
    assert any("feet" in s for s in result.script.sentences)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render"], "EXERCISE: missing"),
        (["render", "safe-place", "--script", "x.j2"], "not both"),
        (["render", "--script", "missing.j2"], "--script"),
        (["render", "compassionate-self", "--quality", "cleverness"], "--quality"),
        (["render", "compassionate-other", "--image", "dragon"], "own words"),
        (["render", "safe-place", "--place", "x{{y}}"], "'{' is not allowed"),
    ],
)
def test_source_errors(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    Path("x.j2").write_text("Hello.\n")
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.j2"]


def test_script_command_prints_text_marks_and_estimate(capsys):
    assert main(["script", "compassionate-other", "--image", "tree", "--name", "Sam",
                 "--minutes", "10"]) == 0
    out = capsys.readouterr().out
    first, _, body = out.partition("\n")
    assert first.startswith("The Ideal Compassionate Other (standard form), estimated 10:00")
    assert "[bell]" in body and "[section Arriving]" in body and "[pause " in body
    assert "Welcome, Sam." in body and "an old tree" in body


def test_error_in_bundled_template_names_it(tmp_path):
    scripts = tmp_path / "scripts"
    (scripts / "partials").mkdir(parents=True)
    source = Path(__file__).resolve().parents[1] / "scripts"
    (scripts / "vocabulary.yaml").write_text((source / "vocabulary.yaml").read_text())
    (scripts / "safe-place.j2").write_text("Hello.\n{% include 'partials/x.j2' %}\n")
    (scripts / "partials" / "x.j2").write_text("One.\n{{ missing }}\n")
    from cft_audio import RenderContext

    with pytest.raises(ScriptError, match=r"partials/x.j2, line 2: 'missing' is undefined"):
        Renderer(RenderContext(scripts=scripts)).script(Request("safe-place"))


def test_custom_template_speaks_own_words_with_the_same_filters(capsys, tmp_path):
    template = tmp_path / "evening.j2"
    template.write_text(
        "[bell]\n"
        "Picture {{ other.a }}.\n"
        "{{ other.they|cap }} {{ other | verb('wish') }} you well, and {{ other | verb('be') }} "
        "near.\n"
        "[pause 9s imagine]\n"
        "Rest {{ place.at }}, where {{ place.the }} {{ place | verb('be') }} glad of you.\n"
        "{% for p in phrases %}\n{{ p|said }}\n{% endfor %}\n"
        "[pause 3s]\n[bell]\n")
    assert main(["script", "--script", str(template), "--image", "my late father", "--place",
                 "the hills above our village", "--phrase", "I am enough"]) == 0
    out = capsys.readouterr().out
    assert "the image is 'he' (inferred; --pronoun to change)" in out
    assert "Picture your late father." in out
    assert "He wishes you well, and is near." in out
    assert "Rest on the hills, where the hills are glad of you." in out
    assert "I am enough." in out
    assert main(["script", "--script", str(template), "--image", "my late father",
                 "--pronoun", "they"]) == 0
    assert "They wish you well, and are near." in capsys.readouterr().out
