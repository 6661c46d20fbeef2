"""`brochure cards` as a person runs it, with a roster that is wrong: one clear message per
problem, exit status 1, no traceback, and nothing written (files already there untouched)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from brochure.paths import PROJECT_ROOT
from tests.conftest import run_brochure

HEADER = "first_name,pronouns,city,languages,card_language,quantity\n"
NOTHING = "Nothing was written; the PDFs already in the output folder are unchanged."
TOO_WIDE = "W" * 24


def cards(tmp_path: Path, roster: str, *extra: str, content: Path | None = None):
    path = tmp_path / "roster.csv"
    path.write_text(roster, encoding="utf-8")
    args = ["cards", str(path), "--out", str(tmp_path / "build")]
    if content is not None:
        args += ["--content", str(content)]
    return run_brochure(*args, *extra, cwd=content.parent if content else PROJECT_ROOT)


def test_a_broken_roster_writes_nothing_and_leaves_old_cards_alone(tmp_path):
    old = tmp_path / "build" / "cards" / "ana-worcester.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"yesterday's cards")
    result = cards(tmp_path, HEADER + 'Ana,,Worcester,es,en,10\n=HYPERLINK("x"),,Worcester,,en,\n')
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "roster.csv:3: first_name: '=HYPERLINK(\"x\")' looks like a spreadsheet formula; a "
        "roster holds only plain text (a formula can run commands when the file is opened): "
        "type the text itself",
        NOTHING,
    ]
    assert "Traceback" not in result.stderr
    assert old.read_bytes() == b"yesterday's cards"
    assert sorted(p.name for p in (tmp_path / "build").rglob("*")) == ["ana-worcester.pdf", "cards"]


@pytest.mark.parametrize("mode", [(), ("--simple",)], ids=["fast", "simple"])
def test_a_name_too_wide_for_the_card_names_its_roster_line(tmp_path, mode):
    result = cards(
        tmp_path, HEADER + f"Ana,,Worcester,,en,\n{TOO_WIDE},she/her,Somerville,,en,\n", *mode
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == NOTHING
    # Both ways measure the line with HarfBuzz before anything is laid out.
    (line,) = lines[:-1]
    assert re.fullmatch(
        rf"roster\.csv:3: first_name: 'Ask for {TOO_WIDE} \(she/her\)' is [0-9.]+ in too "
        r"wide for the card; shorten it \(a short first name, or leave the pronouns out\)",
        line,
    ), line
    assert not (tmp_path / "build").exists()


def test_more_languages_than_two_lines_hold(tmp_path):
    every = "es pt-BR ht vi ar ne sq en zh-Hant zh-Hans"
    result = cards(tmp_path, HEADER + f"Ana,,Worcester,{every},en,\n")
    assert result.returncode == 1
    (line, nothing) = result.stderr.splitlines()
    assert nothing == NOTHING
    assert re.fullmatch(
        r"roster\.csv:2: languages: '.*' is [0-9.]+ in too wide for the card; shorten it "
        r"\(fewer languages\)",
        line,
    ), line


def test_a_missing_roster_is_named(tmp_path):
    result = run_brochure("cards", str(tmp_path / "staff.csv"), "--out", str(tmp_path / "b"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'staff.csv'}: file not found; check the roster's name and folder",
        NOTHING,
    ]


def test_a_folder_is_not_a_roster(tmp_path):
    (tmp_path / "staff.csv").mkdir()
    result = run_brochure("cards", str(tmp_path / "staff.csv"), "--out", str(tmp_path / "b"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'staff.csv'}: is a folder, not a file; pass the roster file (.csv or .yml)"
    )


def test_a_device_is_not_a_roster(tmp_path):
    """A link to /dev/zero would never end: refused before reading."""
    (tmp_path / "staff.csv").symlink_to("/dev/zero")
    result = run_brochure("cards", str(tmp_path / "staff.csv"), "--out", str(tmp_path / "b"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'staff.csv'}: is a device, not a file; pass the roster file (.csv or .yml)"
    )


def test_content_without_worker_words_says_what_to_add(tmp_path, project):
    result = cards(tmp_path, HEADER + "Ana,,Worcester,,en,\n", content=project / "content.yml")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "roster.csv:2: card_language: the en edition has no card.worker words (ask_for, "
        "speaks); add them to its file",
        NOTHING,
    ]


def test_the_example_roster_prints_a_line_per_file(tmp_path):
    shutil.copy(PROJECT_ROOT / "roster.example.csv", tmp_path / "roster.csv")
    result = run_brochure(
        "cards", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "build"), cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"1 sheet \(2 pages\) +\d+ KB  .*/cards/ana-somerville\.pdf", lines[0])
    assert re.fullmatch(r"2 sheets \(4 pages\) +\d+ KB  .*/cards/nguyen-worcester\.pdf", lines[1])
    assert re.fullmatch(
        r"9 workers, 11 sheets \(22 pages\) +\d+ KB  .*/cards/all-cards\.pdf", lines[9]
    )
    assert lines[10].startswith("wrote cards for 9 workers to ")
    catalog = (tmp_path / "build" / "index.html").read_text(encoding="utf-8")
    assert '<a href="cards/all-cards.pdf">All workers\' cards</a> (9 workers,' in catalog
