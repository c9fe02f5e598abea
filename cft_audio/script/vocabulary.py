"""Image types and places, loaded from the editable `scripts/vocabulary.yaml`.

An image or place is either a key of the vocabulary ("tree") or the therapist's own
words ("my grandmother's kitchen garden"), which start with an article or a possessive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..errors import InvalidRequest, ScriptError

OWN_WORDS_STARTS = ("a", "an", "the", "my", "our", "his", "her", "their")
"""First words that mark a value as the therapist's own words."""
MAX_OWN_WORDS = 60
"""Longest own-words image or place, in characters."""

_OWN_WORDS = re.compile(
    rf"^(?:{'|'.join(OWN_WORDS_STARTS)})\s+[^\W\d_][\w' ,\-]*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Vocabulary:
    """The allowed image types and places, each with the words templates use."""

    images: MappingProxyType[str, dict[str, Any]]
    places: MappingProxyType[str, dict[str, Any]]
    own_words: MappingProxyType[str, Any]

    def image(self, value: str) -> dict[str, Any]:
        """Template words for an image key or own-words image; InvalidRequest otherwise."""
        if value in self.images:
            return dict(self.images[value])
        words = _own_words("image", value, self.images)
        human = set(self.own_words["human_nouns"]) & set(re.findall(r"[a-z]+", words.lower()))
        base = dict(self.own_words["image_human" if human else "image_other"])
        entry = {key: _fill(text, words) for key, text in base.items()}
        return {**entry, "label": words, "a": words, "the": _definite(words)}

    def place(self, value: str) -> dict[str, Any]:
        """Template words for a place key or own-words place; InvalidRequest otherwise."""
        if value in self.places:
            return dict(self.places[value])
        words = _own_words("place", value, self.places)
        the = _definite(words)
        base = {key: list(items) for key, items in self.own_words["place"].items()}
        return {**base, "label": words, "the": the, "at": f"in {the}"}


def load_vocabulary(scripts_dir: Path) -> Vocabulary:
    """Read vocabulary.yaml from the scripts folder."""
    path = scripts_dir / "vocabulary.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScriptError(f"{path.name}: cannot be read ({error})") from error
    if not isinstance(data, dict) or not {"images", "places", "own_words"} <= data.keys():
        raise ScriptError(f"{path.name}: needs 'images', 'places' and 'own_words' tables")
    return Vocabulary(
        images=MappingProxyType(dict(data["images"])),
        places=MappingProxyType(dict(data["places"])),
        own_words=MappingProxyType(dict(data["own_words"])),
    )


def _own_words(field: str, value: str, keys: Any) -> str:
    words = " ".join(value.split())
    if len(words) <= MAX_OWN_WORDS and _OWN_WORDS.match(words):
        return words[0].lower() + words[1:] if words.split()[0].lower() in ("a", "an", "the") \
            else words
    allowed = ", ".join(sorted(keys))
    starts = ", ".join(OWN_WORDS_STARTS)
    raise InvalidRequest(
        field,
        f"unknown value {value!r}",
        f"{allowed}, or your own words starting with {starts} (e.g. 'my grandmother')",
    )


def _definite(words: str) -> str:
    first, _, rest = words.partition(" ")
    return f"the {rest}" if first.lower() in ("a", "an") else words


def _fill(text: Any, words: str) -> Any:
    if isinstance(text, str):
        return text.replace("{the}", _definite(words)).replace("{a}", words)
    return text
