"""The request schema: every Request field declared once, with all the CLI, web form and manifest
derive from it (flag, help, label, hint, column, allowed values), how errors name a field, and
how the render record writes and reads a request."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .choices import or_list, source_names
from .errors import InvalidRequest
from .limits import MAX_MINUTES, MAX_SEED, MAX_YEAR, MIN_MINUTES, MIN_YEAR, quoted
from .script.catalogue import EXERCISES, LENGTHS, QUALITIES
from .script.vocabulary import PICTURES, PRONOUNS
from .voices.presets import PACES, TONES

SIDECARS = ("vtt", "txt", "json")
"""Files that can be written beside a track."""
EYES = ("either", "open", "closed")
"""How the scripts speak of the eyes: either (the client chooses), open throughout (a soft,
lowered gaze), or closed (an invitation, with leave to open them)."""
BOTH = ("render", "script")
"""Commands of the personalisation options (`render` has all the rest too)."""


@dataclass(frozen=True)
class Web:
    """How a field shows on the web form: its `section` (client, length, voice, background,
    file or tags) and `widget` (text, lines: one value a line, select, checks: a box a choice,
    or flag); fields of a section with the same `group` ("row" or "checks") sit side by side."""

    section: str
    widget: str = "text"
    hint: str = ""
    """Shown under the label; {inferred} and {minutes} are filled in by the page."""
    text: str = ""
    """What the page shows beside the input, when more than the field's label."""
    group: str = ""
    placeholder: str = ""
    inputmode: str = ""
    datalist: str = ""
    """The vocabulary's list (images, places) offered as suggestions."""
    warns: bool = False
    """`request.warnings` may note something beside it (a pressure word in a phrase)."""
    after: bool = False
    """Shown after the section's other fields (the form's order differs from the CLI's)."""
    capitalize: bool = False
    """Show the field's own choices capitalised."""
    blank: str = ""
    """A select's first option, for "no value" (None)."""


@dataclass(frozen=True)
class Upload:
    """A file the web form takes for this field (input `KEY-file`): label, hint, file types."""

    label: str
    hint: str = ""
    accept: str = ""


@dataclass(frozen=True)
class Column:
    """A manifest column (or key) that sets this field; `allowed` describes good values
    (empty: from the field's choices or type), `personal` ones only a participant row may set,
    `per_exercise` ones an exercise row may set too."""

    allowed: str = ""
    personal: bool = False
    per_exercise: bool = False


@dataclass(frozen=True)
class Spec:
    """One field's declaration; `name`, `default` and `kind` come from the Request field."""

    help: str
    """The CLI help (and the field's documentation)."""
    label: str = ""
    """How the web form and its problems name the field."""
    key: str = ""
    """How flags, form inputs and errors name it; default: the name with - for _."""
    commands: tuple[str, ...] = ("render",)
    """CLI commands that take it as an option."""
    short: str = ""
    """A short flag (-o)."""
    argument: str = ""
    """The metavar when it is a positional argument instead of an option."""
    show_default: bool = False
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    """The allowed values, when fixed (checked by `validate`, listed by the form)."""
    source: str = ""
    """Where the values on offer come from when not fixed (`choices.source_names`): images,
    places, beds or formats."""
    spoken: bool = False
    """Templates read it: the script writer passes it to them by name (`spoken`)."""
    file_name: bool = False
    """Text that may name a file: the command line passes it on as the system gave it."""
    bounds: tuple[float, float] | None = None
    """The lowest and highest value of a number (checked by `validate`)."""
    unit: str = ""
    """What a number counts, shown after its range: "dB, relative to the default"."""
    reach: str = ""
    """When the numbers allowed depend on the rest of the request (minutes: the exercise's
    reach, which the renderer works out and the form's hint shows), how errors name them
    instead of the bounds, which are then only the track limits."""
    web: Web | None = None
    upload: Upload | None = None
    column: Column | None = None
    name: str = ""
    default: Any = None
    kind: str = "str"
    """str, int, float, path, flag (bool) or multiple (a tuple of texts)."""

    @property
    def flag(self) -> str:
        """How the command line names it: --KEY, or the argument's metavar."""
        return self.argument or f"--{self.key}"

    @property
    def span(self) -> str:
        """A number's bounds in words, "3 to 60" (the one wording of them)."""
        if self.bounds is None:
            return "a whole number" if self.kind == "int" else "a number"
        low, high = (f"{int(b)}" if self.kind == "int" else f"{b:g}" for b in self.bounds)
        return f"{low} to {high}"

    @property
    def range(self) -> str:
        """A number's allowed values for an error: the span, and its unit if it has one."""
        if self.reach:
            return self.reach
        return self.span + (f" ({self.unit})" if self.unit and self.bounds else "")

    @property
    def values(self) -> tuple[str, ...]:
        """The values on offer: the fixed choices, else those of the `source`."""
        return self.choices or (source_names(self.source) if self.source else ())

    def filled(self, text: str) -> str:
        """`text` with {choices} ("a, b or c") and {span} ("1 to 999") from this declaration."""
        if "{choices}" in text:
            text = text.replace("{choices}", or_list(self.values))
        return text.replace("{span}", self.span) if "{span}" in text else text


def parse_number(spec: Spec, text: str) -> int | float:
    """A number field's text as its value; else InvalidRequest naming the field and range.

    Out-of-range values are left to `validate`, which words them with the same `range`.
    """
    try:
        return int(text) if spec.kind == "int" else float(text)
    except (ValueError, OverflowError) as error:
        if re.fullmatch(r"\s*[+-]?\d+\s*", text):  # too many digits for int()
            raise InvalidRequest(spec.key, f"{quoted(text)} is out of range", spec.range) \
                from error
        kind = "a whole number" if spec.kind == "int" else "a number"
        raise InvalidRequest(spec.key, f"{quoted(text)} is not {kind}",
                             None if spec.reach else spec.range) from error


def declare(default: Any, help: str, **spec: Any) -> Any:
    """A Request field with its default and declaration."""
    return dataclasses.field(default=default, metadata={"spec": Spec(help, **spec)})


def _kind(annotation: Any) -> str:
    text = str(annotation)
    for kind, mark in (("multiple", "tuple"), ("flag", "bool"), ("float", "float"),
                       ("int", "int"), ("path", "Path")):
        if text.startswith(mark) or f"{mark} |" in text:
            return kind
    return "str"


def declared(cls: type) -> tuple[Spec, ...]:
    """The declarations of a dataclass's fields, in order, each bound to its field."""
    found = []
    for field in dataclasses.fields(cls):
        spec = dataclasses.replace(
            field.metadata["spec"], name=field.name, default=field.default,
            kind=_kind(field.type))
        found.append(_worded(dataclasses.replace(
            spec, key=spec.key or field.name.replace("_", "-"), label=spec.label or field.name)))
    return tuple(found)


def _worded(spec: Spec) -> Spec:
    """The declaration with its help, hint and column wording filled from its own values."""
    web = spec.web and dataclasses.replace(spec.web, hint=spec.filled(spec.web.hint))
    column = spec.column and dataclasses.replace(spec.column,
                                                 allowed=spec.filled(spec.column.allowed))
    return dataclasses.replace(spec, help=spec.filled(spec.help), web=web, column=column)


IMAGE_HELP = ("Compassionate-other image: {choices}; or the client's own words, starting "
              "with a/an/the/my or a capital ('my late father', 'Jesus'). Default: person.")
PLACE_HELP = ("Safe place: {choices}; or the client's own words (\"my nan's kitchen\", 'at "
              "the beach at Whitby'). Default: beach.")
LISTED = Column("see `cft-audio render --help`", per_exercise=True)
YES_NO = Column(per_exercise=True)


@dataclass(frozen=True)
class Request:
    """Everything needed to render one personalised track; validated by `validate`.

    Each field is declared here once: `cft-audio render` and `script` take it as an option,
    the web form shows it and the manifest reads it, all from its declaration (`FIELDS`).
    """

    exercise: str | None = declare(
        None, "Exercise id (see `cft-audio exercises`); None with `script`.", label="Exercise",
        commands=BOTH, argument="EXERCISE")
    script: Path | None = declare(
        None, "Your own template (.j2) instead of EXERCISE; see scripts/README.md.",
        label="Your own script", commands=BOTH,
        upload=Upload("Your own script", "A template of your own instead of this exercise’s "
                      "script (see the templates guide).", ".j2"))
    name: str = declare(
        "", "Client's first name (used sparingly). Default: none.", label="Client's first name",
        commands=BOTH, spoken=True, column=Column("a first name or pseudonym", personal=True),
        web=Web("client", hint="Used sparingly, at most three times. Leave empty for none.",
                placeholder="e.g. Sam"))
    image: str = declare(
        "", IMAGE_HELP, label="Compassionate image", commands=BOTH, spoken=True,
        source="images",
        column=LISTED, web=Web("client", datalist="images", placeholder="person", hint=(
            "Choose one, or write their own words as they said them: “my late father”, “a wise "
            "old owl”, “Jesus”. It is spoken back as “your late father”.")))
    place: str = declare(
        "", PLACE_HELP, label="Safe place", commands=BOTH, spoken=True,
        source="places",
        column=LISTED, web=Web("client", datalist="places", placeholder="beach", hint=(
            "Choose one, or their own words: “my nan’s kitchen”, “the hills above our "
            "village”, “at the beach at Whitby”.")))
    pronoun: str | None = declare(
        None, "{choices} for the compassionate other's image. Default: inferred "
        "from the words (see `cft-audio script`).", label="How to speak of the image",
        commands=BOTH, spoken=True, choices=PRONOUNS,
        column=Column("{choices} (default: from the image's words)",
                      per_exercise=True),
        web=Web("client", "select", "Automatic: {inferred}.",
                blank="Automatic"))
    picture: str | None = declare(
        None, "{choices}: a presence has no face, eyes or appearance and no hard "
        "times of its own (as Allah or God for many). Default: from the image's words.",
        label="How the image is imagined", commands=BOTH, spoken=True, choices=PICTURES,
        column=Column("{choices} (default: from the image's words)",
                      per_exercise=True),
        web=Web("client", "select", "A presence has no face or appearance and no hard times "
                "of its own.", blank="Automatic"))
    details: tuple[str, ...] = declare(
        (), "A sensory detail of the safe place the client named (repeatable).",
        label="Sensory details", key="detail", commands=BOTH, spoken=True,
        column=Column("a list of texts", personal=True),
        web=Web("client", "lines", "One per line, e.g. “the smell of cut grass”.",
                text="Sensory details they named"))
    qualities: tuple[str, ...] = declare(
        (), "A quality to dwell on: {choices} (repeatable).",
        label="Qualities to dwell on", key="quality", commands=BOTH, spoken=True,
        choices=QUALITIES,
        column=Column("any of {choices}", per_exercise=True),
        web=Web("client", "checks", "Optional: spend longer on these."))
    phrases: tuple[str, ...] = declare(
        (), "The client's own compassionate phrase (repeatable).",
        label="Their own compassionate phrases", key="phrase", commands=BOTH, spoken=True,
        column=Column("a list of texts", personal=True),
        web=Web("client", "lines", "One per line, in their words (first person: they say it "
                "to themselves).", placeholder="e.g. I am doing the best I can", warns=True))
    gentle: bool = declare(
        False, "Gentle variant: eyes open allowed, more reassurance, shorter silences.",
        label="Gentle version", commands=BOTH, spoken=True, column=YES_NO,
        web=Web("client", "flag", text="Gentle version: eyes may stay open, more reassurance, "
                "shorter silences"))
    eyes: str = declare(
        "either", "The eyes: {choices}. Default: either, as the client likes (the gentle "
        "variant welcomes open eyes first).", label="Eyes", commands=BOTH, spoken=True,
        show_default=True, choices=EYES, column=Column(per_exercise=True),
        web=Web("client", "select", "Open: a soft, lowered gaze throughout, for clients who "
                "feel safer seeing the room.", capitalize=True))
    length: str | None = declare(
        None, "Script form: {choices}. Default: chosen from --minutes, else "
        "standard.", label="Script form", commands=BOTH, choices=LENGTHS,
        column=Column(per_exercise=True),
        web=Web("length", "select", "Short ≈ 4½ min, standard ≈ 10, long ≈ 20.", group="row",
                capitalize=True, blank="Chosen from minutes"))
    minutes: float | None = declare(
        None, "Target length in minutes, within the exercise's reach (`cft-audio exercises` "
        "lists each form's; `script` shows this request's); silences stretch or shrink to fit.",
        label="Minutes", commands=BOTH,
        bounds=(MIN_MINUTES, MAX_MINUTES), reach="the minutes this exercise reaches, as "
        "`cft-audio exercises` lists them",
        column=Column(per_exercise=True),
        web=Web("length", hint="About {minutes} for this exercise; silences stretch or "
                "shrink. Empty: natural length.", group="row", inputmode="decimal"))
    voice: str = declare(
        "joe", "Voice id (see `cft-audio voices`).", label="Voice", commands=BOTH,
        show_default=True, column=Column("a voice id from `cft-audio voices`"),
        web=Web("voice", "select", "Who speaks.", group="row"))
    tone: str = declare(
        "warm", "{choices}.", label="Tone", commands=BOTH,
        show_default=True, choices=tuple(TONES), column=Column(),
        web=Web("voice", "select", "How it sounds."))
    pace: str = declare(
        "slow", "{choices}.", label="Pace", commands=BOTH, show_default=True,
        choices=tuple(PACES), column=Column(),
        web=Web("voice", "select", "Speech rate and silence length.", group="row",
                capitalize=True))
    background: str = declare(
        "ocean", "{choices}; or the path of your own audio file (looped).",
        label="Background sound", show_default=True, source="beds",
        file_name=True,
        column=Column("a background name or audio file", per_exercise=True),
        web=Web("background", "select", "Sits well under the voice and dips while it speaks.",
                group="row"),
        upload=Upload("Your own background sound", "Instead of the background above: the "
                      "client’s own sound (looped with soft crossfades).",
                      ".wav,.flac,.mp3,.ogg,.opus,.m4a,audio/*"))
    bed_level: float = declare(
        0.0, "Background level in dB relative to the default ({span}); it always stays at "
        "least 16 dB under the voice.", label="Background level (dB)", show_default=True,
        bounds=(-30.0, 6.0), unit="dB, relative to the default", column=Column(),
        web=Web("background", hint="{span}, relative to the default.", group="row",
                placeholder="0", inputmode="decimal"))
    accessible: bool = declare(
        False, "Keep the background at least 20 dB under the voice (WCAG 1.4.7).",
        label="Accessible", column=Column(),
        web=Web("background", "flag", group="checks",
                text="Accessible: background at least 20 dB under the voice"))
    breath_tone: bool = declare(
        False, "A soft rising and falling tone that paces the breathing blocks.",
        label="Breath tone", column=YES_NO,
        web=Web("background", "flag", group="checks",
                text="Breath tone: a soft tone paces each breathing block"))
    mono: bool = declare(
        False, "A mono file, mastered to -19 LUFS.", label="Mono file", column=Column(),
        web=Web("file", "flag", after=True, text="Mono file (mastered a little quieter, −19 LUFS)"))
    format: str | None = declare(
        None, "{choices}. Default: from the --output extension, else mp3.",
        label="Formats", source="formats", column=Column("{choices}"),
        web=Web("file", "checks", "MP3 plays everywhere; you can add others later too."))
    output: Path | None = declare(
        None, "Output file, or folder for an automatically named file. Default: output/.",
        label="Output", short="-o")
    seed: int = declare(
        0, "Seed for the background sound (same seed, same bed; {span}).",
        label="Seed", show_default=True, bounds=(0, MAX_SEED), column=Column(),
        web=Web("tags", hint="Same seed, same background.", group="row", inputmode="numeric",
                after=True))
    artist: str = declare(
        "cft-audio", "Artist tag (therapist or clinic).", label="Artist", show_default=True,
        web=Web("tags", hint="Therapist or clinic.", group="row"))
    album: str = declare(
        "Compassion-focused practice", "Album tag (programme).", label="Album",
        show_default=True, web=Web("tags", hint="Programme.", group="row"))
    track: int | None = declare(
        None, "Track number tag ({span}).", label="Track number", bounds=(1, 999),
        web=Web("tags", hint="{span}, optional.", group="row", inputmode="numeric"))
    year: int | None = declare(
        None, "Year tag ({span}). Default: this year.", label="Year",
        bounds=(MIN_YEAR, MAX_YEAR),
        web=Web("tags", hint="Default: this year.", group="row", inputmode="numeric"))
    cover: Path | None = declare(
        None, "Cover art (PNG or JPEG). Default: one drawn with the exercise title.",
        label="Cover image",
        upload=Upload("Cover image", "Shown by phones’ players instead of the drawn cover.",
                      ".png,.jpg,.jpeg,image/png,image/jpeg"))
    sidecars: tuple[str, ...] = declare(
        (), "Also write beside the track: {choices} (captions, script text, render record). "
        "Repeatable.", label="Sidecar files", key="sidecar", choices=SIDECARS)
    say: tuple[str, ...] = declare(
        (), "Say a word as written here, e.g. --say \"Aoife=Eefa\" (repeatable).",
        label="Pronunciations",
        metavar="NAME=RESPELLING", column=Column("a list of NAME=respelling"),
        web=Web("voice", "lines", "One per line as NAME=respelling, e.g. Aoife=Eefa.",
                placeholder="Aoife=Eefa"))
    lexicon: Path | None = declare(
        None, "YAML file of word: respelling lines, over your own lexicon.yaml.",
        label="Pronunciation list (lexicon)",
        upload=Upload("Pronunciation list (lexicon)", "A YAML file of word: respelling lines "
                      "for this recording.", ".yaml,.yml"))


FIELDS: tuple[Spec, ...] = declared(Request)
"""Every field's declaration, in the order the CLI's help lists them."""
BY_KEY: dict[str, Spec] = {spec.key: spec for spec in FIELDS}
"""Declarations by key (quality, bed-level): how errors, flags and form inputs name them."""
PERSONAL_FIELDS: dict[str, str] = {
    spec.name: spec.key for spec in FIELDS
    if any(spec.name in exercise.uses for exercise in EXERCISES.values())}
"""Request fields that only some exercises speak of (`Exercise.uses`), and their keys."""
SPOKEN: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.spoken)
"""The fields templates read, by name."""
_OWN: dict[str, Spec] = {f.name: f.metadata["spec"] for f in dataclasses.fields(Request)}
"""The Request's declarations as written, for the samples' fields to take up."""
SAMPLE_FORMATS = ("mp3", "m4a", "wav")
"""The formats a voice sample is written in."""


def like(name: str, **changes: Any) -> Any:
    """A sample's field: the Request field `name`'s declaration and default (`changes` over
    them), so the sample is checked and worded by the same spec."""
    default = changes.pop("default", Request.__dataclass_fields__[name].default)
    spec = dataclasses.replace(_OWN[name], **changes)
    return dataclasses.field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class VoiceSample:
    """A few seconds in a voice, heard before a render (`voices preview`, the form's Listen)."""

    voice: str | None = like("voice", default=None, argument="VOICE", key="voice-id",
                             show_default=False)
    tone: str = like("tone")
    pace: str = like("pace")
    name: str = like("name", help="Say this name in the greeting, to check it.")
    say: tuple[str, ...] = like("say")
    lexicon: Path | None = like("lexicon")
    format: str | None = like("format", choices=SAMPLE_FORMATS,
                              help="{choices}. Default: from the -o extension, else mp3.")
    output: Path | None = like("output", help="Output file or folder. Default: output/.")


@dataclass(frozen=True)
class BedSample:
    """A few seconds of a background at its level under the voice (the form's Listen)."""

    background: str = like("background")
    bed_level: float = like("bed_level")
    accessible: bool = like("accessible")


VOICE_SAMPLE_FIELDS: tuple[Spec, ...] = declared(VoiceSample)
"""The voice sample's declarations: `voices preview` takes each as an option."""
BED_SAMPLE_FIELDS: tuple[Spec, ...] = declared(BedSample)
"""The background sample's declarations."""
_NAMED: dict[str, Spec] = {spec.key: spec for spec in (*VOICE_SAMPLE_FIELDS,
                                                       *BED_SAMPLE_FIELDS, *FIELDS)}
"""Every declaration by key, a request's over a sample's of the same key."""
_OTHER_NAMES = {"file": "FILE", "path": "PATH", "voice-name": "NAME"}
"""Arguments of other commands (analyse FILE, voices add PATH) that errors name."""


def to_record(request: Request) -> dict[str, Any]:
    """The request as the render record keeps it: every field by name, paths as text."""
    return {spec.name: _recorded(getattr(request, spec.name)) for spec in FIELDS}


def _recorded(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def from_record(fields: Mapping[str, Any]) -> Request:
    """The Request a render record describes: each field read back by its declared kind (a
    list as a tuple, a path's text as a Path); names no field has (older records) are left."""
    values = {}
    for spec in FIELDS:
        if spec.name in fields:
            values[spec.name] = _read_back(spec, fields[spec.name])
    return Request(**values)


def _read_back(spec: Spec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind == "multiple":
        return tuple(value)
    return Path(value) if spec.kind == "path" else value


def spoken(request: Request) -> dict[str, Any]:
    """The request's spoken fields by name: what the script writer hands the templates."""
    return {name: getattr(request, name) for name in SPOKEN}


def cli_name(field: str) -> str:
    """How the command line names a field: --quality, EXERCISE, VOICE."""
    spec = _NAMED.get(field)
    return spec.flag if spec else _OTHER_NAMES.get(field, f"--{field}")


def label(field: str) -> str:
    """How the web form names a field: "Client's first name"."""
    spec = _NAMED.get(field)
    return spec.label if spec else field


def _renamed(error: InvalidRequest, name: str) -> str:
    text = str(error)
    return name + text[len(error.field):] if text.startswith(error.field) else text


def request_message(error: InvalidRequest) -> str:
    """The problem worded for the command line: the field's flag, what is wrong and allowed."""
    return _renamed(error, cli_name(error.field))


def form_message(error: InvalidRequest) -> str:
    """The problem worded for the form: the field's label, then what is wrong and allowed."""
    return _renamed(error, label(error.field))
