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
from brochure.content import Content, load_content, locate
from brochure.documents import DOCUMENTS, DocumentSpec, Profile, select
from brochure.errors import BrochureError
from brochure.impose import impose_cards
from brochure.pdf import Renderer
from brochure.qr import qr_svg
from brochure.render import render_html

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The CMYK output condition for press files: Artifex's SWOP profile from Debian's
#: libgs-common (SWOP is the usual US offset-printing condition).
CMYK_PROFILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)


def cmyk_profile() -> Path:
    """The ICC profile press files name as their output intent, or a clear error."""
    for path in CMYK_PROFILES:
        if path.is_file():
            return path
    raise BrochureError(
        "press files need a CMYK colour profile and none was found; "
        "run `make system-deps` as root, or: apt-get install libgs-common"
    )


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


@dataclass(frozen=True)
class Project:
    """Where the inputs live: the content file's folder and the templates folder."""

    templates: Path
    content_dir: Path

    @classmethod
    def for_content(cls, content_path: Path, templates: Path | None = None) -> Project:
        """Templates: as given, else the `templates` folder beside the content file, else ours."""
        content_dir = content_path.resolve().parent
        if templates is None:
            beside = content_dir / "templates"
            templates = beside if beside.is_dir() else PROJECT_ROOT / "templates"
        if not templates.is_dir():
            raise BrochureError(f"{templates}: templates folder not found")
        return cls(templates.resolve(), content_dir)


def template_context(content: Content, profile: Profile) -> dict:
    return {
        "content": content,
        "profile": profile,
        "qr_svg": qr_svg(content.program.phone_tel, profile.qr_ink),
        "cmyk_profile_url": cmyk_profile().as_uri() if profile.name == "press" else None,
    }


class Pipeline:
    """Renders documents for one content file, sharing the renderer and each sheet's source."""

    def __init__(
        self, content: Content, content_path: Path, project: Project, profile: Profile
    ) -> None:
        self.content = content
        self.content_path = content_path
        self.project = project
        self.profile = profile
        self.context = template_context(content, profile)
        roots = [project.templates, project.content_dir, *fonts.font_dirs()]
        if profile.name == "press":
            roots.append(cmyk_profile().parent)
        self.renderer = Renderer(tuple(roots), project.templates.parent)
        self._pdfs: dict[str, bytes] = {}

    def pdf(self, spec: DocumentSpec) -> bytes:
        """The checked PDF for one document; raises BrochureError listing what is wrong."""
        if spec.name not in self._pdfs:
            if spec.made_from:
                pdf = impose_cards(self.pdf(DOCUMENTS[spec.made_from]), spec.duplex)
            else:
                pdf = self._lay_out(spec)
            check_pdf(spec, pdf, 0.0 if spec.made_from else self.profile.bleed_in)
            self._pdfs[spec.name] = pdf
        return self._pdfs[spec.name]

    def _lay_out(self, spec: DocumentSpec) -> bytes:
        html = render_html(self.project.templates, spec.template, self.context)
        source = f"{self.project.templates.name}/{spec.template}"
        document, report = self.renderer.layout(
            html, self.project.templates, source, self.profile.pdf_variant
        )
        problems = report.errors() + check_fit(spec, document)
        if not problems:
            check_page_count(spec, len(document.pages))
            pdf = self.renderer.write(document, report, self.profile.pdf_variant, spec.duplex)
            problems = report.errors() + self._glyph_problems(report.missing_glyphs())
        if problems:
            raise BrochureError([_prefixed(spec.name, p) for p in problems])
        return pdf

    def _glyph_problems(self, chars: list[str]) -> list[str]:
        """Name the content field that holds a character no font can draw."""
        problems = []
        for char in chars:
            what = f"{char!r} (U+{ord(char):04X})"
            places = locate(self.content_path, char) or [f"{self.content_path.name}"]
            problems += [
                f"{place}: the fonts have no character {what}; remove it or ask a designer "
                "to add a font that has it"
                for place in places
            ]
        return problems


def _prefixed(name: str, problem: str) -> str:
    """Say which document a layout problem is in, unless it already names a file or document."""
    first = problem.split(":", 1)[0]
    return problem if first == name or "." in first or "/" in first else f"{name}: {problem}"


def prepare(
    names: list[str],
    content_path: Path,
    project: Project | None = None,
    profile: Profile | None = None,
) -> tuple[Content, list[Output]]:
    """Render and check every requested document; report every problem found, then stop."""
    project = project or Project.for_content(content_path)
    profile = profile or Profile("office")
    content = load_content(content_path)
    specs = select(names, profile)
    pipeline = Pipeline(content, content_path, project, profile)
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
    names: list[str],
    content_path: Path,
    out_dir: Path,
    project: Project | None = None,
    profile: Profile | None = None,
) -> list[Built]:
    """Build the named documents (all when empty) into the profile's folder under OUT."""
    profile = profile or Profile("office")
    content, outputs = prepare(names, content_path, project, profile)
    folder = profile.folder(out_dir, content.language)
    built = []
    for output in outputs:
        path = folder / output.spec.filename
        try:
            write_atomically(path, output.pdf)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise BrochureError(
                f"{path}: cannot write the PDF ({reason}); check the --out folder. "
                "Files already in it were left as they were."
            ) from None
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
