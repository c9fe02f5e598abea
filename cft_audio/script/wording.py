"""Grammar for the client's own words: the listener's side, case, head nouns, agreement.

Therapists type what the client said ("my nan's kitchen", "my late father", "Jesus").
The narrator speaks *to* the client, so first person becomes second person; the
therapist's capitals are kept (a capital that only opens a common word is lowered);
agreement and articles come from `inflect`, and English words from `english-words`.
"""

from __future__ import annotations

import re
from functools import cache

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:(?<=s)['’](?![^\W\d_]))?")
"""A word: letters, with inner apostrophes (nan's, I'm) or a plural's final one (parents')."""

LISTENER = {
    "my": "your", "our": "your", "me": "you", "mine": "yours", "ours": "yours",
    "myself": "yourself", "ourselves": "yourselves", "us": "you", "we": "you", "i": "you",
    "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll",
    "we're": "you're", "we've": "you've", "we'd": "you'd", "we'll": "you'll",
}
"""First person as the client says it, and second person as the narrator says it back."""
_AFTER_I = {"am": "are", "was": "were"}
"""Verbs that change with the subject when I or we becomes you (I am, you are)."""

DETERMINERS = frozenset({"a", "an", "the", "my", "our", "your", "his", "her", "their",
                         "this", "that", "these", "those"})
"""Words that open a noun phrase."""
POSSESSIVE_DETERMINERS = frozenset({"my", "our", "your", "his", "her", "their"})
PREPOSITIONS = frozenset({"in", "at", "on", "by", "beside", "near", "under", "inside",
                          "among", "amongst", "within", "upon", "beneath", "underneath"})
"""A place typed with one of these first keeps it ("at the beach at Whitby")."""
FUNCTION_WORDS = DETERMINERS | PREPOSITIONS | frozenset(LISTENER) | frozenset(
    {"you", "yours", "yourself", "and", "or", "of", "it", "its", "s"})
"""Words that cannot be all that own words say ("a", "my", "I")."""
CUT = frozenset({"at", "in", "on", "of", "with", "from", "by", "near", "above", "below",
                  "under", "over", "beside", "behind", "along", "across", "for", "to",
                  "who", "that", "which", "where", "when", "whose", "whom", "as", "like",
                  "beneath", "underneath", "among", "amongst", "around", "inside", "outside",
                  "into", "through", "up", "down", "after", "before", "during", "next",
                  "humming", "singing", "smiling", "laughing", "holding", "sitting"})
"""Words after which a noun phrase's head has been said ("the sea at dawn")."""

KNOWN_VERBS: dict[str, tuple[str, str]] = {
    "accept": ("accepts", "accept"), "be": ("is", "are"), "care": ("cares", "care"),
    "have": ("has", "have"), "know": ("knows", "know"), "look": ("looks", "look"),
    "meet": ("meets", "meet"), "see": ("sees", "see"), "seem": ("seems", "seem"),
    "understand": ("understands", "understand"), "want": ("wants", "want"),
    "wish": ("wishes", "wish"),
}
"""inflect's answers for the verbs the bundled templates use, so a script renders without
importing inflect (1.5 s, most of it typeguard instrumenting inflect); a test keeps this
table equal to inflect's, which answers every other verb."""
_IRREGULAR_SINGULAR = {"be": "is", "have": "has", "do": "does", "are": "is", "were": "was"}


def to_listener(text: str) -> str:
    """First person as the client says it, from the listener's side (my nan → your nan)."""
    out: list[str] = []
    position = 0
    previous = ""
    for match in WORD.finditer(text):
        out.append(text[position:match.start()])
        word = match.group(0)
        key = word.lower().replace("’", "'")
        if key in LISTENER:
            replaced = LISTENER[key]
        elif previous in ("i", "we") and key in _AFTER_I:
            replaced = _AFTER_I[key]
        else:
            replaced = word
        out.append(replaced)
        previous = key
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def is_name(word: str) -> bool:
    """A word written as a name: a capital first letter, or a script without capitals."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if not any(c.isupper() or c.islower() for c in letters):
        return True  # Chinese, Japanese, Arabic, ... have no capitals: a name as written
    return letters[0].isupper()


def uncapitalised(text: str, single: bool = True, names: frozenset[str] = frozenset()) -> str:
    """Lower a capital that only opens a common word ("Warm sun on my face").

    Kept: names (Whitby, Max, Grace), possessives (Rose's), and title case (Mother Mary);
    a lone word only when `single` (a detail: "Birdsong"), never for a figure ("Rose");
    `names` are words that a capital makes a name (kin: "Dad whistling", "Nan's voice").
    """
    words = WORD.findall(text)
    if not words or not text.startswith(words[0]) or not _common_capital(words[0]) \
            or words[0].lower() in names:
        return text
    if len(words) == 1 and not single or any(is_name(w) for w in words[1:] if w != "I"):
        return text
    return text[:1].lower() + text[1:]


def cap(text: str) -> str:
    """Raise only the first letter (templates: the start of a sentence); keep the rest."""
    text = str(text)
    return text[:1].upper() + text[1:]


@cache
def _inflect():  # returns inflect.engine (imported only when needed)
    """The inflect engine, imported on first use (own words, or a verb not in KNOWN_VERBS).

    inflect wraps its methods in typeguard's `@typechecked`, which rewrites and recompiles
    each of them as the module is imported: most of the import's time (1.5 s of 1.6 s on a
    quiet machine). We call it only with non-empty strings, so it is imported with that
    decorator standing aside; a test keeps inflect's answers equal to a checked import's.
    """
    import typeguard

    checked = typeguard.typechecked
    typeguard.typechecked = _unchecked
    try:
        import inflect
    finally:
        typeguard.typechecked = checked
    return inflect.engine()


def _unchecked(target=None, **_options):
    """typeguard.typechecked's signature, doing nothing: `@_unchecked` and `@_unchecked()`."""
    return target if target is not None else (lambda function: function)


def third_person(verb: str) -> str:
    """The form that goes with he, she or it: wish → wishes, be → is, have → has."""
    word = verb.strip()
    if word in KNOWN_VERBS:
        return KNOWN_VERBS[word][0]
    if word.lower() in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word.lower()]
    if _inflect().plural_verb(word) != word:
        return word  # already the he/she/it form
    return _inflect().plural_noun(word)


def plain_verb(verb: str) -> str:
    """The form that goes with they: wishes → wish, is → are, has → have."""
    word = verb.strip()
    if word in KNOWN_VERBS:
        return KNOWN_VERBS[word][1]
    if word.lower() in ("be", "is"):
        return "are"
    if word.lower() == "was":
        return "were"
    return _inflect().plural_verb(word)


def agree(verb: str, pronoun: str) -> str:
    """The verb for this pronoun (he wishes, they wish)."""
    return plain_verb(verb) if pronoun == "they" else third_person(verb)


def with_article(words: str) -> str:
    """A common noun phrase with the indefinite article it needs (owl → an owl)."""
    return _inflect().a(words)


def singular(word: str) -> str:
    """The singular of a plural noun (hills → hill), or "" when it is not plural."""
    return _inflect().singular_noun(word) or ""


def possessive(word: str) -> bool:
    """A possessive word: nan's, parents'."""
    return bool(re.search(r"['’]s$", word)) or word.endswith(("s'", "s’"))


def _common_capital(word: str) -> bool:
    """A capitalised common word: lower-case it is English, capitalised it is no name."""
    if not word[:1].isupper() or len(word) > 1 and not word[1:].islower():
        return False
    if possessive(word):
        return False
    lower = word.lower()
    singular = _inflect().singular_noun(lower) or lower
    return (lower in _words() or singular in _words()) and word not in _words(cased=True)


def is_word(word: str) -> bool:
    """A lower-case English word (Webster's Second)."""
    return word in _words()


@cache
def _words(cased: bool = False) -> frozenset[str]:
    """English words (Webster's Second, public domain): lower-case, or as capitalised there."""
    from english_words import get_english_words_set

    if cased:
        return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True)
                         if w[:1].isupper())
    return frozenset(get_english_words_set(["web2"], lower=True, alpha=True))
