"""build/index.html: the page front-desk staff open to find and print the right handout.

Plain HTML and CSS, opened straight from the file system: no server, no network, no scripts.
Each document shows a thumbnail of every page, its size and page count, and exactly how to
print it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from brochure.documents import DOCUMENTS, DocumentSpec
from brochure.editions import Edition

TEMPLATE = Path(__file__).with_name("catalog.html.j2")
THUMB_WIDTH = 320  # pixels: sharp on a phone, small on disk

#: How staff know each language (catalog only; the handouts carry their own words).
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish (español)",
    "pt-BR": "Brazilian Portuguese (português do Brasil)",
    "ht": "Haitian Creole (kreyòl ayisyen)",
    "vi": "Vietnamese (tiếng Việt)",
    "ne": "Nepali (नेपाली)",
}


@dataclass(frozen=True)
class Entry:
    """One PDF as the catalog shows it."""

    spec: DocumentSpec
    href: str
    pages: int
    size_kb: int
    thumbs: list[tuple[str, str]]  # (src, alt)


@dataclass(frozen=True)
class Group:
    heading: str
    entries: list[Entry]
    draft: bool


def write_catalog(out_dir: Path, editions: list[Edition]) -> Path:
    """Write out_dir/index.html (and any missing or stale thumbnails) for the office files."""
    sections = []
    for language in dict.fromkeys(e.language for e in editions):
        groups = []
        for edition in (e for e in editions if e.language == language):
            entries = [
                _entry(out_dir, edition, spec)
                for spec in DOCUMENTS.values()
                if edition.makes(spec.name) and (out_dir / edition.name / spec.filename).exists()
            ]
            if entries:
                city = edition.content.cities[edition.city].name if edition.city else None
                heading = f"{city} tri-fold" if city else "All handouts"
                groups.append(Group(heading, entries, edition.draft))
        if groups:
            sections.append((LANGUAGE_NAMES.get(language, language), language, groups))
    html = (
        _environment()
        .get_template(TEMPLATE.name)
        .render(
            sections=sections,
            program=editions[0].content.program,
            generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        )
    )
    index = out_dir / "index.html"
    tmp = index.with_name(f".index.html.{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(index)
    return index


def _entry(out_dir: Path, edition: Edition, spec: DocumentSpec) -> Entry:
    pdf = out_dir / edition.name / spec.filename
    thumbs = []
    language = LANGUAGE_NAMES.get(edition.language, edition.language)
    pictures = thumbnails(pdf, out_dir / "thumbs" / edition.name, spec.pages)
    for number, thumb in enumerate(pictures, start=1):
        alt = f"{spec.title}, page {number} of {spec.pages} ({language})"
        thumbs.append((thumb.relative_to(out_dir).as_posix(), alt))
    return Entry(
        spec,
        pdf.relative_to(out_dir).as_posix(),
        spec.pages,
        max(1, round(pdf.stat().st_size / 1024)),
        thumbs,
    )


def thumbnail_path(out_dir: Path, edition: str, document: str, number: int) -> Path:
    return out_dir / "thumbs" / edition / f"{document}-{number}.png"


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


def thumbnails(pdf: Path, folder: Path, pages: int) -> list[Path]:
    """One PNG per page, rendered here only when missing or older than the PDF."""
    paths = [folder / f"{pdf.stem}-{number}.png" for number in range(1, pages + 1)]
    stamp = pdf.stat().st_mtime_ns
    if all(p.exists() and p.stat().st_mtime_ns >= stamp for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    for path, picture in zip(paths, render_thumbnails(pdf.read_bytes()), strict=False):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(picture)
        tmp.replace(path)
    return paths


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
