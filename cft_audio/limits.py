"""Limits on what hostile or broken input may cost: every bound the tool enforces, in one place.

Each limit is refused with a one-line error that names its constant (a ScriptError, an
InvalidRequest or a manifest problem). The README lists them.
"""

from __future__ import annotations

import re

MAX_MANIFEST_BYTES = 1_000_000
"""Largest batch manifest (YAML) read, in bytes."""
MAX_PARTICIPANTS_BYTES = 1_000_000
"""Largest participants spreadsheet (CSV) read, in bytes."""
MAX_MANIFEST_VALUES = 100_000
"""Most values (mappings, lists, scalars) a manifest may hold once its aliases are expanded."""
MAX_PARTICIPANTS = 500
"""Most participants in one manifest (YAML list or CSV rows)."""
MAX_EXERCISES = 156
"""Most exercise rows in one manifest (three a week for a year)."""
MAX_TRACKS = 5_000
"""Most tracks one manifest makes (participants × exercise rows)."""

MAX_TEMPLATE_BYTES = 1_000_000
"""Largest template (.j2) file read, in bytes."""
MAX_TEMPLATE_OUTPUT = 200_000
"""Most characters a template may make (60 minutes of unbroken speech is about 50,000)."""
MAX_TEMPLATE_STEPS = 100_000
"""Most loop iterations and function or macro calls in one template render."""
MAX_TEMPLATE_SECONDS = 3.0
"""Longest wall time one template render may take, in seconds."""

MAX_COVER_BYTES = 10_000_000
"""Largest cover image (`--cover`) read, in bytes."""
MAX_LEXICON_BYTES = 1_000_000
"""Largest pronunciation lexicon (`--lexicon`) read, in bytes."""

MAX_COVER_PIXELS = 50_000_000
"""Most pixels (width × height) in a cover image; players decode it whole, phones' covers are
about a million pixels."""

MIN_MINUTES = 3.0
"""Shortest `--minutes` asked of a track."""
MAX_MINUTES = 60.0
"""Longest track the tool renders, in minutes."""
MAX_SEED = 2**32 - 1
"""Highest background seed (`--seed`, from 0): a 32-bit number. The generator takes any size,
but the seed names the bed store's files and is kept in the render record."""
MIN_YEAR = 1900
"""Earliest year tag (`--year`, a manifest's `year`)."""
MAX_YEAR = 2999
"""Latest year tag."""

MAX_RESPELLING = 80
"""Longest respelling of a word (`--say NAME=respelling`, a lexicon's `word: respelling`), in
characters: a respelling is said wherever its word is, so it must not make sentences long."""

MAX_SAMPLE_TEXT = 300
"""Longest `--text` a voice sample says, in characters (a sample is about 10 seconds)."""

MAX_PRACTICE_BYTES = 1_000_000
"""Largest shared practice log read, in bytes (years of daily notes fit in a tenth of it)."""
MAX_PRACTICE_ENTRIES = 2000
"""Most entries in one practice log (several a day for a year)."""
MAX_PRACTICE_NOTE = 400
"""Longest note in a practice log, in characters (the player's note field stops there too)."""
MAX_PRACTICE_TEXT = 200
"""Longest track title, recording or pack title, or key in a practice log."""
PRACTICE_PAST_DAYS = 3660
"""Practice log entries may go back about ten years from the day the log is read…"""
PRACTICE_FUTURE_DAYS = 2
"""…and up to two days ahead (a phone's clock or time zone may be a little off)."""

MAX_FILE_NAME = 200
"""Longest output file name, in bytes (file systems allow 255; temp names add to it)."""

SHOWN_CHARS = 40
"""Characters of a value quoted in an error message; a longer one is cut and ends in "…"."""


def cut(text: str, keep: int = SHOWN_CHARS) -> str:
    """`text` as it is quoted in a message: at most `keep` characters, then "…"."""
    return text if len(text) <= keep else text[:keep] + "…"


_LONG_VALUE = re.compile(rf"[^\s'\"()]{{{SHOWN_CHARS + 1},}}")


def cut_values(message: str) -> str:
    """Another tool's message (click's) with each value it echoes cut as `cut` cuts it: any run
    of over SHOWN_CHARS characters without a space, quote or bracket."""
    return _LONG_VALUE.sub(lambda found: cut(found.group(0)), message)


def quoted(value: object) -> str:
    """A value for a one-line message: repr of text cut to SHOWN_CHARS; never a whole structure."""
    if isinstance(value, str):
        return repr(cut(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, (bool, int, float)) or value is None:
        return cut(repr(value))
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"

DEFAULT_JOBS = 2
"""Batch worker processes on this machine unless `-j` says otherwise (one per core of a
small machine; each holds a voice in memory)."""
