"""Limits on what hostile or broken input may cost: every bound the tool enforces, in one place.

Each limit is refused with a one-line error that names it (`LimitExceeded` below, or an
`InvalidRequest`/manifest problem quoting the constant's name). The README lists them.
"""

from __future__ import annotations

from .errors import CftAudioError

MAX_MANIFEST_BYTES = 1_000_000
"""Largest batch manifest (YAML) read, in bytes."""
MAX_PARTICIPANTS_BYTES = 1_000_000
"""Largest participants spreadsheet (CSV) read, in bytes."""
MAX_MANIFEST_VALUES = 100_000
"""Most values (mappings, lists, scalars) a manifest may hold once its aliases are expanded."""
MAX_PARTICIPANTS = 500
"""Most participants in one manifest (YAML list or CSV rows)."""

MAX_TEMPLATE_BYTES = 1_000_000
"""Largest template (.j2) file read, in bytes."""
MAX_TEMPLATE_OUTPUT = 200_000
"""Most characters a template may make (60 minutes of unbroken speech is about 50,000)."""
MAX_TEMPLATE_STEPS = 100_000
"""Most loop iterations and function or macro calls in one template render."""
MAX_TEMPLATE_SECONDS = 3.0
"""Longest wall time one template render may take, in seconds."""

SHOWN_CHARS = 40
"""Characters of a value quoted in an error message; a longer one is cut and ends in "…"."""


class LimitExceeded(CftAudioError):
    """Input would cost more than one of the limits above allows."""

    def __init__(self, what: str, limit: str, value: float | int | str):
        self.limit = limit
        shown = f"{value:,}" if isinstance(value, int) else f"{value}"
        super().__init__(f"{what} is over the limit {limit} = {shown}")


def cut(text: str, keep: int = SHOWN_CHARS) -> str:
    """`text` as it is quoted in a message: at most `keep` characters, then "…"."""
    return text if len(text) <= keep else text[:keep] + "…"


def quoted(value: object) -> str:
    """A value for a one-line message: repr of text cut to SHOWN_CHARS; never a whole structure."""
    if isinstance(value, str):
        return repr(cut(value))
    if isinstance(value, (bool, int, float)) or value is None:
        return cut(repr(value))
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"
