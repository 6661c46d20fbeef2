"""Decide what needs rebuilding from hashes of the inputs, without importing anything heavy.

Each output file is keyed by a hash of everything that can change it: its edition's content
files, the templates, this package's code, the versions of the libraries and font packages,
the profile, the edition and the document. A second `make` with nothing changed compares keys
and stops, well before WeasyPrint or pydantic would load.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

from brochure.documents import DOCUMENTS, Profile, select
from brochure.paths import CMYK_PROFILES, PACKAGE

STATE_FILE = ".brochure-state.json"
LIBRARIES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "pyphen",
    "pypdf",
    "segno",
    "jinja2",
    "pydantic",
    "pyyaml",
    "fontpkg-atkinson-hyperlegible",
    "fontpkg-noto-sans",
)


@dataclass(frozen=True)
class Target:
    edition: str
    document: str
    path: Path
    key: str


def targets(
    content_path: Path, templates: Path, out_dir: Path, profile: Profile, names: list[str]
) -> list[Target] | None:
    """Every output the build would write, with its key; None when content.yml cannot be read
    quickly (the full build then reports what is wrong)."""
    try:
        editions = edition_sources(content_path)
        wanted = [spec.name for spec in select(names, profile)]
    except Exception:  # anything odd: let the full build find it and say what is wrong
        return None
    shared = _shared_fingerprint(profile)
    layouts = {name: _template_fingerprint(templates, name) for name in wanted}
    found = []
    for edition, (sources, documents) in editions.items():
        digest = hashlib.sha256(shared.encode())
        for source in sources:
            digest.update(source.read_bytes())
        for document in wanted:
            if documents is not None and document not in documents:
                continue
            key = digest.copy()
            key.update(f"{edition}\0{document}\0{layouts[document]}".encode())
            path = profile.folder(out_dir, edition) / DOCUMENTS[document].filename
            found.append(Target(edition, document, path, key.hexdigest()))
    return found


def stale(out_dir: Path, wanted: list[Target]) -> list[Target]:
    """Targets whose file is missing, was changed by hand, or whose inputs changed."""
    state = _read_state(out_dir)
    out = []
    for target in wanted:
        entry = state.get(_relative(out_dir, target.path))
        if not entry or entry.get("key") != target.key or _stamp(target.path) != entry.get("file"):
            out.append(target)
    return out


def record(out_dir: Path, written: list[Target]) -> None:
    """Remember the keys of files just written, atomically."""
    state = _read_state(out_dir)
    for target in written:
        state[_relative(out_dir, target.path)] = {"key": target.key, "file": _stamp(target.path)}
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f"{STATE_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(out_dir / STATE_FILE)


def edition_sources(content_path: Path) -> dict[str, tuple[list[Path], tuple[str, ...] | None]]:
    """Edition names and the files each one's words come from, read straight from the YAML."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(content_path.read_text(encoding="utf-8"), Loader=loader)
    folder = content_path.parent
    bases = {str(data["language"]): [content_path]}
    for language, relative in (data.get("translations") or {}).items():
        bases[str(language)] = [content_path, folder / str(relative)]
    editions: dict[str, tuple[list[Path], tuple[str, ...] | None]] = {
        name: (sources, None) for name, sources in bases.items()
    }
    for city in data.get("city_editions") or []:
        for name, sources in bases.items():
            editions[f"{name}-{city}"] = (sources, ("trifold",))
    return editions


def _template_fingerprint(templates: Path, document: str) -> str:
    """The template files a document uses: all of them except other documents' own files
    (by convention NAME.html.j2 and css/NAME.css), so editing faq.css rebuilds only FAQs."""
    spec = DOCUMENTS[document]
    own = spec.made_from or document
    others = {DOCUMENTS[n].made_from or n for n in DOCUMENTS} - {own}
    skip = {f"{n}.html.j2" for n in others} | {f"css/{n}.css" for n in others}
    digest = hashlib.sha256()
    for path in sorted(p for p in templates.rglob("*") if p.is_file()):
        relative = path.relative_to(templates).as_posix()
        if relative not in skip:
            digest.update(relative.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _shared_fingerprint(profile: Profile) -> str:
    """Everything every output depends on: code, library versions, profile."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=missing\0".encode())
    if profile.name == "press":
        for path in CMYK_PROFILES:
            if path.is_file():
                digest.update(path.read_bytes())
    digest.update(f"{profile.name}\0{profile.proof}".encode())
    return digest.hexdigest()


def _read_state(out_dir: Path) -> dict:
    try:
        state = json.loads((out_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _relative(out_dir: Path, path: Path) -> str:
    return path.relative_to(out_dir).as_posix()


def _stamp(path: Path) -> list[int] | None:
    """Size and modification time: a file changed by hand is rebuilt."""
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


@dataclass
class Result:
    """What one incremental build did."""

    targets: list[Target] | None
    built: list  # brochure.build.Built
    editions: list  # brochure.editions.Edition; empty when nothing needed building
    up_to_date: bool = False

    @property
    def skipped(self) -> int:
        return len(self.targets) - len(self.built) if self.targets is not None else 0


def build_changed(
    content: Path,
    templates: Path,
    out_dir: Path,
    profile: Profile,
    documents: list[str],
    workers: int | None = None,
    force: bool = False,
    on_done=None,
    on_start=None,
    pool=None,
) -> Result:
    """Build only what changed (everything when FORCE), record it, refresh the catalog.

    Returns before anything heavy is imported when all is up to date.
    """
    wanted = targets(content, templates, out_dir, profile, documents)
    todo = wanted if force or wanted is None else stale(out_dir, wanted)
    catalog_missing = profile.name == "office" and not (out_dir / "index.html").exists()
    if wanted is not None and not todo and not catalog_missing:
        return Result(wanted, [], [], up_to_date=True)

    from brochure.build import Project, build

    project = Project.for_content(content, templates)
    only = None if todo is wanted else [(t.edition, t.document) for t in todo]
    if on_start is not None:
        on_start(len(todo) if todo is not None else 0)
    built = build(documents, content, out_dir, project, profile, workers, only, on_done, pool)
    if wanted is not None:
        by_path = {t.path: t for t in wanted}
        record(out_dir, [by_path[b.path] for b in built if b.path in by_path])
    editions = built.editions
    if profile.name == "office":
        from brochure.catalog import write_catalog

        write_catalog(out_dir, editions)
    return Result(wanted, built, editions)
