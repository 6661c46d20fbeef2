"""Build: what happens to every PDF, in order.

1. Plan: which editions exist and which file each output goes to (plan.py; YAML only).
2. Lock the output folder, so two builds never write into it at once.
3. Skip what is up to date: every input of an output hashed against the state file
   (incremental.py). Nothing heavy is imported when all is up to date.
4. Load and validate the words of every edition (content.py, editions.py): all problems at once.
   Read them as a reviewer would (words.py: reading level, stigma words, abbreviations), once
   for all editions, so each warning is said once.
5. Render each stale document in parallel workers (workers.py -> pipeline.py: Jinja, WeasyPrint,
   fit and page checks, PDF read back, legibility measured on the pages, card sheet imposed).
   Any problem anywhere: stop here, nothing has been written.
6. Publish: every PDF, thumbnail and the catalog written to temporary names, then renamed
   into place (output.py); then the state file records what was written, from what.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.documents import DOCUMENTS, pages_of, thumbnail_path
from brochure.errors import BrochureError
from brochure.incremental import State, hash_file
from brochure.options import BuildOptions
from brochure.output import output_lock, publish, remove, remove_leftovers
from brochure.plan import EditionPlan, Target, quick_plan

if TYPE_CHECKING:  # the heavy modules load only once something must be built (step 4 on)
    from brochure.editions import Edition
    from brochure.pipeline import JobResult, Rendered
    from brochure.words import WordsReport


@dataclass(frozen=True)
class Built:
    """One file written, with what the summary line reports."""

    path: Path
    edition: str
    document: str
    pages: int
    size: int
    seconds: float


@dataclass
class BuildReport:
    """What one build did: files written, files skipped as up to date, editions loaded."""

    built: list[Built] = field(default_factory=list)
    skipped: int = 0
    editions: list[Edition] = field(default_factory=list)  # empty when nothing was loaded
    removed: list[Path] = field(default_factory=list)  # PDFs of editions no longer in content
    words: WordsReport | None = None  # the words check, when the words were loaded
    #: Warnings of the words check and of the rendered pages, each once.
    warnings: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return not self.built and not self.editions


@dataclass
class Listener:
    """What the caller hears during a build (all optional)."""

    started: Callable[[int], None] = lambda count: None  # documents about to render
    rendered: Callable[[Rendered], None] = lambda rendered: None  # one checked, not yet written
    waiting: Callable[[str], None] = lambda message: None  # another build holds the folder


def build(
    options: BuildOptions, listener: Listener | None = None, pool: Executor | None = None
) -> BuildReport:
    """Build what is stale (everything with options.force) into options.out."""
    listener = listener or Listener()
    plans = quick_plan(options.content)
    with output_lock(options.out, listener.waiting):
        remove_leftovers(options.out)
        state = State.read(options.out, options.profile, options.templates)
        wanted = targets(options, plans) if plans is not None else None
        todo = wanted if options.force or wanted is None else state.stale(wanted)
        catalog_stale = options.profile.catalog and not (
            state.catalog_current
            and (options.out / "index.html").exists()
            and all(_thumbnails_exist(options.out, t) for t in wanted or [])
        )
        if plans is not None and options.only is None:
            state.removals = state.orphans(options.profile, {plan.name for plan in plans})
        if (
            wanted is not None
            and not todo
            and not state.removals
            and (not catalog_stale or options.only is not None)
        ):
            return BuildReport(skipped=len(wanted))
        from brochure.editions import load_editions  # pydantic and friends: only from here on

        sources = _hash_sources(plans)  # before loading: an edit during the build is a change
        needed = {t.edition.language for t in todo} if options.only is not None else None
        editions = load_editions(options.content, needed)
        if wanted is None:  # the quick plan could not read the file, but the full load could
            plans = [edition.plan for edition in editions]
            wanted = todo = targets(options, plans)
            sources = _hash_sources(plans)
        words = read_words(options, editions)
        rendered = render(options, editions, {t.pair for t in todo}, listener, pool, words)
        state.sources = sources
        report = _publish(options, state, editions, wanted, rendered, words)
        report.words = words
        report.warnings = warnings_of(words, rendered)
        return report


@dataclass
class CheckReport:
    """What `brochure check` found: the editions, every document rendered, the words check."""

    editions: list[Edition]
    rendered: list[Rendered]
    words: WordsReport
    warnings: list[str]


def check(
    options: BuildOptions, listener: Listener | None = None, pool: Executor | None = None
) -> tuple[list[Edition], list[Rendered]]:
    """Everything a build does except writing: every problem is reported, nothing is written."""
    report = check_report(options, listener, pool)
    return report.editions, report.rendered


def check_report(
    options: BuildOptions, listener: Listener | None = None, pool: Executor | None = None
) -> CheckReport:
    """check(), with the words check and every warning (each once)."""
    from brochure.editions import load_editions

    editions = load_editions(options.content)
    wanted = {t.pair for t in targets(options, [e.plan for e in editions])}
    words = read_words(options, editions)
    rendered = render(options, editions, wanted, listener or Listener(), pool, words)
    return CheckReport(editions, rendered, words, warnings_of(words, rendered))


def read_words(options: BuildOptions, editions: list[Edition]) -> WordsReport:
    """The words check of the documents asked for (the card sheet's words are its card's)."""
    from brochure.words import check_words

    documents = tuple(dict.fromkeys(spec.made_from or spec.name for spec in options.specs))
    return check_words(editions, documents)


def warnings_of(words: WordsReport | None, rendered: list[Rendered]) -> list[str]:
    """Every warning once: the words check's, then the pages' (the same words in a city
    tri-fold, or a worker's report, said once)."""
    found = [*(words.warnings if words else []), *(w for r in rendered for w in r.warnings)]
    return list(dict.fromkeys(found))


def targets(options: BuildOptions, plans: list[EditionPlan]) -> list[Target]:
    """Every file the options ask for, in build order: edition by edition."""
    found = []
    for plan in plans:
        for spec in options.specs:
            if not plan.makes(spec.name):
                continue
            target = Target(
                plan, spec, options.profile.output_path(options.out, plan.name, spec.name)
            )
            if options.only is None or target.pair in options.only:
                found.append(target)
    return found


def render(
    options: BuildOptions,
    editions: list[Edition],
    pairs: set[tuple[str, str]],
    listener: Listener,
    pool: Executor | None,
    words: WordsReport | None = None,
) -> list[Rendered]:
    """Render and check the (edition, document) PAIRS; every problem found (the words
    check's errors first), or every PDF."""
    from brochure.pipeline import Job, Settings
    from brochure.workers import run_jobs

    settings = Settings(
        options.templates,
        options.project_dir,
        options.profile,
        uuid.uuid4().hex,
        thumbnails=options.profile.catalog and options.only is None,
    )
    jobs = [
        Job(edition, group, settings)
        for edition in editions
        for group in _groups([d for e, d in _ordered(pairs, editions) if e == edition.name])
    ]
    listener.started(len(pairs))
    rendered: dict[tuple[str, str], Rendered] = {}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    tried: list[str] = []

    def collect(result: JobResult) -> None:
        found[result.job_documents[0]] = result.problems
        tried.extend(result.tried)
        for item in result.rendered:
            rendered[(item.edition, item.spec.name)] = item
            listener.rendered(item)

    run_jobs(jobs, options.workers or os.cpu_count() or 1, collect, pool)
    # In the documents' order, whichever worker finished first: the same file, the same report.
    in_order = [line for pair in _ordered(pairs, editions) for line in found.get(pair, ())]
    problems = list(dict.fromkeys([*(words.errors if words else []), *in_order]))
    if problems:
        error = BrochureError(problems)
        error.tried = tuple(dict.fromkeys(tried))
        raise error
    return [rendered[pair] for pair in _ordered(pairs, editions)]


def _ordered(pairs: set[tuple[str, str]], editions: list[Edition]) -> list[tuple[str, str]]:
    """PAIRS edition by edition, each in the documents' own order."""
    return [(e.name, name) for e in editions for name in DOCUMENTS if (e.name, name) in pairs]


def _groups(documents: list[str]) -> list[tuple[str, ...]]:
    """A document made from another renders in the same job as its source."""
    groups: dict[str, list[str]] = {}
    for name in documents:
        root = DOCUMENTS[name].made_from or name
        groups.setdefault(root, []).append(name)
    return [tuple(group) for group in groups.values()]


def _thumbnails_exist(out: Path, target: Target) -> bool:
    pages = range(1, pages_of(target.spec, target.path) + 1)
    return all(
        thumbnail_path(out, target.edition.name, target.spec.name, n).is_file() for n in pages
    )


def _hash_sources(plans: list[EditionPlan] | None) -> dict[str, str]:
    """SHA-256 of every content file, by resolved path."""
    paths = {str(path.resolve()): path for plan in plans or [] for path in plan.inputs}
    return {name: hash_file(path) for name, path in paths.items()}


def _publish(
    options: BuildOptions,
    state: State,
    editions: list[Edition],
    wanted: list[Target],
    rendered: list[Rendered],
    words: WordsReport | None = None,
) -> BuildReport:
    """Write every PDF, its thumbnails and the catalog together; then record what was written."""
    from brochure.catalog import catalog_files

    by_pair = {t.pair: t for t in wanted}
    files: list[tuple[Path, bytes]] = []
    for item in rendered:
        target = by_pair[(item.edition, item.spec.name)]
        files.append((target.path, item.pdf))
        for number, picture in enumerate(item.thumbs, start=1):
            files.append(
                (thumbnail_path(options.out, item.edition, item.spec.name, number), picture)
            )
    if options.profile.catalog and options.only is None:
        files += catalog_files(options.out, editions, dict(files), words)
        state.catalog_current = True
    elif rendered:
        state.catalog_current = False
    written = [by_pair[(item.edition, item.spec.name)] for item in rendered]
    publish(files, options.out)
    gone = [options.out / name for name in state.removals]
    if options.profile.catalog:  # and their pictures in the catalog
        gone += [
            thumbnail_path(options.out, path.parent.name, path.stem, number)
            for path in list(gone)
            if path.stem in DOCUMENTS
            for number in range(1, DOCUMENTS[path.stem].pages + 1)  # the most it can have
        ]
        # A document that now has fewer pages (large print) leaves no picture of a lost page.
        gone += [
            thumbnail_path(options.out, item.edition, item.spec.name, number)
            for item in rendered
            if item.thumbs
            for number in range(len(item.thumbs) + 1, item.spec.pages + 1)
        ]
    removed = [path for path in remove(gone) if path.suffix == ".pdf"]
    state.forget(state.removals)
    for item, target in zip(rendered, written, strict=True):
        state.record(target, item.pdf, item.reads)
    try:
        publish([(state.path, state.to_bytes())], options.out)
    except BrochureError as exc:
        error = BrochureError(
            [
                *exc.lines,
                "The PDFs were written; the record of what was built was not, so "
                "the next build makes them again.",
            ]
        )
        error.wrote_nothing = False
        raise error from None
    built = [
        Built(t.path, item.edition, item.spec.name, item.pages, len(item.pdf), item.seconds)
        for item, t in zip(rendered, written, strict=True)
    ]
    return BuildReport(built, len(wanted) - len(built), editions, removed)
