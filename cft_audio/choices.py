"""Where a field's allowed values come from when they are not fixed in the schema: the
vocabulary's images and places, the procedural beds and the audio formats.

Light on purpose (no NumPy): `--help` formats from these names. The bed and format names are
the keys of `sound.beds.BEDS` and `export.encode.FORMATS`; tests/test_schema.py holds them equal.
"""

from __future__ import annotations

from functools import cache

import yaml

from .resources import scripts_dir

BED_NAMES: tuple[str, ...] = ("rain", "ocean", "stream", "wind", "brown-noise", "warm-drone",
                              "bowls", "none")
"""The procedural backgrounds, in the order the form lists them."""
FORMAT_NAMES: tuple[str, ...] = ("mp3", "m4a", "opus", "flac", "wav")
"""The audio formats a track is written in."""


@cache
def vocabulary_keys(section: str) -> tuple[str, ...]:
    """The keys of the bundled vocabulary's `images` or `places` (scripts/vocabulary.yaml)."""
    with open(scripts_dir() / "vocabulary.yaml", encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle)[section])


def source_names(source: str) -> tuple[str, ...]:
    """The names a choice source offers: images, places, beds or formats."""
    if source in ("images", "places"):
        return vocabulary_keys(source)
    return {"beds": BED_NAMES, "formats": FORMAT_NAMES}[source]


def or_list(names: tuple[str, ...] | list[str]) -> str:
    """Names in words: "a, b or c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
