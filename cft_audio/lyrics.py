"""The script as a client reads it in a player's lyrics view: plain text, no timing marks."""

from __future__ import annotations

from .script.cues import Say, Script, Section


def readable_script(script: Script) -> str:
    """Title, then each section's heading and its sentences as paragraphs.

    Sentences between two silences form one paragraph; pauses, breathing and bells become
    the blank line between paragraphs; a section heading stands on its own line with two
    blank lines above it. No markup of any kind.
    """
    blocks: list[list[str]] = [[script.title]]
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append([" ".join(paragraph)])
            paragraph.clear()

    for cue in script.cues:
        if isinstance(cue, Say):
            paragraph.append(cue.text.strip())
        elif isinstance(cue, Section):
            close()
            blocks.append(["", cue.title])
        else:  # Pause, Breath, Bell: a moment of quiet
            close()
    close()
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
