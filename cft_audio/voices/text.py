"""Text preparation before synthesis: pronunciation lexicon, abbreviations and numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import yaml

from ..errors import InvalidRequest
from ..limits import MAX_RESPELLING, quoted
from .registry import takes_phonemes

_ABBREVIATIONS = {
    "dr.": "Doctor", "mr.": "Mister", "mrs.": "Missus", "ms.": "Miz", "st.": "Saint",
    "e.g.": "for example", "i.e.": "that is", "etc.": "and so on", "approx.": "about",
    "vs.": "versus", "no.": "number", "mins": "minutes", "min.": "minutes",
    "secs": "seconds", "sec.": "seconds", "&": "and",
}
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th|%)?(?!\w)")
_RESPELLING = re.compile(rf"^[^\n=]{{1,{MAX_RESPELLING}}}$")
_PHONEMES = re.compile(rf"^/[^/\s]{{1,{MAX_RESPELLING - 2}}}/$")
"""A respelling given as misaki phonemes between slashes, e.g. /ˈifə/ (hibari voices)."""
_ABBREVIATION = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(k) for k in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")(?=\s|$|[,;:!?])", re.IGNORECASE)


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
        pattern, folded = self._matcher
        return pattern.sub(lambda m: folded[m.group(1).casefold()], text)

    @cached_property
    def _matcher(self) -> tuple[re.Pattern[str], dict[str, str]]:
        """The words' pattern and respellings, built once per lexicon, not per sentence."""
        words = sorted(self.entries, key=len, reverse=True)
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
        )
        return pattern, {w.casefold(): r for w, r in self.entries.items()}

    def phoneme_words(self) -> list[str]:
        """The words given as phonemes (`/…/`) rather than respelled."""
        return [word for word, said in self.entries.items() if _PHONEMES.match(said)]

    def fingerprint(self) -> str:
        """A stable text form of the entries (for records and cache keys)."""
        return ";".join(f"{k}={v}" for k, v in sorted(self.entries.items()))


def lexicon_from_pairs(pairs: Iterable[str], field_name: str = "say") -> Lexicon:
    """Parse `NAME=respelling` pairs (from `--say`), rejecting malformed ones."""
    entries: dict[str, str] = {}
    for pair in pairs:
        word, sep, respelling = pair.partition("=")
        word, respelling = word.strip(), respelling.strip()
        if sep and _RESPELLING.match(word):
            check_respelling(field_name, word, respelling)
        if not sep or not _RESPELLING.match(word) or not _RESPELLING.match(respelling):
            raise InvalidRequest(field_name, f"{quoted(pair)} is not a pronunciation",
                                 "NAME=respelling, e.g. Aoife=Eefa")
        entries[word] = respelling
    return Lexicon(MappingProxyType(entries))


def check_phonemes_for(lexicon: Lexicon, engine: str, field_name: str = "say") -> None:
    """Refuse phonemes (`/…/`) for an engine that would read the symbols out."""
    words = lexicon.phoneme_words()
    if words and not takes_phonemes(engine):
        raise InvalidRequest(field_name, f"{quoted(words[0])} is given as phonemes, which "
                             f"{engine} voices cannot take",
                             "a respelling (NAME=Eefa), or a hibari voice such as heart")


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
    entries = {k.strip(): v.strip() for k, v in data.items()}
    for word, respelling in entries.items():
        check_respelling("lexicon", word, respelling)
    return Lexicon(MappingProxyType(entries))


def check_respelling(field_name: str, word: str, respelling: str) -> None:
    """Refuse a respelling over MAX_RESPELLING characters, in one line naming the limit."""
    if len(respelling) > MAX_RESPELLING:
        raise InvalidRequest(
            field_name, f"the respelling of {quoted(word)} is {len(respelling):,} characters, "
            f"over the limit MAX_RESPELLING = {MAX_RESPELLING}",
            f"a respelling of at most {MAX_RESPELLING} characters")


def prepare(text: str, lexicon: Lexicon | None = None) -> str:
    """The text as the engine should read it: lexicon first, then abbreviations and numbers."""
    prepared = " ".join(text.split())
    if lexicon is not None:
        prepared = lexicon.apply(prepared)
    prepared = _expand_abbreviations(prepared)
    return _NUMBER.sub(_number_words, prepared)


def _expand_abbreviations(text: str) -> str:
    return _ABBREVIATION.sub(lambda match: _ABBREVIATIONS[match.group(0).casefold()], text)


def _number_words(match: re.Match[str]) -> str:
    whole, fraction, suffix = match.group(1).replace(",", ""), match.group(2), match.group(3)
    if len(whole) > 9:
        return match.group(0)
    if suffix and suffix != "%" and not fraction:
        return number_to_words(int(whole), ordinal=True)
    words = number_to_words(int(whole))
    if fraction:
        words += " point " + " ".join(number_to_words(int(d)) for d in fraction)
    return words + " percent" if suffix == "%" else words


def number_to_words(number: int, ordinal: bool = False) -> str:
    """English words for 0 ≤ number < 10⁹ ("two hundred and five", "twenty-first").

    num2words's British English without its commas ("one thousand, two hundred"), which
    the voice would read as pauses; the words are the same as before, so the audio is.
    """
    from num2words import num2words  # 20 ms; only texts with numbers need it

    if not 0 <= number < 10**9:
        raise ValueError(number)
    return num2words(number, to="ordinal" if ordinal else "cardinal").replace(",", "")
