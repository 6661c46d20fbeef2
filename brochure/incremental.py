"""Decide what needs rebuilding, without importing anything heavy.

Each output is keyed by a hash of everything it was made from: its edition's content files,
every file the render actually read (templates, stylesheets, images, fonts loaded by CSS, as
recorded by the render), this package's code, the library and font package versions, and the
profile. The state file keeps, per output, that key, the list of files read, and a hash of
the PDF written, so a PDF changed by hand (even with the same size and time) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from brochure.documents import Profile
from brochure.paths import CMYK_PROFILES, PACKAGE
from brochure.plan import EditionPlan, Target

STATE_FILE = ".brochure-state.json"
STATE_VERSION = 2
LIBRARIES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "pyphen",
    "pikepdf",
    "pypdfium2",
    "segno",
    "jinja2",
    "pydantic",
    "pyyaml",
    "fontpkg-atkinson-hyperlegible",
    "fontpkg-noto-sans",
)


#: The state file and every file it names are ours or the project's; anything larger is not.
MAX_HASHED_BYTES = 64 * 1024 * 1024


def shared_fingerprint(profile: Profile, templates: Path) -> str:
    """What every output depends on: our code, library versions, the profile, and which
    templates folder is used (another folder with the same names is another input)."""
    digest = hashlib.sha256(
        f"{STATE_VERSION}\0{profile.name}\0{profile.proof}\0{templates.resolve()}\0".encode()
    )
    for path in sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("*.j2")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=missing\0".encode())
    if profile.colour_profile:
        for path in CMYK_PROFILES:
            if path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Hashes:
    """SHA-256 of files, each read at most once per check."""

    known: dict[str, str] = field(default_factory=dict)

    def __call__(self, path: str) -> str:
        if path not in self.known:
            self.known[path] = hash_file(Path(path))
        return self.known[path]


def hash_file(path: Path) -> str:
    """SHA-256 of an ordinary file of sane size; a word for anything else (a state file
    naming /dev/zero or a pipe must not hang the check)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
            return "not a file"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def input_key(shared: str, edition: EditionPlan, document: str, files: Iterable[tuple]) -> str:
    """The key of one output: FILES are (path, sha256) of everything it was made from."""
    digest = hashlib.sha256(f"{shared}\0{edition.name}\0{document}\0".encode())
    for path, sha in sorted(set(files)):
        digest.update(f"{path}\0{sha}\0".encode())
    return digest.hexdigest()


def sources_of(edition: EditionPlan) -> list[str]:
    return [str(path.resolve()) for path in edition.inputs]


@dataclass
class State:
    """What the last builds into one output folder wrote, from what."""

    out: Path
    shared: str
    entries: dict[str, dict] = field(default_factory=dict)
    #: SHA-256 of the content files, taken before this build loaded them (see record).
    sources: dict[str, str] = field(default_factory=dict)
    #: Whether build/index.html lists what is in the folder now (a build of only some
    #: documents, as serve's first pass, leaves it for the next full build to rewrite).
    catalog_current: bool = False
    #: Outputs of editions that no longer exist, to delete in this build (see orphans).
    removals: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, out: Path, profile: Profile, templates: Path) -> State:
        """The recorded state; anything unreadable or odd counts as nothing built yet."""
        state = cls(out, shared_fingerprint(profile, templates))
        data = _load(out / STATE_FILE)
        files = data.get("files")
        if isinstance(files, dict):
            state.entries = {k: v for k, v in files.items() if _valid_entry(v)}
        state.catalog_current = data.get("catalog_current") is True
        return state

    def stale(self, targets: list[Target]) -> list[Target]:
        """Targets whose file is missing or changed, or whose inputs changed."""
        hashes = Hashes()
        out = []
        for target in targets:
            entry = self.entries.get(self._name(target))
            if entry is None or hashes(str(target.path)) != entry["sha256"]:
                out.append(target)
                continue
            files = [(p, hashes(p)) for p in [*sources_of(target.edition), *entry["reads"]]]
            if input_key(self.shared, target.edition, target.spec.name, files) != entry["key"]:
                out.append(target)
        return out

    def record(self, target: Target, pdf: bytes, reads: tuple) -> None:
        """Remember one written file: the key of what it was made from, and its own hash.

        The content files' hashes were taken before they were loaded (self.sources), READS are
        what the render hashed as it read: a file edited during the build is seen as changed.
        """
        files = [(p, self.sources[p]) for p in sources_of(target.edition)]
        files += [tuple(r) for r in reads]
        self.entries[self._name(target)] = {
            "key": input_key(self.shared, target.edition, target.spec.name, files),
            "reads": sorted({path for path, _sha in reads}),
            "sha256": hashlib.sha256(pdf).hexdigest(),
        }

    def orphans(self, profile: Profile, editions: set[str]) -> list[str]:
        """Files this profile wrote earlier for an edition content.yml no longer has (a
        language or city taken out): they must not stay where someone could print them."""
        found = []
        for name in self.entries:
            path = self.out / name
            edition = path.parent.name
            if profile.folder(self.out, edition) == path.parent and edition not in editions:
                found.append(name)
        return sorted(found)

    def forget(self, names: list[str]) -> None:
        for name in names:
            self.entries.pop(name, None)

    def to_bytes(self) -> bytes:
        data = {
            "version": STATE_VERSION,
            "files": self.entries,
            "catalog_current": self.catalog_current,
        }
        return json.dumps(data, indent=1, sort_keys=True).encode()

    @property
    def path(self) -> Path:
        return self.out / STATE_FILE

    def _name(self, target: Target) -> str:
        return target.path.relative_to(self.out).as_posix()


def recorded_reads(out: Path) -> set[Path]:
    """Every file the builds recorded in OUT read (serve watches them): no fingerprint
    needed, so it is cheap enough to call whenever the state file changes."""
    files = _load(out / STATE_FILE).get("files")
    if not isinstance(files, dict):
        return set()
    return {Path(p) for entry in files.values() if _valid_entry(entry) for p in entry["reads"]}


def _load(path: Path) -> dict:
    """The state file's data, or {} for anything unreadable or odd (a folder, a pipe, a
    device, another version, bad JSON): that counts as nothing built yet."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == STATE_VERSION else {}


def _valid_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("reads"), list)
        and all(isinstance(p, str) for p in entry["reads"])
    )
