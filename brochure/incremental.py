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
        editions = _edition_sources(content_path)
        wanted = [spec.name for spec in select(names, profile)]
    except Exception:  # anything odd: let the full build find it and say what is wrong
        return None
    shared = _shared_fingerprint(templates, profile)
    found = []
    for edition, (sources, documents) in editions.items():
        digest = hashlib.sha256(shared.encode())
        for source in sources:
            digest.update(source.read_bytes())
        for document in wanted:
            if documents is not None and document not in documents:
                continue
            key = digest.copy()
            key.update(f"{edition}\0{document}".encode())
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


def _edition_sources(content_path: Path) -> dict[str, tuple[list[Path], tuple[str, ...] | None]]:
    """Edition names and the files each one's words come from, read straight from the YAML."""
    data = yaml.safe_load(content_path.read_text(encoding="utf-8"))
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


def _shared_fingerprint(templates: Path, profile: Profile) -> str:
    """Everything every output depends on: code, library versions, templates, profile."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=missing\0".encode())
    for path in sorted(p for p in templates.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(templates)).encode() + b"\0" + path.read_bytes())
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
