"""Render an exercise template (jinja2, sandboxed) into a personalised Script."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import ScriptError
from .catalogue import EXERCISES
from .cues import Script
from .markup import parse
from .vocabulary import Vocabulary


def environment(scripts_dir: Path) -> SandboxedEnvironment:
    """A sandboxed jinja2 environment rooted at the scripts folder."""
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(scripts_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
    )


def render_script(
    env: SandboxedEnvironment,
    vocabulary: Vocabulary,
    *,
    exercise: str,
    length: str,
    name: str = "",
    image: str = "person",
    place: str = "beach",
    gentle: bool = False,
    phrases: tuple[str, ...] = (),
    details: tuple[str, ...] = (),
) -> Script:
    """Fill the exercise template with the personalisation and parse it into cues."""
    template_name = f"{exercise}.j2"
    context = {
        "exercise": exercise,
        "length": length,
        "name": name.strip(),
        "gentle": gentle,
        "phrases": [_clean(p) for p in phrases],
        "details": [_clean(d) for d in details],
        "other": dict(vocabulary.images[image]),
        "place": dict(vocabulary.places[place]),
    }
    try:
        text = env.get_template(template_name).render(context)
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.name or template_name}, line {error.lineno}"
        raise ScriptError(f"{where}: {error.message}") from error
    except jinja2.TemplateError as error:
        raise ScriptError(f"{template_name}: {error}") from error
    cues = parse(text, source=template_name)
    return Script(
        exercise=exercise,
        title=EXERCISES[exercise].title,
        length=length,
        cues=cues,
        text=text,
    )


def _clean(value: str) -> str:
    """Strip whitespace and final punctuation; templates add their own."""
    return " ".join(value.split()).rstrip(".!?,;: ")
