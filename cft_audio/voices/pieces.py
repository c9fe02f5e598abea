"""Long sentences cut into pieces an engine speaks in bounded memory, and the silences between.

An engine's working memory grows faster than the text it is given (a render's peak for
one long sentence: benchmarks/long_sentence.py). Prepared
text longer than PIECE_CHARS is therefore spoken in pieces of at most that length,
cut where a reader would pause: after a sentence mark, else a clause mark (comma,
semicolon, colon, dash), else between words (a word longer than a piece is cut at
the limit). The pieces are joined by the pause the engine makes at such a mark; a
cut between words adds none. Text up to PIECE_CHARS is one piece, spoken as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import VoiceSettings

PIECE_CHARS = 300
"""Longest text an engine is given at once (every built-in sentence is under half of it)."""
SENTENCE_JOIN = 0.35
"""Seconds of silence after a piece cut at a sentence mark (as Piper leaves between sentences)."""
CLAUSE_JOIN = 0.12
"""Seconds of silence after a piece cut at a clause mark, before `clause_pause` is added.

With the trimmed pieces' own lead and tail, about what Piper leaves at a comma (clauses
said whole against the same clauses said apart and joined)."""

SENTENCE, CLAUSE, WORD = "sentence", "clause", "word"
"""Where a piece was cut from the text after it."""
_MARK = re.compile(r"(?:([.!?…]+)|[,;:—–])[\"'”’)\]]*(?=\s)")


@dataclass(frozen=True)
class Piece:
    """Part of a sentence, spoken on its own: its text and where it was cut from the next."""

    text: str
    cut: str = ""
    """SENTENCE, CLAUSE or WORD; "" for the last piece."""


def pieces(text: str, limit: int = PIECE_CHARS) -> tuple[Piece, ...]:
    """`text` as pieces of at most `limit` characters, cut where a reader would pause."""
    made: list[Piece] = []
    rest = text.strip()
    while len(rest) > limit:
        end, cut = _cut(rest, limit)
        made.append(Piece(rest[:end].rstrip(), cut))
        rest = rest[end:].lstrip()
    return (*made, Piece(rest))


def _cut(text: str, limit: int) -> tuple[int, str]:
    """Where to end the first piece of `text`, and what kind of cut it is.

    The aim is pieces of even length, as few as the limit allows: a mark nearest to an
    even share of the text (one that leaves the rest needing no extra piece if there is
    one), else the space nearest below it; never so early that a piece is a stray word.
    """
    count = -(-len(text) // limit)
    share = -(-len(text) // count)
    low = max(share // 2, len(text) - (count - 1) * limit)
    marks = [(m.end(), SENTENCE if m.group(1) else CLAUSE)
             for m in _MARK.finditer(text, 0, limit + 1) if m.end() >= share // 2]
    if marks:
        return min(marks, key=lambda mark: (mark[0] < low, mark[1] != SENTENCE,
                                            abs(mark[0] - share)))
    space = text.rfind(" ", low, share + 1)
    if space <= 0:
        space = text.rfind(" ", low, limit + 1)
    if space <= 0:
        space = text.rfind(" ", 1, limit + 1)
    return (space, WORD) if space > 0 else (limit, WORD)


def join_seconds(piece: Piece, settings: VoiceSettings) -> float:
    """Seconds of silence after `piece` before the next: the pause its cut stands for."""
    if piece.cut == SENTENCE:
        return SENTENCE_JOIN + settings.settle
    if piece.cut == CLAUSE:
        return CLAUSE_JOIN + settings.clause_pause
    return 0.0
