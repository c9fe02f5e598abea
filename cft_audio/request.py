"""The render request and the voice and background samples: who and what for, every
personalisation choice, and the validation of each by its fields' declarations."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import InvalidRequest, os_reason
from .files import exists
from .limits import MAX_COVER_BYTES, MAX_LEXICON_BYTES, MAX_MINUTES, MIN_MINUTES, quoted
from .schema import (
    BED_SAMPLE_FIELDS,
    FIELDS,
    PERSONAL_FIELDS,
    SAMPLE_FORMATS,
    SIDECARS,
    VOICE_SAMPLE_FIELDS,
    BedSample,
    Request,
    Spec,
    VoiceSample,
    spoken,
)
from .script.catalogue import EXERCISES, exercises_using
from .script.personal import Personalisation, personalise
from .script.vocabulary import MAX_OWN_WORDS, OWN_WORDS_CHARACTERS, Vocabulary, check_own_text

__all__ = ["MAX_MINUTES", "MIN_MINUTES", "SIDECARS", "BedSample", "Request", "VoiceSample",
           "check_input_file", "validate", "validate_bed_sample", "validate_voice_sample",
           "warnings"]

MAX_TEXT = 80
"""Longest name, phrase or detail accepted, in characters."""

_NAME_PATTERN = re.compile(r"^[^\W\d_][\w'’ .\-]*$")
PRESSURE_WORDS = re.compile(r"\b(should|shouldn't|must|mustn't|have to|has to|had to|need to|"
                            r"ought|try harder)\b", re.IGNORECASE)
"""Words the scripts never use; in a client's own phrase they are kept, with a warning."""
_PHRASE_FORBIDDEN = "[]{}<>"


def validate(
    request: Request,
    *,
    voices: Iterable[str],
    vocabulary: Vocabulary,
    backgrounds: Iterable[str],
    formats: Iterable[str],
    broken_voices: Mapping[str, str] | None = None,
) -> Personalisation:
    """The request's personalisation (image and place resolved, once); else InvalidRequest
    naming the first field whose value is not allowed.

    `broken_voices` are voices whose profile cannot be read (voice → why).
    """
    _check_source(request.exercise, request.script)
    for field, words in (("image", request.image), ("place", request.place)):
        if len(words) > MAX_OWN_WORDS:  # before the vocabulary, which quotes what it refuses
            raise InvalidRequest(field, f"{quoted(words)} is too long",
                                 f"{OWN_WORDS_CHARACTERS}, up to {MAX_OWN_WORDS} characters")
    _check_choices(request, FIELDS)
    personal = personalise(vocabulary, spoken(request))
    _check_used(request)
    _check_voice(request.voice, voices, broken_voices or {})
    _check_background(request.background, backgrounds)
    _check_bounds(request, FIELDS)
    if request.cover is not None:
        _check_cover(Path(request.cover))
    _check_lexicon(request.lexicon)
    formats = sorted(formats)
    if request.format is not None:
        _choice("format", request.format, formats)
    if request.output is not None:
        _check_output_suffix(Path(request.output), request.format, formats)
    if request.name:
        _check_name(request.name)
    for value in request.phrases:
        _check_phrase(value)
    for value in request.details:
        check_own_text("detail", value, MAX_TEXT, vocabulary.lexicon.nouns)
    return personal


def validate_voice_sample(sample: VoiceSample, *, voices: Iterable[str],
                          broken_voices: Mapping[str, str] | None = None) -> None:
    """Nothing; else InvalidRequest naming the first field of the voice sample (by the
    Request's own specs) whose value is not allowed."""
    if sample.voice is None:
        raise InvalidRequest("voice-id", "missing", sorted(voices))
    _check_voice(sample.voice, voices, broken_voices or {}, field="voice-id")
    _check_choices(sample, VOICE_SAMPLE_FIELDS)
    if sample.name:
        _check_name(sample.name)
    _check_lexicon(sample.lexicon)
    if sample.output is not None:
        _check_output_suffix(Path(sample.output), sample.format, sorted(SAMPLE_FORMATS))


def validate_bed_sample(sample: BedSample, *, backgrounds: Iterable[str]) -> None:
    """Nothing; else InvalidRequest naming the background sample's field that is not allowed."""
    _check_background(sample.background, backgrounds)
    _check_bounds(sample, BED_SAMPLE_FIELDS)


def warnings(request: Request) -> tuple[tuple[str, str], ...]:
    """(field, message) pairs to show beside a request that is fine but worth a second look.

    A phrase with a pressure word (should, must, have to) is the client's own words and is
    spoken as written; the therapist is told, in case it was not meant.
    """
    found = []
    for phrase in request.phrases:
        match = PRESSURE_WORDS.search(phrase)
        if match:
            found.append(("phrase", f"{quoted(phrase)} contains {match.group(0)!r}; it is spoken "
                                    "as written (the scripts themselves never say it)"))
    return tuple(found)


def _check_used(request: Request) -> None:
    """An option the exercise never speaks of is an error, never silently dropped."""
    if request.exercise is None or request.exercise not in EXERCISES:
        return  # a custom template may use anything
    defaults = {spec.name: spec.default for spec in FIELDS}
    uses = EXERCISES[request.exercise].uses
    for field, shown in PERSONAL_FIELDS.items():
        value = getattr(request, field)
        if field not in uses and value not in (defaults[field], (), None):
            users = ", ".join(exercises_using(field))
            raise InvalidRequest(shown, f"is not used by {request.exercise}", users)


def _check_choices(values: object, specs: Iterable[Spec]) -> None:
    """Each field with fixed choices (tone, pace, qualities…) holds one of them."""
    for spec in specs:
        if not spec.choices:
            continue
        value = getattr(values, spec.name)
        for one in value if spec.kind == "multiple" else () if value is None else (value,):
            _choice(spec.key, one, spec.choices)


def _check_source(exercise: str | None, script: Path | None) -> None:
    if script is None:
        if exercise is None:
            raise InvalidRequest("exercise", "missing (or give a template with --script)",
                                 sorted(EXERCISES))
        _choice("exercise", exercise, EXERCISES)
        return
    if exercise is not None:
        raise InvalidRequest("exercise", "give an exercise or a script, not both")
    if Path(script).suffix != ".j2" or not _is_file(Path(script)):
        raise InvalidRequest("script", f"{quoted(str(script))} is not a readable .j2 file",
                             "a path to a jinja2 template ending in .j2")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long to be a file
        return False


def _choice(field: str, value: str, allowed: Iterable[str]) -> None:
    options = sorted(allowed)
    if value not in options:
        raise InvalidRequest(field, f"unknown value {quoted(value)}", options)


def _check_voice(voice: str, voices: Iterable[str], broken: Mapping[str, str],
                 field: str = "voice") -> None:
    """A voice with a good profile; a broken one says why (the others are unaffected)."""
    voices = sorted(voices)
    if voice in broken and voice not in voices:
        raise InvalidRequest(field, f"{quoted(voice)} cannot be used: {broken[voice]}", voices)
    _choice(field, voice, voices)


def _check_background(background: str, names: Iterable[str]) -> None:
    """A bed name, or a file that exists (a path that is missing says so, not "unknown")."""
    names = sorted(names)
    if background in names:
        return
    allowed = ", ".join(names) + ", or an audio file path"
    try:
        path = Path(background).expanduser()
        if path.is_file():
            return
        found = exists(path)
    except OSError as error:
        raise InvalidRequest("background", f"cannot use {quoted(background)}: "
                             f"{os_reason(error)}", allowed) from error
    except (RuntimeError, ValueError) as error:  # "~name" for no such user; a NUL byte
        raise InvalidRequest("background", f"file {quoted(background)} not found", allowed) \
            from error
    if found:
        raise InvalidRequest("background", f"{quoted(background)} is not a file", allowed)
    if any(mark in background for mark in ("/", "\\", "~")) or path.suffix:
        raise InvalidRequest("background", f"file {quoted(background)} not found", allowed)
    raise InvalidRequest("background", f"unknown value {quoted(background)}", allowed)


def _check_bounds(values: object, specs: Iterable[Spec]) -> None:
    """Each number field with `bounds` (seed, year, minutes…) holds a finite value in them."""
    for spec in specs:
        value = getattr(values, spec.name)
        if spec.bounds is not None and value is not None:
            _check_number(spec, value)


def _check_number(spec: Spec, value: float) -> None:
    low, high = spec.bounds or (-math.inf, math.inf)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequest(spec.key, f"{quoted(value)} is not a number", spec.range)
    if not math.isfinite(value) or not low <= value <= high:
        shown = f"{value:g}" if isinstance(value, float) else quoted(value)
        raise InvalidRequest(spec.key, f"{shown} is out of range", spec.range)


def _check_lexicon(lexicon: Path | None) -> None:
    if lexicon is not None:
        check_input_file("lexicon", Path(lexicon), MAX_LEXICON_BYTES, "MAX_LEXICON_BYTES",
                         "a YAML file of word: respelling lines")


def _check_name(name: str) -> None:
    if len(name) > MAX_TEXT or not _NAME_PATTERN.match(name):
        raise InvalidRequest(
            "name",
            f"{quoted(name)} is not a usable first name",
            f"letters, spaces, hyphens and apostrophes, up to {MAX_TEXT} characters",
        )


def _check_phrase(value: str) -> None:
    allowed = f"plain words and punctuation, up to {MAX_TEXT} characters, no brackets"
    bad = next((c for c in value if c in _PHRASE_FORBIDDEN or not c.isprintable()), None)
    if bad is not None:
        raise InvalidRequest("phrase", f"{quoted(value)} cannot be used: {bad!r} is not allowed",
                             allowed)
    if not re.search(r"[^\W\d_]", value) or len(value) > MAX_TEXT:
        raise InvalidRequest("phrase", f"{quoted(value)} cannot be used", allowed)


def _check_output_suffix(output: Path, fmt: str | None, formats: list[str]) -> None:
    suffix = output.suffix.lower().lstrip(".")
    if not suffix or not suffix.isalnum() or len(suffix) > 4:
        return
    if suffix not in formats:
        raise InvalidRequest("output", f"unknown file extension .{suffix}",
                             [f".{f}" for f in formats])
    if fmt is not None and fmt != suffix:
        raise InvalidRequest("format", f"{quoted(fmt)} does not match the output file .{suffix}",
                             [suffix])


def _check_cover(path: Path) -> None:
    from .export.cover import image_info  # raises InvalidRequest("cover") for anything but PNG/JPEG

    check_input_file("cover", path, MAX_COVER_BYTES, "MAX_COVER_BYTES", "a PNG or JPEG file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidRequest("cover", f"cannot read {quoted(path.name)}",
                             "a PNG or JPEG file") from error
    image_info(data)


def check_input_file(field: str, path: Path, limit: int, constant: str, allowed: str) -> None:
    """A regular file of at most `limit` bytes; else the true cause, in one line."""
    shown = quoted(str(path))
    try:
        if not exists(path):
            raise InvalidRequest(field, f"file {shown} not found", allowed)
        if path.is_dir():
            raise InvalidRequest(field, f"{shown} is a folder, not a file", allowed)
        if not path.is_file():
            raise InvalidRequest(field, f"{shown} is not a regular file", allowed)
        size = path.stat().st_size
    except OSError as error:
        raise InvalidRequest(field, f"cannot read {shown}: {os_reason(error)}", allowed) \
            from error
    if size > limit:
        raise InvalidRequest(field, f"{shown} is over the limit {constant} = {limit:,} bytes",
                             allowed)
