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
        match cue:
            case Section(title):
                if lines or heading:
                    found.append(Block(heading, tuple(lines)))
                heading, lines = title, []
            case Say(text):
                lines.append(text)
            case Breath(inhale, exhale, cycles):
                lines.append(f"(Breathe: in for {inhale:g}, out for {exhale:g}; {cycles} times)")
    if lines or heading:
        found.append(Block(heading, tuple(lines)))
    return tuple(found)


def plain_text(script: Script) -> str:
    """The script as plain text: each heading, then its sentences one to a line."""
    parts = [("\n".join((b.heading, *b.lines)) if b.heading else "\n".join(b.lines))
             for b in blocks(script)]
    return "\n\n".join(parts)
