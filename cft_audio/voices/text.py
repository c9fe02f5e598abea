"""Text preparation before synthesis: pronunciation lexicon, abbreviations and numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from ..errors import InvalidRequest
from ..limits import quoted

_ABBREVIATIONS = {
    "dr.": "Doctor", "mr.": "Mister", "mrs.": "Missus", "ms.": "Miz", "st.": "Saint",
    "e.g.": "for example", "i.e.": "that is", "etc.": "and so on", "approx.": "about",
    "vs.": "versus", "no.": "number", "mins": "minutes", "min.": "minutes",
    "secs": "seconds", "sec.": "seconds", "&": "and",
}
_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                    "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th|%)?(?!\w)")
_RESPELLING = re.compile(r"^[^\n=]{1,80}$")


@dataclass(frozen=True)
class Lexicon:
    """How particular words are to be said: word → respelling (whole words, any case)."""

    entries: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def merged(self, other: Lexicon) -> Lexicon:
        """A lexicon with `other`'s entries taking precedence."""
        return Lexicon(MappingProxyType({**self.entries, **other.entries}))

    def apply(self, text: str) -> str:
        """Replace every listed word, longest first, keeping the surrounding text."""
        if not self.entries:
            return text
        words = sorted(self.entries, key=len, reverse=True)
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
        )
        folded = {w.casefold(): r for w, r in self.entries.items()}
        return pattern.sub(lambda m: folded[m.group(1).casefold()], text)

    def fingerprint(self) -> str:
        """A stable text form of the entries (for records and cache keys)."""
        return ";".join(f"{k}={v}" for k, v in sorted(self.entries.items()))


def lexicon_from_pairs(pairs: Iterable[str], field_name: str = "say") -> Lexicon:
    """Parse `NAME=respelling` pairs (from `--say`), rejecting malformed ones."""
    entries: dict[str, str] = {}
    for pair in pairs:
        word, sep, respelling = pair.partition("=")
        word, respelling = word.strip(), respelling.strip()
        if not sep or not _RESPELLING.match(word) or not _RESPELLING.match(respelling):
            raise InvalidRequest(field_name, f"{quoted(pair)} is not a pronunciation",
                                 "NAME=respelling, e.g. Aoife=Eefa")
        entries[word] = respelling
    return Lexicon(MappingProxyType(entries))


def load_lexicon(path: Path) -> Lexicon:
    """Read a YAML lexicon file: a mapping of word → respelling."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise InvalidRequest("lexicon", f"cannot read {Path(path).name}: {reason}",
                             "a YAML file of word: respelling lines") from error
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in data.items()
    ):
        raise InvalidRequest("lexicon", f"{Path(path).name} is not a word: respelling mapping",
                             "a YAML file of word: respelling lines")
    return Lexicon(MappingProxyType({k.strip(): v.strip() for k, v in data.items()}))


def prepare(text: str, lexicon: Lexicon | None = None) -> str:
    """The text as the engine should read it: lexicon first, then abbreviations and numbers."""
    prepared = " ".join(text.split())
    if lexicon is not None:
        prepared = lexicon.apply(prepared)
    prepared = _expand_abbreviations(prepared)
    return _NUMBER.sub(_number_words, prepared)


def _expand_abbreviations(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return _ABBREVIATIONS[match.group(0).casefold()]

    keys = sorted(_ABBREVIATIONS, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?=\s|$|[,;:!?])",
        re.IGNORECASE,
    )
    return pattern.sub(replace, text)


def _number_words(match: re.Match[str]) -> str:
    whole, fraction, suffix = match.group(1).replace(",", ""), match.group(2), match.group(3)
    if len(whole) > 9:
        return match.group(0)
    words = number_to_words(int(whole))
    if fraction:
        words += " point " + " ".join(_ONES[int(d)] for d in fraction)
    if suffix == "%":
        return words + " percent"
    if suffix and not fraction:
        return _ordinal(words)
    return words


def number_to_words(number: int) -> str:
    """English words for 0 ≤ number < 10⁹ ("two hundred and five")."""
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    for size, name in ((1_000_000, "million"), (1000, "thousand"), (100, "hundred")):
        if number >= size:
            head, rest = divmod(number, size)
            joiner = " and " if rest and rest < 100 else " "
            return f"{number_to_words(head)} {name}" + (
                f"{joiner}{number_to_words(rest)}" if rest else "")
    raise ValueError(number)


def _ordinal(words: str) -> str:
    head, _, last = words.rpartition(" ")
    stem_head, dash, stem = last.rpartition("-")
    if stem in _ORDINAL_ENDINGS:
        stem = _ORDINAL_ENDINGS[stem]
    elif stem.endswith("y"):
        stem = stem[:-1] + "ieth"
    else:
        stem += "th"
    last = f"{stem_head}{dash}{stem}"
    return f"{head} {last}" if head else last
