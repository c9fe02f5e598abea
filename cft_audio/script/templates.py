"""Render an exercise template (jinja2, sandboxed) into a personalised Script.

Errors name the template file and line: syntax errors from the parser, runtime errors
(undefined variables, blocked attribute access, missing includes) from the traceback,
and bad timing markup by finding the offending tag in the template sources.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import ScriptError
from ..limits import MAX_TEMPLATE_BYTES
from .budget import BudgetedEnvironment, TemplateLimit, budget
from .catalogue import EXERCISES
from .cues import Say, Script
from .markup import parse
from .personal import Personalisation
from .wording import agree, cap

CUSTOM_NAME = "<custom>"


def environment(scripts_dir: Path) -> SandboxedEnvironment:
    """A sandboxed jinja2 environment at the scripts folder: render budget, grammar filters."""
    env = BudgetedEnvironment(
        loader=jinja2.FileSystemLoader(str(scripts_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(cap=cap, verb=verb, said=said)
    return env


def verb(subject: object, word: str) -> str:
    """Template filter: the verb agreeing with an image or place (`other | verb("wish")`)."""
    pronoun = getattr(subject, "pronoun", None) or str(subject)
    return agree(word, pronoun if pronoun in ("he", "she", "they", "it") else "it")


def said(phrase: str) -> str:
    """Template filter: the client's own phrase as a sentence (first letter raised, their
    own final ! or ? kept, a full stop added where they gave none)."""
    text = cap(" ".join(str(phrase).split()))
    return text if text[-1:] in (".", "!", "?") else text + "."


def render_script(
    env: SandboxedEnvironment,
    personal: Personalisation,
    *,
    exercise: str | None = None,
    custom: Path | None = None,
    length: str,
) -> Script:
    """Fill a bundled exercise or a custom template and parse it into cues."""
    if custom is not None:
        source_name, exercise_id, title = custom.name, _slug(custom.stem), _title(custom.stem)
    else:
        assert exercise is not None
        source_name, exercise_id = f"{exercise}.j2", exercise
        title = EXERCISES[exercise].title
    context = personal.context() | {"exercise": exercise_id, "length": length}
    try:
        with budget() as spent:
            template = _load(env, custom, source_name)
            text = "".join(spent.write(chunk) for chunk in template.generate(context))
    except jinja2.TemplateSyntaxError as error:
        where = _shown(error.name or error.filename or source_name, source_name)
        raise ScriptError(f"{where}, line {error.lineno}: {error.message}") from error
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, TemplateLimit,
            MemoryError, RecursionError) as error:
        where, line = _template_frame(error.__traceback__, source_name)
        raise ScriptError(f"{where}, line {line}: {_describe(error)}") from error
    try:
        cues = parse(text, source=source_name)
    except ScriptError as error:
        raise ScriptError(_locate_markup(error, env, custom, source_name)) from error
    if not any(isinstance(cue, Say) for cue in cues):
        raise ScriptError(f"{source_name}: nothing to say (the template makes no sentence)")
    other = personal.other
    speaks_of_image = "image" in EXERCISES[exercise].uses if custom is None \
        else "other" in _source_text(custom)
    return Script(exercise=exercise_id, title=title, length=length, cues=cues, text=text,
                  pronoun=other.pronoun if speaks_of_image else "",
                  pronoun_inferred=other.inferred)


def _load(env: SandboxedEnvironment, custom: Path | None, source_name: str) -> jinja2.Template:
    if custom is None:
        return env.get_template(source_name)
    try:
        with open(custom, "rb") as handle:
            raw = handle.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise ScriptError(f"{custom.name}: cannot be read ({error.strerror})") from error
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise ScriptError(f"{custom.name}: the template file is too long (over the limit "
                          f"MAX_TEMPLATE_BYTES = {MAX_TEMPLATE_BYTES:,} bytes)")
    try:
        return env.from_string(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ScriptError(f"{custom.name}: cannot decode: not UTF-8 text") from error


def _source_text(custom: Path) -> str:
    """The custom template's text (already read once within MAX_TEMPLATE_BYTES by `_load`)."""
    try:
        with open(custom, "rb") as handle:
            return handle.read(MAX_TEMPLATE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _template_frame(tb: TracebackType | None, source_name: str) -> tuple[str, int | str]:
    """The innermost traceback frame that runs template code: its file and line."""
    found: tuple[str, int | str] = (source_name, "?")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or filename == "<template>":
            found = (_shown(filename, source_name), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _shown(filename: str, source_name: str) -> str:
    """Template file name as a therapist knows it (relative to scripts/)."""
    if filename in ("<template>", CUSTOM_NAME):
        return source_name
    parts = Path(filename).parts
    return "/".join(parts[-2:]) if len(parts) > 1 and parts[-2] == "partials" else parts[-1]


def _describe(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateNotFound):
        return f"included template {error.name!r} not found (includes come from scripts/)"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"not allowed in templates ({error})"
    if isinstance(error, MemoryError):
        return "the template would need too much memory"
    if isinstance(error, RecursionError):
        return "macros call each other too deeply"
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        return "a number with more than 4300 digits"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _locate_markup(
    error: ScriptError, env: SandboxedEnvironment, custom: Path | None, source_name: str
) -> str:
    """Point a markup error at the template line holding the offending tag, if findable."""
    fragment = getattr(error, "fragment", None)
    message = str(error).split(": ", 1)[-1]
    if fragment:
        for name, text in _sources(env, custom, source_name):
            for number, line in enumerate(text.splitlines(), start=1):
                if fragment in line:
                    return f"{name}, line {number}: {message}"
    return str(error)


def _sources(
    env: SandboxedEnvironment, custom: Path | None, source_name: str
) -> list[tuple[str, str]]:
    """The main template's text first, then every partial."""
    loader = env.loader
    sources = []
    if custom is not None:
        sources.append((source_name, custom.read_text(encoding="utf-8")))
    names = loader.list_templates() if loader is not None else []
    ordered = [source_name] + [n for n in names if n != source_name]
    for name in ordered:
        if custom is None or name != source_name:
            try:
                sources.append((name, loader.get_source(env, name)[0]))  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                continue
    return sources


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "script"


def _title(stem: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[-_\s]+", stem) if w) or "Script"
