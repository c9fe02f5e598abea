"""The script as a client reads it in a player's lyrics view: plain text, no timing marks."""

from __future__ import annotations

from collections.abc import Iterable

from .script.cues import Say, Script, Section


def readable_script(script: Script, phrases: Iterable[str] = ()) -> str:
    """Title, then each section's heading and its sentences as paragraphs.

    Sentences between two silences form one paragraph; pauses, breathing and bells become
    the blank line between paragraphs; a section heading stands on its own line with two
    blank lines above it. The client's own `phrases` stand in quotation marks, so they read
    as theirs to say. No markup of any kind.
    """
    own = {_bare(phrase) for phrase in phrases}
    blocks: list[list[str]] = [[script.title]]
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append([" ".join(paragraph)])
            paragraph.clear()

    for cue in script.cues:
        match cue:
            case Say(text):
                text = text.strip()
                paragraph.append(f"“{text}”" if own and _bare(text) in own else text)
            case Section(title):
                close()
                blocks.append(["", title])
            case _:  # Pause, Breath, Bell: a moment of quiet
                close()
    close()
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _bare(text: str) -> str:
    """A sentence without its case, spacing or final mark (a phrase matches its spoken line)."""
    return " ".join(text.split()).rstrip(".!?").casefold()
