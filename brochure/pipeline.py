"""One PDF, start to end: template context -> HTML (Jinja) -> pages (WeasyPrint) -> fit and
page checks -> PDF bytes -> read back and checked. A card sheet is imposed from its card.

A worker process keeps one Pipeline for all its jobs, so fonts and compiled templates stay
warm; the image cache lives for one build only, so a changed picture is never served stale.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from brochure import fonts
from brochure.catalog import render_thumbnails
from brochure.check import check_fit, check_ink, check_page_count, check_pdf, fine_print
from brochure.content import locate
from brochure.documents import DOCUMENTS, DocumentSpec, Profile
from brochure.editions import Edition
from brochure.errors import BrochureError
from brochure.impose import impose_cards
from brochure.incremental import hash_file
from brochure.inks import measure
from brochure.legibility import Legibility
from brochure.legibility import measure as measure_legibility
from brochure.marks import add_proof_marks
from brochure.paths import cmyk_profile
from brochure.pdf import Renderer
from brochure.qr import qr_svg
from brochure.render import ContentView, render_html, templates_used


@dataclass(frozen=True)
class Settings:
    """What every job of one build shares. Picklable, so spawned workers receive it too."""

    templates: Path
    project_dir: Path
    profile: Profile
    build_id: str  # a new build: caches of file contents start empty
    #: Thumbnails for the catalog, made next to each PDF. A partial build (serve's first pass)
    #: skips them: the full pass after it makes the missing and outdated ones.
    thumbnails: bool = True

    @property
    def renderer_key(self) -> tuple:
        """What a warm renderer depends on: the folders it may read and the profile."""
        return (self.templates, self.project_dir, self.profile)


@dataclass(frozen=True)
class Job:
    """Documents of one edition rendered together: a card sheet travels with its card."""

    edition: Edition
    documents: tuple[str, ...]
    settings: Settings

    @property
    def weight(self) -> int:
        """Rough cost, so the slowest jobs start first."""
        return sum(DOCUMENTS[name].weight for name in self.documents)


@dataclass(frozen=True)
class Rendered:
    """One checked PDF, in memory, ready to write."""

    edition: str
    spec: DocumentSpec
    pdf: bytes
    seconds: float
    thumbs: tuple[bytes, ...] = ()  # PNG per page, for the catalog
    pages: int = 0  # as laid out (large print's count follows its words)
    #: Every file the document was made from, with the SHA-256 of what was read: templates,
    #: stylesheets, images, fonts loaded by CSS. The incremental check re-hashes these.
    reads: tuple[tuple[str, str], ...] = ()
    #: Press files: the most ink at one spot of each page, in per cent (C+M+Y+K).
    ink: tuple[float, ...] = ()
    #: Documents laid out from a template: smallest type, body size, lowest contrast, the
    #: phone number's size, as printed (brochure/legibility.py). None for the card sheet,
    #: which is its card placed ten times.
    legibility: Legibility | None = None
    #: Problems that do not stop the build, each said once by whoever prints the report.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobResult:
    """What a worker sends back: the PDFs it made, or every problem it found."""

    job_documents: tuple[tuple[str, str], ...]
    rendered: tuple[Rendered, ...] = ()
    problems: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()  # files the failed documents tried to read


def template_context(edition: Edition, spec: DocumentSpec, profile: Profile) -> dict:
    """What a template can use: the words, the edition, the document's geometry, the QR code.

    `qr_svg(description)` draws the QR code; the template words its description (the SVG's
    <title>, which becomes the PDF Figure's /Alt that a screen reader speaks).
    """
    content = edition.content
    city = content.cities[edition.city] if edition.city else None
    places = {"city": city, "cities": [city] if city else list(content.cities.values())}
    return {
        "content": ContentView(content, spec.name, spec.reads),
        "edition": edition,
        "speakers": Tracked(edition.speakers),
        **(places if spec.per_city else {}),
        "profile": profile,
        "document": spec,
        "qr_svg": partial(qr_svg, content.program.phone_tel, profile.qr_ink),
        "cmyk_profile_url": cmyk_profile().as_uri() if profile.colour_profile else None,
    }


class Tracked(tuple):
    """The "we speak your language" lines, noting whether the template looked at them. If it
    did, every language's translation and review records are inputs of the document (one
    language's review adds or removes its line), so the incremental build re-hashes them."""

    used = False

    def __len__(self) -> int:
        self.used = True
        return super().__len__()

    def __iter__(self):
        self.used = True
        return super().__iter__()


@dataclass
class Pipeline:
    """Makes any edition's documents for one build's settings."""

    settings: Settings
    renderer: Renderer = field(init=False)
    #: Content files hashed in this build (by the renderer's build id): the "we speak your
    #: language" inputs are the same translation files for every document.
    _hashed: tuple[str, dict[str, str]] = field(init=False, default=("", {}))

    def __post_init__(self) -> None:
        roots = [self.settings.templates, self.settings.project_dir, *fonts.font_dirs()]
        if self.settings.profile.colour_profile:
            roots.append(cmyk_profile().parent)
        self.renderer = Renderer(tuple(roots), self.settings.templates.parent)

    def hash_once(self, path: Path) -> str:
        """SHA-256 of a content file, read once per build in this worker, not per document.
        Taken before the first render that uses it: a later edit shows as a change."""
        build, known = self._hashed
        if build != self.renderer.build_id:
            known = {}
            self._hashed = (self.renderer.build_id, known)
        key = str(path.resolve())
        if key not in known:
            known[key] = hash_file(path)
        return known[key]

    def run(self, job: Job) -> JobResult:
        """Every document of a job, checked; problems are collected, never raised."""
        made: dict[str, Rendered] = {}
        problems: list[str] = []
        tried: list[str] = []
        pairs = tuple((job.edition.name, name) for name in job.documents)
        for name in job.documents:
            try:
                made[name] = self.make(job.edition, DOCUMENTS[name], made)
            except BrochureError as exc:
                problems += [line for line in exc.lines if line not in problems]
                tried += exc.tried
        if problems:
            return JobResult(pairs, problems=tuple(problems), tried=tuple(tried))
        return JobResult(pairs, rendered=tuple(made[name] for name in job.documents))

    def make(self, edition: Edition, spec: DocumentSpec, made: dict[str, Rendered]) -> Rendered:
        start = time.perf_counter()
        profile = self.settings.profile
        spec = spec.for_direction(edition.direction)
        fine: frozenset[tuple[int, str]] = frozenset()
        if spec.made_from:
            card = made.get(spec.made_from) or self.make(edition, DOCUMENTS[spec.made_from], made)
            made[spec.made_from] = card
            pdf, reads = impose_cards(card.pdf, spec.duplex), card.reads
        else:
            pdf, reads, fine = self.lay_out(edition, spec)
            if profile.proof:
                pdf = add_proof_marks(pdf, spec, profile.bleed_in)
        if spec.made_from:
            pages = check_pdf(spec, pdf)
        else:
            pages = check_pdf(spec, pdf, profile.bleed_in, profile.slug_in)
        ink = self.check_ink(edition, spec, pdf)
        legibility = None if spec.made_from else self.check_legibility(edition, spec, pdf, fine)
        warnings = legibility.warnings if legibility else ()
        thumbs = tuple(render_thumbnails(pdf)) if self.settings.thumbnails else ()
        seconds = time.perf_counter() - start
        return Rendered(
            edition.name, spec, pdf, seconds, thumbs, pages, reads, ink, legibility, warnings
        )

    def check_legibility(
        self,
        edition: Edition,
        spec: DocumentSpec,
        pdf: bytes,
        fine: frozenset[tuple[int, str]] = frozenset(),
    ) -> Legibility:
        """Type sizes, contrast and the phone number, read from the finished pages. FINE: the
        texts the template marks as fine print (the edition code), by page."""
        content = edition.content
        checks = content.checks
        if spec.min_body_pt and spec.min_body_pt > checks.min_body_pt:
            checks = checks.model_copy(update={"min_body_pt": spec.min_body_pt})
        labels = frozenset({content.draft_band})
        digits = content.program.phone_digits
        found = measure_legibility(pdf, digits, checks, labels, fine)
        label = _label(edition, spec)
        if found.errors:
            raise BrochureError([f"{label}: {problem}" for problem in found.errors])
        return Legibility(
            **{
                **found.__dict__,
                "warnings": tuple(f"{label}: {w}" for w in found.warnings),
            }
        )

    def check_ink(self, edition: Edition, spec: DocumentSpec, pdf: bytes) -> tuple[float, ...]:
        """Press files: every colour CMYK, no spot over the ink limit; each page's most ink."""
        limit = self.settings.profile.rules.ink_limit
        if limit is None:
            return ()
        pages = measure(pdf)
        problems = check_ink(spec, pages, limit)
        if problems:
            label = _label(edition, spec)
            raise BrochureError([_prefixed(label, spec.name, p) for p in problems])
        return tuple(page.coverage for page in pages)

    def lay_out(
        self, edition: Edition, spec: DocumentSpec, extra: dict | None = None
    ) -> tuple[bytes, tuple, frozenset[tuple[int, str]]]:
        """HTML from the template, pages from WeasyPrint, and every check on the way. EXTRA
        joins the template context (a worker's card: `worker`). Returns the PDF, the files it
        was made from, and the fine print the template marks (for the legibility check)."""
        templates = self.settings.templates
        before = _stat_folder(templates)  # taken first: an edit during the render is a change
        # Hashed before the render, like the templates: an edit during it is a change.
        languages = {
            str(p.resolve()): self.hash_once(p) for s in edition.all_speakers for p in s.files
        }
        context = template_context(edition, spec, self.settings.profile) | (extra or {})
        html = render_html(templates, spec.template, context)
        source = f"{templates.name}/{spec.template}"
        variant = self.settings.profile.pdf_variant
        document, report = self.renderer.layout(html, templates, source, variant)
        words = edition.sources[-1].resolve().relative_to(self.settings.project_dir).as_posix()
        fine, fine_problems = fine_print(document)
        problems = report.errors() + check_fit(spec, document, words) + fine_problems
        if not problems:
            check_page_count(spec, len(document.pages))
            revised = edition.content.revised
            epoch = int(datetime(revised.year, revised.month, revised.day, tzinfo=UTC).timestamp())
            pdf = self.renderer.write(document, report, variant, spec.duplex, epoch)
            problems = report.errors() + _glyph_problems(edition, report.missing_glyphs())
        if problems:
            label = _label(edition, spec)
            error = BrochureError([_prefixed(label, spec.name, p) for p in problems])
            error.tried = tuple(report.fetched.local_paths())
            raise error
        reads = {
            str(templates / name): _hash_if_unchanged(templates / name, before.get(name))
            for name in templates_used(templates)
        }
        reads.update(report.fetched.hashes)
        if context["speakers"].used:
            reads.update(languages)
        return pdf, tuple(sorted(reads.items())), fine


def _stat_folder(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and time of every template file, by name: cheap, whatever else lies there."""
    found = {}
    for path in folder.rglob("*"):
        try:
            info = path.stat()
        except OSError:
            continue
        found[path.relative_to(folder).as_posix()] = (info.st_mtime_ns, info.st_size)
    return found


def _hash_if_unchanged(path: Path, before: tuple[int, int] | None) -> str:
    """SHA-256 of a template the render used, or a mark that forces a rebuild next time if it
    changed while the render ran (only used templates are read: never a stray big file)."""
    try:
        info = path.stat()
    except OSError:
        return "missing"
    if before != (info.st_mtime_ns, info.st_size):
        return "changed during the build"
    return hash_file(path)


def _glyph_problems(edition: Edition, chars: list[str]) -> list[str]:
    """Name the content field that holds a character no font can draw. Without the Chinese
    font every Han character is missing: say so once, with the command that installs it."""
    if not fonts.cjk_installed() and any(_han(c) for c in chars):
        # The same line from every document (the build prints it once): the files with
        # Chinese in them, and the command. Other editions print Chinese too, in their "we
        # speak your language" list.
        files = dict.fromkeys([*edition.sources, *(s.files[0] for s in edition.all_speakers)])
        chinese = [f for f in files if any(_han(c) for c in f.read_text(encoding="utf-8"))]
        where = ", ".join(sorted(_shown_path(f, edition.sources[0].parent) for f in chinese))
        return [
            f"{where}: Chinese text, but the Chinese font is not installed; run "
            f"`make system-deps` as root (Debian package {fonts.CJK_PACKAGE})"
        ]
    problems = []
    for char in chars:
        what = f"{char!r} (U+{ord(char):04X})"
        places = [p for source in edition.sources for p in locate(source, char)]
        problems += [
            f"{place}: the fonts have no character {what}; remove it or ask a designer "
            "to add a font that has it"
            for place in places or [edition.sources[-1].name]
        ]
    return problems


def _shown_path(path: Path, project: Path) -> str:
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path.name


def _han(char: str) -> bool:
    """A Chinese character or CJK punctuation (what Noto Sans CJK draws)."""
    return unicodedata.name(char, "").startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC"))


def _label(edition: Edition, spec: DocumentSpec) -> str:
    """What messages call a document: its name, with the edition's unless it is English."""
    return spec.name if edition.name == "en" else f"{edition.name}: {spec.name}"


def _prefixed(label: str, document: str, problem: str) -> str:
    """Say which edition and document a problem is in, unless it already names a file."""
    first = problem.split(":", 1)[0]
    if first == document:
        return f"{label}{problem[len(document) :]}"
    return problem if "." in first or "/" in first else f"{label}: {problem}"
