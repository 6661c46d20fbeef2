"""Editions: one per language, plus a tri-fold per city, all from content.yml and the
translation files it names.

A translation file repeats content.yml's structure with every text translated. A field English
has and the translation lacks is an error naming it: never a silent fall-back to English.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from brochure.content import (
    CRISIS_SLOT,
    TEXT_WORDS,
    Content,
    Loc,
    Model,
    Speak,
    Text,
    describe_errors,
    language_name,
    line_for,
    read_yaml,
    validate_content,
)
from brochure.errors import BrochureError
from brochure.plan import EditionPlan, edition_plans, translation_path
from brochure.review import Record, State, load_records, records_path, state_of
from brochure.strings import Unit, text_units

#: Written once in content.yml and shared by every edition; a translation must not repeat them.
SHARED = {
    ("program", "phone"),
    ("translations",),
    ("city_editions",),
    ("draft_band",),
    ("draft_word",),
    ("checks",),
    ("crisis", "show"),
    ("crisis", "numbers"),
}
#: Languages written right to left (primary subtags): Arabic, Persian, Pashto, Urdu, Hebrew.
RIGHT_TO_LEFT = {"ar", "fa", "ps", "ur", "he"}
#: Keys only a translation file has.
TRANSLATION_ONLY = {"review"}
#: Keys a translation may give or leave to content.yml.
OPTIONAL = {("language",), ("revised",)}


class Review(Model):
    """A translation file's own note on its review. Whether it is reviewed is decided per
    string by the review records (brochure/review.py); `reviewed: true` is the old whole-file
    switch, turned into records once by `brochure translations migrate`."""

    reviewed: bool = False
    reviewed_by: Text | None = None
    note: Text | None = None


@dataclass(frozen=True)
class ReviewStatus:
    """Every string of one translation and where it stands; English's own is all reviewed."""

    states: tuple[tuple[str, State], ...] = ()
    records: tuple[tuple[str, Record], ...] = ()

    @property
    def reviewed(self) -> bool:
        return all(state is State.REVIEWED for _id, state in self.states)

    def count(self, state: State) -> int:
        return sum(1 for _id, s in self.states if s is state)

    def ids(self, state: State) -> list[str]:
        return [unit_id for unit_id, s in self.states if s is state]

    def record(self, unit_id: str) -> Record | None:
        return dict(self.records).get(unit_id)

    def summary(self) -> str:
        """`58 of 61 strings reviewed; 3 changed in English since review`: for a manager."""
        parts = [f"{self.count(State.REVIEWED)} of {len(self.states)} strings reviewed"]
        for state, words in ((State.STALE, "changed in English"), (State.EDITED, "edited")):
            if n := self.count(state):
                parts.append(f"{n} {words} since review")
        return "; ".join(parts)

    def warnings(self, language: str) -> list[str]:
        """What the build says about a translation that is not (or no longer) reviewed: each
        stale or edited string by name (there are few), the unreviewed ones as a count."""
        lines = []
        for unit_id in self.ids(State.STALE):
            date = self.record(unit_id).date  # type: ignore[union-attr]
            lines.append(
                f"{language}: {unit_id}: English changed after review on {date:%Y-%m-%d}; "
                f"send it to the translator (`brochure translations export {language} "
                "--only-stale`)"
            )
        for unit_id in self.ids(State.EDITED):
            date = self.record(unit_id).date  # type: ignore[union-attr]
            lines.append(
                f"{language}: {unit_id}: translation edited after review on {date:%Y-%m-%d}; "
                "have a qualified translator review it again"
            )
        if self.count(State.UNREVIEWED) + self.count(State.MISSING):
            lines.append(
                f"{language}: translation not yet reviewed by a qualified translator "
                f"({self.summary()}); every panel, card and page is marked DRAFT. "
                "Do not hand it out."
            )
        elif not self.reviewed:
            lines.append(
                f"{language}: every panel, card and page is marked DRAFT until the strings "
                f"named above are reviewed again ({self.summary()})"
            )
        return lines


def direction_of(language: str) -> str:
    """ "rtl" for a language written right to left (Arabic): the page and the tri-fold's
    panels mirror; "ltr" otherwise."""
    return "rtl" if language.split("-")[0] in RIGHT_TO_LEFT else "ltr"


@dataclass(frozen=True)
class Speaker:
    """One language's line in a handout's "we speak your language" list, in that language."""

    language: str
    before: str  # the words before the number
    after: str  # and after it (Nepali puts the verb last)
    reviewed: bool
    files: tuple[Path, ...]  # where the line and its review come from: the list's inputs

    @property
    def direction(self) -> str:
        return direction_of(self.language)

    @property
    def name(self) -> str:
        """The language's own name, the head of its line (the tri-fold's back lists these)."""
        return language_name(self.before)


@dataclass(frozen=True)
class Edition:
    """An edition's plan (name, files, documents) with its validated words."""

    #: Templates see the words through `content`, which holds them to their document's
    #: declared reads (render.ContentView); not around it.
    HIDDEN_FROM_TEMPLATES = frozenset({"content"})

    plan: EditionPlan
    content: Content
    review: ReviewStatus = field(default=ReviewStatus(), compare=False)
    #: Every language's line for the "we speak your language" list (this one's too).
    all_speakers: tuple[Speaker, ...] = field(default=(), compare=False)

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        """The lines this edition prints: the other languages, reviewed ones only (a draft,
        never handed out, lists every language)."""
        return tuple(
            s
            for s in self.all_speakers
            if s.language != self.language and (s.reviewed or self.draft)
        )

    @property
    def reviewed(self) -> bool:
        return self.review.reviewed

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def sources(self) -> tuple[Path, ...]:
        return self.plan.sources

    @property
    def city(self) -> str | None:
        return self.plan.city

    @property
    def language(self) -> str:
        return self.content.language

    @property
    def draft(self) -> bool:
        return not self.reviewed

    @property
    def direction(self) -> str:
        return direction_of(self.language)

    def makes(self, document: str) -> bool:
        return self.plan.makes(document)

    @property
    def code(self) -> str:
        """The short code printed at the foot of every piece of this edition (`ES-W-26`), so
        intake staff can ask "where did you get this?" (README: "Edition codes")."""
        return edition_code(self.language, self.city, self.content.cities, self.content.revised)

    @property
    def has_word_list(self) -> bool:
        """Whether brochure/stigma/ has a word list for this language."""
        from brochure.words import word_list

        return word_list(self.language) is not None


def edition_code(language: str, city: str | None, cities: Iterable[str], revised: date) -> str:
    """LANGUAGE-CITY-YY, e.g. `ES-W-26`; a general edition has no city part (`ES-26`).

    The language is its tag without hyphens, in capitals (pt-BR: PTBR, zh-Hant: ZHHANT): a
    tag's subtags have fixed lengths, so no two tags give the same letters. The city is the
    shortest start of its name no other city shares (W, S). The year is `revised`'s. Nothing
    else: the code names a printing, never a person.
    """
    parts = [language.replace("-", "").upper()]
    if city is not None:
        parts.append(city_codes(cities)[city])
    return "-".join([*parts, f"{revised:%y}"])


def city_codes(cities: Iterable[str]) -> dict[str, str]:
    """Each city's part of the edition code: the shortest start of its letters (in capitals)
    that starts no other city's, or all its letters when another city's begin with them."""
    letters = {slug: re.sub(r"[^a-z0-9]", "", slug).upper() for slug in cities}
    codes = {}
    for slug, own in letters.items():
        others = [other for name, other in letters.items() if name != slug]
        size = next(
            (n for n in range(1, len(own)) if not any(o.startswith(own[:n]) for o in others)),
            len(own),
        )
        codes[slug] = own[:size]
    return codes


def _shared_city_codes(cities: Iterable[str]) -> list[tuple[str, str, str]]:
    """Pairs of cities whose edition codes would be the same (`new-bedford`, `newbedford`)."""
    seen: dict[str, str] = {}
    clashes = []
    for slug, code in city_codes(cities).items():
        if code in seen:
            clashes.append((seen[code], slug, code))
        seen.setdefault(code, slug)
    return clashes


def load_editions(path: Path, languages: set[str] | None = None) -> list[Edition]:
    """Every edition content.yml describes; every problem in every file is reported at once.

    LANGUAGES: load only these languages' editions (serve's first pass needs one); content.yml
    itself is always validated whole.
    """
    data, lines = read_yaml(path)
    english = validate_content(data, lines, path.name)
    problems: list[str] = []
    for city in english.city_editions:
        if city not in english.cities:
            problems.append(
                f"{path.name}:{line_for(('city_editions',), lines)}: city_editions: {city!r} is "
                f"not one of the cities ({', '.join(english.cities)})"
            )
    for first, second, code in _shared_city_codes(english.cities):
        problems.append(
            f"{path.name}:{line_for(('cities', second), lines)}: cities.{second}: its edition "
            f"code would be {code!r}, the same as {first!r}'s; give one of them a different "
            "key (the key, not the name, makes the code)"
        )
    files: dict[str, Path] = {}
    for language, relative in english.translations.items():
        try:
            line = line_for(("translations", language), lines)
            files[language] = translation_path(path, language, relative, line)
        except BrochureError as exc:
            problems += exc.lines
    if problems:
        raise BrochureError(problems)
    words: dict[str, tuple[Content, ReviewStatus]] = {english.language: (english, ReviewStatus())}
    for language, file in files.items():
        if languages is not None and language not in languages:
            continue
        try:
            words[language] = _load_translation(path, data, language, file)
        except BrochureError as exc:
            problems += exc.lines
    if problems:
        raise BrochureError(problems)
    plans = edition_plans(path, english.language, files, english.city_editions)
    plans = [plan for plan in plans if plan.language in words]
    speakers = tuple(_speakers(path, data, english, files, words))
    return [Edition(plan, *words[plan.language], speakers) for plan in plans]


def _speakers(
    main: Path,
    english_data: dict,
    english: Content,
    files: dict[str, Path],
    words: dict[str, tuple[Content, ReviewStatus]],
) -> list[Speaker]:
    """Every language's line for the "we speak your language" list, with whether its
    translation is reviewed. Languages this load skipped (serve's first pass) are read raw."""
    found = []
    if english.speak:
        found.append(Speaker(english.language, *english.speak.around_number, True, (main,)))
    for language, file in files.items():
        if language in words:
            speak, reviewed = words[language][0].speak, words[language][1].reviewed
        else:
            speak, reviewed = _raw_speak(main, english_data, file)
        if speak:
            inputs = (file, records_path(file))
            found.append(Speaker(language, *speak.around_number, reviewed, inputs))
    return found


def _raw_speak(main: Path, english_data: dict, file: Path) -> tuple[Speak | None, bool]:
    """A translation's line and review state without validating the whole file (the full load
    that follows does that and reports its problems)."""
    try:
        data, _lines = read_yaml(file)
        speak = Speak.model_validate(data.get("speak")) if isinstance(data, dict) else None
        records = load_records(file, main.resolve().parent)
    except (BrochureError, ValidationError):
        return None, False
    return speak, review_status(text_units(english_data, data), records).reviewed


def _load_translation(
    main: Path, english: dict, language: str, path: Path
) -> tuple[Content, ReviewStatus]:
    """A translation overlaid on content.yml, validated like it; PATH is already confined."""
    name = path.relative_to(main.resolve().parent).as_posix()
    data, lines = read_yaml(path, name)
    if not isinstance(data, dict):
        raise BrochureError(f"{name}:1: (top level): must be a mapping")
    found = compare(english, data) + same_numbers(english, data)
    problems = [f"{name}:{line_for(loc, lines)}: {msg}" for loc, msg in found]
    review = _review(data.get("review"), lines, name, problems)
    given = data.get("language", language)
    if given != language:
        problems.append(
            f"{name}:{line_for(('language',), lines)}: language: {given!r} but content.yml "
            f"lists this file as {language!r}"
        )
    if problems:
        raise BrochureError(problems)
    merged = overlay(english, {k: v for k, v in data.items() if k not in TRANSLATION_ONLY})
    merged["language"] = language
    content = validate_content(merged, lines, name)
    records = load_records(path, main.resolve().parent)
    if review.reviewed:
        raise BrochureError(
            f"{name}:{line_for(('review', 'reviewed'), lines)}: review.reviewed: the whole-file "
            "switch is replaced by a review record for each string; run `brochure translations "
            f"migrate {language}` once to turn it into records (the reviewer's name is kept)"
        )
    return content, review_status(text_units(english, data), records)


def review_status(units: list[Unit], records: dict[str, Record]) -> ReviewStatus:
    return ReviewStatus(
        tuple((u.id, state_of(u, records.get(u.id))) for u in units),
        tuple((u.id, records[u.id]) for u in units if u.id in records),
    )


def _review(raw: Any, lines: dict, name: str, problems: list[str]) -> Review:
    if raw is None:
        return Review()
    try:
        review = Review.model_validate(raw)
    except ValidationError as exc:
        problems += describe_errors(exc, lines, name, prefix=("review",))
        return Review(reviewed=False)
    if review.reviewed and not review.reviewed_by:
        problems.append(
            f"{name}:{line_for(('review',), lines)}: review.reviewed_by: name the translator "
            "who reviewed it"
        )
    return review


def compare(english: Any, translated: Any, loc: Loc = ()) -> list[tuple[Loc, str]]:
    """Fields English has that the translation lacks, and fields English does not have."""
    where = ".".join(map(str, loc))
    if loc in SHARED:
        if translated is not None:
            return [(loc, f"{where}: is set once in content.yml for every language; remove it")]
        return []
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            return [(loc, f"{where}: must be a mapping, as in content.yml")]
        problems = []
        for key, value in english.items():
            sub = (*loc, str(key))
            if sub in SHARED:
                problems += compare(value, translated.get(key), sub)
            elif key not in translated:
                if sub not in OPTIONAL:
                    problems.append((loc, f"{'.'.join(map(str, sub))}: {_missing(value)}"))
            else:
                problems += compare(value, translated[key], sub)
        for key in translated:
            if key not in english and not (loc == () and key in TRANSLATION_ONLY):
                sub_where = ".".join(map(str, (*loc, key)))
                problems.append(
                    (
                        (*loc, str(key)),
                        f"{sub_where}: not in content.yml; remove it or add it there first",
                    )
                )
        return problems
    if isinstance(english, list):
        if not isinstance(translated, list):
            return [(loc, f"{where}: must be a list, as in content.yml")]
        if len(translated) != len(english):
            return [
                (
                    loc,
                    f"{where}: has {len(translated)} entries but content.yml has {len(english)}; "
                    "translate each one, in the same order",
                )
            ]
        problems = []
        for index, (a, b) in enumerate(zip(english, translated, strict=True)):
            problems += compare(a, b, (*loc, index))
        return problems
    return []


def same_numbers(english: dict, translated: dict) -> list[tuple[Loc, str]]:
    """A translated crisis line names the same number as content.yml's, and offers a text
    message ([ ]) exactly where it does: a wrong name would print another line's number."""
    mine, theirs = english.get("crisis"), translated.get("crisis")
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return []
    pairs = [(("crisis", "card"), mine.get("card"), theirs.get("card"))]
    if isinstance(mine.get("lines"), list) and isinstance(theirs.get("lines"), list):
        pairs += [
            (("crisis", "lines", i), a, b)
            for i, (a, b) in enumerate(zip(mine["lines"], theirs["lines"], strict=False))
        ]
    problems = []
    for loc, source, target in pairs:
        if not isinstance(source, str) or not isinstance(target, str):
            continue
        where = ".".join(map(str, loc))
        wanted, given = CRISIS_SLOT.findall(source), CRISIS_SLOT.findall(target)
        if given and wanted and given != wanted:
            problems.append(
                (
                    loc,
                    f"{where}: names {{{given[0]}}} but content.yml's line names "
                    f"{{{wanted[0]}}}; keep {{{wanted[0]}}} as it is (only the words around "
                    "it are translated)",
                )
            )
        if bool(TEXT_WORDS.search(source)) != bool(TEXT_WORDS.search(target)):
            fix = (
                "put [ ] around the words that offer a text message, as content.yml does"
                if TEXT_WORDS.search(source)
                else "remove the [ ]: content.yml's line offers no text message"
            )
            problems.append((loc, f"{where}: {fix} ({source!r})"))
    return problems


def _missing(english_value: Any) -> str:
    if isinstance(english_value, str):
        preview = english_value if len(english_value) <= 50 else english_value[:47] + "..."
        return f"missing in this translation; translate the English: {preview!r}"
    return "missing in this translation; copy its structure from content.yml and translate it"


def overlay(base: Any, top: Any) -> Any:
    """BASE with every value TOP gives put in its place (mappings and lists merged by position)."""
    if isinstance(base, dict) and isinstance(top, dict):
        merged = copy.deepcopy(base)
        for key, value in top.items():
            merged[key] = overlay(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(top, list) and len(base) == len(top):
        return [overlay(a, b) for a, b in zip(base, top, strict=True)]
    return copy.deepcopy(top)
