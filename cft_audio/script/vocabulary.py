"""Images and places, from the editable `scripts/vocabulary.yaml` or the client's own words.

An image or place is either a key of the vocabulary ("tree") or the therapist's own
words: starting with an article or a possessive ("my late father", "a wise old owl"),
or with a capital ("Jesus", "Grandma's house"). Own words are spoken from the
listener's side (`wording.to_listener`), with the capitals as typed, a pronoun inferred
from the words (or chosen), a short form for later mentions, and places with the
preposition that fits them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

from ..errors import InvalidRequest, ScriptError
from ..limits import quoted
from . import wording

PRONOUNS: tuple[str, ...] = ("he", "she", "they", "it")
"""Pronouns a therapist can choose for the compassionate other's image."""
OWN_WORDS_STARTS = ("a", "an", "the", "my", "our", "your", "his", "her", "their")
"""Lower-case first words that mark a value as own words (a capital also does)."""
MAX_OWN_WORDS = 60
"""Longest own-words image or place, in characters."""
OWN_WORDS_CHARACTERS = "letters, spaces, apostrophes, hyphens and commas"

_ALLOWED_CHARACTER = re.compile(r"[^\W\d_]|[\s'’,\-]|[\u0300-\u036f]")
_FORMS = {
    "he": {"they": "he", "them": "him", "their": "his", "s": "s", "be": "is", "has": "has"},
    "she": {"they": "she", "them": "her", "their": "her", "s": "s", "be": "is", "has": "has"},
    "they": {"they": "they", "them": "them", "their": "their", "s": "", "be": "are",
             "has": "have"},
    "it": {"they": "it", "them": "it", "their": "its", "s": "s", "be": "is", "has": "has"},
}
_TEXT_ENV = SandboxedEnvironment(autoescape=False)
_TEXT_ENV.filters.update(cap=wording.cap, verb=lambda figure, word: wording.agree(
    word, figure.pronoun))


def _pronoun_form(form: str, doc: str) -> property:
    """A read-only attribute giving one form of the figure's pronoun (they: he, she…)."""
    def get(figure: Figure) -> str:
        return _FORMS[figure.pronoun][form]

    return property(get, doc=doc)


@dataclass(frozen=True)
class Figure:
    """The compassionate other's image, as the templates speak of it."""

    label: str
    """How menus name it ("a tree", or the own words as typed)."""
    a: str
    """The first mention ("an old tree", "your late father")."""
    the: str
    """Later mentions ("the tree", "your father", "the owl", "Jesus")."""
    pronoun: str
    """he, she, they or it."""
    human: bool
    """A person (or a being imagined as one), rather than an animal, a tree or the sea."""
    presence: str
    """A phrase that follows a comma after `a` ("with his own quiet strength and warmth")."""
    face: str
    """A clause about how it looks at you, spoken as its own sentence."""
    named: frozenset[str] = frozenset()
    """Qualities the words already name (a *wise* old owl: wisdom), not to be repeated."""
    plural: bool = False
    """The words name more than one (my mum and dad): a verb after them is plural."""
    vast: bool = False
    """So large or elemental (a mountain, the sea, light) that 'beside you' fits, 'above' not."""
    pictured: bool = True
    """Imagined with a face and an appearance; false for a presence (Allah, for many God)."""
    hardship: bool = True
    """It may be said to have known hard times of its own (not light, not a presence)."""
    remote: bool = False
    """A sacred figure some might think far above them: told it is close, not distant."""
    inferred: bool = True
    """The pronoun was inferred from the words, not chosen."""
    own: bool = False
    """The therapist's own words rather than a vocabulary key."""

    @property
    def noun(self) -> str:
        """What a verb after the image's own words agrees with: they (plural) or it."""
        return "they" if self.plural else "it"

    @property
    def traits(self) -> str:
        """The qualities its words do not already name, as adjectives ("strong and warm")."""
        words = [w for q, w in (("wisdom", "wise"), ("strength", "strong"), ("warmth", "warm"))
                 if q not in self.named]
        return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + "".join(words[-1:])

    they = _pronoun_form("they", "Subject pronoun: he, she, they, it.")
    them = _pronoun_form("them", "Object pronoun: him, her, them, it.")
    their = _pronoun_form("their", "Possessive: his, her, their, its.")
    s = _pronoun_form("s", "Verb ending after `they` (older templates; prefer the verb filter).")
    be = _pronoun_form("be", "is or are.")
    has = _pronoun_form("has", "has or have.")


@dataclass(frozen=True)
class Place:
    """The safe place, as the templates speak of it."""

    label: str
    """The first mention ("a beach", "your nan's kitchen")."""
    the: str
    """Later mentions ("the beach", "the hills", "Grandma's house")."""
    at: str
    """Being there: a preposition and the place ("on the beach", "in your nan's kitchen")."""
    plural: bool = False
    """The place is named in the plural (the hills are glad you are here)."""
    sights: tuple[str, ...] = ()
    sounds: tuple[str, ...] = ()
    touch: tuple[str, ...] = ()
    smells: tuple[str, ...] = ()
    own: bool = False
    """The therapist's own words rather than a vocabulary key."""

    @property
    def a(self) -> str:
        """The first mention (same as `label`)."""
        return self.label

    @property
    def pronoun(self) -> str:
        """it, or they for a plural place."""
        return "they" if self.plural else "it"

    @property
    def noun(self) -> str:
        """What a verb after the place's own words agrees with (the hills are)."""
        return self.pronoun

    @property
    def they(self) -> str:
        """it or they."""
        return self.pronoun


@dataclass(frozen=True)
class Vocabulary:
    """The allowed image types and places, and the rules for own words."""

    images: MappingProxyType[str, dict[str, Any]]
    places: MappingProxyType[str, dict[str, Any]]
    own_words: MappingProxyType[str, Any]
    pronoun_words: Mapping[str, str] = field(default_factory=dict)
    """Lower-case word (or two words) → he, she, they or it, from `own_words.pronouns`."""

    def image(self, value: str, pronoun: str | None = None) -> Figure:
        """The image for a key or own words, with its pronoun; InvalidRequest otherwise."""
        if pronoun is not None and pronoun not in PRONOUNS:
            raise InvalidRequest("pronoun", f"unknown value {pronoun!r}", PRONOUNS)
        key = _key(value, self.images)
        if key is not None:
            figure = self._key_image(key)
        else:
            figure = self._own_image(_own_words("image", value, self.images))
        if pronoun is not None and pronoun != figure.pronoun:
            figure = replace(figure, pronoun=pronoun, inferred=False)
        return _rendered(figure)

    def place(self, value: str) -> Place:
        """The place for a key or own words; InvalidRequest otherwise."""
        key = _key(value, self.places)
        if key is not None:
            entry = self.places[key]
            return Place(label=entry["label"], the=entry["the"], at=entry["at"],
                         **_senses(entry))
        phrase = wording.noun_phrase(_own_words("place", value, self.places))
        first = _with_article(phrase.first)
        short = phrase.short if phrase.short != phrase.first else first
        preposition = phrase.preposition or self._preposition(phrase)
        return Place(label=first, the=short, at=f"{preposition} {short}", plural=phrase.plural,
                     own=True, **_senses(self.own_words["place"]))

    def pronoun_of(self, phrase: wording.Phrase) -> tuple[str, bool]:
        """The pronoun the words suggest, and whether they name a person."""
        if phrase.plural:
            return "they", self._category(phrase) != "it"
        category = self._category(phrase)
        if category is None:
            category = "they" if phrase.named else "it"
        return category, category != "it"

    def _category(self, phrase: wording.Phrase) -> str | None:
        """The pronoun list of the last listed word of the phrase (names: people only)."""
        words = [w for w in phrase.words if not re.search(r"['’]s?$", w)]
        for index in range(len(words) - 1, -1, -1):
            for gram in (" ".join(words[index - 1:index + 1]) if index else "", words[index]):
                found = self.pronoun_words.get(gram)
                if found and (found != "it" or not _typed_as_name(gram, phrase)):
                    return found
        return None

    def _key_image(self, key: str) -> Figure:
        entry = self.images[key]
        return Figure(label=entry["label"], a=entry["a"], the=entry["the"],
                      pronoun=str(entry.get("pronoun", entry.get("they", "it"))),
                      human=bool(entry["human"]),
                      presence=entry["presence"], face=entry["face"],
                      vast=bool(entry.get("vast", False)),
                      hardship=bool(entry.get("hardship", True)))

    def _own_image(self, words: str) -> Figure:
        phrase = wording.noun_phrase(words)
        pronoun, human = self.pronoun_of(phrase)
        first = _with_article(phrase.first)
        base = self.own_words["image_human" if human else "image_other"]
        named = frozenset(q for q, names in self.own_words["qualities"].items()
                          if set(names) & {w.lower() for w in wording.WORD.findall(first)})
        vast = bool(set(phrase.words) & set(self.own_words["vast"]))
        return Figure(label=words, a=first, the=phrase.short if phrase.short != phrase.first
                      else first, pronoun=pronoun, human=human,
                      presence=_presence(base["presence"], named), face=base["face"],
                      named=named, plural=phrase.plural, vast=vast, own=True)

    def _preposition(self, phrase: wording.Phrase) -> str:
        """By the last listed word of the place (Whitby beach: at; Loch Lomond: by)."""
        lists = self.own_words["prepositions"].items()
        for word in reversed([w for w in phrase.words if not re.search(r"['’]s?$", w)]):
            for preposition, heads in lists:
                if word in heads:
                    return str(preposition)
        return "in"


def load_vocabulary(scripts_dir: Path) -> Vocabulary:
    """Read vocabulary.yaml from the scripts folder."""
    path = scripts_dir / "vocabulary.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScriptError(f"{path.name}: cannot be read ({error})") from error
    if not isinstance(data, dict) or not {"images", "places", "own_words"} <= data.keys():
        raise ScriptError(f"{path.name}: needs 'images', 'places' and 'own_words' tables")
    own = dict(data["own_words"])
    pronoun_words = {str(word).lower(): pronoun
                     for pronoun, words in (own.get("pronouns") or {}).items()
                     for word in words}
    return Vocabulary(
        images=MappingProxyType(dict(data["images"])),
        places=MappingProxyType(dict(data["places"])),
        own_words=MappingProxyType(own),
        pronoun_words=MappingProxyType(pronoun_words),
    )


def check_own_text(field: str, value: str, limit: int) -> str:
    """The value with spaces tidied; InvalidRequest naming a character that is not allowed."""
    words = " ".join(str(value).split())
    for character in words:
        if not _ALLOWED_CHARACTER.match(character):
            raise InvalidRequest(field, f"{quoted(words)} cannot be used: {character!r} is not "
                                 "allowed", f"{OWN_WORDS_CHARACTERS}, up to {limit} characters")
    if len(words) > limit:
        raise InvalidRequest(field, f"{quoted(words)} is {len(words)} characters long",
                             f"{OWN_WORDS_CHARACTERS}, up to {limit} characters")
    allowed = f"{OWN_WORDS_CHARACTERS}, up to {limit} characters"
    found = wording.WORD.findall(words)
    if not any(w.lower() not in wording.FUNCTION_WORDS for w in found):
        raise InvalidRequest(field, f"{quoted(words)} names nothing to picture", allowed)
    if re.search(r"(^|[\s,])['’]", words):
        raise InvalidRequest(field, f"{quoted(words)} cannot be used: an apostrophe belongs "
                             "inside or at the end of a word", allowed)
    twice = next((a for a, b in zip(found, found[1:], strict=False) if a.lower() == b.lower()),
                 None)
    if twice is not None:
        raise InvalidRequest(field, f"{quoted(words)} says {twice!r} twice in a row", allowed)
    return words


def _key(value: str, keys: Mapping[str, Any]) -> str | None:
    """The vocabulary key a value names, in any case ("Tree" is tree)."""
    simple = " ".join(str(value).split()).lower()
    return simple if simple in keys else None


def _own_words(field: str, value: str, keys: Mapping[str, Any]) -> str:
    words = check_own_text(field, value, MAX_OWN_WORDS)
    first = wording.WORD.findall(words)[0]
    opening = first.lower() in OWN_WORDS_STARTS or first.lower() in wording.PREPOSITIONS \
        and field == "place"
    if opening or wording.is_name(first):
        return words
    starts = ", ".join(OWN_WORDS_STARTS)
    raise InvalidRequest(
        field,
        f"unknown value {quoted(words)}",
        f"{', '.join(sorted(keys))}, or your own words starting with {starts} or a capital "
        f"(e.g. 'my grandmother', 'Jesus')",
    )


def _with_article(words: str) -> str:
    """Own words that open with a common word get an article (wise old owl → a wise old owl)."""
    first = wording.WORD.findall(words)[0]
    if first.lower() in wording.DETERMINERS or wording.is_name(first):
        return words
    return wording.with_article(words)


def _typed_as_name(gram: str, phrase: wording.Phrase) -> bool:
    """A listed thing-word typed with a capital is somebody's name (Rose, Robin)."""
    return gram == phrase.head.lower() and phrase.named


def _presence(text: str, named: frozenset[str]) -> str:
    qualities = [q for q in ("wisdom", "strength", "warmth") if q not in named]
    listed = ", ".join(qualities[:-1]) + (" and " if len(qualities) > 1 else "") \
        + (qualities[-1] if qualities else "")
    return text.replace("{qualities}", listed or "presence")


def _rendered(figure: Figure) -> Figure:
    """Fill the pronoun and verbs into the figure's own phrases (presence, face)."""
    def fill(text: str) -> str:
        return _TEXT_ENV.from_string(text).render(other=figure) if "{" in text else text

    return replace(figure, presence=fill(figure.presence), face=fill(figure.face))


def _senses(entry: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {sense: tuple(entry[sense]) for sense in ("sights", "sounds", "touch", "smells")}


