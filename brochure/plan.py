"""Which editions exist, which documents each makes, which files each reads, and where each
output goes. Cheap: YAML only, no validation of the words and no WeasyPrint, so the no-op
rebuild check and the full load follow the same rules from the same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from brochure.documents import DOCUMENTS, DocumentSpec
from brochure.errors import BrochureError
from brochure.review import records_path
from brochure.source import confined_file, read_yaml

#: A city edition makes the documents whose words differ by city (their spec reads `cities`:
#: the tri-fold's back panel carries one city's paragraph).
CITY_DOCUMENTS = tuple(spec.name for spec in DOCUMENTS.values() if spec.per_city)


@dataclass(frozen=True)
class EditionPlan:
    """One set of handouts: a language, and for city tri-folds, a city."""

    name: str  # folder under build/: "en", "es", "pt-BR", "en-worcester"
    language: str
    sources: tuple[Path, ...]  # the files its words come from: content.yml, then a translation
    city: str | None = None
    documents: tuple[str, ...] | None = None  # None: every document

    def makes(self, document: str) -> bool:
        return self.documents is None or document in self.documents

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file that decides the edition's pages: its words, and for a translation the
        review records (they decide the draft mark), whether or not they exist yet."""
        if len(self.sources) < 2:
            return self.sources
        return (*self.sources, records_path(self.sources[-1]))


def edition_plans(
    content: Path, language: str, translations: Mapping[str, Path], cities: Iterable[str]
) -> list[EditionPlan]:
    """The rules, once: one edition per language (content.yml's own first), then one tri-fold
    per city in every language. TRANSLATIONS maps a language to its (confined) file."""
    languages = [EditionPlan(language, language, (content,))]
    languages += [EditionPlan(code, code, (content, path)) for code, path in translations.items()]
    plans = list(languages)
    for city in cities:
        plans += [
            EditionPlan(f"{base.name}-{city}", base.language, base.sources, city, CITY_DOCUMENTS)
            for base in languages
        ]
    return plans


def translation_path(content: Path, language: str, relative: object, line: int) -> Path:
    """A translation file named in content.yml, checked to be a readable file inside the
    project before anything reads it."""
    return confined_file(
        content.resolve().parent, relative, f"{content.name}:{line}", f"translations.{language}"
    )


def quick_plan(content: Path) -> list[EditionPlan] | None:
    """The editions as content.yml describes them, read without validating the words.

    None when the file cannot be read this way: the full load then says exactly what is wrong.
    """
    try:
        data, lines = read_yaml(content)
        if not isinstance(data, dict):
            return None
        language = data.get("language")
        translations = data.get("translations") or {}
        cities = data.get("city_editions") or []
        if not isinstance(language, str) or not isinstance(translations, dict):
            return None
        if not isinstance(cities, list) or not all(isinstance(c, str) for c in cities):
            return None
        if not set(cities) <= set(data.get("cities") or {}):
            return None
        paths = {
            str(code): translation_path(
                content, str(code), relative, lines.get(("translations", str(code)), 1)
            )
            for code, relative in translations.items()
        }
    except BrochureError:
        return None
    return edition_plans(content, language, paths, cities)


@dataclass(frozen=True)
class Target:
    """One file a build would write: which edition, which document, where."""

    edition: EditionPlan
    spec: DocumentSpec
    path: Path

    @property
    def pair(self) -> tuple[str, str]:
        return (self.edition.name, self.spec.name)
