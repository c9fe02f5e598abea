"""Automatic track names that tell tracks apart without naming the client (CLI and web app)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .script.catalogue import EXERCISES
from .script.vocabulary import DEFAULT_IMAGE, DEFAULT_PLACE


def setting_of(exercise: str | None, fields: Mapping[str, Any]) -> str:
    """The place or image a request of this exercise uses ("" when it uses neither; an
    empty value is the default one)."""
    found = EXERCISES.get(exercise or "")
    used = found.uses if found else frozenset()
    for name, default in (("place", DEFAULT_PLACE), ("image", DEFAULT_IMAGE)):
        if name in used:
            return str(fields.get(name) or default)
    return ""


def track_stem(exercise: str, setting: str, minutes: float, day: datetime.date,
               version: Sequence[str] = ()) -> str:
    """`safe-place-forest-10min-2026-11-29`: exercise, listed place or image ("own-words" for
    the client's own), whole minutes and day; never the client's name or their own words.

    `version` parts (background, voice: `name_part` makes them safe) go before the day.
    """
    parts = [exercise]
    if setting:
        listed = setting.replace("-", "").isalpha() and setting.islower()
        parts.append(setting if listed else "own-words")
    if round(minutes):
        parts.append(f"{round(minutes)}min")
    parts.extend(p for p in map(name_part, version) if p)
    parts.append(day.strftime("%Y-%m-%d"))
    return "-".join(parts)


def name_part(text: str) -> str:
    """Lower-case letters, digits and single hyphens: `Ocean Waves` → `ocean-waves`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def track_title(title: str, setting: str, track: int | None) -> str:
    """The title tag: `3. The Safe Place: beach`, so tracks are told apart in a player's
    list (track number where given; the place or image, as typed, where the exercise uses one)."""
    named = f"{title}: {' '.join(setting.split())}" if setting else title
    return f"{track}. {named}" if track else named
