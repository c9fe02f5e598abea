"""What a template speaks of: the spoken fields, with the image and place resolved once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .vocabulary import Figure, Place, Vocabulary


@dataclass(frozen=True)
class Personalisation:
    """The spoken fields by name (as the schema declares them), with the image, place and
    details resolved by the vocabulary once; every form of the script is written from it."""

    fields: Mapping[str, Any]
    other: Figure
    place: Place
    details: tuple[str, ...]
    """The sensory details from the listener's side."""

    def context(self) -> dict[str, Any]:
        """The template's variables: every spoken field, then the resolved ones over them."""
        values = {name: list(value) if isinstance(value, tuple) else value
                  for name, value in self.fields.items()}
        return values | {
            "name": str(self.fields.get("name", "")).strip(),
            "phrases": [_phrase(p) for p in self.fields.get("phrases", ())],
            "details": list(self.details),
            "other": self.other,
            "place": self.place,
        }


def personalise(vocabulary: Vocabulary, fields: Mapping[str, Any]) -> Personalisation:
    """Resolve the image, then the place with its details (InvalidRequest naming the field)."""
    other = vocabulary.image(fields.get("image", ""), fields.get("pronoun"),
                             fields.get("picture"))
    details = tuple(vocabulary.detail(d) for d in fields.get("details", ()))
    place = vocabulary.place(fields.get("place", ""), details)
    return Personalisation(MappingProxyType(dict(fields)), other, place, details)


def _phrase(value: str) -> str:
    """The client's own words to themselves: spaces tidied, a trailing comma dropped."""
    return " ".join(value.split()).rstrip(",;: ")
