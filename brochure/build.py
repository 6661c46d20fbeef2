"""Build documents: render, lay out and check every edition's documents, then write them.

Nothing is written unless every requested document passed its checks, so a failed build
leaves the previous PDFs exactly as they were. Documents render in parallel, one worker per
core, each worker keeping one renderer (fonts and caches) for all its documents.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from brochure import fonts
from brochure.catalog import render_thumbnails, thumbnail_path
from brochure.check import check_fit, check_page_count, check_pdf
from brochure.content import locate
from brochure.documents import DOCUMENTS, DocumentSpec, Profile, select
from brochure.editions import Edition, load_editions
from brochure.errors import BrochureError
from brochure.impose import impose_cards
from brochure.paths import cmyk_profile, default_templates
from brochure.pdf import Renderer, load_weasyprint
from brochure.qr import qr_svg
from brochure.render import render_html


@dataclass(frozen=True)
class Output:
    """One checked PDF, in memory, ready to write."""

    edition: str
    spec: DocumentSpec
    pdf: bytes
    seconds: float
    thumbs: tuple[bytes, ...] = ()  # PNG per page, for the catalog (office files only)


@dataclass(frozen=True)
class Built:
    """One file written, with what the summary line reports."""

    path: Path
    edition: str
    document: str
    pages: int
    size: int
    seconds: float


class BuiltFiles(list):
    """The files one build wrote (a list of Built), and the editions it loaded to make them."""

    def __init__(self, built: Iterable[Built], editions: list[Edition]) -> None:
        super().__init__(built)
        self.editions = editions


@dataclass(frozen=True)
class Project:
    """Where the inputs live: the content file's folder and the templates folder."""

    templates: Path
    content_dir: Path

    @classmethod
    def for_content(cls, content_path: Path, templates: Path | None = None) -> Project:
        """Templates: as given, else the `templates` folder beside the content file, else ours."""
        content_dir = content_path.resolve().parent
        templates = templates or default_templates(content_path)
        if not templates.is_dir():
            raise BrochureError(f"{templates}: templates folder not found")
        return cls(templates.resolve(), content_dir)


@dataclass(frozen=True)
class Job:
    """Documents of one edition rendered together: a card sheet travels with its card."""

    edition: str
    documents: tuple[str, ...]

    @property
    def weight(self) -> int:
        """Rough cost, so the slowest jobs start first."""
        return 3 if "trifold" in self.documents else 1


def template_context(edition: Edition, profile: Profile) -> dict:
    content = edition.content
    city = content.cities[edition.city] if edition.city else None
    return {
        "content": content,
        "edition": edition,
        "city": city,
        "cities": [city] if city else list(content.cities.values()),
        "profile": profile,
        "qr_svg": qr_svg(content.program.phone_tel, profile.qr_ink),
        "cmyk_profile_url": cmyk_profile().as_uri() if profile.name == "press" else None,
    }


class Pipeline:
    """Renders any edition's documents; one per process, so fonts and caches are reused."""

    def __init__(self, editions: list[Edition], project: Project, profile: Profile) -> None:
        self.editions = {edition.name: edition for edition in editions}
        self.project = project
        self.profile = profile
        roots = [project.templates, project.content_dir, *fonts.font_dirs()]
        if profile.name == "press":
            roots.append(cmyk_profile().parent)
        self.renderer = Renderer(tuple(roots), project.templates.parent)
        self._pdfs: dict[tuple[str, str], bytes] = {}

    def run(self, job: Job) -> list[Output]:
        """Every document of a job, checked; BrochureError lists all problems found."""
        outputs, problems = [], []
        for name in job.documents:
            start = time.perf_counter()
            try:
                pdf = self.pdf(self.editions[job.edition], DOCUMENTS[name])
            except BrochureError as exc:
                problems += [line for line in exc.lines if line not in problems]
                continue
            thumbs = tuple(render_thumbnails(pdf)) if self.profile.name == "office" else ()
            spec = DOCUMENTS[name]
            outputs.append(Output(job.edition, spec, pdf, time.perf_counter() - start, thumbs))
        if problems:
            raise BrochureError(problems)
        return outputs

    def pdf(self, edition: Edition, spec: DocumentSpec) -> bytes:
        key = (edition.name, spec.name)
        if key not in self._pdfs:
            if spec.made_from:
                pdf = impose_cards(self.pdf(edition, DOCUMENTS[spec.made_from]), spec.duplex)
            else:
                pdf = self._lay_out(edition, spec)
            check_pdf(spec, pdf, 0.0 if spec.made_from else self.profile.bleed_in)
            self._pdfs[key] = pdf
        return self._pdfs[key]

    def _lay_out(self, edition: Edition, spec: DocumentSpec) -> bytes:
        context = {**template_context(edition, self.profile), "document": spec}
        html = render_html(self.project.templates, spec.template, context)
        source = f"{self.project.templates.name}/{spec.template}"
        document, report = self.renderer.layout(
            html, self.project.templates, source, self.profile.pdf_variant
        )
        words = edition.sources[-1].resolve().relative_to(self.project.content_dir).as_posix()
        problems = report.errors() + check_fit(spec, document, words)
        if not problems:
            check_page_count(spec, len(document.pages))
            revised = edition.content.revised
            epoch = int(datetime(revised.year, revised.month, revised.day, tzinfo=UTC).timestamp())
            pdf = self.renderer.write(
                document, report, self.profile.pdf_variant, spec.duplex, epoch
            )
            problems = report.errors() + _glyph_problems(edition, report.missing_glyphs())
        if problems:
            label = spec.name if edition.name == "en" else f"{edition.name}: {spec.name}"
            raise BrochureError([_prefixed(label, spec.name, p) for p in problems])
        return pdf


def _glyph_problems(edition: Edition, chars: list[str]) -> list[str]:
    """Name the content field that holds a character no font can draw."""
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


def _prefixed(label: str, document: str, problem: str) -> str:
    """Say which edition and document a problem is in, unless it already names a file."""
    first = problem.split(":", 1)[0]
    if first == document:
        return f"{label}{problem[len(document) :]}"
    return problem if "." in first or "/" in first else f"{label}: {problem}"


# --- planning and running --------------------------------------------------------------------


def plan(editions: list[Edition], names: list[str], profile: Profile) -> list[Job]:
    """Jobs for the documents asked for (all when none named) in every edition that has them."""
    wanted = [spec.name for spec in select(names, profile)]
    jobs = []
    for edition in editions:
        documents = [name for name in wanted if edition.makes(name)]
        for group in _groups(documents):
            jobs.append(Job(edition.name, group))
    return sorted(jobs, key=lambda job: -job.weight)


def _groups(documents: list[str]) -> list[tuple[str, ...]]:
    """A document made from another renders in the same job as its source."""
    groups: dict[str, list[str]] = {}
    for name in documents:
        root = DOCUMENTS[name].made_from or name
        groups.setdefault(root, []).append(name)
    return [tuple(group) for group in groups.values()]


#: Per worker process: one warm pipeline per (content, project, profile), refreshed when the
#: content files change. Long-lived workers (brochure serve) keep fonts and caches warm.
_PIPELINES: dict[tuple, tuple[tuple, Pipeline]] = {}


_SOURCES: dict[tuple, set[Path]] = {}


def _content_stamp(content_path: Path) -> tuple:
    """Size and time of the content file and its translations; the list of translations is
    re-read only when the content file itself changes."""
    from brochure.incremental import edition_sources

    own = content_path.stat()
    key = (str(content_path), own.st_mtime_ns, own.st_size)
    if key not in _SOURCES:
        sources = edition_sources(content_path).values()
        _SOURCES[key] = {path for files, _ in sources for path in files}
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in _SOURCES[key]))


def pipeline_for(
    content_path: Path,
    project: Project,
    profile: Profile,
    editions: list[Edition] | None = None,
) -> Pipeline:
    """This process's pipeline for these inputs, with editions reloaded if the files changed.

    EDITIONS, when the caller has just loaded them, spare loading them again.
    """
    key = (str(content_path.resolve()), project, profile)
    try:
        stamp = _content_stamp(content_path)
    except Exception:  # unreadable: load_editions below says what is wrong
        stamp = ()
    known = _PIPELINES.get(key)
    if known is None or known[0] != stamp or not stamp:
        editions = editions if editions is not None else load_editions(content_path)
        pipeline = known[1] if known else Pipeline(editions, project, profile)
        pipeline.editions = {edition.name: edition for edition in editions}
        _PIPELINES[key] = (stamp, pipeline)
    pipeline = _PIPELINES[key][1]
    pipeline._pdfs.clear()
    return pipeline


def run_job(content_path: Path, project: Project, profile: Profile, job: Job) -> list:
    """A job in a worker process: its outputs, or the lines describing its problems."""
    try:
        return pipeline_for(content_path, project, profile).run(job)
    except BrochureError as exc:
        return exc.lines


def start_workers(count: int) -> ProcessPoolExecutor:
    """Worker processes that stay alive between builds (brochure serve). Spawned, not forked,
    because the server already runs threads."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(count, context, initializer=_start_worker, initargs=(os.getpid(),))


def _start_worker(parent: int) -> None:
    """Import WeasyPrint once, and leave as soon as the server is gone, however it ended."""
    import threading

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    load_weasyprint()


def render_all(
    content_path: Path,
    editions: list[Edition],
    jobs: list[Job],
    project: Project,
    profile: Profile,
    workers: int | None = None,
    on_done: Callable[[list[Output]], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> list[Output]:
    """Run every job, in parallel when it pays; report every problem found, then stop.

    POOL: long-lived workers to use instead of forking new ones for this build.
    """
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    outputs: list[Output] = []
    problems: list[str] = []

    def collect(result: list[Output] | list[str]) -> None:
        if result and isinstance(result[0], str):
            problems.extend(line for line in result if line not in problems)
        else:
            outputs.extend(result)
            if on_done and result:
                on_done(result)

    if pool is not None and jobs:
        futures = [pool.submit(run_job, content_path, project, profile, job) for job in jobs]
        for future in as_completed(futures):
            collect(future.result())
    elif workers <= 1:
        pipeline = pipeline_for(content_path, project, profile, editions)
        for job in jobs:
            try:
                collect(pipeline.run(job))
            except BrochureError as exc:
                collect(exc.lines)
    else:
        # Once here, so forked workers inherit WeasyPrint and the loaded editions.
        pipeline_for(content_path, project, profile, editions)
        load_weasyprint()
        with ProcessPoolExecutor(workers, multiprocessing.get_context("fork")) as forked:
            futures = [forked.submit(run_job, content_path, project, profile, j) for j in jobs]
            for future in as_completed(futures):
                collect(future.result())
    if problems:
        raise BrochureError(problems)
    order = {(job.edition, name): i for i, job in enumerate(jobs) for name in job.documents}
    return sorted(outputs, key=lambda o: order[(o.edition, o.spec.name)])


def prepare(
    names: list[str],
    content_path: Path,
    project: Project | None = None,
    profile: Profile | None = None,
    workers: int | None = 1,
    only: Iterable[tuple[str, str]] | None = None,
    on_done: Callable[[list[Output]], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> tuple[list[Edition], list[Output]]:
    """Render and check the requested documents of every edition (or only the ONLY pairs)."""
    project = project or Project.for_content(content_path)
    profile = profile or Profile("office")
    editions = load_editions(content_path)
    jobs = plan(editions, names, profile)
    if only is not None:
        keep = set(only)
        jobs = [j for j in jobs if any((j.edition, d) in keep for d in j.documents)]
    outputs = render_all(content_path, editions, jobs, project, profile, workers, on_done, pool)
    if only is not None:
        outputs = [o for o in outputs if (o.edition, o.spec.name) in keep]
    return editions, outputs


def build(
    names: list[str],
    content_path: Path,
    out_dir: Path,
    project: Project | None = None,
    profile: Profile | None = None,
    workers: int | None = 1,
    only: Iterable[tuple[str, str]] | None = None,
    on_done: Callable[[list[Output]], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> BuiltFiles:
    """Build the requested documents of every edition into the profile's folders under OUT."""
    profile = profile or Profile("office")
    editions, outputs = prepare(names, content_path, project, profile, workers, only, on_done, pool)
    built = []
    for output in outputs:
        path = output_path(out_dir, profile, output.edition, output.spec.name)
        try:
            write_atomically(path, output.pdf)
            for number, picture in enumerate(output.thumbs, start=1):
                thumb = thumbnail_path(out_dir, output.edition, output.spec.name, number)
                write_atomically(thumb, picture)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise BrochureError(
                f"{path}: cannot write the PDF ({reason}); check the --out folder. "
                "Files already in it were left as they were."
            ) from None
        built.append(
            Built(
                path,
                output.edition,
                output.spec.name,
                output.spec.pages,
                len(output.pdf),
                output.seconds,
            )
        )
    return BuiltFiles(built, editions)


def output_path(out_dir: Path, profile: Profile, edition: str, document: str) -> Path:
    return profile.folder(out_dir, edition) / DOCUMENTS[document].filename


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
