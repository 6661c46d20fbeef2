"""Command line: `brochure build`, `brochure list`. Thin: it maps options onto build()."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from brochure.documents import DOCUMENTS, PROFILES, Profile
from brochure.errors import BrochureError

TEMPLATES_HELP = "default: the templates folder beside the content file, else the built-in one"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brochure", description="Print-ready IOP handouts.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="build PDFs into the output folder")
    b.add_argument("documents", nargs="*", metavar="DOCUMENT", help="default: all")
    b.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")
    b.add_argument("--out", type=Path, default=Path("build"), metavar="DIR")
    b.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
    b.add_argument(
        "--profile",
        choices=PROFILES,
        default="office",
        help="office (default): for the office printer; press: bleed and PDF/X-4 for a print shop",
    )
    b.add_argument(
        "--proof", action="store_true", help="press only: add crop and fold marks, for checking"
    )
    c = sub.add_parser("check", help="run every check without writing any PDF")
    c.add_argument("documents", nargs="*", metavar="DOCUMENT", help="default: all")
    c.add_argument("--content", type=Path, default=Path("content.yml"), metavar="PATH")
    c.add_argument("--templates", type=Path, metavar="DIR", help=TEMPLATES_HELP)
    sub.add_parser("list", help="name the documents and how to print them")
    return p


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if getattr(args, "proof", False) and args.profile != "press":
        cli.error("--proof goes with --profile press (marks sit in the bleed)")
    try:
        if args.command == "list":
            return list_documents()
        if args.command == "check":
            return run_check(args.documents, args.content, args.templates)
        profile = Profile(args.profile, proof=args.proof)
        return run_build(args.documents, args.content, args.out, args.templates, profile)
    except BrochureError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 1


def list_documents() -> int:
    for spec in DOCUMENTS.values():
        print(f"{spec.name:<18} {spec.title}. Print: {spec.how_to_print}.")
    return 0


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_check(documents: list[str], content: Path, templates: Path | None) -> int:
    from brochure.build import Project, prepare

    _, outputs = prepare(documents, content, Project.for_content(content, templates))
    for output in outputs:
        print(f"ok  {output.spec.name}: {plural(output.spec.pages, 'page')}, every box fits")
    print(f"{content}: no problems found; nothing was written")
    return 0


def run_build(
    documents: list[str], content: Path, out: Path, templates: Path | None, profile: Profile
) -> int:
    from brochure.build import Project, build

    project = Project.for_content(content, templates)
    for built in build(documents, content, out, project, profile):
        print(
            f"{built.path}  {plural(built.pages, 'page')}  "
            f"{built.size / 1024:.0f} KB  {built.seconds:.2f} s"
        )
    return 0
