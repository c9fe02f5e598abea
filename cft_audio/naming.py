"""Automatic track names that tell tracks apart without naming the client (CLI and web app)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from .script.catalogue import EXERCISES


def setting_of(exercise: str | None, fields: Mapping[str, Any]) -> str:
    """The place or image a request of this exercise uses ("" when it uses neither)."""
    found = EXERCISES.get(exercise or "")
    used = found.uses if found else frozenset()
    for name in ("place", "image"):
        if name in used and fields.get(name):
            return str(fields[name])
    return ""


def track_stem(exercise: str, setting: str, minutes: float, day: datetime.date) -> str:
    """`safe-place-forest-10min-2026-11-29`: exercise, listed place or image ("own-words" for
    the client's own), whole minutes and day; never the client's name or their own words."""
    parts = [exercise]
    if setting:
        listed = setting.replace("-", "").isalpha() and setting.islower()
        parts.append(setting if listed else "own-words")
    if round(minutes):
        parts.append(f"{round(minutes)}min")
    parts.append(day.strftime("%Y-%m-%d"))
    return "-".join(parts)
