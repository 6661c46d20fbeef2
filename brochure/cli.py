"""Command line: `brochure build`, `brochure check`, `brochure list`. Thin: it maps options
onto the build, and prints what happened."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from brochure.documents import DOCUMENTS, OFFICE, PROFILES, Profile
from brochure.errors import BrochureError
from brochure.options import BuildOptions

NOTHING_WRITTEN = "Nothing was written; the PDFs already in the output folder are unchanged."
TEMPLATES_HELP = "default: the templates folder beside the content file, else the built-in one"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brochure", description="Print-ready IOP handouts.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="build PDFs into the output folder")
    c = sub.add_parser("check", help="run every check without writing any PDF")
    for command in (b, c):
        command.add_argument("documents", nargs="*", metavar="DOCUMENT", help="default: all")
        command.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")
        command.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
        command.add_argument(
            "--profile",
            choices=PROFILES,
            default="office",
            help="office (default): for the office printer; press: bleed and PDF/X-4 for a shop",
        )
        command.add_argument(
            "--workers", type=int, metavar="N", help="parallel renderers (default: all cores)"
        )
    b.add_argument("--out", type=Path, default=Path("build"), metavar="DIR")
    b.add_argument("--proof", action="store_true", help="press only: add crop and fold marks")
    b.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    v = sub.add_parser("preview", help="PNGs of a document's pages with design guides")
    v.add_argument("document", choices=list(DOCUMENTS), metavar="DOCUMENT")
    v.add_argument("--edition", default="en", help="default: en")
    v.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")
    v.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
    v.add_argument("--profile", choices=PROFILES, default="office")
    v.add_argument("--out", type=Path, default=Path("build"), metavar="DIR")
    s = sub.add_parser("serve", help="build, serve build/ on localhost, rebuild on every save")
    s.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")
    s.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
    s.add_argument("--out", type=Path, default=Path("build"), metavar="DIR")
    s.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (this computer only)")
    s.add_argument(
        "--port", type=port_number, default=8000, help="default: 8000; 0 picks a free one"
    )
    sub.add_parser("list", help="name the documents and how to print them")
    return p


def port_number(text: str) -> int:
    """--port: a TCP port, or 0 for any free one; anything else is a usage mistake."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 65535, not {text!r}")
    return port


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if getattr(args, "proof", False) and not Profile(args.profile).bleed_in:
        cli.error("--proof goes with --profile press (marks go around the bleed)")
    if getattr(args, "workers", None) is not None and args.workers < 1:
        cli.error("--workers must be 1 or more")
    unknown = [d for d in getattr(args, "documents", []) if d not in DOCUMENTS]
    if unknown:
        cli.error(f"unknown document: {', '.join(unknown)} (choose from: {', '.join(DOCUMENTS)})")
    try:
        if args.command == "list":
            return list_documents()
        if args.command == "serve":
            from brochure.serve import CannotListen, serve

            try:
                return serve(options_from(args, OFFICE), args.host, args.port, say=_say)
            except CannotListen as exc:  # a usage mistake, like a bad option: status 2
                print(f"brochure serve: {exc}", file=sys.stderr)
                return 2
        profile = Profile(args.profile, proof=getattr(args, "proof", False))
        options = options_from(args, profile)
        if args.command == "preview":
            return run_preview(args, options)
        if args.command == "check":
            return run_check(options)
        return run_build(options)
    except BrochureError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        if args.command == "build" and exc.wrote_nothing:
            print(NOTHING_WRITTEN, file=sys.stderr)
        return 1


def options_from(args: argparse.Namespace, profile: Profile) -> BuildOptions:
    """The one options object every command builds with."""
    return BuildOptions.create(
        args.content,
        args.templates,
        getattr(args, "out", Path("build")),
        profile,
        documents=tuple(getattr(args, "documents", ())),
        workers=getattr(args, "workers", None),
        force=getattr(args, "force", False),
    )


def _say(message: str) -> None:
    print(message, flush=True)


def list_documents() -> int:
    for spec in DOCUMENTS.values():
        print(f"{spec.name:<18} {spec.title}. Print: {spec.how_to_print}.")
    return 0


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_check(options: BuildOptions) -> int:
    from brochure.build import check_report

    report = check_report(options)
    limit = options.profile.rules.ink_limit
    for item in report.rendered:
        ink = ""
        if item.ink and limit is not None:
            pages = ", ".join(f"page {n} {c:.0f} %" for n, c in enumerate(item.ink, start=1))
            ink = f"; most ink on one spot (TAC): {pages} (limit {limit:.0f} %)"
        print(f"ok  {item.edition:<18} {item.spec.name:<18} every box fits{ink}")
    print()
    print_words_table(report)
    if report.words.notes:
        print(
            "\nTo make easier to read (not errors): long sentences and long words, where they are"
        )
        for note in report.words.notes:
            print(f"  {note}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    warn_drafts(report.editions)
    print(
        f"{options.content}: no problems found in {plural(len(report.rendered), 'document')}; "
        "nothing was written"
    )
    return 0


#: The words check's table: (heading, width); the figures under it are right-aligned but
#: the first three.
TABLE = (
    ("document", 12),
    ("section", 14),
    ("grade", 44),
    ("longest", 8),
    ("stigma", 7),
    ("smallest type", 22),
    ("lowest contrast", 15),
)


def print_words_table(report) -> None:
    """Per edition: each section's reading level, longest sentence (words) and stigma words;
    each document's smallest type, body size and lowest contrast as printed."""
    from brochure.words import MIN_WORDS

    pages = {(r.edition, r.spec.name): r.legibility for r in report.rendered}
    limit = report.words.max_grade
    head = "  ".join(f"{name:<{width}}" for name, width in TABLE)
    for edition in report.editions:
        rows = [r for r in report.words.rows if r.edition == edition.name]
        documents = [d for d in dict.fromkeys(r.document for r in rows)]
        if not documents:
            continue
        print(
            f"{edition.name}  (reading grade limit {limit:g}, ! above it; ~ under {MIN_WORDS} "
            "words, a rough figure; longest sentence in words)"
        )
        print(f"  {head}")
        for document in documents:
            mine = [r for r in rows if r.document == document]
            measured = any(r.grade.grade is not None for r in mine)
            for row in mine if measured or edition.has_word_list else ():
                stigma = f"{row.stigma}" + (f" +{row.allowed} allowed" if row.allowed else "")
                mark = "" if row.grade.within(limit) is not False else " !"
                if row.grade.grade is not None and row.words < MIN_WORDS:
                    mark = " ~"
                longest = row.longest if row.grade.grade is not None else "-"
                cells = (document, row.section, row.grade.label + mark, longest, stigma)
                print("  " + _cells(cells))
            whole = report.words.documents.get((edition.name, document))
            found = pages.get((edition.name, document))
            size = contrast = ""
            if found is not None:
                size = f"{found.smallest:g} pt (body {found.body:g} pt)"
                contrast = f"{found.contrast:.1f}:1"
            label = whole.label if whole else ""
            lists = "" if edition.has_word_list else "no list"
            print("  " + _cells((document, "(whole)", label, "", lists, size, contrast)))
        print()


def _cells(values) -> str:
    out = []
    for (_name, width), value in zip(TABLE, values, strict=False):
        out.append(f"{value!s:<{width}}")
    return "  ".join(out).rstrip()


def run_preview(args: argparse.Namespace, options: BuildOptions) -> int:
    """Render one document of one edition and draw the guides over each page."""
    from brochure.build import check
    from brochure.preview import preview_pages

    only = frozenset({(args.edition, args.document)})
    editions, rendered = check(options.but(documents=(args.document,), only=only, workers=1))
    if not rendered:
        names = ", ".join(e.name for e in editions if e.makes(args.document))
        raise BrochureError(
            f"no edition {args.edition!r} has a {args.document}; choose from: {names}"
        )
    folder = options.profile.folder(options.out / "preview", args.edition)
    for path in preview_pages(rendered[0].pdf, rendered[0].spec, options.profile.bleed_in, folder):
        print(path)
    return 0


def run_build(options: BuildOptions) -> int:
    """Skip what is up to date (without importing WeasyPrint), build the rest, then say what
    was written: a line per file only once it is really on disk."""
    from brochure.build import Listener, build

    start = time.perf_counter()
    bar = Progress(0)
    listener = Listener(
        started=bar.start,
        rendered=lambda _item: bar.step(),
        waiting=lambda message: (bar.clear(), print(message, file=sys.stderr, flush=True)),
    )
    report = build(options, listener)
    bar.clear()
    for path in report.removed:
        print(f"removed {path}: its edition is no longer in {options.content}")
    if report.up_to_date:
        print(f"up to date: {plural(report.skipped, 'file')} in {options.out}, nothing changed")
        return 0
    if not report.built:
        print(
            f"up to date: {plural(report.skipped, 'file')} in {options.out}; "
            "the catalog (index.html) and its pictures were made again"
        )
        return 0
    for item in report.built:
        print(
            f"{item.edition:<16} {item.document:<18} {plural(item.pages, 'page'):<8} "
            f"{item.size / 1024:4.0f} KB {item.seconds:5.2f} s  {item.path}"
        )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    warn_drafts(report.editions)
    size = sum(b.size for b in report.built)
    print(
        f"wrote {plural(len(report.built), 'file')} ({size / 1024:.0f} KB) to {options.out} in "
        f"{time.perf_counter() - start:.1f} s"
        + (f"; {report.skipped} up to date" if report.skipped else "")
    )
    return 0


def warn_drafts(editions: list) -> None:
    """A translation nobody qualified has reviewed must never pass for a finished one."""
    drafts = sorted({e.language for e in editions if e.draft})
    for language in drafts:
        print(
            f"warning: {language}: translation not yet reviewed by a qualified translator; "
            "every panel, card and page is marked DRAFT. Do not hand it out.",
            file=sys.stderr,
        )


class Progress:
    """A one-line progress bar on an interactive terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.start(total)

    def start(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.live = total > 1 and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
        self._draw()

    def step(self) -> None:
        self.done += 1
        self._draw()

    def clear(self) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def _draw(self) -> None:
        if not self.live:
            return
        width = 30
        filled = width * self.done // max(self.total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        sys.stderr.flush()
