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
    k = sub.add_parser("cards", help="outreach workers' own wallet cards from a roster")
    k.add_argument("roster", type=Path, metavar="ROSTER", help="roster.csv or roster.yml")
    k.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")
    k.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
    k.add_argument("--out", type=Path, default=Path("build"), metavar="DIR")
    k.add_argument(
        "--simple",
        action="store_true",
        help="lay out every card with WeasyPrint (slow; the reference for the fast way)",
    )
    sub.add_parser("list", help="name the documents and how to print them")
    translations_parser(sub)
    return p


def translations_parser(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("translations", help="send a translation out and bring it back")
    tsub = t.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = tsub.add_parser("status", help="per language: strings reviewed, stale, missing")
    status.add_argument("languages", nargs="*", metavar="LANG", help="default: all")
    out = tsub.add_parser("export", help="one language's strings as XLIFF 1.2 or PO")
    out.add_argument("language", metavar="LANG")
    out.add_argument("--format", choices=("xliff", "po"), default="xliff")
    out.add_argument("--out", type=Path, metavar="FILE", help="default: LANG.xlf or LANG.po")
    only = out.add_mutually_exclusive_group()
    only.add_argument(
        "--only-untranslated", dest="only", action="store_const", const="untranslated"
    )
    only.add_argument("--only-stale", dest="only", action="store_const", const="stale")
    back = tsub.add_parser("import", help="a translator's XLIFF or PO file back into the YAML")
    back.add_argument("file", type=Path, metavar="FILE")
    back.add_argument("--reviewed-by", metavar="NAME", help="record these strings as reviewed")
    back.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
    move = tsub.add_parser("migrate", help="turn the old `reviewed: true` into review records")
    move.add_argument("languages", nargs="+", metavar="LANG")
    for command in (status, out, back, move):
        command.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")


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
        if args.command == "translations":
            return run_translations(args)
        if args.command == "serve":
            from brochure.serve import CannotListen, serve

            try:
                return serve(options_from(args, OFFICE), args.host, args.port, say=_say)
            except CannotListen as exc:  # a usage mistake, like a bad option: status 2
                print(f"brochure serve: {exc}", file=sys.stderr)
                return 2
        profile = Profile(getattr(args, "profile", "office"), proof=getattr(args, "proof", False))
        options = options_from(args, profile)
        if args.command == "cards":
            return run_cards(args, options)
        if args.command == "preview":
            return run_preview(args, options)
        if args.command == "check":
            return run_check(options)
        return run_build(options)
    except BrochureError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        if args.command in {"build", "cards"} and exc.wrote_nothing:
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


def run_translations(args: argparse.Namespace) -> int:
    from brochure import translations as tr
    from brochure.paths import default_templates

    project = tr.load_project(args.content)
    if args.action == "status":
        print(tr.status_table(project, args.languages), end="")
    elif args.action == "export":
        data = tr.export(project, args.language, args.format, args.only)
        target = args.out or tr.default_export_name(args.language, args.format)
        from brochure.output import publish

        publish([(target, data)], target.resolve().parent)
        print(
            f"wrote {target}: send it to the translator; bring it back with "
            f"`brochure translations import {target} --reviewed-by NAME`"
        )
    elif args.action == "import":
        templates = (args.templates or default_templates(args.content)).resolve()
        done = tr.import_file(project, args.file, args.reviewed_by, templates)
        print(
            f"{done.language}: {plural(done.changed, 'string')} changed, "
            f"{plural(done.reviewed, 'string')} recorded as reviewed"
            + (
                f"; {done.not_done} still marked unfinished by the translator"
                if done.not_done
                else ""
            )
        )
        if not args.reviewed_by:
            print(
                "No review recorded: import with --reviewed-by NAME once a qualified "
                "translator has checked the strings."
            )
    else:
        for code in args.languages:
            print(f"{code}: {plural(tr.migrate(project, code), 'string')} recorded as reviewed")
    return 0


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


def run_cards(args: argparse.Namespace, options: BuildOptions) -> int:
    """Every worker's sheets and the combined file; a line per file once all are written."""
    from brochure.cards import write_cards

    files, seconds = write_cards(options, args.roster, simple=args.simple)
    for item in files:
        what = plural(item.workers, "worker") + ", " if item.workers > 1 else ""
        print(
            f"{what}{plural(item.sheets, 'sheet')} ({plural(2 * item.sheets, 'page')}) "
            f"{len(item.pdf) / 1024:5.0f} KB  {item.path}"
        )
    cards = sum(1 for item in files if item.workers == 1)
    print(
        f"wrote cards for {plural(cards, 'worker')} to {options.out / 'cards'} in {seconds:.1f} s. "
        "Print on Avery 5371/8371 or Letter card stock, two-sided, flip on LONG edge, 100 %."
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
    """A translation nobody qualified has reviewed must never pass for a finished one. Once
    per language, however many city editions it has."""
    languages = {e.language: e for e in editions if e.draft}
    for language in sorted(languages):
        for line in languages[language].review.warnings(language):
            print(f"warning: {line}", file=sys.stderr)


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
