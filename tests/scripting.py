"""Write a bundled exercise's script from a few request fields, as the renderer does."""

from __future__ import annotations

from typing import Any

from cft_audio.pipeline.scripts import ScriptWriter
from cft_audio.request import Request
from cft_audio.resources import scripts_dir
from cft_audio.script.cues import Script

WRITER = ScriptWriter(scripts_dir())


def written(*, exercise: str, length: str, **fields: Any) -> Script:
    """The exercise's script in the form `length`, personalised by `fields` (not validated)."""
    return WRITER.write(Request(exercise=exercise, **fields), length)
