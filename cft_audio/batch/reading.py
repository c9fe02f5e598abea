"""A script as a participant reads it: section headings, sentences, breathing (no markup)."""

from __future__ import annotations

from dataclasses import dataclass

from ..script.cues import Breath, Say, Script, Section


@dataclass(frozen=True)
class Block:
    """A heading and the lines under it."""

    heading: str
    lines: tuple[str, ...]


def blocks(script: Script) -> tuple[Block, ...]:
    """The script in sections, each a heading and its sentences (breathing described)."""
    found: list[Block] = []
    heading, lines = "", []
    for cue in script.cues:
        if isinstance(cue, Section):
            if lines or heading:
                found.append(Block(heading, tuple(lines)))
            heading, lines = cue.title, []
        elif isinstance(cue, Say):
            lines.append(cue.text)
        elif isinstance(cue, Breath):
            lines.append(f"(Breathe: in for {cue.inhale:g}, out for {cue.exhale:g}; "
                         f"{cue.cycles} times)")
    if lines or heading:
        found.append(Block(heading, tuple(lines)))
    return tuple(found)


def plain_text(script: Script) -> str:
    """The script as plain text: each heading, then its sentences one to a line."""
    parts = [("\n".join((b.heading, *b.lines)) if b.heading else "\n".join(b.lines))
             for b in blocks(script)]
    return "\n\n".join(parts)
