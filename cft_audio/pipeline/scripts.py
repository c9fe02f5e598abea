"""The script stage: the personalised script, in the form asked for or the one that fits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from ..errors import InvalidRequest
from ..request import MAX_MINUTES, MIN_MINUTES, Request
from ..schema import spoken
from ..script.catalogue import LENGTHS
from ..script.cues import Script
from ..script.personal import Personalisation, personalise
from ..script.templates import environment, render_script
from ..script.timing import Reach, estimate
from ..script.vocabulary import Vocabulary, load_vocabulary
from .plan import Voicing


@dataclass(frozen=True)
class Option:
    """One form of a script with its estimated length."""

    script: Script
    estimate: Reach


class ScriptWriter:
    """Writes personalised scripts from the templates of one folder."""

    def __init__(self, folder: Path):
        self.vocabulary: Vocabulary = load_vocabulary(folder)
        self._env = environment(folder)

    def personalise(self, request: Request) -> Personalisation:
        """The request's spoken fields, its image and place resolved (InvalidRequest if bad)."""
        return personalise(self.vocabulary, spoken(request))

    def write(self, request: Request, length: str,
              personal: Personalisation | None = None) -> Script:
        """The request's script in the form `length` (short, standard, long or sample)."""
        return render_script(
            self._env, personal or self.personalise(request), exercise=request.exercise,
            custom=Path(request.script) if request.script is not None else None, length=length)

    def options(self, request: Request, voicing: Voicing,
                personal: Personalisation) -> list[Option]:
        """Every form the request allows (the one it sets, else all), with estimates."""
        forms = (request.length,) if request.length else LENGTHS
        options = []
        for length in forms:
            script = self.write(request, length, personal)
            options.append(Option(script, _estimate(script, voicing)))
        return options

    def choose(self, request: Request, voicing: Voicing, personal: Personalisation) -> Option:
        """The script in the form asked for, or the form whose natural length suits the
        target, with its estimate."""
        if request.minutes is None:
            script = self.write(request, request.length or "standard", personal)
            chosen = Option(script, _estimate(script, voicing))
            _check_natural_length(chosen, request)
            return chosen
        target = request.minutes * 60
        options = self.options(request, voicing, personal)
        reachable = [o for o in options if o.estimate.reaches(target)]
        if not reachable:
            refuse_target(request, options)
        return min(reachable, key=lambda o: abs(np.log(target / o.estimate.natural)))


def minutes_range(options: Sequence[Option]) -> tuple[float, float]:
    """Whole minutes reachable by any of the options."""
    low = max(MIN_MINUTES, min(o.estimate.shortest for o in options) / 60)
    high = min(MAX_MINUTES, max(o.estimate.longest for o in options) / 60)
    return float(np.ceil(low)), float(np.floor(high))


def reach_words(low: float, high: float) -> str:
    """The minutes a request can reach in words, "4 to 38" (the one wording of the reach)."""
    return f"{low:g} to {high:g}"


def refuse_target(request: Request, options: Sequence[Option]) -> NoReturn:
    """Raise InvalidRequest: no form reaches `--minutes` (naming what would)."""
    low, high = minutes_range(options)
    which = f"the {request.length} form of " if request.length else ""
    exercise = options[0].script.exercise
    if low > high:  # even the shortest silences leave it over MAX_MINUTES
        raise InvalidRequest(
            "minutes", f"{request.minutes:g} cannot be reached: {which}"
            f"{exercise} is at least {low:.0f} minutes long",
            f"a script that fits in {MAX_MINUTES:g} minutes (MAX_MINUTES)")
    raise InvalidRequest(
        "minutes",
        f"{request.minutes:g} cannot be reached for {which}{exercise}",
        reach_words(low, high),
    )


def _estimate(script: Script, voicing: Voicing) -> Reach:
    """The script's planning estimate as this voicing speaks it."""
    return estimate(script, voicing.pace, voicing.settings.length_scale)


def _check_natural_length(chosen: Option, request: Request) -> None:
    """Refuse a script whose estimated length is over MAX_MINUTES, before any speech.

    Our exercises reach it only with very many phrases or details; a custom template
    may on its own. A shorter one than MIN_MINUTES is allowed: a short template is how
    a therapist tries one out (and how the tests render quickly).
    """
    minutes = chosen.estimate.natural / 60
    if minutes <= MAX_MINUTES:
        return
    if request.script is not None:
        field, what = "script", Path(request.script).name
    else:
        field = "phrase"
        what = (f"{chosen.script.exercise} with {len(request.phrases)} phrases and "
                f"{len(request.details)} details")
    raise InvalidRequest(
        field, f"{what} is about {minutes:.0f} minutes long (estimated), over the track "
        f"length limit MAX_MINUTES = {MAX_MINUTES:g}",
        f"a script of up to {MAX_MINUTES:g} minutes; --minutes fits the silences")
