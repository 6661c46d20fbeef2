"""Build documents: render, lay out, check, then write each PDF atomically."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from brochure import fonts
from brochure.check import check_fit, check_page_count, check_pdf
from brochure.content import Content, load_content
from brochure.documents import DocumentSpec, select
from brochure.errors import BrochureError
from brochure.impose import impose_cards
from brochure.pdf import Renderer
from brochure.qr import qr_svg
from brochure.render import render_html

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Built:
    """One file written, with what the summary line reports."""

    path: Path
    pages: int
    size: int
    seconds: float
    warnings: tuple[str, ...] = ()


@dataclass
class Project:
    """Where the inputs live. Tests point this at a copy to break things safely."""

    root: Path = PROJECT_ROOT

    @property
    def templates(self) -> Path:
        return self.root / "templates"


def template_context(content: Content) -> dict:
    return {"content": content, "qr_svg": qr_svg(content.program.phone_tel)}


def make_pdfs(
    content: Content, specs: list[DocumentSpec], project: Project, renderer: Renderer
) -> Iterator[tuple[DocumentSpec, bytes, float, list[str]]]:
    """Yield each document's checked PDF bytes, rendering a sheet's source at most once."""
    made: dict[str, bytes] = {}
    context = template_context(content)

    def laid_out(spec: DocumentSpec) -> tuple[bytes, list[str]]:
        html = render_html(project.templates, spec.template, context)
        document, warnings = renderer.layout(html, project.templates)
        problems = check_fit(spec, document)
        if problems:
            raise BrochureError(problems)
        check_page_count(spec, len(document.pages))
        return renderer.write(document), warnings

    for spec in specs:
        start = time.perf_counter()
        warnings: list[str] = []
        if spec.made_from:
            from brochure.documents import DOCUMENTS

            source = DOCUMENTS[spec.made_from]
            if source.name not in made:
                made[source.name], warnings = laid_out(source)
            pdf = impose_cards(made[source.name])
        else:
            pdf, warnings = laid_out(spec)
            made[spec.name] = pdf
        check_pdf(spec, pdf)
        yield spec, pdf, time.perf_counter() - start, warnings


def build(
    names: list[str],
    content_path: Path,
    out_dir: Path,
    project: Project | None = None,
) -> Iterator[Built]:
    """Build the named documents (all when empty) into OUT/<language>/, one file at a time."""
    project = project or Project()
    content = load_content(content_path)
    specs = select(names)
    renderer = Renderer(project.root, tuple(fonts.font_dirs()))
    edition_dir = out_dir / content.language
    for spec, pdf, seconds, warnings in make_pdfs(content, specs, project, renderer):
        path = edition_dir / spec.filename
        write_atomically(path, pdf)
        yield Built(path, spec.pages, len(pdf), seconds, tuple(warnings))


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename into place: a reader never sees half a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private; handouts are for everyone to print
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
