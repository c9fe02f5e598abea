"""Where a renderer finds templates and voices, how it reports progress, which engines it opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..resources import (
    scripts_dir,
    speech_cache_dir,
    user_lexicon_path,
    user_voices_dir,
    voices_dir,
)
from ..voices.cache import SpeechCache
from ..voices.engine import Engine
from ..voices.profiles import VoiceProfile, open_engine

Progress = Callable[[str, float], None]
"""Called with a stage name and the fraction of that stage done (0 to 1)."""

STAGES = ("script", "speech", "timeline", "master", "export")
"""Stage names reported to the progress callback, in order."""


def silent(stage: str, fraction: float) -> None:
    """A progress callback that reports nothing."""


@dataclass(frozen=True)
class RenderContext:
    """Where templates and voices come from, how progress is reported, which engines open."""

    scripts: Path = field(default_factory=scripts_dir)
    voice_folders: tuple[Path, ...] = field(
        default_factory=lambda: (voices_dir(), user_voices_dir()))
    progress: Progress = silent
    open_engine: Callable[[VoiceProfile], Engine] = open_engine
    cache: SpeechCache | None = field(default_factory=lambda: SpeechCache(speech_cache_dir()))
    """Speech already synthesised, shared by processes; None to synthesise everything."""
    lexicon: Path | None = field(default_factory=user_lexicon_path)
    """The user's pronunciation lexicon, used when the file exists."""
    keep_voices: bool = True
    """Keep voice models loaded between renders (batch, web); False frees each after speech."""
    bed_store: Path | None = None
    """A folder where generated beds are kept for later tracks (a batch's own); None: none."""
