"""Editions: one per language, plus a tri-fold per city, all from content.yml and the
translation files it names.

A translation file repeats content.yml's structure with every text translated. A field English
has and the translation lacks is an error naming it: never a silent fall-back to English.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from brochure.content import (
    Content,
    Loc,
    Model,
    Text,
    describe_errors,
    line_for,
    read_yaml,
    validate_content,
)
from brochure.errors import BrochureError
from brochure.plan import EditionPlan, edition_plans, translation_path

#: Written once in content.yml and shared by every edition; a translation must not repeat them.
SHARED = {
    ("program", "phone"),
    ("translations",),
    ("city_editions",),
    ("draft_band",),
    ("draft_word",),
    ("checks",),
}
#: Languages written right to left (primary subtags): Arabic, Persian, Pashto, Urdu, Hebrew.
RIGHT_TO_LEFT = {"ar", "fa", "ps", "ur", "he"}
#: Keys only a translation file has.
TRANSLATION_ONLY = {"review"}
#: Keys a translation may give or leave to content.yml.
OPTIONAL = {("language",), ("revised",)}


class Review(Model):
    """Whether a qualified translator has checked every line of this translation."""

    reviewed: bool
    reviewed_by: Text | None = None
    note: Text | None = None


@dataclass(frozen=True)
class Edition:
    """An edition's plan (name, files, documents) with its validated words."""

    plan: EditionPlan
    content: Content
    reviewed: bool = True
    review_note: str = field(default="", compare=False)

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
        """ "rtl" for a language written right to left (Arabic): the page and the tri-fold's
        panels mirror; "ltr" otherwise."""
        return "rtl" if self.language.split("-")[0] in RIGHT_TO_LEFT else "ltr"

    def makes(self, document: str) -> bool:
        return self.plan.makes(document)

    @property
    def has_word_list(self) -> bool:
        """Whether brochure/stigma/ has a word list for this language."""
        from brochure.words import word_list

        return word_list(self.language) is not None


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
    files: dict[str, Path] = {}
    for language, relative in english.translations.items():
        try:
            line = line_for(("translations", language), lines)
            files[language] = translation_path(path, language, relative, line)
        except BrochureError as exc:
            problems += exc.lines
    if problems:
        raise BrochureError(problems)
    words: dict[str, tuple[Content, Review]] = {english.language: (english, Review(reviewed=True))}
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
    return [
        Edition(plan, words[plan.language][0], *_review_state(words[plan.language][1]))
        for plan in plans
    ]


def _review_state(review: Review) -> tuple[bool, str]:
    return review.reviewed, review.note or ""


def _load_translation(
    main: Path, english: dict, language: str, path: Path
) -> tuple[Content, Review]:
    """A translation overlaid on content.yml, validated like it; PATH is already confined."""
    name = path.relative_to(main.resolve().parent).as_posix()
    data, lines = read_yaml(path, name)
    if not isinstance(data, dict):
        raise BrochureError(f"{name}:1: (top level): must be a mapping")
    problems = [f"{name}:{line_for(loc, lines)}: {msg}" for loc, msg in compare(english, data)]
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
    return validate_content(merged, lines, name), review


def _review(raw: Any, lines: dict, name: str, problems: list[str]) -> Review:
    if raw is None:
        problems.append(
            f"{name}:1: review: required but missing; add `review: {{reviewed: false}}` until a "
            "qualified translator has checked every line"
        )
        return Review(reviewed=False)
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
