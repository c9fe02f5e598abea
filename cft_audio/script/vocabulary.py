"""Image types and places, loaded from the editable `scripts/vocabulary.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..errors import ScriptError


@dataclass(frozen=True)
class Vocabulary:
    """The allowed image types and places, each with the words templates use."""

    images: MappingProxyType[str, dict[str, Any]]
    places: MappingProxyType[str, dict[str, Any]]


def load_vocabulary(scripts_dir: Path) -> Vocabulary:
    """Read vocabulary.yaml from the scripts folder."""
    path = scripts_dir / "vocabulary.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScriptError(f"{path.name}: cannot be read ({error})") from error
    if not isinstance(data, dict) or not {"images", "places"} <= data.keys():
        raise ScriptError(f"{path.name}: needs 'images' and 'places' tables")
    return Vocabulary(
        images=MappingProxyType(dict(data["images"])),
        places=MappingProxyType(dict(data["places"])),
    )
