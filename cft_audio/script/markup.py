"""Parse rendered template text with timing markup into typed cues."""

from __future__ import annotations

import re
from bisect import bisect_right

from ..errors import ScriptError
from ..limits import cut
from .cues import Bell, Breath, Cue, Pause, Say, Section

_TAG = re.compile(r"\[([^\[\]]*)\]")
_PAUSE = re.compile(r"^pause\s+(\d+(?:\.\d+)?)\s*s(\s+imagine)?$")
_NAMED_PAUSE = re.compile(r"^pause\s+(short|medium|long)(\s+imagine)?$")
NAMED_PAUSES = {"short": 3.0, "medium": 8.0, "long": 15.0}
"""Seconds of the named pauses at moderate pace (all pauses scale with pace and fitting)."""
_BREATH = re.compile(r"^breath\s+in\s+(\d+(?:\.\d+)?)\s+out\s+(\d+(?:\.\d+)?)\s+x\s*(\d+)$")
_SECTION = re.compile(r"^section\s+(\S.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NO_BREAK_AFTER = ("Dr.", "Mr.", "Mrs.", "Ms.", "Mx.", "St.", "Prof.", "Mt.", "e.g.", "i.e.",
                  "vs.", "approx.")
"""Abbreviations that do not end a sentence ("Dr. Who" is one sentence), in any case."""
_NO_BREAK = frozenset(a.lower() for a in NO_BREAK_AFTER)

MARKUP_HELP = (
    "[pause 8s], [pause 15s imagine], [pause short|medium|long], [section Title], "
    "[breath in 4 out 6 x 3], [bell]"
)


def parse(text: str, source: str = "script") -> tuple[Cue, ...]:
    """Turn markup text into cues; raise ScriptError naming the line of bad markup."""
    cues: list[Cue] = []
    position = 0
    lines = _Lines(text)
    for match in _TAG.finditer(text):
        cues.extend(_sentences(text[position : match.start()]))
        try:
            cues.append(_tag(match.group(1).strip(), lines.of(match.start()), source))
        except ScriptError as error:
            error.fragment = match.group(0)  # type: ignore[attr-defined]
            raise
        position = match.end()
    cues.extend(_sentences(text[position:]))
    stray = re.search(r"[\[\]]", "".join(c.text for c in cues if isinstance(c, Say)))
    if stray:
        line = lines.of(text.find(stray.group(0)))
        error = ScriptError(f"{source}, line {line}: unmatched bracket in markup")
        error.fragment = text.splitlines()[line - 1].strip()  # type: ignore[attr-defined]
        raise error
    return tuple(cues)


def _tag(body: str, line: int, source: str) -> Cue:
    if body == "bell":
        return Bell()
    if m := _PAUSE.match(body):
        return Pause(float(m.group(1)), imagery=bool(m.group(2)))
    if m := _NAMED_PAUSE.match(body):
        return Pause(NAMED_PAUSES[m.group(1)], imagery=bool(m.group(2)))
    if m := _BREATH.match(body):
        inhale, exhale, cycles = float(m.group(1)), float(m.group(2)), int(m.group(3))
        if inhale <= 0 or exhale <= 0 or cycles < 1:
            raise ScriptError(f"{source}, line {line}: breath counts must be positive")
        return Breath(inhale, exhale, cycles)
    if m := _SECTION.match(body):
        return Section(m.group(1).strip())
    shown = cut(" ".join(body.split()))  # markup over two lines is still one line of message
    raise ScriptError(f"{source}, line {line}: unknown markup [{shown}] (allowed: {MARKUP_HELP})")


def _sentences(chunk: str) -> list[Say]:
    """The sentences of a stretch of text; a title like "Dr." does not end one."""
    flat = " ".join(chunk.split())
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(flat):
        if sentences and _last_word(sentences[-1]) in _NO_BREAK:
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return [Say(s) for s in sentences if s.strip()]


def _last_word(text: str) -> str:
    return text.rsplit(" ", 1)[-1].lstrip("(\"'\u201c\u2018").lower()


class _Lines:
    """Line numbers of offsets in a text, found in logarithmic time (parsing stays linear)."""

    def __init__(self, text: str):
        self._breaks = [m.start() for m in re.finditer("\n", text)]

    def of(self, offset: int) -> int:
        """The 1-based line holding `offset`."""
        return bisect_right(self._breaks, offset - 1) + 1
