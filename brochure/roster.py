"""Read a roster of outreach workers (CSV or YAML) and validate it into typed rows.

A roster comes from a spreadsheet, so this is where spreadsheet mistakes are caught: a file
saved by Excel in its Windows code page, formulas (`=cmd|...`, spreadsheet injection), HTML,
a language tag or city that is not ours, a name no font can draw. Every problem is reported at
once, one line each, as `roster.csv:LINE: column: what is wrong; what to do`, and nothing is
made until the roster is clean.

The card prints the worker's first name and pronouns, city and the languages they speak:
staff personal data, nothing else (no surname, no contact detail).
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure import fonts
from brochure.content import Content, _plain_text
from brochure.errors import BrochureError
from brochure.source import _not_a_file, line_for, parse_yaml

COLUMNS = ("first_name", "pronouns", "city", "languages", "card_language", "quantity")
REQUIRED = ("first_name", "city")
MAX_ROSTER_BYTES = 512 * 1024  # about 5,000 workers: a bigger file is the wrong file
MAX_WORKERS = 2000
MAX_QUANTITY = 1000  # cards for one worker: 100 sheets
MAX_NAME = 30  # characters: a first name, not a full name (the fit check decides the rest)
MAX_PRONOUNS = 20
DEFAULT_QUANTITY = 10
#: A cell a spreadsheet would run as a formula when the file is opened again (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SAVE_AS_UTF8 = (
    'in Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; '
    'in LibreOffice tick "Edit filter settings" and pick Unicode (UTF-8)'
)


@dataclass(frozen=True)
class Worker:
    """One validated roster row: what goes on this worker's cards."""

    where: str  # "roster.csv:7", for messages about this worker later (fit check)
    first_name: str
    pronouns: str | None
    city: str  # the city's key in content.yml
    city_name: str  # as printed, in English (a city's name is the same in every edition)
    languages: tuple[str, ...]  # tags of the editions whose `card.worker.speaks` is printed
    card_language: str  # which edition's card
    quantity: int

    @property
    def slug(self) -> str:
        """The file name: ASCII letters of the name and the city, so two workers with the same
        first name in two cities get two files."""
        return f"{slugify(self.first_name)}-{self.city}"


@dataclass(frozen=True)
class RosterRules:
    """What the content allows: its cities and the languages it has editions for."""

    cities: dict[str, str]  # key -> printed name
    languages: tuple[str, ...]  # edition tags: en, es, pt-BR, ...

    @classmethod
    def from_content(cls, content: Content) -> RosterRules:
        cities = {key: city.name for key, city in content.cities.items()}
        return cls(cities, (content.language, *content.translations))


def slugify(text: str) -> str:
    """'Nguyễn' -> 'nguyen', 'Đức' -> 'duc': letters without their accents, for file names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug or "worker-" + "-".join(f"{ord(c):x}" for c in text[:4])


# --- reading -------------------------------------------------------------------------------


def read_roster_bytes(path: Path) -> bytes:
    """The file's bytes, refused before reading if it is not an ordinary file of a sensible
    size (a FIFO would block forever, /dev/zero never ends)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BrochureError(f"{path}: file not found; check the roster's name and folder") from None
    except (OSError, ValueError) as exc:
        raise BrochureError(f"{path}: cannot be read ({exc})") from None
    kind = _not_a_file(info.st_mode)
    if kind:
        raise BrochureError(f"{path}: is {kind}, not a file; pass the roster file (.csv or .yml)")
    if info.st_size > MAX_ROSTER_BYTES:
        raise BrochureError(_too_big(path, info.st_size))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        raise BrochureError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_ROSTER_BYTES:
        raise BrochureError(_too_big(path, len(raw)))
    return raw


def _too_big(path: Path, size: int) -> str:
    return (
        f"{path.name}: the file is {size / 1024:.0f} KB; a roster is at most "
        f"{MAX_ROSTER_BYTES // 1024} KB (about 5,000 workers). Is this the right file?"
    )


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text, with or without Excel's byte order mark. Anything else is refused: a file in
    Excel's Windows-1252 can be decoded, but so can any other code page, wrongly and silently
    ('Ã©' for 'é'), and Windows-1252 cannot hold a name like 'Nguyễn' at all."""
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise BrochureError(
            f"{name}: this is an Excel workbook, not a CSV file; open it in Excel and save it "
            "as CSV UTF-8: " + SAVE_AS_UTF8
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BrochureError(
            f'{name}:1: this file is UTF-16 (Excel\'s "Unicode Text"); save it as CSV UTF-8: '
            + SAVE_AS_UTF8
        )
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise BrochureError(
            f"{name}:{line}: contains NUL bytes, so it is not a text file; save the roster "
            "as CSV UTF-8: " + SAVE_AS_UTF8
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        raise BrochureError(
            f"{name}:{line}: this file is not UTF-8 (byte 0x{byte:02X}, which Excel's Windows "
            f"code page reads as {guess!r}); names with accents would come out wrong, so save "
            "it again as CSV UTF-8: " + SAVE_AS_UTF8
        ) from None


def load_roster(path: Path, rules: RosterRules, coverage: fonts.Coverage) -> list[Worker]:
    """Every worker in a CSV or YAML roster, validated; a BrochureError lists every problem."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".yml", ".yaml"}:
        raise BrochureError(
            f"{path}: a roster is a .csv file (from a spreadsheet) or a .yml file; "
            "save it as CSV UTF-8"
        )
    text = decode(read_roster_bytes(path), name)
    rows = csv_rows(text, name) if suffix == ".csv" else yaml_rows(text, name)
    if not rows:
        raise BrochureError(f"{name}:1: the roster has no workers; add one row per worker")
    if len(rows) > MAX_WORKERS:
        raise BrochureError(
            f"{name}: {len(rows)} workers; at most {MAX_WORKERS} at a time: split the roster"
        )
    return validate_rows(rows, rules, coverage, name)


Row = tuple[int, dict[str, Any], dict[str, int]]  # line of the row, its cells, line per cell


def csv_rows(text: str, name: str) -> list[Row]:
    """The data rows of a CSV roster, each with the line it starts on; the header names the
    columns (in any order, any case)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BrochureError(f"{name}:1: the file is empty; the first line names the columns")
        columns = [_column(cell) for cell in header]
        problems = _header_problems(columns, name)
        if problems:
            raise BrochureError(problems)
        rows: list[Row] = []
        start = reader.line_num + 1
        for cells in reader:
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                extra = (
                    next(c for c in cells[len(columns) :] if c.strip())
                    if any(c.strip() for c in cells[len(columns) :])
                    else ""
                )
                if extra:
                    raise BrochureError(
                        f"{name}:{line}: this row has {len(cells)} cells but the header names "
                        f"{len(columns)} columns ({extra!r} is outside them); a name with a "
                        'comma must be in quotes ("Ana, Jr.")'
                    )
            row = {col: cells[i] for i, col in enumerate(columns) if i < len(cells)}
            rows.append((line, row, {col: line for col in row}))
    except csv.Error as exc:
        raise BrochureError(
            f"{name}:{reader.line_num}: this line cannot be read as CSV ({exc}); check its quotes"
        ) from None
    return rows


def _delimiter(text: str) -> str:
    """Commas; or semicolons, which Excel writes instead where a comma is the decimal mark
    (Brazil, most of Europe); or tabs ("Text (Tab delimited)"): whichever the header uses."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count) if header else ","


def _column(cell: str) -> str:
    """'First name' -> 'first_name': headers as people write them."""
    return re.sub(r"[\s-]+", "_", cell.strip().lower())


def _header_problems(columns: list[str], name: str) -> list[str]:
    problems = []
    for column in columns:
        if column and column not in COLUMNS:
            problems.append(f"{name}:1: {column}: unknown column" + _did_you_mean(column, COLUMNS))
    for column in REQUIRED:
        if column not in columns:
            problems.append(
                f"{name}:1: {column}: required column missing; the first line names the "
                f"columns: {','.join(COLUMNS)}"
            )
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    problems += [f"{name}:1: {c}: this column is named twice; keep one" for c in repeated]
    return problems


def yaml_rows(text: str, name: str) -> list[Row]:
    """A YAML roster: `workers:` followed by one mapping per worker, with the CSV's columns."""
    data, lines = parse_yaml(text, name)
    if not isinstance(data, dict) or not isinstance(data.get("workers"), list):
        raise BrochureError(
            f"{name}:1: a YAML roster starts with `workers:` followed by one `- first_name: ...` "
            "entry per worker"
        )
    problems = [
        f"{name}:{line_for((key,), lines)}: {key}: unknown key; only `workers` is allowed here"
        for key in data
        if key != "workers"
    ]
    rows: list[Row] = []
    for index, entry in enumerate(data["workers"]):
        line = line_for(("workers", index), lines)
        if not isinstance(entry, dict):
            problems.append(f"{name}:{line}: workers.{index}: must be a mapping (first_name: ...)")
            continue
        cells: dict[str, Any] = {}
        where: dict[str, int] = {}
        for key, value in entry.items():
            key_line = line_for(("workers", index, key), lines)
            if str(key) not in COLUMNS:
                problems.append(
                    f"{name}:{key_line}: {key}: unknown key" + _did_you_mean(str(key), COLUMNS)
                )
                continue
            if isinstance(value, list) and key == "languages":
                value = " ".join(str(v) for v in value)
            if isinstance(value, dict | list):
                problems.append(f"{name}:{key_line}: {key}: must be one value, not a list")
                continue
            cells[str(key)] = "" if value is None else str(value)
            where[str(key)] = key_line
        rows.append((line, cells, where))
    if problems:
        raise BrochureError(problems)
    return rows


# --- validating ----------------------------------------------------------------------------


def validate_rows(
    rows: list[Row], rules: RosterRules, coverage: fonts.Coverage, name: str
) -> list[Worker]:
    """Typed workers, or every problem in every row at once."""
    problems: list[str] = []
    workers: list[Worker] = []
    seen: dict[str, tuple[int, str]] = {}
    for line, cells, where in rows:
        row_problems: list[str] = []

        def problem(
            column: str, message: str, lines: dict = where, at: int = line, out: list = row_problems
        ) -> None:
            out.append(f"{name}:{lines.get(column, at)}: {column}: {message}")

        clean: dict[str, str] = {}
        for column in COLUMNS:
            value = str(cells.get(column, "") or "")
            refused = _refused(value, column)
            if refused:
                problem(column, refused)
            clean[column] = value.strip()
        if row_problems:
            problems += row_problems
            continue
        worker = _worker(f"{name}:{line}", clean, rules, coverage, problem)
        if worker is None or row_problems:
            problems += row_problems
            continue
        if worker.slug in seen:
            first_line, first_name = seen[worker.slug]
            if first_name.casefold() == worker.first_name.casefold():
                problem(
                    "first_name",
                    f"{worker.first_name!r} in {worker.city_name} is already on line "
                    f"{first_line}; list each worker once and set their quantity (two "
                    "people with the same first name: tell them apart, like 'Ana M.')",
                )
            else:
                problem(
                    "first_name",
                    f"{worker.first_name!r} and {first_name!r} (line {first_line}) would share "
                    f"the file name {worker.slug}.pdf; tell them apart, like "
                    f"'{worker.first_name} M.'",
                )
            problems += row_problems
            continue
        seen[worker.slug] = (line, worker.first_name)
        workers.append(worker)
    if problems:
        raise BrochureError(problems)
    return workers


def _refused(value: str, column: str) -> str | None:
    """A cell that could run as a formula when the roster is opened again in a spreadsheet, or
    that holds markup or invisible characters: refused, never cleaned up silently."""
    stripped = value.lstrip(" ")
    if column == "quantity" and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return None  # a signed number: the quantity check says what is wrong with it
    if stripped.startswith(FORMULA_START) or re.match(r"^\s*[=+@-]", value):
        return (
            f"{value.strip()[:20]!r} looks like a spreadsheet formula; a roster holds only "
            "plain text (a formula can run commands when the file is opened): type the text "
            "itself"
        )
    try:
        _plain_text(value) if value.strip() else None
    except ValueError as exc:
        return str(exc)
    if "\n" in value:
        return "has a line break inside the cell; keep each cell on one line"
    return None


def _worker(
    where: str, cells: dict[str, str], rules: RosterRules, coverage: fonts.Coverage, problem: Any
) -> Worker | None:
    """One row's values checked against the content; problems go to PROBLEM."""
    first_name = cells["first_name"]
    if not first_name:
        problem("first_name", "is empty; write the worker's first name")
    elif len(first_name) > MAX_NAME:
        problem(
            "first_name",
            f"is {len(first_name)} characters; a card has room for a first name (at most "
            f"{MAX_NAME}): write the first name only",
        )
    pronouns = cells["pronouns"] or None
    if pronouns and len(pronouns) > MAX_PRONOUNS:
        problem("pronouns", f"is {len(pronouns)} characters; at most {MAX_PRONOUNS}, like she/her")
    for column, value in (("first_name", first_name), ("pronouns", pronouns or "")):
        missing = coverage.missing(value)
        if missing:
            char = missing[0]
            problem(
                column,
                f"the fonts have no character {char!r} (U+{ord(char):04X}); check the spelling "
                "(an emoji or a symbol cannot be printed) or ask a designer to add a font",
            )
    city = _city(cells["city"], rules, problem)
    languages = []
    for tag in re.split(r"[\s,;]+", cells["languages"]):
        if tag:
            known = _language(tag, rules, "languages", problem)
            if known and known not in languages:
                languages.append(known)
    card_language = _language(cells["card_language"] or "en", rules, "card_language", problem)
    quantity = _quantity(cells["quantity"], problem)
    if not first_name or city is None or card_language is None or quantity is None:
        return None
    return Worker(
        where,
        first_name,
        pronouns,
        city,
        rules.cities[city],
        tuple(languages),
        card_language,
        quantity,
    )


def _city(value: str, rules: RosterRules, problem: Any) -> str | None:
    """A city's key, written as its key or its name, in any case."""
    if not value:
        problem("city", f"is empty; write one of: {', '.join(rules.cities.values())}")
        return None
    by_name = {k.casefold(): k for k in rules.cities} | {
        n.casefold(): k for k, n in rules.cities.items()
    }
    key = by_name.get(value.casefold())
    if key is None:
        names = list(rules.cities.values())
        problem(
            "city",
            f"{value!r} is not one of our cities"
            + _did_you_mean(value, names, f"; write one of: {', '.join(names)}"),
        )
    return key


def _language(tag: str, rules: RosterRules, column: str, problem: Any) -> str | None:
    """An edition's tag, in any case ('PT-br' -> 'pt-BR'); else a suggestion."""
    by_fold = {t.casefold(): t for t in rules.languages}
    if tag.casefold() in by_fold:
        return by_fold[tag.casefold()]
    same_language = [t for t in rules.languages if t.split("-")[0] == tag.split("-")[0].lower()]
    hint = (
        f"; did you mean {same_language[0]!r}?"
        if len(same_language) == 1
        else _did_you_mean(tag, rules.languages, f"; use one of: {' '.join(rules.languages)}")
    )
    problem(column, f"{tag!r} is not a language we have{hint}")
    return None


def _quantity(value: str, problem: Any) -> int | None:
    if not value:
        return DEFAULT_QUANTITY
    if not re.fullmatch(r"[+]?\d+", value) or not 1 <= int(value) <= MAX_QUANTITY:
        problem(
            "quantity",
            f"{value!r} is not a number of cards; write a whole number from 1 to {MAX_QUANTITY} "
            f"(or leave it empty for {DEFAULT_QUANTITY})",
        )
        return None
    return int(value)


def _did_you_mean(value: str, allowed: tuple[str, ...] | list[str], otherwise: str = "") -> str:
    """'; did you mean X?' for a close spelling (any case), else OTHERWISE."""
    folded = {a.casefold(): a for a in allowed}
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {folded[close[0]]!r}?"
    return otherwise or f" (columns: {', '.join(allowed)})"
