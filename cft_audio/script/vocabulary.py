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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

from ..errors import InvalidRequest, ScriptError
from ..limits import quoted
from . import nouns, senses, wording
from .markup import NO_BREAK_AFTER

PRONOUNS: tuple[str, ...] = ("he", "she", "they", "it")
"""Pronouns a therapist can choose for the compassionate other's image."""
PICTURES: tuple[str, ...] = ("figure", "presence")
"""How the image is imagined: a figure with a face and a past, or a presence without either."""
ABBREVIATIONS = tuple(a for a in NO_BREAK_AFTER if a.count(".") == 1 and a[0].isupper())
"""Titles that keep their full stop inside own words (Mr., Dr., St.)."""
OWN_WORDS_STARTS = ("a", "an", "the", "my", "our", "your", "his", "her", "their")
"""Lower-case first words that mark a value as own words (a capital also does)."""
DEFAULT_IMAGE = "person"
"""The image when none is given (an empty value)."""
DEFAULT_PLACE = "beach"
"""The safe place when none is given (an empty value)."""
MAX_OWN_WORDS = 60
"""Longest own-words image or place, in characters."""
OWN_WORDS_CHARACTERS = ("letters, spaces, apostrophes, hyphens and commas (a full stop only "
                        "at the end or after Mr, Mrs, Ms, Dr or St)")

_ALLOWED_CHARACTER = re.compile(r"[^\W\d_]|[\s'’,\-.]|[\u0300-\u036f]")
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
    woven: Mapping[str, int] = field(default_factory=dict)
    """How many of each sense's first lines are the client's details (sounds: 1)."""
    notes: tuple[str, ...] = ()
    """The client's details that belong to no one sense ("Perhaps you notice …")."""

    def lines(self, sense: str, short: bool = False) -> tuple[str, ...]:
        """One sense's lines (sights, sounds, touch, smells): a short script speaks the
        client's details of that sense, or else the first line."""
        every: tuple[str, ...] = getattr(self, sense) if sense in senses.SENSES else ()
        return every[:max(1, self.woven.get(sense, 0))] if short else every

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
    titles: Mapping[str, str] = field(default_factory=dict)
    """Lower-case set title or sacred name → he, she or they, from `own_words.titles`."""
    lexicon: nouns.Lexicon = nouns.Lexicon()
    """The lists a phrase is read with (titles as written, collectives)."""
    presences: frozenset[str] = frozenset()
    """Lower-case names addressed as a presence (`own_words.presences`: Allah, God)."""

    def image(self, value: str, pronoun: str | None = None,
              picture: str | None = None) -> Figure:
        """The image for a key or own words, with its pronoun; InvalidRequest otherwise."""
        if pronoun is not None and pronoun not in PRONOUNS:
            raise InvalidRequest("pronoun", f"unknown value {pronoun!r}", PRONOUNS)
        if picture is not None and picture not in PICTURES:
            raise InvalidRequest("picture", f"unknown value {picture!r}", PICTURES)
        key = _key(value or DEFAULT_IMAGE, self.images)
        if key is not None:
            figure = self._key_image(key)
        else:
            figure = self._own_image(_own_words("image", value, self.images, self.lexicon))
        if pronoun is not None:
            figure = replace(figure, pronoun=pronoun, inferred=False)
        if picture is not None:
            figure = _pictured(figure, picture == "figure", self.own_words)
        return _rendered(figure)

    def place(self, value: str, details: tuple[str, ...] = ()) -> Place:
        """The place for a key or own words, its senses, the client's details woven in;
        InvalidRequest otherwise."""
        key = _key(value or DEFAULT_PLACE, self.places)
        if key is not None:
            entry = self.places[key]
            place = Place(label=entry["label"], the=entry["the"], at=entry["at"])
            found = _senses(entry)
        else:
            phrase = nouns.noun_phrase(_own_words("place", value, self.places, self.lexicon),
                                       lexicon=self.lexicon, place=True)
            first = _with_article(phrase.first)
            short = phrase.short if phrase.short != phrase.first else first
            preposition = phrase.preposition or self._preposition(phrase)
            place = Place(label=first, the=short, at=f"{preposition} {short}",
                          plural=phrase.plural, own=True)
            found = senses.senses_of(_place_words(phrase, self.own_words.get("named_places")),
                                     self.own_words.get("senses") or (),
                                     self.own_words["place"])
        woven, counts, notes = senses.weave(found, details,
                                            self.own_words.get("detail_senses") or {})
        return replace(place, woven=MappingProxyType(counts), notes=notes, **woven)

    def detail(self, value: str) -> str:
        """A sensory detail from the listener's side, its capitals kept (Dad whistling)."""
        kin = frozenset(w for w, p in self.pronoun_words.items() if p in ("he", "she"))
        text = tidied(value, self.lexicon.nouns).rstrip(".!?,;: ")
        return wording.to_listener(wording.uncapitalised(text, names=kin))

    def pronoun_of(self, phrase: nouns.Phrase) -> tuple[str, bool]:
        """The pronoun the words suggest, and whether they name a person."""
        if phrase.parts:
            return "they", any(self.pronoun_of(part)[1] for part in phrase.parts)
        if phrase.title:
            return self.titles[phrase.title.lower()], True
        category = self._category(phrase)
        if phrase.plural:
            return "they", category not in (None, "it") or category is None and phrase.named
        if category is None:
            category = "they" if phrase.named else "it"
        elif category == "it" and phrase.named:
            return "they", False  # a named pet (my dog Max): someone, not something
        return category, category != "it"

    def sacred(self, phrase: nouns.Phrase) -> tuple[bool, bool]:
        """Whether the words name a sacred figure, and whether it is addressed as a presence."""
        names = [phrase.title.lower()] if phrase.title else [
            " ".join(phrase.words[i:]) for i in range(len(phrase.words))]
        listed = [n for n in names if n in self.titles or n in self.presences]
        return bool(listed), any(n in self.presences for n in listed)

    def _category(self, phrase: nouns.Phrase) -> str | None:
        """The pronoun list of the last listed word of the phrase (names: people only)."""
        words = [w for w in phrase.words if not re.search(r"['’]s?$", w)]
        for index in range(len(words) - 1, -1, -1):
            grams = (" ".join(words[index - 1:index + 1]) if index else "", words[index],
                     wording.singular(words[index]) if index == len(words) - 1 else "")
            for gram in grams:
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
        phrase = nouns.noun_phrase(words, lexicon=self.lexicon)
        pronoun, human = self.pronoun_of(phrase)
        sacred, presence = self.sacred(phrase)
        first = _with_article(phrase.first)
        base = self.own_words["image_human" if human else "image_other"]
        named = frozenset(q for q, names in self.own_words["qualities"].items()
                          if set(names) & {w.lower() for w in wording.WORD.findall(first)})
        vast = bool(set(phrase.words) & set(self.own_words["vast"]))
        past = not set(phrase.words[-1:]) & set(self.own_words.get("no_past") or ())
        figure = Figure(label=words, a=first, the=phrase.short if phrase.short != phrase.first
                        else first, pronoun=pronoun, human=human,
                        presence=_presence(base["presence"], named), face=base["face"],
                        named=named, plural=phrase.plural, vast=vast, own=True,
                        remote=sacred and not presence, hardship=past)
        return _pictured(figure, False, self.own_words) if presence else figure

    def _preposition(self, phrase: nouns.Phrase) -> str:
        """By the last listed word of the place (Whitby beach: at; Loch Lomond: by), or by
        the kind of place a known name is (Snowdon: a mountain, on)."""
        if phrase.parts:  # the beach and the dunes: on, as for the first
            return self._preposition(phrase.parts[0])
        kind = named_kind(phrase.words, self.own_words.get("named_places"))
        if phrase.possessive and kind is None:
            return "at"  # Auntie's, your nan's: a home
        lists = self.own_words["prepositions"].items()
        words = [w for w in phrase.words if not re.search(r"['’]s?$", w)] + [kind or ""]
        for word in reversed(words):
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
    pronoun_words = _by_pronoun(own.get("pronouns"))
    titles = _by_pronoun(own.get("titles"))
    written = {str(t).lower(): str(t) for names in (own.get("titles") or {}).values()
               for t in names}
    for title in list(written):  # St Jude is also typed St. Jude
        if title.startswith("st "):
            written.setdefault("st. " + title[3:], "St. " + written[title][3:])
            titles.setdefault("st. " + title[3:], titles[title])
    presences = frozenset(str(p).lower() for p in own.get("presences") or ())
    for name in own.get("presences") or ():
        written.setdefault(str(name).lower(), str(name))
        titles.setdefault(str(name).lower(), "he")
    lexicon = nouns.Lexicon(titles=MappingProxyType(written),
                            collectives=frozenset(own.get("collectives") or ()),
                            times=frozenset(own.get("times") or ()),
                            nouns=frozenset(w for w in pronoun_words if " " not in w))
    return Vocabulary(
        images=MappingProxyType(dict(data["images"])),
        places=MappingProxyType(dict(data["places"])),
        own_words=MappingProxyType(own),
        pronoun_words=MappingProxyType(pronoun_words),
        titles=MappingProxyType(titles), lexicon=lexicon, presences=presences,
    )


def _by_pronoun(lists: Mapping[str, Any] | None) -> dict[str, str]:
    """Lower-case word → pronoun, from a table of pronoun: [words]."""
    return {str(word).lower(): pronoun for pronoun, words in (lists or {}).items()
            for word in words}


def check_own_text(field: str, value: str, limit: int,
                   common: frozenset[str] = frozenset()) -> str:
    """The value tidied (`tidied`); InvalidRequest naming what to change otherwise."""
    words = " ".join(str(value).split())
    allowed = f"{OWN_WORDS_CHARACTERS}, up to {limit} characters"
    for character in words:
        if not _ALLOWED_CHARACTER.match(character):
            raise InvalidRequest(field, f"{quoted(words)} cannot be used: {character!r} is not "
                                 "allowed", allowed)
    if len(words) > limit:
        raise InvalidRequest(field, f"{quoted(words)} is {len(words)} characters long", allowed)
    stop = _misplaced_stop(words)
    if stop:
        raise InvalidRequest(field, f"{quoted(words)} cannot be used: {stop}", allowed)
    words = tidied(words, common)
    found = wording.WORD.findall(words)
    if not any(w.lower() not in wording.FUNCTION_WORDS for w in found):
        raise InvalidRequest(field, f"{quoted(words)} names nothing to picture", allowed)
    empty = _empty_conjunct(words)
    if empty:
        raise InvalidRequest(field, f"{quoted(words)} cannot be used: {quoted(empty)} names "
                             "nothing to picture", allowed)
    if re.search(r"(^|[\s,])['’]", words):
        raise InvalidRequest(field, f"{quoted(words)} cannot be used: an apostrophe belongs "
                             "inside or at the end of a word", allowed)
    twice = next((a for a, b in zip(found, found[1:], strict=False) if a.lower() == b.lower()),
                 None)
    if twice is not None:
        raise InvalidRequest(field, f"{quoted(words)} says {twice!r} twice in a row", allowed)
    return words


def tidied(value: str, common: frozenset[str] = frozenset()) -> str:
    """Own words as the narrator reads them, the same for CLI, form and manifest: spaces
    tidied, a final full stop dropped, ALL CAPS read as ordinary writing (MY NAN → my nan,
    names capitalised), an abbreviation's full stop kept (Mr. Jones)."""
    words = " ".join(str(value).split()).rstrip(" .,")
    for abbreviation in ABBREVIATIONS:  # Mr.Jones → Mr. Jones
        words = re.sub(rf"\b{re.escape(abbreviation)}(?=\w)", abbreviation + " ", words)
    letters = [c for c in words if c.isalpha() and (c.isupper() or c.islower())]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        words = wording.WORD.sub(lambda m: _uncapped(m.group(0), common), words)
    return words


def _uncapped(word: str, known: frozenset[str]) -> str:
    """One word of an ALL CAPS value: a common word in lower case, a name with a capital."""
    lower = word.lower()
    if lower == "i":
        return "I"
    bare = re.sub(r"['’]s?$", "", lower)
    common = any(wording.is_word(w) or w in known for w in (lower, bare, wording.singular(bare)))
    return lower if common or lower in wording.FUNCTION_WORDS else word[:1] + lower[1:]


def _misplaced_stop(words: str) -> str:
    """Why a full stop inside the words cannot stay, or "" (Mr. and a final stop are fine)."""
    body = words.rstrip(" .")
    for match in re.finditer(r"\S*\.", body):
        if match.group(0) not in ABBREVIATIONS:
            return (f"a full stop after {match.group(0)[:-1]!r} (write it without, or as "
                    f"{', '.join(a[:-1] for a in ABBREVIATIONS)})")
    return ""


def _key(value: str, keys: Mapping[str, Any]) -> str | None:
    """The vocabulary key a value names, in any case ("Tree" is tree)."""
    simple = " ".join(str(value).split()).lower()
    return simple if simple in keys else None


EXAMPLES = {"image": "'my grandmother', 'Jesus', 'a wise old owl'",
            "place": "'my nan's kitchen', 'the beach at Portrush', 'Loch Lomond'"}
"""Own-words examples a refusal offers, by field."""


def _empty_conjunct(words: str) -> str:
    """A part of "X and Y" or "X, Y" that is only small words ("my and her baby": my), a
    dangling "and" ("Gran and"), or ""."""
    dangling = re.search(r"\b(and)\W*$", words, flags=re.I)
    if dangling:
        return dangling.group(1)
    for part in re.split(r",|\band\b", words, flags=re.I):
        found = wording.WORD.findall(part)
        if found and all(w.lower() in wording.FUNCTION_WORDS for w in found):
            return part.strip()
    return ""


def _own_words(field: str, value: str, keys: Mapping[str, Any], lexicon: nouns.Lexicon) -> str:
    words = check_own_text(field, value, MAX_OWN_WORDS, lexicon.nouns)
    first = wording.WORD.findall(words)[0]
    opening = first.lower() in OWN_WORDS_STARTS or first.lower() in wording.PREPOSITIONS \
        and field == "place"
    if opening or wording.is_name(first) or nouns.starts_with_title(words, lexicon):
        return words
    starts = ", ".join(OWN_WORDS_STARTS)
    raise InvalidRequest(
        field,
        f"unknown value {quoted(words)}",
        f"{', '.join(sorted(keys))}, or your own words starting with {starts} or a capital "
        f"(e.g. {EXAMPLES[field]}; write a name with its capital: {first.capitalize()!r})",
    )


def _pictured(figure: Figure, pictured: bool, own_words: Mapping[str, Any]) -> Figure:
    """The figure imagined with a face and a past, or addressed as a presence without either."""
    if pictured:
        if figure.pictured:
            return figure
        base = own_words["image_human" if figure.human else "image_other"]
        return replace(figure, pictured=True, hardship=True, face=base["face"])
    base = own_words["image_presence"]
    return replace(figure, pictured=False, hardship=False, face=base["face"],
                   presence=_presence(base["presence"], figure.named))


def _with_article(words: str) -> str:
    """Own words that open with a common word get an article (wise old owl → a wise old owl)."""
    first = wording.WORD.findall(words)[0]
    if first.lower() in wording.DETERMINERS or wording.is_name(first):
        return words
    return wording.with_article(words)


def _typed_as_name(gram: str, phrase: nouns.Phrase) -> bool:
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


def named_kind(words: Sequence[str], named: Mapping[str, Any] | None) -> str | None:
    """The kind of place a known name ends the words with ("pen y fan": mountain), or None."""
    typed = " " + " ".join(w.replace("’", "'") for w in words)
    for kind, names in (named or {}).items():
        if any(typed.endswith(" " + str(name).lower()) for name in names or ()):
            return str(kind)
    return None


def _place_words(phrase: nouns.Phrase, named: Mapping[str, Any] | None) -> list[str]:
    """The words a place's senses are found by: a possessive alone is a home, a known
    name adds the kind of place it is."""
    last = phrase.parts[-1] if phrase.parts else phrase
    kind = named_kind(phrase.words, named)
    if kind is not None:
        return [*phrase.words, kind]
    if last.possessive:
        return ["house"]
    return [w for w in phrase.words if not wording.possessive(w)] or ["house"]


def _senses(entry: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {sense: tuple(entry[sense]) for sense in ("sights", "sounds", "touch", "smells")}


