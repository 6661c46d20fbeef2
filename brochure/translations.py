"""`brochure translations`: send a translation out to a translator and bring it back.

status: per language, how many strings are reviewed, stale, not reviewed or missing.
export: the strings of one language as XLIFF 1.2 or PO, for a CAT tool.
import: a file back from the translator, every unit checked, then the translation YAML
        (comments and order kept) and its review records written together, or nothing.
migrate: the old whole-file `review: reviewed: true` switch turned into per-string records.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import FoldedScalarString

from brochure.content import PATTERNS, Text
from brochure.editions import review_status
from brochure.errors import BrochureError
from brochure.exchange import FORMATS, InUnit, OutUnit, read_incoming, write_po, write_xliff
from brochure.output import publish
from brochure.plan import translation_path
from brochure.review import Record, State, digest, load_records, records_bytes, records_path
from brochure.source import MAX_FILE_BYTES, line_for, read_yaml
from brochure.strings import Unit, text_units

#: A file back from a translator: a few hundred strings are well under a megabyte.
MAX_IMPORT_BYTES = 4 * MAX_FILE_BYTES
PHONE_LIKE = re.compile(r"\d[\d\s().-]{8,}\d")
FOLD_WIDTH = 92


@dataclass(frozen=True)
class Language:
    """One translation file with everything the commands need about it."""

    code: str
    path: Path  # resolved, inside the project
    name: str  # as messages show it: translations/es.yml
    data: Any
    units: list[Unit]
    records: dict[str, Record]

    def states(self) -> dict[str, State]:
        return dict(review_status(self.units, self.records).states)


@dataclass(frozen=True)
class Project:
    content: Path
    english: Any
    languages: dict[str, Language]

    @property
    def folder(self) -> Path:
        return self.content.resolve().parent

    def language(self, code: str) -> Language:
        if code not in self.languages:
            known = ", ".join(self.languages) or "none"
            raise BrochureError(
                f"{code!r} is not one of this project's translations ({known}); content.yml "
                "lists them under translations:"
            )
        return self.languages[code]


def load_project(content: Path) -> Project:
    english, lines = read_yaml(content)
    if not isinstance(english, dict) or not isinstance(english.get("translations"), dict):
        raise BrochureError(f"{content.name}:1: translations: none listed; nothing to translate")
    languages = {}
    for code, relative in english["translations"].items():
        line = line_for(("translations", code), lines)
        path = translation_path(content, str(code), relative, line)
        name = path.relative_to(content.resolve().parent).as_posix()
        data, _lines = read_yaml(path, name)
        units = text_units(english, data if isinstance(data, dict) else {})
        records = load_records(path, content.resolve().parent)
        languages[str(code)] = Language(str(code), path, name, data, units, records)
    return Project(content, english, languages)


# --- status ---------------------------------------------------------------------------------

COLUMNS = ("language", "strings", "translated", "reviewed", "stale", "edited", "not reviewed")


def status_rows(project: Project, codes: list[str]) -> list[tuple]:
    rows = []
    for code in codes or list(project.languages):
        language = project.language(code)
        states = list(language.states().values())
        count = states.count
        missing = count(State.MISSING)
        rows.append(
            (
                code,
                len(states),
                len(states) - missing,
                count(State.REVIEWED),
                count(State.STALE),
                count(State.EDITED),
                count(State.UNREVIEWED) + missing,
            )
        )
    return rows


def status_table(project: Project, codes: list[str]) -> str:
    """The table a clinic manager reads, then the stale strings by name."""
    rows = [COLUMNS, *status_rows(project, codes)]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
    out = io.StringIO()
    for row in rows:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.write("  ".join(cells).rstrip() + "\n")
    for code in codes or list(project.languages):
        language = project.language(code)
        for unit_id, state in language.states().items():
            if state in (State.STALE, State.EDITED):
                out.write(f"{code}: {unit_id}: {state.value}\n")
    out.write(LEGEND)
    return out.getvalue()


LEGEND = """
stale: the English changed after the translator reviewed the string.
edited: someone changed the translation after the review.
A language prints without the DRAFT band only when all its strings are reviewed.
"""


# --- export ---------------------------------------------------------------------------------


def export(project: Project, code: str, fmt: str, only: str | None) -> bytes:
    """ONLY: None (every string), "untranslated" (not in the translation yet) or "stale"."""
    language = project.language(code)
    states = language.states()
    units = []
    for unit in language.units:
        state = states[unit.id]
        if only == "stale" and state is not State.STALE:
            continue
        if only == "untranslated" and unit.target is not None:
            continue
        record = language.records.get(unit.id)
        units.append(OutUnit(unit.id, unit.english, unit.target, unit.note, state, record))
    writer = write_xliff if fmt == "xliff" else write_po
    return writer(units, code, project.content.name)


def default_export_name(code: str, fmt: str) -> Path:
    return Path(f"{code}.{'xlf' if fmt == 'xliff' else 'po'}")


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    language: str
    changed_ids: tuple[str, ...]
    reviewed: int
    not_done: int  # strings the translator left unfinished (fuzzy, needs-review)

    @property
    def changed(self) -> int:
        return len(self.changed_ids)


def import_file(
    project: Project,
    file: Path,
    reviewed_by: str | None,
    templates: Path,
    today: dt.date | None = None,
) -> Imported:
    """Check every unit, write nothing unless all are right, then write the YAML and the
    records together."""
    name = str(file)
    data = _read_limited(file, name)
    incoming = read_incoming(file, name, data)
    language = _language_of(project, incoming.language, name)
    by_id = {u.id: u for u in language.units}
    problems = _check_units(incoming.units, by_id, name)
    if reviewed_by is not None and not reviewed_by.strip():
        problems.append("--reviewed-by: give the translator's name, e.g. --reviewed-by 'Ana Pérez'")
    if problems:
        raise BrochureError(problems)
    today = today or dt.date.today()
    yaml_text, records, report = _merged(language, incoming.units, reviewed_by, today)
    _check_layout(project, language, yaml_text, records, templates, report.changed_ids)
    _write(language, yaml_text, records)
    return report


def _write(language: Language, yaml_text: str, records: dict[str, Record]) -> None:
    """The translation and its records together; no records file until there is a record."""
    files = [(language.path, yaml_text.encode())]
    if records or records_path(language.path).exists():
        files.append((records_path(language.path), records_bytes(language.path, records)))
    publish(files, language.path.parent)


def _read_limited(file: Path, name: str) -> bytes:
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise BrochureError(f"{name}: not a file; give the XLIFF or PO file to import")
        if size > MAX_IMPORT_BYTES:
            raise BrochureError(
                f"{name}: {size / 2**20:.1f} MB is far too big for a handout's translation (at "
                f"most {MAX_IMPORT_BYTES // 1024} KB); check that this is the right file"
            )
        return file.read_bytes()
    except OSError as exc:
        raise BrochureError(f"{name}: cannot read it ({exc.strerror or exc})") from None


def _language_of(project: Project, declared: str | None, name: str) -> Language:
    if declared is None:
        raise BrochureError(
            f"{name}:1: the file does not say its language (XLIFF target-language, PO "
            "Language); export it again with `brochure translations export LANG`"
        )
    if declared not in project.languages:
        raise BrochureError(
            f"{name}:1: the file is for {declared!r}, which is not one of this project's "
            f"translations ({', '.join(project.languages)})"
        )
    return project.languages[declared]


_TEXT = TypeAdapter(Text)
#: A pattern's slots are checked here too, so the message names the translator's file.
_CHECKS = {loc: TypeAdapter(kind) for loc, kind in PATTERNS.items()}


def _check_units(units: list[InUnit], known: dict[str, Unit], name: str) -> list[str]:
    problems, seen = [], set()
    for unit in units:
        where = f"{name}:{unit.line}: {unit.id or '(no id)'}"
        if unit.id in seen:
            problems.append(f"{where}: appears twice in the file; keep one")
            continue
        seen.add(unit.id)
        if unit.id not in known:
            problems.append(
                f"{where}: no such string in content.yml (removed or renamed since the "
                "export); export the file again"
            )
            continue
        if unit.english != known[unit.id].english:
            problems.append(
                f"{where}: the English changed since this file was exported; export it again "
                "so the translator sees today's English"
            )
            continue
        found = _target_problems(unit.target, known[unit.id].loc)
        problems += [f"{where}: {p}" for p in found]
    return problems


def _target_problems(target: str, loc: tuple) -> list[str]:
    if not target.strip():
        return ["the translation is empty; translate it or leave the string out of the file"]
    if target.startswith("<") and "<" not in target[1:]:
        return ["contains markup from the translation tool; the handouts print plain text only"]
    try:
        _CHECKS.get(loc, _TEXT).validate_python(target)
    except ValidationError as exc:
        return [str(exc.errors()[0]["msg"]).removeprefix("Value error, ")]
    if PHONE_LIKE.search(target):
        return [
            "contains a phone number; leave it out: the handouts add the program's number "
            "from content.yml"
        ]
    return []


def _merged(
    language: Language, units: list[InUnit], reviewed_by: str | None, today: dt.date
) -> tuple[str, dict[str, Record], Imported]:
    yaml = _round_trip_yaml()
    document = yaml.load(language.path.read_text(encoding="utf-8"))
    records = dict(language.records)
    by_id = {u.id: u for u in language.units}
    changed: list[str] = []
    reviewed = not_done = 0
    for unit in units:
        known = by_id[unit.id]
        target = unit.target.strip()
        if target != known.target:
            _set(document, known.loc, target)
            changed.append(unit.id)
        if reviewed_by and unit.done:
            records[unit.id] = Record(reviewed_by.strip(), today, known.english, digest(target))
            reviewed += 1
        else:
            not_done += not unit.done
            if target != known.target:
                records.pop(unit.id, None)  # new words nobody has reviewed yet
    order = [u.id for u in language.units]
    records = {k: records[k] for k in order if k in records}
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue(), records, Imported(language.code, tuple(changed), reviewed, not_done)


def _round_trip_yaml() -> YAML:
    """ruamel.yaml set up to give back our files byte for byte when nothing changed."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _set(document: Any, loc: tuple, text: str) -> None:
    node = document
    for part in loc[:-1]:
        if isinstance(part, str) and part not in node:
            node[part] = CommentedMap()
        node = node[part]
    last = loc[-1]
    old = node[last] if (isinstance(last, int) or last in node) else None
    node[last] = _styled(text, old, len(loc))


def _styled(text: str, old: Any, depth: int) -> Any:
    """Long text as a folded block (`>-`), like the hand-written files, folded at spaces."""
    width = FOLD_WIDTH - 2 * depth
    if not isinstance(old, FoldedScalarString) and len(text) + 2 * depth < FOLD_WIDTH:
        return text
    folded = FoldedScalarString(text)
    folds, start = [], 0
    while len(text) - start > width:
        cut = text.rfind(" ", start, start + width)
        if cut <= start:
            break
        folds.append(cut)
        start = cut + 1
    folded.fold_pos = folds  # type: ignore[attr-defined]
    return folded


def _check_layout(
    project: Project,
    language: Language,
    yaml_text: str,
    records: dict,
    templates: Path,
    changed: tuple[str, ...],
) -> None:
    """Lay out the language's handouts with the new words before anything is written: a
    translation that does not fit its box is refused here, not at the next build."""
    from brochure.build import check
    from brochure.options import BuildOptions

    with tempfile.TemporaryDirectory(prefix="brochure-import-") as scratch:
        folder = Path(scratch)
        shutil.copy(project.content, folder / project.content.name)
        for other in project.languages.values():
            target = folder / other.path.relative_to(project.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(other.path, target)
        copy = folder / language.path.relative_to(project.folder)
        copy.write_text(yaml_text, encoding="utf-8")
        records_path(copy).write_bytes(records_bytes(copy, records))
        options = BuildOptions.create(folder / project.content.name, templates, folder / "out")
        names = {language.code} | {
            f"{language.code}-{city}" for city in project.english.get("city_editions") or []
        }
        pairs = {(edition, spec.name) for edition in names for spec in options.specs}
        try:
            check(options.but(only=frozenset(pairs), workers=1))
        except BrochureError as exc:
            named = ", ".join(changed[:8]) + (", ..." if len(changed) > 8 else "")
            raise BrochureError(
                [f"{language.name}: with the imported words: {line}" for line in exc.lines]
                + [
                    f"Strings this file changes: {named}. Nothing was written: shorten the "
                    "translation in the file and import it again."
                ]
            ) from None


# --- migrate --------------------------------------------------------------------------------


def migrate(project: Project, code: str, today: dt.date | None = None) -> int:
    """Turn `review: {reviewed: true, reviewed_by: NAME}` into a record per string (reviewer
    kept, today's English and translation as what was reviewed) and drop the switch."""
    language = project.language(code)
    review = language.data.get("review") if isinstance(language.data, dict) else None
    if not isinstance(review, dict) or review.get("reviewed") is not True:
        raise BrochureError(
            f"{language.name}: review.reviewed is not true; nothing to migrate (a draft stays "
            "a draft: send it to a translator with `brochure translations export`)"
        )
    reviewer = review.get("reviewed_by")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise BrochureError(f"{language.name}: review.reviewed_by: name the translator first")
    today = today or dt.date.today()
    records = {
        u.id: Record(reviewer.strip(), today, u.english, digest(u.target))
        for u in language.units
        if u.target is not None
    }
    yaml = _round_trip_yaml()
    document = yaml.load(language.path.read_text(encoding="utf-8"))
    for key in ("reviewed", "reviewed_by"):
        document["review"].pop(key, None)
    if not document["review"]:
        del document["review"]
    out = io.StringIO()
    yaml.dump(document, out)
    _write(language, out.getvalue(), records)
    return len(records)


__all__ = ["FORMATS", "default_export_name", "export", "import_file", "load_project", "migrate"]
