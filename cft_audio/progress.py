"""Progress reporters for the CLI: a one-line bar on terminals, stage logs when verbose."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TextIO

from .pipeline import STAGES

_LABELS = {
    "script": "Writing script",
    "speech": "Speaking",
    "timeline": "Placing and mixing",
    "master": "Mastering",
    "export": "Encoding",
}


@dataclass
class TerminalProgress:
    """Redraws one status line: stage label, overall percentage and a bar."""

    stream: TextIO
    width: int = 24
    _last: str = field(default="", init=False)

    def __call__(self, stage: str, fraction: float) -> None:
        """Show progress of `stage`."""
        index = STAGES.index(stage)
        overall = (index + fraction) / len(STAGES)
        filled = int(round(overall * self.width))
        line = (f"\r{_LABELS[stage]:<20} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{overall * 100:3.0f}%")
        if line != self._last:
            self.stream.write(line)
            self.stream.flush()
            self._last = line

    def close(self) -> None:
        """End the status line."""
        if self._last:
            self.stream.write("\r" + " " * (len(self._last) + 1) + "\r")
            self.stream.flush()
            self._last = ""


@dataclass
class StageLog:
    """Prints one line per finished stage with its elapsed time (for --verbose)."""

    stream: TextIO
    _started: dict[str, float] = field(default_factory=dict, init=False)

    def __call__(self, stage: str, fraction: float) -> None:
        """Log the start and end of each stage."""
        now = time.perf_counter()
        if stage not in self._started:
            self._started[stage] = now
        if fraction >= 1.0:
            elapsed = now - self._started[stage]
            self.stream.write(f"{_LABELS[stage]:<20} done in {elapsed:6.2f} s\n")
            self.stream.flush()

    def close(self) -> None:
        """Nothing to finish."""


def combine(*reporters):
    """Call several progress reporters in turn."""

    def report(stage: str, fraction: float) -> None:
        for reporter in reporters:
            reporter(stage, fraction)

    return report
