"""The script as a therapist reads it: sentences with timing marks between them."""

from __future__ import annotations

from collections.abc import Sequence

from .cues import Bell, Breath, Pause, Say, Script, Section


def annotated(script: Script, pauses: Sequence[float]) -> str:
    """One line per cue: spoken sentences as text, timing as [marks]; paragraphs at sections."""
    lines: list[str] = []
    waits = iter(pauses)
    for cue in script.cues:
        if isinstance(cue, Say):
            lines.append(cue.text)
        elif isinstance(cue, Pause):
            lines.append(f"[pause {next(waits):.0f}s]")
        elif isinstance(cue, Section):
            lines.extend(["", f"[section {cue.title}]"] if lines else [f"[section {cue.title}]"])
        elif isinstance(cue, Breath):
            lines.append(f"[breath in {cue.inhale:g} out {cue.exhale:g} x {cue.cycles}]")
        elif isinstance(cue, Bell):
            lines.append("[bell]")
    return "\n".join(lines) + "\n"
