"""Form fields ↔ `Request`: the form is generated from the request schema, parsed and checked
with the CLI's messages (worded with the field's label)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InvalidRequest, ScriptError
from ..export.encode import FORMATS
from ..request import Request
from ..request import warnings as request_warnings
from ..schema import BY_KEY, FIELDS, Spec, form_message, parse_number
from ..schema import PERSONAL_FIELDS as PERSONAL
from ..script.catalogue import EXERCISES, LENGTHS, QUALITIES
from ..sound.beds import BEDS
from ..voices.presets import PACES, TONES
from .uploads import KINDS

__all__ = ["FIELD_ORDER", "FORMAT_ORDER", "LABELS", "NOT_LISTED", "PERSONAL_FIELDS", "FormResult",
           "choices", "defaults", "form_message", "form_values", "minutes_hint", "options",
           "ordered", "parse_form", "parse_sample", "sections", "uploads", "values_from_request"]

S = TypeVar("S")
"""A sample type (VoiceSample, BedSample)."""
SECTIONS = ("client", "length", "voice", "background", "file", "tags")
"""The parts of the form, in the order it shows them."""
WEB_FIELDS: tuple[Spec, ...] = tuple(sorted(
    (s for s in FIELDS if s.web), key=lambda s: (SECTIONS.index(s.web.section), s.web.after)))
"""The fields the form shows, in its order."""
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    exercise.id: tuple(s.key for s in WEB_FIELDS if s.web.section == "client"
                       and (s.name not in PERSONAL or s.name in exercise.uses))
    for exercise in EXERCISES.values()}
"""The personalisation each exercise's template uses (every form has the common options)."""
LABELS: dict[str, str] = {spec.key: spec.label for spec in FIELDS}
"""The label each form field shows; problems are worded with it (never with CLI flags)."""
FIELD_ORDER = ("exercise", "script", *(s.key for s in WEB_FIELDS),
               *(s.key for s in FIELDS if s.upload and s.key != "script"), *KINDS)
"""Fields in the order the form shows them (problems are listed in this order)."""
FORMAT_ORDER: tuple[str, ...] = tuple(f for f in ("mp3", "m4a", "opus", "flac", "wav")
                                      if f in FORMATS)
"""Formats offered, the phone-friendly ones first."""

NOT_LISTED = form_message(InvalidRequest(
    "background", "not one of the listed backgrounds; to use your own sound, upload it",
    sorted(BEDS)))
"""The one line for any background value not in the list, a server path or not."""


def _inputs(*kinds: str, widget: str = "") -> tuple[Spec, ...]:
    return tuple(s for s in WEB_FIELDS if s.kind in kinds and (not widget or s.web.widget == widget)
                 and s.key != "format")


_SINGLE = _inputs("str", "int", "float")
"""One value each: a text box or a select."""
_MULTIPLE = _inputs("multiple")
"""Several values: one a line of a text box, or a checkbox each."""
_FLAGS = _inputs("flag")
"""Checkboxes."""


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


def _attribute(field: str) -> str:
    return BY_KEY[field].name if field in BY_KEY else field.replace("-", "_")


def form_values(form: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The raw values of a submitted form (lists for repeatable fields)."""
    getlist: Callable[[str], list[str]] = getattr(form, "getlist", lambda k: (
        form[k] if isinstance(form.get(k), list) else ([form[k]] if k in form else [])))
    values: dict[str, Any] = {}
    for field in (*(s.key for s in _SINGLE), "exercise"):
        found = getlist(field)
        if found:  # a field left out of the form keeps the CLI's default
            values[field] = str(found[-1]).strip()
    for spec in _MULTIPLE:
        found = getlist(spec.key)
        if spec.web.widget == "lines":
            text = "\n".join(str(v) for v in found)
            values[spec.key] = [line.strip() for line in text.splitlines() if line.strip()]
        else:
            values[spec.key] = [str(v) for v in found if str(v)]
    values["format"] = [str(v) for v in getlist("format") if str(v)]
    for spec in _FLAGS:
        values[spec.key] = any(str(v) not in ("", "0", "off", "false")
                               for v in getlist(spec.key))
    return values


def defaults(exercise: str) -> dict[str, Any]:
    """The values a fresh form shows: the CLI's defaults."""
    request = Request(exercise=exercise)
    return values_from_request(request, (FORMAT_ORDER[0],))


def _shown(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def values_from_request(request: Request | Mapping[str, Any],
                        formats: Sequence[str] = ()) -> dict[str, Any]:
    """Form values for a request (or a render record's request), for "re-render with changes"."""
    fields = dataclasses.asdict(request) if isinstance(request, Request) else dict(request)
    get = lambda spec: fields.get(spec.name, spec.default)  # noqa: E731
    values: dict[str, Any] = {spec.key: _shown(get(spec)) for spec in _SINGLE}
    values["exercise"] = fields.get("exercise") or ""
    values.update({spec.key: list(get(spec) or ()) for spec in _MULTIPLE})
    values["format"] = list(formats) or [fields.get("format") or FORMAT_ORDER[0]]
    values.update({spec.key: bool(get(spec)) for spec in _FLAGS})
    return values


def _single(spec: Spec, values: Mapping[str, Any], errors: dict[str, str]) -> Any:
    """A one-value field's value as the request takes it (its default when left empty)."""
    if spec.kind == "str":
        value = values.get(spec.key, spec.default)
        return value or None if spec.default is None else value
    raw = str(values.get(spec.key, "")).strip()
    if not raw:
        return spec.default
    try:
        return parse_number(spec, raw)
    except InvalidRequest as error:
        errors[spec.key] = form_message(error)
        return spec.default


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
    fields: dict[str, Any] = {spec.name: _single(spec, values, errors) for spec in _SINGLE}
    fields.update({spec.name: tuple(values.get(spec.key, ())) for spec in _MULTIPLE})
    fields.update({spec.name: bool(values.get(spec.key)) for spec in _FLAGS})
    formats = tuple(dict.fromkeys(values.get("format") or (FORMAT_ORDER[0],)))
    fields["format"] = formats[0]
    files = dict(files or {})
    if "background" in files:
        fields["background"] = str(files.pop("background"))
    elif fields["background"] not in BEDS:  # a name from the list; never a server path
        errors["background"] = NOT_LISTED
        fields["background"] = BY_KEY["background"].default
    script = files.pop("script", None)
    exercise = None if script is not None else values.get("exercise") or None
    request = Request(exercise=exercise, script=script, output=output,
                      sidecars=("json", "vtt", "txt"), **fields, **files)
    for extra in formats[1:]:
        if extra not in FORMATS:
            errors.setdefault("format", form_message(InvalidRequest(
                "format", f"unknown value {extra!r}", sorted(FORMATS))))
    request = _checked(request, check, errors)
    notes = {field: message for field, message in request_warnings(request)}
    return FormResult(None if errors else request, formats, ordered(errors), dict(values),
                      request, notes)


def parse_sample(kind: type[S], specs: Sequence[Spec], values: Mapping[str, Any],
                 check: Callable[[S], object]) -> tuple[S | None, dict[str, str]]:
    """A voice or background sample from the form's values (each field read from the form's
    input of its name), checked with `check`; else None and the problems by input name."""
    inputs = {spec.key: spec.name.replace("_", "-") for spec in specs}
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    for spec in specs:
        own = dataclasses.replace(spec, key=inputs[spec.key])
        if own.key not in values:  # not on the form: the field's default
            continue
        if spec.kind == "multiple":
            fields[spec.name] = tuple(values[own.key])
        elif spec.kind == "flag":
            fields[spec.name] = bool(values[own.key])
        else:
            fields[spec.name] = _single(own, values, errors)
    if errors:
        return None, errors
    sample = kind(**fields)
    try:
        check(sample)
    except InvalidRequest as error:
        return None, {inputs.get(error.field, error.field): form_message(error)}
    return sample, {}


def ordered(errors: Mapping[str, str]) -> dict[str, str]:
    """Problems in the order the form shows their fields."""
    return dict(sorted(errors.items(), key=lambda item: _position(item[0])))


def _position(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


def _checked(request: Request, check: Callable[[Request], object],
             errors: dict[str, str]) -> Request:
    """Check the request, collecting each field's message until it passes."""
    for _ in range(len(FIELDS) + 1):
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


def minutes_hint(reach: str) -> str:
    """The minutes field's hint for a request that can reach `reach` minutes ("4 to 38")."""
    return BY_KEY["minutes"].web.hint.format(minutes=reach)


def sections(exercise: str) -> dict[str, list[tuple[str, list[Spec]]]]:
    """The form's fields by section, as blocks: a group ("row", "checks") or one field ("")."""
    shown = PERSONAL_FIELDS[exercise]
    found: dict[str, list[tuple[str, list[Spec]]]] = {section: [] for section in SECTIONS}
    for spec in WEB_FIELDS:
        if spec.web.section == "client" and spec.key not in shown:
            continue
        blocks = found[spec.web.section]
        group = next((b for b in blocks if spec.web.group and b[0] == spec.web.group), None)
        if group is None:
            blocks.append((spec.web.group, [spec]))
        else:
            group[1].append(spec)
    return found


def choices(given: Mapping[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """(value, shown) pairs of each select and checkbox field: `given` (voices…), else its own."""
    found = {spec.key: [(c, c.capitalize() if spec.web.capitalize else c) for c in spec.choices]
             for spec in WEB_FIELDS if spec.choices}
    return {**found, **given}


def uploads() -> list[tuple[str, Spec]]:
    """The upload inputs, by name, with the field each fills."""
    return [(name, BY_KEY[kind.field]) for name, kind in KINDS.items()]


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
