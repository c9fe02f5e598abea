"""Duration fitting: stretch or shrink the placed silences so a track hits its target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_PAUSE = 1.0
"""No silence we place is shorter than this (seconds)."""
MAX_PAUSE = 60.0
"""No silence we place is longer than this (seconds)."""


@dataclass(frozen=True)
class Feasible:
    """The range of total durations reachable by scaling the pauses."""

    shortest: float
    longest: float

    def contains(self, seconds: float) -> bool:
        """True when `seconds` lies within the range."""
        return self.shortest <= seconds <= self.longest


class TargetOutOfReach(ValueError):
    """The target cannot be met within the pause bounds."""

    def __init__(self, feasible: Feasible):
        self.feasible = feasible
        super().__init__(
            f"reachable range is {feasible.shortest:.0f}-{feasible.longest:.0f} seconds"
        )


def clamp_pauses(
    pauses: Sequence[float], floors: Sequence[float] | None = None
) -> tuple[float, ...]:
    """Keep each pause within the clinical bounds (its own floor, if given, else MIN_PAUSE)."""
    lows = floors if floors is not None else [MIN_PAUSE] * len(pauses)
    return tuple(min(MAX_PAUSE, max(low, p)) for p, low in zip(pauses, lows, strict=True))


def feasible_range(
    pauses: Sequence[float], fixed_seconds: float, floors: Sequence[float] | None = None
) -> Feasible:
    """Shortest and longest totals reachable with these pauses around fixed material."""
    lows = floors if floors is not None else [MIN_PAUSE] * len(pauses)
    return Feasible(
        shortest=fixed_seconds + sum(max(MIN_PAUSE, low) for low in lows),
        longest=fixed_seconds + MAX_PAUSE * len(pauses),
    )


def fit_pauses(
    pauses: Sequence[float],
    fixed_seconds: float,
    target_seconds: float,
    floors: Sequence[float] | None = None,
) -> tuple[float, ...]:
    """Scale all pauses by one factor (then clamp to their floors) so the total hits the target."""
    feasible = feasible_range(pauses, fixed_seconds, floors)
    if not pauses or not feasible.contains(target_seconds):
        raise TargetOutOfReach(feasible)
    wanted = target_seconds - fixed_seconds
    low, high = 0.0, MAX_PAUSE / max(min(pauses), 1e-6)
    for _ in range(100):
        middle = (low + high) / 2
        if sum(clamp_pauses([p * middle for p in pauses], floors)) < wanted:
            low = middle
        else:
            high = middle
    return clamp_pauses([p * high for p in pauses], floors)
