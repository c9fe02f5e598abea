"""Senses that belong to the safe place, and the client's details woven into them.

`own_words.senses` in vocabulary.yaml lists, for kinds of place (a beach, a kitchen, a
wood), what one sees, hears, feels and smells there; a place is matched by its head word
first and then its other words (a *snowy* wood). `own_words.detail_senses` names the
words that tell which sense a detail belongs to (the smell of toast: smells).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import wording

SENSES = ("sights", "sounds", "touch", "smells")
"""The senses a place is explored through, in the order the script visits them."""
LIMITS = {"sights": 3, "sounds": 2, "touch": 2, "smells": 1}
"""Most lines a place's senses give (a standard or long script speaks them all)."""
VERBS = frozenset({"see", "hear", "feel", "smell", "notice", "sense", "watch", "taste"})
"""A detail that says its own sense ("waves I can hear") is noticed, not heard twice."""
_SUBJECTS = frozenset({"i", "you", "we", "can", "could", "to", "they", "he", "she"})


def senses_of(words: Sequence[str], lexicon: Iterable[Mapping[str, Any]],
              generic: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The sense lines for a place's words: its head's kind first, its modifiers' before it."""
    entries = list(lexicon)
    head = _entry(words[-1:], entries)
    modifiers = [e for e in (_entry([w], entries) for w in reversed(words[:-1])) if e]
    if head is None and modifiers:
        head, modifiers = modifiers[0], modifiers[1:]
    found: dict[str, tuple[str, ...]] = {}
    for sense in SENSES:
        lines = [line for m in modifiers for line in m.get(sense, ())[:1]]
        lines += list((head or {}).get(sense, ()))
        found[sense] = tuple(dict.fromkeys(lines))[:LIMITS[sense]] or tuple(generic[sense])
    return found


def weave(senses: Mapping[str, tuple[str, ...]], details: Sequence[str],
          keywords: Mapping[str, Sequence[str]]) -> tuple[dict[str, tuple[str, ...]],
                                                          dict[str, int], tuple[str, ...]]:
    """Each detail in the sense it belongs to, in place of that sense's last lines.

    Returns the woven senses, how many of each sense's first lines are details, and the
    details that belong to no one sense (spoken after the senses)."""
    placed: dict[str, list[str]] = {sense: [] for sense in SENSES}
    notes: list[str] = []
    for detail in details:
        sense = sense_of(detail, keywords)
        if sense == "smells" and _plural_end(detail):
            sense = ""  # "there is" would not fit freshly baked scones: noticed instead
        (placed[sense] if sense else notes).append(detail)
    woven = {}
    for sense in SENSES:
        own, known = placed[sense], list(senses[sense])
        woven[sense] = tuple(own + known[:max(0, len(known) - len(own))])
    return woven, {s: len(placed[s]) for s in SENSES}, tuple(notes)


def sense_of(detail: str, keywords: Mapping[str, Sequence[str]]) -> str:
    """The sense a detail belongs to ("the smell of toast": smells), or "" for none:
    its first word listed in `own_words.detail_senses` decides."""
    words = [w.lower() for w in wording.WORD.findall(detail)]
    said = any(a in _SUBJECTS and b in VERBS for a, b in zip(words, words[1:], strict=False))
    if said or "feel" in words:
        return ""  # waves I can hear, the feel of a hand: noticed, not heard or felt twice
    listed = {sense: {str(k).lower() for k in keywords.get(sense, ())} for sense in SENSES}
    for word in words:  # the first word that tells a sense decides (the sunset over the water)
        forms = {word, word[:-1]} if word.endswith("s") else {word}  # bells: bell
        for sense in ("smells", "sounds", "touch", "sights"):
            if forms & listed[sense]:
                return sense
    return ""


def _plural_end(detail: str) -> bool:
    """The detail's head noun is plural (freshly baked scones; not the smell of chips)."""
    words = []
    for word in wording.WORD.findall(detail):
        if words and word.lower() in wording.CUT:
            break
        words.append(word)
    last = words[-1].lower() if words else ""
    single = wording.singular(last)
    return bool(single) and single != last and wording.is_word(single)


def _entry(words: Sequence[str], entries: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for word in words:
        bare = word.lower()
        for entry in entries:
            listed = entry.get("words", ())
            if bare in listed or wording.singular(bare) in listed:
                return entry
    return None
