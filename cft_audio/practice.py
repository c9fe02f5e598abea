"""Practice logs a client shares from the phone player: the file's format, its checks, weeks.

The player keeps the log on the phone (browser storage) and, only when the client chooses,
writes it as a small readable `.txt`: a few lines a person can read, then a marker line,
then the log as JSON. `read_log` checks such a file (size, shape, dates, ratings, counts,
note lengths) and raises PracticeLogError with one line naming the field; nothing is
kept from a file that fails.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import limits
from .errors import PracticeLogError, os_reason

FORMAT = "cft-audio practice log"
"""The `format` value every shared log carries."""
VERSION = 1
MARKER = "--- practice log data (the therapist's app reads what follows; leave it as it is) ---"
"""The line after which the shared `.txt` holds the log as JSON."""
MAX_BYTES = limits.MAX_PRACTICE_BYTES
MAX_ENTRIES = limits.MAX_PRACTICE_ENTRIES
MAX_NOTE = limits.MAX_PRACTICE_NOTE
MAX_TEXT = limits.MAX_PRACTICE_TEXT
RATING = range(0, 11)
"""How soothed or safe the client felt, 0 to 10."""
PAST_DAYS = limits.PRACTICE_PAST_DAYS
FUTURE_DAYS = limits.PRACTICE_FUTURE_DAYS
KINDS = ("recording", "pack")
"""A log belongs to one recording (the client page) or one batch pack (its index.html)."""
_TOP = frozenset({"format", "version", "source", "made", "entries"})
_ENTRY = frozenset({"at", "track", "before", "after", "note"})
_SOURCE = frozenset({"kind", "key", "title"})
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Unicode's control characters (category Cc)."""
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""…bar tab and line feed, which a note may hold."""


@dataclass(frozen=True)
class Source:
    """What a log belongs to: a recording (its render id) or a pack (batch/pack folder)."""

    kind: str
    key: str
    title: str


@dataclass(frozen=True)
class Entry:
    """One time the client practised, with the optional ratings, track and note."""

    at: datetime.datetime
    """When, in the phone's own time zone (aware)."""
    track: str
    before: int | None
    after: int | None
    note: str


@dataclass(frozen=True)
class PracticeLog:
    """A checked log: its source and entries (oldest first)."""

    source: Source
    made: datetime.datetime | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Week:
    """The entries of one week (Monday to Sunday, in the phone's time)."""

    start: datetime.date
    entries: tuple[Entry, ...]

    @property
    def days(self) -> tuple[datetime.date, ...]:
        """Its seven days, Monday first."""
        return tuple(self.start + datetime.timedelta(days=n) for n in range(7))


def read_log_file(path: Path, now: datetime.datetime | None = None) -> PracticeLog:
    """Read and check a shared log file (at most MAX_BYTES are read)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise PracticeLogError(f"{Path(path).name}: cannot read it: {os_reason(error)}") from error
    try:
        return read_log(data, now)
    except PracticeLogError as error:
        raise PracticeLogError(f"{Path(path).name}: {error}") from error


def read_log(data: bytes, now: datetime.datetime | None = None) -> PracticeLog:
    """Check the bytes of a shared log; PracticeLogError (one line) for anything wrong."""
    if len(data) > MAX_BYTES:
        raise PracticeLogError(f"the file is larger than {MAX_BYTES / 1e6:g} MB; a shared "
                               "practice log is much smaller")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PracticeLogError("the file is not UTF-8 text, so not a shared practice log") \
            from error
    try:
        found = json.loads(_json_part(text))
    except (ValueError, RecursionError) as error:
        raise PracticeLogError("the log data after the marker line is not valid JSON") from error
    return check_log(found, now)


def _json_part(text: str) -> str:
    """The JSON of a shared `.txt` (what follows the marker line), or the whole of a `.json`."""
    if text.lstrip().startswith("{"):
        return text
    _, marker, tail = text.partition(MARKER)
    if not marker:
        raise PracticeLogError("not a practice log shared from a cft-audio player (no "
                               "'--- practice log data' line)")
    return tail


def check_log(data: Any, now: datetime.datetime | None = None) -> PracticeLog:
    """Check a parsed log (a dict as the JSON holds it) against the format and its limits."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PracticeLogError(f"format: not a practice log (expected {FORMAT!r})")
    _known_keys("the log", data, _TOP)
    if data.get("version") != VERSION:
        raise PracticeLogError(f"version: {_shown(data.get('version'))} is not one this "
                               f"app reads (allowed: {VERSION})")
    source = _source(data.get("source"))
    made = _moment("made", data["made"], now) if data.get("made") is not None else None
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise PracticeLogError("entries: must be a list")
    if len(entries) > MAX_ENTRIES:
        raise PracticeLogError(f"entries: {len(entries)} entries; at most {MAX_ENTRIES}")
    checked = [_entry(f"entries[{n}]", item, now) for n, item in enumerate(entries)]
    return PracticeLog(source, made, tuple(sorted(checked, key=lambda e: e.at)))


def _source(data: Any) -> Source:
    if not isinstance(data, dict):
        raise PracticeLogError("source: must be an object with kind, key and title")
    _known_keys("source", data, _SOURCE)
    kind = data.get("kind")
    if kind not in KINDS:
        raise PracticeLogError(f"source.kind: {_shown(kind)} (allowed: {', '.join(KINDS)})")
    key = _text("source.key", data.get("key"), MAX_TEXT)
    if not key or key.startswith("/") or ".." in key.split("/"):
        raise PracticeLogError("source.key: must name a recording or pack (no '..', not empty)")
    return Source(kind, key, _text("source.title", data.get("title"), MAX_TEXT))


def _entry(where: str, data: Any, now: datetime.datetime) -> Entry:
    if not isinstance(data, dict):
        raise PracticeLogError(f"{where}: must be an object with at, track, before, after, note")
    _known_keys(where, data, _ENTRY)
    return Entry(at=_moment(f"{where}.at", data.get("at"), now),
                 track=_text(f"{where}.track", data.get("track", ""), MAX_TEXT),
                 before=_rating(f"{where}.before", data.get("before")),
                 after=_rating(f"{where}.after", data.get("after")),
                 note=_text(f"{where}.note", data.get("note", ""), MAX_NOTE, lines=True))


def _known_keys(where: str, data: dict, allowed: frozenset[str]) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise PracticeLogError(f"{where}: unknown field {_shown(unknown[0][:40])} "
                               f"(allowed: {', '.join(sorted(allowed))})")


def _moment(where: str, value: Any, now: datetime.datetime) -> datetime.datetime:
    """An ISO 8601 date and time with its UTC offset, within the sane window around `now`."""
    try:
        moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) \
            and len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PracticeLogError(f"{where}: {_shown(value)} is not a date and time with its "
                               "offset (like 2026-12-01T09:30:00+01:00)")
    earliest = now - datetime.timedelta(days=PAST_DAYS)
    latest = now + datetime.timedelta(days=FUTURE_DAYS)
    if not earliest <= moment <= latest:
        raise PracticeLogError(f"{where}: {moment.date().isoformat()} is outside "
                               f"{earliest.date().isoformat()} to {latest.date().isoformat()}")
    return moment


def _rating(where: str, value: Any) -> int | None:
    """A 0 to 10 whole number, or None where the client left it out."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in RATING:
        raise PracticeLogError(f"{where}: {_shown(value)} is not a rating "
                               "(allowed: whole numbers 0 to 10, or null)")
    return value


def _text(where: str, value: Any, limit: int, lines: bool = False) -> str:
    """A string of at most `limit` characters, without control characters (bar line breaks)."""
    if not isinstance(value, str):
        raise PracticeLogError(f"{where}: must be text")
    if len(value) > limit:
        raise PracticeLogError(f"{where}: {len(value)} characters; at most {limit}")
    if (_CONTROL_IN_LINES if lines else _CONTROL).search(value):
        raise PracticeLogError(f"{where}: holds control characters")
    return value


def _shown(value: Any) -> str:
    """A value for a message: short, one line."""
    text = json.dumps(value, ensure_ascii=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def weeks(entries: Sequence[Entry]) -> list[Week]:
    """The entries grouped by week (Monday first, in the phone's time), oldest week first."""
    found: dict[datetime.date, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        day = entry.at.date()
        found.setdefault(day - datetime.timedelta(days=day.weekday()), []).append(entry)
    return [Week(start, tuple(items)) for start, items in sorted(found.items())]


def as_json(log: PracticeLog) -> dict[str, Any]:
    """The log as its shared JSON holds it (what `check_log` reads back)."""
    return {
        "format": FORMAT, "version": VERSION,
        "source": {"kind": log.source.kind, "key": log.source.key, "title": log.source.title},
        "made": log.made.isoformat() if log.made else None,
        "entries": [{"at": e.at.isoformat(), "track": e.track, "before": e.before,
                     "after": e.after, "note": e.note} for e in log.entries],
    }


def shared_text(log: PracticeLog) -> str:
    """The shared `.txt` for a log, as the player writes it: readable lines, marker, JSON."""
    lines = [f"Practice notes: {log.source.title}", ""]
    lines += [f"{describe(e)}" for e in log.entries]
    return "\n".join([*lines, "", MARKER, json.dumps(as_json(log), indent=1), ""])


def describe(entry: Entry) -> str:
    """One line for an entry: day and time, track, the ratings given, the note."""
    parts = [entry.at.strftime("%a %d %b %Y, %H:%M"), entry.track or "(no track named)"]
    if entry.before is not None or entry.after is not None:
        parts.append(f"soothed or safe: before {_or_dash(entry.before)}, "
                     f"after {_or_dash(entry.after)}")
    if entry.note:
        parts.append(" ".join(entry.note.split()))
    return " · ".join(parts)


def _or_dash(value: int | None) -> str:
    return "–" if value is None else str(value)
