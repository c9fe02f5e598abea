"""The script as a therapist reads it: sentences with timing marks between them."""

from __future__ import annotations

from collections.abc import Sequence

from .cues import Bell, Breath, Pause, Say, Script, Section


def annotated(script: Script, pauses: Sequence[float]) -> str:
    """One line per cue: spoken sentences as text, timing as [marks]; paragraphs at sections."""
    lines: list[str] = []
    waits = iter(pauses)
    for cue in script.cues:
        match cue:
            case Say(text):
                lines.append(text)
            case Pause():
                lines.append(f"[pause {next(waits):.0f}s]")
            case Section(title):
                lines.extend(["", f"[section {title}]"] if lines else [f"[section {title}]"])
            case Breath(inhale, exhale, cycles):
                lines.append(f"[breath in {inhale:g} out {exhale:g} x {cycles}]")
            case Bell():
                lines.append("[bell]")
    return "\n".join(lines) + "\n"
