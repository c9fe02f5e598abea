"""The timeline stage: pause lengths (nominal, or fitted to a target), estimates, the layout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidRequest
from ..script.cues import Pause, Script
from ..script.fitting import TargetOutOfReach, clamp_pauses, feasible_range, fit_pauses
from ..sound import RATE
from ..sound.breath import breath_tone
from ..sound.timeline import Timeline, fixed_seconds, layout
from ..voices.presets import Pace
from .plan import RenderPlan, Voicing

WORDS_PER_SECOND = 3.66
"""Measured speaking rate of the default voice at length scale 1 (for planning only)."""
LENGTH_ELASTICITY = 0.8
"""Speech duration grows as length_scale ** 0.8 (Piper rounds short phonemes up)."""
PLANNING_MARGIN = 0.06
"""Estimated ranges are narrowed by this share, so what is promised is reached."""


@dataclass(frozen=True)
class Estimate:
    """Planning estimate of a script's length in seconds: shortest, longest and natural."""

    shortest: float
    longest: float
    natural: float
    """With the pauses at their nominal length for the pace."""

    def reaches(self, seconds: float) -> bool:
        """Whether the script can be fitted to `seconds`."""
        return self.shortest <= seconds <= self.longest


@dataclass(frozen=True)
class Preview:
    """A script as it would be rendered: pauses (estimated fit) and estimated duration."""

    script: Script
    pauses: tuple[float, ...]
    seconds: float


def floors(script: Script) -> tuple[float, ...]:
    """The shortest each of the script's pauses may become (imagery pauses: eight seconds)."""
    return tuple(c.floor for c in script.cues if isinstance(c, Pause))


def nominal_pauses(script: Script, pace: Pace) -> tuple[float, ...]:
    """The script's pauses at this pace, within the clinical bounds."""
    return clamp_pauses([c.seconds * pace.pause_factor for c in script.cues
                         if isinstance(c, Pause)], floors(script))


def estimated_fixed_seconds(script: Script, voicing: Voicing) -> float:
    """Everything but the pauses, with speech length estimated from word counts."""
    rate = WORDS_PER_SECOND / voicing.settings.length_scale**LENGTH_ELASTICITY
    speech = [len(s.split()) / rate + voicing.pace.added_seconds(s) for s in script.sentences]
    return fixed_seconds(script.cues, speech, voicing.pace.between_sentences)


def estimate(script: Script, voicing: Voicing) -> Estimate:
    """Planning estimate of the shortest, longest and natural length of a script."""
    fixed = estimated_fixed_seconds(script, voicing)
    nominal = nominal_pauses(script, voicing.pace)
    feasible = feasible_range(nominal, fixed, floors(script))
    return Estimate(shortest=feasible.shortest * (1 + PLANNING_MARGIN),
                    longest=feasible.longest * (1 - PLANNING_MARGIN),
                    natural=fixed + sum(nominal))


def preview(script: Script, voicing: Voicing, target_seconds: float | None) -> Preview:
    """The script with estimated pause lengths and duration, without synthesising."""
    nominal = nominal_pauses(script, voicing.pace)
    fixed = estimated_fixed_seconds(script, voicing)
    pauses = nominal
    if target_seconds is not None:
        try:
            pauses = fit_pauses(nominal, fixed, target_seconds, floors(script))
        except TargetOutOfReach:
            pauses = nominal
    return Preview(script=script, pauses=pauses, seconds=fixed + sum(pauses))


def fitted_pauses(plan: RenderPlan, speech: Sequence[np.ndarray]) -> tuple[float, ...]:
    """Pause lengths: nominal at this pace, or fitted so the track hits the target."""
    script, pace = plan.script, plan.voicing.pace
    nominal = nominal_pauses(script, pace)
    if plan.target_seconds is None:
        return nominal
    fixed = fixed_seconds(script.cues, [len(s) / RATE for s in speech], pace.between_sentences)
    try:
        return fit_pauses(nominal, fixed, plan.target_seconds, floors(script))
    except TargetOutOfReach as error:
        raise InvalidRequest(
            "minutes",
            f"{plan.request.minutes:g} cannot be reached for {script.exercise} with this voice",
            f"{np.ceil(error.feasible.shortest / 60):.0f} to "
            f"{np.floor(error.feasible.longest / 60):.0f}",
        ) from error


def place(plan: RenderPlan, speech: Sequence[np.ndarray]) -> Timeline:
    """The track's exact layout: every sentence and silence (and breath tone) in place."""
    tone = (lambda b: breath_tone(b.inhale, b.exhale, b.cycles, RATE)) \
        if plan.breath_tone else None
    return layout(plan.script.cues, speech, fitted_pauses(plan, speech),
                  plan.voicing.pace.between_sentences, RATE, breath_tone=tone)
