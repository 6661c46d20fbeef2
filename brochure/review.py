"""Per-string review records: who reviewed each translated string, when, and against which
English. They live beside the translation (`translations/es.review.yml`), written only by
`brochure translations import` (and `migrate`), as plain YAML a person can read in a git diff.

A record keeps the English the translator saw (so a stale string can be sent back with the old
and the new English) and a hash of the translation they approved (so a hand edit of the YAML
afterwards shows as "changed since review", not as reviewed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from brochure.errors import BrochureError
from brochure.source import confined_file, line_for, read_yaml
from brochure.strings import Unit

SUFFIX = ".review.yml"
HEADER = """\
# Review records for {translation}: one entry per string a qualified translator reviewed.
# Written by `brochure translations import --reviewed-by NAME`; do not edit by hand.
# english: the English the translator saw. translation_sha256: the reviewed translation.
"""


class State(Enum):
    """Where one string stands. Only REVIEWED strings leave a page without the draft mark."""

    REVIEWED = "reviewed"
    STALE = "English changed since review"
    EDITED = "translation edited since review"
    UNREVIEWED = "not reviewed"
    MISSING = "missing"


@dataclass(frozen=True)
class Record:
    reviewed_by: str
    date: dt.date
    english: str
    translation_sha256: str


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def records_path(translation: Path) -> Path:
    """`translations/es.yml` -> `translations/es.review.yml`."""
    return translation.with_name(translation.stem + SUFFIX)


def state_of(unit: Unit, record: Record | None) -> State:
    if unit.target is None:
        return State.MISSING
    if record is None:
        return State.UNREVIEWED
    if record.english != unit.english:
        return State.STALE
    if record.translation_sha256 != digest(unit.target):
        return State.EDITED
    return State.REVIEWED


def load_records(translation: Path, project: Path) -> dict[str, Record]:
    """The records beside TRANSLATION; none when the file does not exist yet."""
    path = records_path(translation)
    if not path.exists():
        return {}
    name = path.relative_to(project).as_posix()
    confined_file(project, name, name, "review records")
    data, lines = read_yaml(path, name)
    strings = data.get("strings") if isinstance(data, dict) else None
    if not isinstance(strings, dict):
        raise BrochureError(
            f"{name}:1: strings: missing; this file is written by `brochure translations "
            "import`: restore it from git, or delete it to start the review again"
        )
    records, problems = {}, []
    for unit_id, raw in strings.items():
        try:
            records[str(unit_id)] = _record(raw)
        except (KeyError, TypeError, ValueError):
            line = line_for(("strings", unit_id), lines)
            problems.append(
                f"{name}:{line}: strings.{unit_id}: needs reviewed_by, date, english and "
                "translation_sha256; restore the file from git"
            )
    if problems:
        raise BrochureError(problems)
    return records


def _record(raw: Any) -> Record:
    if not isinstance(raw, dict):
        raise TypeError
    date = raw["date"]
    if not isinstance(date, dt.date):
        raise ValueError
    fields = [raw["reviewed_by"], raw["english"], raw["translation_sha256"]]
    if not all(isinstance(f, str) and f for f in fields):
        raise ValueError
    return Record(fields[0], date, fields[1], fields[2])


class _NoAliases(yaml.SafeDumper):
    """Every record written out in full: one date shared by many records must not become an
    anchor and aliases (which our own reader refuses, and a person cannot read)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def records_bytes(translation: Path, records: dict[str, Record]) -> bytes:
    """The records file's text, in the caller's order (content.yml's), for output.publish."""
    body = {
        "strings": {
            unit_id: {
                "reviewed_by": r.reviewed_by,
                "date": r.date,
                "english": r.english,
                "translation_sha256": r.translation_sha256,
            }
            for unit_id, r in records.items()
        }
    }
    text = HEADER.format(translation=translation.name) + yaml.dump(
        body, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100
    )
    return text.encode()
