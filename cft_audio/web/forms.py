"""Form fields ↔ `Request`: the CLI's options, parsed and checked with the CLI's messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidRequest, ScriptError
from ..export.encode import FORMATS
from ..request import Request
from ..request import warnings as request_warnings
from ..script.catalogue import EXERCISES, LENGTHS, QUALITIES
from ..sound.beds import BEDS
from ..voices.presets import PACES, TONES

PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "compassionate-self": ("name", "quality", "phrase", "gentle"),
    "compassionate-other": ("name", "image", "pronoun", "quality", "phrase", "gentle"),
    "safe-place": ("name", "place", "detail", "phrase", "gentle"),
    "soothing-breath": ("name", "phrase", "gentle"),
}
"""The personalisation each exercise's template uses (every form has the common options)."""

FORMAT_ORDER: tuple[str, ...] = tuple(f for f in ("mp3", "m4a", "opus", "flac", "wav")
                                      if f in FORMATS)
"""Formats offered, the phone-friendly ones first."""

_LINES = ("detail", "phrase", "say")
"""Repeatable CLI options, one value per line of a text box."""
_MULTI = ("quality", "format")
"""Repeatable CLI options shown as checkboxes."""
_FLAGS = ("gentle", "accessible", "breath-tone", "mono")
"""CLI flags, shown as checkboxes."""
_NUMBERS: dict[str, tuple[str, click.ParamType]] = {
    "minutes": ("minutes", click.FLOAT),
    "bed-level": ("bed_level", click.FLOAT),
    "seed": ("seed", click.INT),
    "track": ("track", click.INT),
    "year": ("year", click.INT),
}
"""Numeric options: the Request attribute and click's type (for click's own messages)."""
_TEXT = {"name": "name", "image": "image", "pronoun": "pronoun", "place": "place",
         "voice": "voice", "tone": "tone", "pace": "pace", "background": "background",
         "artist": "artist", "album": "album", "length": "length"}
"""Single-value text options and their Request attribute."""
LABELS: dict[str, str] = {
    "exercise": "Exercise", "name": "Client's first name", "image": "Compassionate image",
    "pronoun": "How to speak of the image", "place": "Safe place",
    "detail": "Sensory details", "quality": "Qualities to dwell on",
    "phrase": "Their own compassionate phrases", "gentle": "Gentle version",
    "length": "Script form", "minutes": "Minutes", "voice": "Voice", "tone": "Tone",
    "pace": "Pace", "say": "Pronunciations", "lexicon": "Pronunciation list (lexicon)",
    "background": "Background sound", "bed-level": "Background level (dB)",
    "accessible": "Accessible", "breath-tone": "Breath tone", "format": "Formats",
    "mono": "Mono file", "artist": "Artist", "album": "Album", "track": "Track number",
    "year": "Year", "seed": "Seed", "script": "Your own script", "cover": "Cover image",
    "output": "Output",
}
"""The label each form field shows; problems are worded with it (never with CLI flags).
A new field needs one line here, one in FIELD_ORDER, and its input in form.html."""

_ATTRIBUTES = {"quality": "qualities", "phrase": "phrases", "detail": "details",
               "bed-level": "bed_level", "breath-tone": "breath_tone", "say": "say",
               "format": "format", "exercise": "exercise"}
"""Request attributes whose name differs from the form field."""


@dataclass(frozen=True)
class FormResult:
    """A parsed form: the request (None if a value could not even be read), formats, errors."""

    request: Request | None
    formats: tuple[str, ...]
    errors: dict[str, str]
    values: dict[str, Any]
    """What the therapist entered, to show the form again as it was."""
    nearest: Request | None = None
    """The request with each failing field at its default (for a preview beside the errors)."""
    warnings: dict[str, str] = dataclasses.field(default_factory=dict)
    """Notes beside fields that do not stop the render (a pressure word in a phrase)."""


def form_message(error: InvalidRequest) -> str:
    """The problem worded for the form: the field's label, then what is wrong and allowed."""
    text = str(error)
    label = LABELS.get(error.field, error.field)
    return label + text[len(error.field):] if text.startswith(error.field) else text


def _attribute(field: str) -> str:
    return _ATTRIBUTES.get(field, _TEXT.get(field, field.replace("-", "_")))


def form_values(form: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The raw values of a submitted form (lists for repeatable fields)."""
    getlist: Callable[[str], list[str]] = getattr(form, "getlist", lambda k: (
        form[k] if isinstance(form.get(k), list) else ([form[k]] if k in form else [])))
    values: dict[str, Any] = {}
    for field in (*_TEXT, *_NUMBERS, "exercise"):
        found = getlist(field)
        if found:  # a field left out of the form keeps the CLI's default
            values[field] = str(found[-1]).strip()
    for field in _LINES:
        found = getlist(field)
        text = "\n".join(str(v) for v in found)
        values[field] = [line.strip() for line in text.splitlines() if line.strip()]
    for field in _MULTI:
        values[field] = [str(v) for v in getlist(field) if str(v)]
    for field in _FLAGS:
        values[field] = any(str(v) not in ("", "0", "off", "false") for v in getlist(field))
    return values


def defaults(exercise: str) -> dict[str, Any]:
    """The values a fresh form shows: the CLI's defaults."""
    request = Request(exercise=exercise)
    return values_from_request(request, (FORMAT_ORDER[0],))


def values_from_request(request: Request | Mapping[str, Any],
                        formats: Sequence[str] = ()) -> dict[str, Any]:
    """Form values for a request (or a render record's request), for "re-render with changes"."""
    fields = dataclasses.asdict(request) if isinstance(request, Request) else dict(request)
    base = dataclasses.asdict(Request())
    get = lambda key: fields.get(key, base.get(key))  # noqa: E731
    values: dict[str, Any] = {}
    for field, attribute in _TEXT.items():
        values[field] = "" if get(attribute) is None else str(get(attribute))
    for field, (attribute, _kind) in _NUMBERS.items():
        value = get(attribute)
        values[field] = "" if value is None else f"{value:g}" if isinstance(value, float) \
            else str(value)
    values["exercise"] = get("exercise") or ""
    values["detail"] = list(get("details") or ())
    values["phrase"] = list(get("phrases") or ())
    values["say"] = list(get("say") or ())
    values["quality"] = list(get("qualities") or ())
    values["format"] = list(formats) or [get("format") or FORMAT_ORDER[0]]
    for field in _FLAGS:
        values[field] = bool(get(_attribute(field)))
    return values


def parse_form(values: Mapping[str, Any], output: Path | None,
               check: Callable[[Request], object],
               files: Mapping[str, Path] | None = None) -> FormResult:
    """Build the Request a form describes and check it with `check` (e.g. Renderer.script).

    `files` are the uploaded files by request field (background, script, lexicon, cover);
    an uploaded script replaces the exercise's own.

    Every field with a problem gets its message (the CLI's text); each failing field is
    set back to its default and the request checked again, so all problems show at once.
    """
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    base = Request()
    for field, attribute in _TEXT.items():
        fields[attribute] = values[field] if field in values else getattr(base, attribute)
    fields["length"] = fields["length"] or None
    fields["pronoun"] = fields["pronoun"] or None
    for field, (attribute, kind) in _NUMBERS.items():
        raw = str(values.get(field, "")).strip()
        if not raw:
            fields[attribute] = getattr(base, attribute)
            continue
        try:
            fields[attribute] = kind.convert(raw, None, None)
        except click.BadParameter as error:
            errors[field] = f"{LABELS[field]}: {error.message}"
            fields[attribute] = getattr(base, attribute)
    fields["details"] = tuple(values.get("detail", ()))
    fields["phrases"] = tuple(values.get("phrase", ()))
    fields["say"] = tuple(values.get("say", ()))
    fields["qualities"] = tuple(values.get("quality", ()))
    for field in _FLAGS:
        fields[_attribute(field)] = bool(values.get(field))
    formats = tuple(dict.fromkeys(values.get("format") or (FORMAT_ORDER[0],)))
    fields["format"] = formats[0]
    files = dict(files or {})
    if "background" in files:
        fields["background"] = str(files.pop("background"))
    script = files.pop("script", None)
    exercise = None if script is not None else values.get("exercise") or None
    request = Request(exercise=exercise, script=script, output=output,
                      sidecars=("json", "vtt", "txt"), **fields, **files)
    for extra in formats[1:]:
        if extra not in FORMATS:
            errors.setdefault("format", form_message(InvalidRequest(
                "format", f"unknown value {extra!r}", sorted(FORMATS))))
    request = _checked(request, check, errors)
    ordered = dict(sorted(errors.items(), key=lambda item: _position(item[0])))
    notes = {field: message for field, message in request_warnings(request)}
    return FormResult(None if errors else request, formats, ordered, dict(values), request,
                      notes)


FIELD_ORDER = ("exercise", "script", "name", "image", "pronoun", "place", "detail", "quality",
               "phrase", "gentle", "length", "minutes", "voice", "tone", "pace", "say",
               "lexicon", "background", "bed-level", "accessible", "breath-tone", "format",
               "mono", "cover", "artist", "album", "track", "year", "seed", "background-file",
               "script-file", "lexicon-file", "cover-file")
"""Fields in the order the form shows them (problems are listed in this order)."""


def _position(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


def _checked(request: Request, check: Callable[[Request], object],
             errors: dict[str, str]) -> Request:
    """Check the request, collecting each field's message until it passes."""
    for _ in range(len(dataclasses.fields(Request)) + 1):
        try:
            check(request)
            return request
        except ScriptError as error:  # a therapist's own template: its line and problem
            errors.setdefault("script", f"{LABELS['script']}: {error}")
            return request
        except InvalidRequest as error:
            errors.setdefault(error.field, form_message(error))
            attribute = _attribute(error.field)
            if not hasattr(request, attribute):
                return request
            fallback = getattr(Request(exercise=request.exercise), attribute)
            if getattr(request, attribute) == fallback:  # the default itself fails: stop here
                return request
            request = dataclasses.replace(request, **{attribute: fallback})
    return request


def options() -> dict[str, Any]:
    """The choices the form offers (select lists and suggestion lists)."""
    return {
        "exercises": EXERCISES,
        "lengths": LENGTHS,
        "qualities": QUALITIES,
        "tones": TONES,
        "paces": tuple(PACES),
        "backgrounds": tuple(BEDS),
        "formats": FORMAT_ORDER,
        "personal": PERSONAL_FIELDS,
    }
