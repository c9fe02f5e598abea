"""Batch errors: manifest problems (row, field, allowed values), and run-time stops."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import CftAudioError, InvalidRequest
from ..limits import cut


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a manifest."""

    where: str
    """The row it is in: "programme", "defaults", "exercises row 2", "participants row 3 (p03)"."""
    field: str
    message: str
    allowed: str | None = None

    def __str__(self) -> str:
        where = self.where if self.field == self.where else f"{self.where}: {self.field}"
        text = f"{where}: {self.message}"
        return text + (f" (allowed: {self.allowed})" if self.allowed else "")


def from_invalid(where: str, error: InvalidRequest, suffix: str = "") -> Problem:
    """The problem an InvalidRequest describes, placed at `where`."""
    text = str(error)
    message = text[len(error.field) + 2:] if text.startswith(f"{error.field}: ") else text
    if error.allowed and message.endswith(")") and " (allowed: " in message:
        message = message[: message.rindex(" (allowed: ")]
    allowed = error.allowed if isinstance(error.allowed, str) or error.allowed is None \
        else ", ".join(error.allowed)
    return Problem(where, error.field.replace("_", "-"), message + suffix, allowed)


class ManifestError(CftAudioError):
    """A batch manifest cannot be rendered; `.problems` lists everything wrong at once."""

    def __init__(self, source: Path | str, problems: Iterable[Problem]):
        self.source = Path(source)
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"{cut(self.source.name)}: {count} problem{'s' if count != 1 else ''}")

    def lines(self) -> tuple[str, ...]:
        """One line per problem, each starting with the manifest's file name."""
        name = cut(self.source.name)
        return tuple(f"{name}: {problem}" for problem in self.problems)


class BatchError(CftAudioError):
    """A batch cannot run (output folder busy, backend missing, workers lost)."""


class BatchInterrupted(CftAudioError):
    """The batch was stopped (Ctrl-C): finished tracks are kept, no partial file is left."""

    def __init__(self, finished: int, total: int):
        self.finished = finished
        self.total = total
        super().__init__(f"interrupted: {finished} of {total} tracks finished and kept; "
                         "run the same command again to finish")
