"""A noun-phrase model of the client's own words: titles, coordination, head and short form.

A phrase is read as an optional preposition, then one or more conjuncts joined by "and"
(or commas and a final "and"). Each conjunct is a set title kept verbatim ("Our Lady of
Lourdes"), or a determiner or possessor, modifiers and a head noun, perhaps with a name
after it ("my dog Max") and a tail ("above our village"). Everything but a set title is
said from the listener's side (`wording.to_listener`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from . import wording

_AND = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.I)


@dataclass(frozen=True)
class Lexicon:
    """The word lists a phrase is read with (from `own_words` in vocabulary.yaml)."""

    titles: Mapping[str, str] = field(default_factory=dict)
    """Lower-case set title or sacred name → as it is written ("our lady" → "Our Lady")."""
    collectives: frozenset[str] = frozenset()
    """Words for a group of things ("a pod of dolphins": later "the dolphins")."""
    times: frozenset[str] = frozenset()
    """Words for a time ("a frosty morning on the hill": the place is the hill)."""
    nouns: frozenset[str] = frozenset()
    """Nouns the word lists know (a plural of one is plural: grandparents)."""


@dataclass(frozen=True)
class Phrase:
    """Own words read as a noun phrase: how it is said first, said again, and agrees."""

    first: str
    """The whole phrase from the listener's side, as first mentioned ("your late father")."""
    short: str
    """The later mention ("your father", "the owl", "Max", "Gran and Pop")."""
    head: str
    """The head noun as typed, lower-cased unless a name ("father", "owl", "Buddha")."""
    words: tuple[str, ...]
    """Every word of the head noun phrases, lower-cased (modifiers, possessors, heads)."""
    preposition: str = ""
    """A preposition the therapist typed first ("at"), or ""."""
    plural: bool = False
    """The phrase names more than one thing (the hills, my mum and dad)."""
    named: bool = False
    """The head is a name (a capitalised word that is not a common word, or any word of a
    script without capitals)."""
    title: str = ""
    """The set title or sacred name the phrase is, as written ("Our Lady"), or ""."""
    parts: tuple[Phrase, ...] = ()
    """The conjuncts of "X and Y", each a phrase (empty for a single one)."""
    possessive: bool = False
    """It ends in a possessive that stands for a home ("Auntie's", "my nan's")."""


def noun_phrase(text: str, single: bool = False, lexicon: Lexicon = Lexicon(),
                place: bool = False) -> Phrase:
    """Read own words as a noun phrase, from the listener's side."""
    text = " ".join(text.split())
    preposition = ""
    words = wording.WORD.findall(text)
    if len(words) > 1 and words[0].lower() in wording.PREPOSITIONS and text.startswith(words[0]):
        preposition = words[0].lower()
        text = text[len(words[0]):].lstrip()
    parts = _conjuncts(text, lexicon)
    if len(parts) == 1:
        phrase = replace(_one(text, single, lexicon, place), preposition=preposition)
    else:
        phrase = _coordinated([_one(part, single and index == 0, lexicon, place)
                               for index, part in enumerate(parts)], preposition)
    return replace(phrase, short=_dotted(phrase.short, text))


def _dotted(short: str, typed: str) -> str:
    """The later mention with the full stops of the typed abbreviations (Mr. Jones)."""
    for abbreviation in set(re.findall(r"\b([^\W\d_]+)\.(?=\s)", typed)):
        short = re.sub(rf"\b{re.escape(abbreviation)}\b(?!\.)", abbreviation + ".", short)
    return short


def _conjuncts(text: str, lexicon: Lexicon) -> list[str]:
    """The parts of "X and Y" or "X, Y and Z"; one part when "and" joins possessors or a title."""
    if _title(text, lexicon) and _title(text, lexicon) == text.lower():
        return [text]
    if not re.search(r"\band\b", text, re.I) or re.search(r"\b(who|which|where|that)\b", text,
                                                            re.I):
        return [text]
    parts = [p for p in _AND.split(text) if p]
    last = wording.WORD.findall(parts[-1]) if parts else []
    if len(parts) < 2 or any(wording.possessive(w) for w in last[:-1]):
        return [text]  # my nan and grandad's house: one house
    return parts


def _coordinated(phrases: list[Phrase], preposition: str) -> Phrase:
    """Two or more phrases said together: both kept, plural, later mentions joined."""
    later = [phrases[0].short]
    for phrase in phrases[1:]:
        own = phrase.first.split()[0].lower() in wording.DETERMINERS or phrase.named
        later.append(phrase.short if own else phrase.first)
    first = _joined([p.first for p in phrases])
    return Phrase(first=first, short=_joined(later), head=phrases[-1].head,
                  words=tuple(w for p in phrases for w in p.words), preposition=preposition,
                  plural=True, named=all(p.named for p in phrases), parts=tuple(phrases))


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def starts_with_title(text: str, lexicon: Lexicon) -> bool:
    """The words open with a listed set title or sacred name, in any case ("our lady")."""
    return bool(_title(" ".join(text.split()), lexicon))


def _title(text: str, lexicon: Lexicon) -> str:
    """The longest listed set title the text starts with (lower-case), or ""."""
    lower = text.lower()
    found = [t for t in lexicon.titles if lower == t or lower.startswith(t + " ")]
    return max(found, key=len, default="")


def _one(text: str, single: bool, lexicon: Lexicon, place: bool) -> Phrase:
    """One conjunct: a set title kept whole, or a determiner, modifiers and head."""
    title = _title(text, lexicon)
    if title:
        return _titled(text, title, lexicon)
    text = _lower_opening(text, single)
    listener = wording.to_listener(text)
    tokens = wording.WORD.findall(listener)
    determiner = tokens[0] if tokens and tokens[0] in wording.DETERMINERS else ""
    core = _head_span(tokens[1:] if determiner else tokens)
    rest = tokens[len(core) + (1 if determiner else 0):]
    possessors = [w for w in core if wording.possessive(w)]
    nouns = [w for w in core if not wording.possessive(w)] or [_strip_possessive(core[-1])]
    if rest[:1] == ["of"] and nouns[-1].lower() in lexicon.collectives and rest[1:]:
        group = _one(" ".join(rest[1:]), False, replace(lexicon, titles={}), place)
        return replace(group, first=listener, short="the " + group.head if not group.named
                       else group.short, plural=True)
    if nouns[-1].lower() in lexicon.times and rest[:1] and rest[0].lower() in wording.PREPOSITIONS \
            and rest[1:]:
        where = _one(" ".join(rest[1:]), False, replace(lexicon, titles={}), place)
        return replace(where, first=listener, preposition=rest[0].lower(),
                       words=tuple(w.lower() for w in core[:-1]) + where.words)
    head = nouns[-1]
    appositive = wording.is_name(head) and not all(wording.is_name(w) for w in nouns)
    short = _short(determiner, core, possessors, nouns, listener, place)
    if rest[:1] == ["of"]:  # the top of a hill, a photo of your mum: say it whole
        short = listener
    plural = not appositive and _plural(head, determiner, lexicon)
    return Phrase(first=listener, short=short, head=head,
                  words=tuple(w.lower() for w in core), plural=plural,
                  named=wording.is_name(head), possessive=wording.possessive(core[-1]) and not rest)


def _titled(text: str, title: str, lexicon: Lexicon) -> Phrase:
    """A set title kept as listed ("Our Lady"), its tail said from the listener's side."""
    written = lexicon.titles[title]
    typed = text[:len(title)]
    shown = typed if typed != typed.lower() else written  # the therapist's capitals, if any
    if written[:1].islower():
        shown = written[:1] + shown[1:]  # "The Buddha" typed: the Buddha inside a sentence
    tail = text[len(title):]
    first = shown + wording.to_listener(tail)
    words = tuple(w.lower() for w in wording.WORD.findall(written))
    short = shown if tail.strip().lower().startswith("of ") else first
    return Phrase(first=first, short=short, head=wording.WORD.findall(shown)[-1], words=words,
                  named=True, title=written)


def _lower_opening(text: str, single: bool) -> str:
    """A typed capital on a determiner or a common first word is not the client's."""
    match = wording.WORD.match(text)
    if not match:
        return text
    first = match.group(0)
    if first.lower() in wording.DETERMINERS or first.lower() in wording.LISTENER \
            and first != "I":
        return first.lower() + text[len(first):]
    return wording.uncapitalised(text, single)


def _head_span(tokens: list[str]) -> list[str]:
    """The words up to the head noun: stop at a preposition, relative word or new phrase."""
    span: list[str] = []
    for index, word in enumerate(tokens):
        lower = word.lower()
        if span and (lower in wording.CUT or lower in wording.DETERMINERS
                     or lower in ("you", "yours")):
            break
        if span and lower == "home" and tokens[index + 1:index + 2] in (["from"], ["to"]):
            break  # the bus home from school: the bus
        span.append(word)
    return span or tokens[:1]


def _short(determiner: str, core: list[str], possessors: list[str], nouns: list[str],
           first: str, place: bool) -> str:
    """The later mention: a name as given, else the determiner and the head noun."""
    names = [w for w in nouns if wording.is_name(w)]
    if core and all(wording.is_name(w) for w in core):
        return " ".join([determiner, *core]).strip() if determiner != "a" else first
    if nouns and wording.is_name(nouns[-1]) and not place:  # my dog Max → Max
        trailing: list[str] = []
        for word in reversed(nouns):
            if not wording.is_name(word):
                break
            trailing.insert(0, word)
        return " ".join(trailing)
    if not determiner:
        return " ".join(core) if names or possessors else "the " + " ".join(nouns[-1:])
    if determiner in wording.POSSESSIVE_DETERMINERS or names:
        return " ".join([determiner, *core])  # your late father, the river Thames
    opening = determiner if determiner in ("this", "these", "those", "that") else "the"
    return " ".join([opening, *possessors[-1:], nouns[-1]])


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _plural(head: str, determiner: str, lexicon: Lexicon) -> bool:
    """A plural head noun (the hills, the woods, the Dales), by inflect and the word list."""
    if determiner in ("a", "an", "this", "that"):
        return False
    if wording.is_name(head):
        return determiner in ("the", "these", "those") and head.endswith("s") \
            and bool(wording.singular(head))
    if head.lower().endswith(("ss", "us", "is")):
        return False  # bus, moss, iris: singular whatever inflect makes of them
    singular = wording.singular(head.lower())
    return bool(singular) and singular != head.lower() and (
        wording.is_word(singular) or singular in lexicon.nouns)
