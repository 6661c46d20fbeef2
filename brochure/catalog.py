"""build/index.html: the page front-desk staff open to find and print the right handout.

Plain HTML and CSS, opened straight from the file system: no server, no network, no scripts.
Each document shows a thumbnail of every page, its size and page count, exactly how to
print it, and its reading grade with a green or amber mark (brochure/words.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import jinja2

from brochure.documents import DOCUMENTS, OFFICE, DocumentSpec, pages_of, thumbnail_path
from brochure.editions import Edition
from brochure.words import Grade, WordsReport

TEMPLATE = Path(__file__).with_name("catalog.html.j2")
THUMB_WIDTH = 320  # pixels: sharp on a phone, small on disk

#: How staff know each language (catalog only; the handouts carry their own words).
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish (español)",
    "pt-BR": "Brazilian Portuguese (português do Brasil)",
    "ht": "Haitian Creole (Kreyòl ayisyen)",
    "vi": "Vietnamese (Tiếng Việt)",
    "ar": "Arabic (العربية)",
    "ne": "Nepali (नेपाली)",
    "zh-Hant": "Chinese, Traditional (繁體中文)",
    "zh-Hans": "Chinese, Simplified (简体中文)",
    "sq": "Albanian (Shqip)",
}


@dataclass(frozen=True)
class Entry:
    """One PDF as the catalog shows it."""

    spec: DocumentSpec
    href: str
    pages: int
    size_kb: int
    thumbs: list[tuple[str, str]]  # (src, alt)
    grade: Grade | None = None  # the handout's reading level, over all its sections
    #: Its hardest section and that section's level, when it is above the limit.
    hardest: tuple[str, Grade] | None = None
    easy: bool | None = (
        None  # every section within the limit (green), not (amber), None: not measured
    )


@dataclass(frozen=True)
class Group:
    heading: str
    entries: list[Entry]
    draft: bool
    code: str = ""  # the edition code printed on these handouts (Edition.code)
    city: bool = False  # a city's tri-fold: its code has a city part


def catalog_files(
    out_dir: Path,
    editions: list[Edition],
    pending: dict[Path, bytes],
    words: WordsReport | None = None,
) -> list[tuple[Path, bytes]]:
    """index.html, plus thumbnails of PDFs already in the folder that lack them (deleted by
    hand). PENDING are files this build is about to write: they count as there. WORDS: the
    words check, for each handout's reading grade: green when every section of it is within
    the limit, amber when one is not."""
    grades = words.documents if words else {}
    max_grade = words.max_grade if words else 8.0
    office = OFFICE
    files: list[tuple[Path, bytes]] = []
    sections = []
    for language in dict.fromkeys(e.language for e in editions):
        groups = []
        for edition in (e for e in editions if e.language == language):
            entries = []
            for spec in DOCUMENTS.values():
                pdf = office.output_path(out_dir, edition.name, spec.name)
                if edition.makes(spec.name) and (pdf in pending or pdf.exists()):
                    entry = _entry(out_dir, edition, spec, pending, files)
                    key = (edition.name, spec.made_from or spec.name)
                    level = grades.get(key)
                    if level is not None and words is not None:
                        hardest = words.hardest.get(key)
                        easy = level.within(max_grade)
                        if hardest and not hardest[1].within(max_grade):
                            easy = False
                        else:
                            hardest = None
                        entry = replace(entry, grade=level, easy=easy, hardest=hardest)
                    entries.append(entry)
            if entries:
                city = edition.content.cities[edition.city].name if edition.city else None
                heading = f"{city} tri-fold" if city else "All handouts"
                groups.append(
                    Group(heading, entries, edition.draft, edition.code, bool(edition.city))
                )
        if groups:
            first = next(e for e in editions if e.language == language)
            review = first.review.summary() if first.review.states else ""
            sections.append((LANGUAGE_NAMES.get(language, language), language, groups, review))
    html = (
        _environment()
        .get_template(TEMPLATE.name)
        .render(
            sections=sections,
            program=editions[0].content.program,
            cards=_cards_entry(out_dir, pending),
            max_grade=max_grade,
            generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        )
    )
    return [*files, (out_dir / "index.html", html.encode())]


def _cards_entry(out_dir: Path, pending: dict[Path, bytes]) -> dict | None:
    """The outreach workers' cards (`brochure cards`), when they are there: one line."""
    combined = out_dir / "cards" / "all-cards.pdf"
    data = pending.get(combined)
    if data is None and not combined.is_file():
        return None
    size = len(data) if data is not None else combined.stat().st_size
    folder = combined.parent
    workers = {p for p in pending if p.parent == folder} | set(folder.glob("*.pdf"))
    return {
        "href": combined.relative_to(out_dir).as_posix(),
        "size_kb": max(1, round(size / 1024)),
        "workers": len(workers - {combined}),
    }


def _entry(
    out_dir: Path,
    edition: Edition,
    spec: DocumentSpec,
    pending: dict[Path, bytes],
    files: list[tuple[Path, bytes]],
) -> Entry:
    pdf = OFFICE.output_path(out_dir, edition.name, spec.name)
    data = pending.get(pdf)
    size = len(data) if data is not None else pdf.stat().st_size
    pages = pages_of(spec, data if data is not None else pdf)
    paths = [thumbnail_path(out_dir, edition.name, spec.name, n) for n in range(1, pages + 1)]
    if not all(p in pending or (data is None and _newer(p, pdf)) for p in paths):
        pictures = render_thumbnails(data if data is not None else pdf.read_bytes())
        files += list(zip(paths, pictures, strict=False))
    language = LANGUAGE_NAMES.get(edition.language, edition.language)
    thumbs = [
        (
            path.relative_to(out_dir).as_posix(),
            f"{spec.title}, page {n} of {pages} ({language})",
        )
        for n, path in enumerate(paths, start=1)
    ]
    return Entry(
        spec,
        pdf.relative_to(out_dir).as_posix(),
        pages,
        max(1, round(size / 1024)),
        thumbs,
    )


def _newer(thumbnail: Path, pdf: Path) -> bool:
    """A thumbnail is current when it exists and is no older than its PDF."""
    try:
        return thumbnail.stat().st_mtime_ns >= pdf.stat().st_mtime_ns
    except OSError:
        return False


def render_thumbnails(pdf: bytes) -> list[bytes]:
    """PNG bytes of every page, THUMB_WIDTH pixels wide. Workers call this next to the PDF."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pictures = []
        for page in document:
            image = page.render(scale=THUMB_WIDTH / page.get_width()).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            pictures.append(buffer.getvalue())
        return pictures
    finally:
        document.close()


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
