"""The exercises the tool offers: id, title and a one-line description."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One guided exercise and how it is presented to therapists and clients."""

    id: str
    """Identifier used on the command line and as the template file name."""
    title: str
    """Title shown in players and tags."""
    description: str
    """One line for `cft-audio exercises`."""
    uses: frozenset[str] = frozenset()
    """Personal fields this exercise speaks of, beyond name, phrases and gentle."""


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in (
        Exercise(
            "compassionate-self",
            "The Compassionate Self",
            "Step into being a wise, strong, warm and non-judging self, then direct it outward "
            "and inward.",
            frozenset({"qualities"}),
        ),
        Exercise(
            "compassionate-other",
            "The Ideal Compassionate Other",
            "Create your own ideal of compassion (person, animal, tree, mountain, sea or light) "
            "and receive its warmth.",
            frozenset({"image", "pronoun", "picture", "qualities"}),
        ),
        Exercise(
            "safe-place",
            "The Safe Place",
            "A place of safeness and calm contentment, explored through the senses.",
            frozenset({"place", "details"}),
        ),
        Exercise(
            "soothing-breath",
            "Soothing Rhythm Breathing",
            "Settle the body with slower, even breathing and a friendly expression.",
        ),
    )
}

QUALITIES: tuple[str, ...] = ("wisdom", "strength", "warmth", "non-judgement")
"""Qualities of compassion a script can dwell on."""

LENGTHS: tuple[str, ...] = ("short", "standard", "long")
"""Script forms, shortest first."""
FORM_MINUTES: dict[str, float] = {"short": 4.5, "standard": 10, "long": 20}
"""About how long each form of every exercise is at the default voice, tone and pace, in
minutes (tests/test_form_minutes.py holds the estimates, the README and the form to it)."""

def exercises_using(field: str) -> tuple[str, ...]:
    """The exercises that speak of a personal field (image: compassionate-other)."""
    return tuple(e.id for e in EXERCISES.values() if field in e.uses)
