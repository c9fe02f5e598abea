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


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in (
        Exercise(
            "compassionate-self",
            "The Compassionate Self",
            "Step into being a wise, strong, warm and non-judging self, then direct it outward "
            "and inward.",
        ),
        Exercise(
            "compassionate-other",
            "The Ideal Compassionate Other",
            "Create your own ideal of compassion (person, animal, tree, mountain, sea or light) "
            "and receive its warmth.",
        ),
        Exercise(
            "safe-place",
            "The Safe Place",
            "A place of safeness and calm contentment, explored through the senses.",
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
"""Script forms: about 4, 10 and 18 minutes."""
