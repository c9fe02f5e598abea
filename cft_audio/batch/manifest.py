"""Read a programme manifest (YAML, participants inline or in a CSV) into typed rows."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..errors import os_reason
from ..limits import (
    MAX_EXERCISES,
    MAX_MANIFEST_BYTES,
    MAX_MANIFEST_VALUES,
    MAX_PARTICIPANTS,
    MAX_PARTICIPANTS_BYTES,
    MAX_TRACKS,
    MAX_YEAR,
    MIN_YEAR,
    SHOWN_CHARS,
    quoted,
)
from ..schema import FIELDS, Spec
from .errors import ManifestError, Problem
from .names import RESERVED_SHOWN, is_reserved
from .uploaded import Uploaded, confined_background, not_uploaded, uploaded_file

Settings = Mapping[str, Any]
"""Request fields (underscore names) set by one row, already of the right type."""

TOP_KEYS = ("programme", "defaults", "exercises", "participants")
PROGRAMME_KEYS = ("title", "facilitator", "clinic", "weeks", "year")
MAX_WEEKS = 52
MAX_TITLE = 120
LIST_SEPARATOR = ";"
"""Separates several values in one CSV cell (details, phrases, qualities, say)."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
ID_ALLOWED = ("ASCII letters, digits, - and _, up to 32 characters, starting with a letter or "
              f"digit; not {RESERVED_SHOWN}")
"""Good IDs. ASCII only: an ID names files and folders (and zip entries), where accented
letters may be stored decomposed (macOS), compared by different case rules (Windows) or
garbled by another program; an ID is a code (p01), never the client's name."""


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("must be text")
    return str(value).strip()


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(LIST_SEPARATOR) if v.strip())
    if isinstance(value, list):
        return tuple(_text(v) for v in value)
    raise ValueError("must be a list of texts")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("yes", "true", "1", "y"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("no", "false", "0", "n"):
        return False
    raise ValueError("must be yes or no")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except OverflowError as error:
        raise ValueError("is too large") from error
    except (TypeError, ValueError) as error:
        raise ValueError("must be a number") from error
    if not math.isfinite(number):
        raise ValueError("must be a number")
    return number


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # exactly, however large (a float would round it)
    number = _number(value)
    if number != int(number):
        raise ValueError("must be a whole number")
    return int(number)


_PARSE: dict[str, Callable[[Any], Any]] = {
    "str": _text, "multiple": _texts, "flag": _flag, "float": _number, "int": _integer}
"""How a cell becomes a value of the field's kind (declared in the request schema)."""
SETTINGS: dict[str, Spec] = {spec.name: spec for spec in FIELDS if spec.column}
"""Every setting a manifest row may give, by Request field name (the schema's columns)."""
EXERCISE_KEYS = ("week", "exercise", "script",
                 *(key for key, spec in SETTINGS.items() if spec.column.per_exercise))
DEFAULT_KEYS = tuple(key for key, spec in SETTINGS.items() if not spec.column.personal)
PARTICIPANT_KEYS = ("id", *SETTINGS)


def column_allowed(spec: Spec) -> str:
    """How problems describe a column's good values."""
    if spec.column and spec.column.allowed:
        return spec.column.allowed
    if spec.kind in ("int", "float"):
        return spec.range
    return "yes or no" if spec.kind == "flag" else ", ".join(spec.choices)


@dataclass(frozen=True)
class Programme:
    """What the group programme is called, who runs it, and how many weeks it has."""

    title: str = "Compassion-focused practice"
    facilitator: str = ""
    clinic: str = ""
    weeks: int = 1
    year: int | None = None

    @property
    def artist(self) -> str:
        """The artist tag: facilitator and clinic."""
        return ", ".join(x for x in (self.facilitator, self.clinic) if x) or "cft-audio"


@dataclass(frozen=True)
class Session:
    """One exercise in one week of the programme."""

    row: int
    week: int
    exercise: str
    """The exercise id ("" when the row gives its own `script` template)."""
    settings: Settings

    @property
    def name(self) -> str:
        """The exercise id, or the template's file name."""
        script = self.settings.get("script")
        return self.exercise or (Path(script).stem if script else "")

    @property
    def where(self) -> str:
        """How problems name this row."""
        return f"exercises row {self.row}"


@dataclass(frozen=True)
class Participant:
    """One participant and their own settings."""

    row: int
    where: str
    """How problems name this row (file and row; the ID, never the name)."""
    id: str
    settings: Settings

    @property
    def name(self) -> str:
        """The name or pseudonym spoken in the tracks ("" for none)."""
        return str(self.settings.get("name", ""))


@dataclass(frozen=True)
class Manifest:
    """A whole programme: metadata, defaults, sessions by week, and participants."""

    source: Path
    programme: Programme
    defaults: Settings
    sessions: tuple[Session, ...]
    participants: tuple[Participant, ...]
    problems: tuple[Problem, ...] = field(default=())
    """Problems found while reading; `plan_batch` adds the rest and raises them all."""


def read_manifest(path: Path, participants_csv: Path | None = None,
                  uploaded: Uploaded | None = None) -> Manifest:
    """Read a manifest and its participants (problems are collected, not raised).

    `uploaded` (the web app): the only files the manifest may name, by upload name; None
    (the command line): files are paths relative to the manifest.
    """
    path = Path(path)
    problems: list[Problem] = []
    data = _load_yaml(path, problems)
    for key in data:
        if key not in TOP_KEYS:
            problems.append(Problem("manifest", _key(key), "unknown key", ", ".join(TOP_KEYS)))
    programme = _programme(data.get("programme"), problems)
    defaults = _settings("defaults", data.get("defaults") or {}, DEFAULT_KEYS, problems)
    sessions = _sessions(data.get("exercises"), programme.weeks, path.parent, problems, uploaded)
    rows = _participant_rows(data.get("participants"), path.parent, participants_csv, uploaded,
                             problems)
    participants = _participants(rows, problems)
    if uploaded is not None:
        defaults, sessions, participants = _confined(defaults, sessions, participants,
                                                     uploaded, problems)
    tracks = len(sessions) * len(participants)
    if tracks > MAX_TRACKS:
        problems.append(Problem("manifest", "tracks", f"{len(participants)} participants × "
                                f"{len(sessions)} exercises is {tracks:,} tracks",
                                f"up to MAX_TRACKS = {MAX_TRACKS:,} per manifest"))
    return Manifest(path, programme, defaults, sessions, participants, tuple(problems))


def _participant_rows(data: Any, base: Path, participants_csv: Path | None,
                      uploaded: Uploaded | None,
                      problems: list[Problem]) -> list[tuple[int, str, Any]]:
    """The participant rows: from the CSV given, the CSV the manifest names, or inline."""
    if participants_csv is not None:
        return _csv_rows(Path(participants_csv), problems)
    if not isinstance(data, str):
        return _yaml_rows(data, problems)
    csv_path = base / data if uploaded is None else uploaded_file(data, uploaded)
    if csv_path is None:
        problems.append(not_uploaded("participants", "participants", "a list of participants, "
                                     "or a participants spreadsheet chosen beside the manifest",
                                     uploaded, "a CSV file"))
        return []
    return _csv_rows(csv_path, problems)


def _confined(defaults: Settings, sessions: tuple[Session, ...],
              participants: tuple[Participant, ...], uploaded: Uploaded,
              problems: list[Problem]) -> tuple[Settings, tuple[Session, ...],
                                                tuple[Participant, ...]]:
    """Every row's background a bed name or an uploaded sound (an uploaded manifest)."""
    return (confined_background("defaults", defaults, uploaded, problems),
            tuple(replace(s, settings=confined_background(s.where, s.settings, uploaded,
                                                          problems)) for s in sessions),
            tuple(replace(p, settings=confined_background(p.where, p.settings, uploaded,
                                                          problems)) for p in participants))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path, problems: list[Problem]) -> dict[str, Any]:
    """The manifest's mapping: size, alias expansion and participants bounded before building."""
    try:
        text = _read_capped(path, MAX_MANIFEST_BYTES, "MAX_MANIFEST_BYTES", "utf-8")
    except _FileProblem as problem:
        raise ManifestError(path, [Problem("manifest", "file", str(problem),
                                           "a readable YAML file")]) from None
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(path, node)
        data = loader.construct_document(node) if node is not None else None
    except ValueError as error:  # a number too long for Python to read (over 4300 digits)
        raise ManifestError(path, [Problem("manifest", "file", "holds a number too long to read",
                                           "numbers of up to 4300 digits")]) from error
    except (yaml.YAMLError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise ManifestError(path, [Problem("manifest", "file", f"not valid YAML{line}",
                                           "a YAML mapping, see examples/programme.yaml")]) \
            from error
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.append(Problem("manifest", "file", "must be a mapping of sections",
                                ", ".join(TOP_KEYS)))
        return {}
    return data


class _FileProblem(Exception):
    """Why a manifest or spreadsheet cannot be read, in our words."""


def _read_capped(path: Path, limit: int, constant: str, encoding: str) -> str:
    """A text file of at most `limit` bytes (else a problem naming the `constant`)."""
    shown = _key(path.name)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise _FileProblem(f"{shown} not found") from None
    except IsADirectoryError:
        raise _FileProblem(f"{shown} is a folder, not a file") from None
    except OSError as error:
        raise _FileProblem(f"cannot read {shown}: {os_reason(error)}") from None
    except ValueError:  # a NUL byte in the name
        raise _FileProblem(f"{shown} is not a usable file name") from None
    if len(raw) > limit:
        raise _FileProblem(f"{shown} is over the limit {constant} = {limit:,} bytes")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise _FileProblem(f"cannot decode {shown}: not UTF-8 text") from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_nodes(path: Path, root: yaml.Node) -> None:
    """Refuse too many participants or an alias bomb (values once aliases expand), early."""
    if isinstance(root, yaml.MappingNode):
        for key_node, value in root.value:
            if key_node.value == "participants" and isinstance(value, yaml.SequenceNode) \
                    and len(value.value) > MAX_PARTICIPANTS:
                raise ManifestError(path, [_too_many(len(value.value))])
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_MANIFEST_VALUES:
                raise ManifestError(path, [Problem(
                    "manifest", "file", f"holds more than {MAX_MANIFEST_VALUES:,} values (each "
                    "alias *name counted as what it repeats)",
                    f"up to MAX_MANIFEST_VALUES = {MAX_MANIFEST_VALUES:,}")])
        elif key in open_nodes:
            raise ManifestError(path, [Problem("manifest", "file", "an alias (*name) refers to "
                                               "the value that holds it", "no recursive aliases")])
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _too_many(count: int) -> Problem:
    return Problem("participants", "participants", f"{count:,} is too many",
                   f"up to MAX_PARTICIPANTS = {MAX_PARTICIPANTS} per manifest")


def _programme(data: Any, problems: list[Problem]) -> Programme:
    if not isinstance(data, dict):
        problems.append(Problem("programme", "programme", "missing or not a mapping",
                                ", ".join(PROGRAMME_KEYS)))
        return Programme()
    for key in data:
        if key not in PROGRAMME_KEYS:
            problems.append(Problem("programme", _key(key), "unknown key",
                                    ", ".join(PROGRAMME_KEYS)))
    values: dict[str, Any] = {}
    for key in ("title", "facilitator", "clinic"):
        if data.get(key) is None:
            continue
        try:
            values[key] = _text(data[key])
        except ValueError as error:
            problems.append(Problem("programme", key, str(error), "text"))
            continue
        if len(values[key]) > MAX_TITLE or (key == "title" and not values[key]):
            problems.append(Problem("programme", key, "empty or too long",
                                    f"1 to {MAX_TITLE} characters"))
    if "title" not in values:
        problems.append(Problem("programme", "title", "missing", "the programme's title"))
    for key, low, high in (("weeks", 1, MAX_WEEKS), ("year", MIN_YEAR, MAX_YEAR)):
        if data.get(key) is None:
            continue
        try:
            values[key] = _integer(data[key])
        except ValueError as error:
            problems.append(Problem("programme", key, str(error), f"{low} to {high}"))
            continue
        if not low <= values[key] <= high:
            problems.append(Problem("programme", key, f"{values[key]} is out of range",
                                    f"{low} to {high}"))
            del values[key]
    return Programme(**values)


def _settings(where: str, data: Any, allowed: tuple[str, ...],
              problems: list[Problem]) -> Settings:
    """Typed settings from a row; unknown keys, wrong types and blanks are problems."""
    if not isinstance(data, dict):
        problems.append(Problem(where, where.split()[0], "must be a mapping of settings",
                                _shown(allowed)))
        return MappingProxyType({})
    values: dict[str, Any] = {}
    for raw_key, raw in data.items():
        key = str(raw_key).strip().replace("-", "_")
        if key in ("id", "week", "exercise", "script") and key in allowed:
            continue  # read by the caller
        if key not in allowed:
            problems.append(Problem(where, _key(raw_key), "unknown key", _shown(allowed)))
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # an empty cell keeps the default
        spec = SETTINGS[key]
        try:
            values[key] = _PARSE[spec.kind](raw)
        except ValueError as error:
            problems.append(Problem(where, key.replace("_", "-"), f"{quoted(raw)} {error}",
                                    column_allowed(spec)))
    return MappingProxyType(values)


def _key(raw: Any) -> str:
    """A key as a problem names it: as written if short and printable, else quoted and cut."""
    text = str(raw)
    return text if text.isprintable() and 0 < len(text) <= SHOWN_CHARS else quoted(text)


def _shown(keys: tuple[str, ...]) -> str:
    return ", ".join(k.replace("_", "-") for k in keys)


def _sessions(data: Any, weeks: int, base: Path, problems: list[Problem],
              uploaded: Uploaded | None = None) -> tuple[Session, ...]:
    if not isinstance(data, list) or not data:
        problems.append(Problem("exercises", "exercises", "missing or empty",
                                "a list of {week, exercise} rows"))
        return ()
    if len(data) > MAX_EXERCISES:
        problems.append(Problem("exercises", "exercises", f"{len(data):,} rows is too many",
                                f"up to MAX_EXERCISES = {MAX_EXERCISES} per manifest"))
        data = data[:MAX_EXERCISES]
    sessions = []
    for row, item in enumerate(data, start=1):
        where = f"exercises row {row}"
        if isinstance(item, str):
            item = {"week": row, "exercise": item}
        settings = _settings(where, item, EXERCISE_KEYS, problems)
        if not isinstance(item, dict):
            continue
        try:
            week = _integer(item.get("week"))
        except ValueError:
            problems.append(Problem(where, "week",
                                    f"{quoted(item.get('week'))} is not a week number",
                                    f"1 to {weeks}"))
            continue
        if not 1 <= week <= weeks:
            problems.append(Problem(where, "week", f"{week} is outside the programme",
                                    f"1 to {weeks} (programme: weeks)"))
            continue
        exercise, script = item.get("exercise"), item.get("script")
        if script is not None:  # the therapist's own template, relative to the manifest
            own = base / str(script) if uploaded is None else uploaded_file(script, uploaded)
            if own is None:
                problems.append(not_uploaded(where, "script", "an exercise id instead",
                                             uploaded, "a template"))
                continue
            settings = MappingProxyType({**settings, "script": own})
        sessions.append(Session(row, week, "" if exercise is None else str(exercise), settings))
    return tuple(sessions)


def _yaml_rows(data: Any, problems: list[Problem]) -> list[tuple[int, str, Any]]:
    if not isinstance(data, list) or not data:
        problems.append(Problem("participants", "participants", "missing or empty",
                                "a list of participants, or the name of a CSV file"))
        return []
    return [(row, f"participants row {row}", item) for row, item in enumerate(data, start=1)]


def _csv_rows(path: Path, problems: list[Problem]) -> list[tuple[int, str, Any]]:
    try:
        text = _read_capped(path, MAX_PARTICIPANTS_BYTES, "MAX_PARTICIPANTS_BYTES", "utf-8-sig")
    except _FileProblem as problem:
        problems.append(Problem("participants", "participants", str(problem),
                                "a UTF-8 CSV file with a header row"))
        return []
    shown = _key(path.name)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    for item in reader:
        row = reader.line_num
        if len(rows) == MAX_PARTICIPANTS:  # stop reading: the rest cannot be used
            problems.append(_too_many(MAX_PARTICIPANTS + 1 + sum(1 for _ in reader)))
            return rows
        extra = item.pop(None, None)  # type: ignore[call-overload]
        if extra:
            problems.append(Problem(f"{shown} row {row}", "columns",
                                    "more cells than the header has", _shown(PARTICIPANT_KEYS)))
        rows.append((row, f"{shown} row {row}", {k: v for k, v in item.items() if k}))
    if not rows:
        problems.append(Problem(shown, "participants", "no participant rows",
                                "a header row, then one row per participant"))
    return rows


def _participants(rows: list[tuple[int, str, Any]],
                  problems: list[Problem]) -> tuple[Participant, ...]:
    if len(rows) > MAX_PARTICIPANTS:
        problems.append(_too_many(len(rows)))
        rows = rows[:MAX_PARTICIPANTS]
    participants = []
    seen: dict[str, str] = {}
    for number, (row, where, item) in enumerate(rows, start=1):
        ident = f"p{number:02d}"
        if isinstance(item, dict) and item.get("id") not in (None, ""):
            ident = str(item["id"]).strip()
            why = _id_problem(ident)
            if why:
                problems.append(Problem(where, "id", f"{quoted(ident)} {why}", ID_ALLOWED))
                ident = f"p{number:02d}"
        where = f"{where} ({ident})"
        same = id_key(ident)
        if same in seen:
            problems.append(Problem(where, "id", f"{ident!r} is already used by {seen[same]}",
                                    "an ID unique in this manifest, ignoring case"))
        seen.setdefault(same, where)
        settings = _settings(where, item, PARTICIPANT_KEYS, problems)
        participants.append(Participant(row, where, ident, settings))
    return tuple(participants)


def _id_problem(ident: str) -> str:
    """Why `ident` cannot be an ID ("" if it can)."""
    if not _ID.match(ident):
        return "cannot name files" if ident.isascii() else "has letters outside ASCII"
    return "is a device name on Windows, so it cannot name files" if is_reserved(ident) else ""


def id_key(ident: str) -> str:
    """How IDs are compared: after Unicode NFC, ignoring case (file systems may ignore it)."""
    return unicodedata.normalize("NFC", ident).casefold()
