"""Build documents: render, lay out, check every one, then write them all atomically.

Nothing is written unless every requested document passed its checks, so a failed build
leaves the previous PDFs exactly as they were.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from brochure import fonts
from brochure.check import check_fit, check_page_count, check_pdf
from brochure.content import Content, load_content
from brochure.documents import DOCUMENTS, DocumentSpec, select
from brochure.errors import BrochureError
from brochure.impose import impose_cards
from brochure.pdf import Renderer
from brochure.qr import qr_svg
from brochure.render import render_html

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Output:
    """One checked PDF, in memory, ready to write."""

    spec: DocumentSpec
    pdf: bytes
    seconds: float


@dataclass(frozen=True)
class Built:
    """One file written, with what the summary line reports."""

    path: Path
    pages: int
    size: int
    seconds: float


@dataclass
class Project:
    """Where the inputs live. Tests point this at a copy to break things safely."""

    root: Path = PROJECT_ROOT

    @property
    def templates(self) -> Path:
        return self.root / "templates"


def template_context(content: Content) -> dict:
    return {"content": content, "qr_svg": qr_svg(content.program.phone_tel)}


class Pipeline:
    """Renders documents for one content file, sharing the renderer and each sheet's source."""

    def __init__(self, content: Content, project: Project) -> None:
        self.content = content
        self.project = project
        self.context = template_context(content)
        self.renderer = Renderer(project.root, tuple(fonts.font_dirs()))
        self._pdfs: dict[str, bytes] = {}

    def pdf(self, spec: DocumentSpec) -> bytes:
        """The checked PDF for one document; raises BrochureError listing what is wrong."""
        if spec.name not in self._pdfs:
            if spec.made_from:
                pdf = impose_cards(self.pdf(DOCUMENTS[spec.made_from]))
            else:
                pdf = self._lay_out(spec)
            check_pdf(spec, pdf)
            self._pdfs[spec.name] = pdf
        return self._pdfs[spec.name]

    def _lay_out(self, spec: DocumentSpec) -> bytes:
        html = render_html(self.project.templates, spec.template, self.context)
        document, report = self.renderer.layout(html, self.project.templates)
        problems = report.errors() + check_fit(spec, document)
        if not problems:
            check_page_count(spec, len(document.pages))
            pdf = self.renderer.write(document, report)
            problems = report.errors()
        if problems:
            raise BrochureError([_prefixed(spec.name, p) for p in problems])
        return pdf


def _prefixed(name: str, problem: str) -> str:
    return problem if problem.startswith(f"{name}:") else f"{name}: {problem}"


def prepare(
    names: list[str], content_path: Path, project: Project | None = None
) -> tuple[Content, list[Output]]:
    """Render and check every requested document; report every problem found, then stop."""
    project = project or Project()
    content = load_content(content_path)
    specs = select(names)
    pipeline = Pipeline(content, project)
    outputs, problems = [], []
    for spec in specs:
        start = time.perf_counter()
        try:
            outputs.append(Output(spec, pipeline.pdf(spec), time.perf_counter() - start))
        except BrochureError as exc:
            problems += [line for line in exc.lines if line not in problems]
    if problems:
        raise BrochureError(problems)
    return content, outputs


def build(
    names: list[str], content_path: Path, out_dir: Path, project: Project | None = None
) -> list[Built]:
    """Build the named documents (all when empty) into OUT/<language>/."""
    content, outputs = prepare(names, content_path, project)
    folder = out_dir / content.language
    built = []
    for output in outputs:
        path = folder / output.spec.filename
        write_atomically(path, output.pdf)
        built.append(Built(path, output.spec.pages, len(output.pdf), output.seconds))
    return built


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
