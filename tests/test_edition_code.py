"""The edition code (`ES-W-26`): one per edition, different for every edition, printed small in
the text layer of every document, listed in the catalog, and allowed under 9 pt only where a
template marks it as fine print."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from pypdf import PdfReader

from brochure.cli import main
from brochure.editions import city_codes, edition_code, load_editions
from brochure.errors import BrochureError
from tests.conftest import CONTENT, LANGUAGES, OFFICE_FILES, edit
from tests.pdfread import poppler_text

CODE = re.compile(r"^[A-Z]+(-[A-Z0-9]+)?-[0-9]{2}$")


@pytest.fixture(scope="module")
def editions():
    return {e.name: e for e in load_editions(CONTENT)}


def test_every_edition_has_its_own_code(editions):
    codes = {name: e.code for name, e in editions.items()}
    assert len(set(codes.values())) == len(codes) == len(LANGUAGES) * 3
    assert all(CODE.match(code) for code in codes.values()), codes
    year = f"{editions['en'].content.revised:%y}"
    assert codes["es-worcester"] == f"ES-W-{year}"
    assert codes["es"] == f"ES-{year}"
    assert codes["zh-Hant"] == f"ZHHANT-{year}" != codes["zh-Hans"] == f"ZHHANS-{year}"
    assert codes["pt-BR-somerville"] == f"PTBR-S-{year}"


def test_the_code_reads_language_city_and_year():
    cities = ["worcester", "somerville"]
    assert edition_code("ht", "somerville", cities, date(2031, 1, 5)) == "HT-S-31"
    assert edition_code("zh-Hant", None, cities, date(2026, 11, 27)) == "ZHHANT-26"


def test_city_part_is_the_shortest_start_no_other_city_shares():
    assert city_codes(["worcester", "somerville"]) == {"worcester": "W", "somerville": "S"}
    assert city_codes(["somerville", "salem", "worcester"]) == {
        "somerville": "SO",
        "salem": "SA",
        "worcester": "W",
    }
    # One city's letters begin another's: the shorter keeps all its letters.
    assert city_codes(["lowell", "lowell-north"]) == {"lowell": "LOWELL", "lowell-north": "LOWELLN"}


def test_two_cities_that_would_share_a_code_are_refused(project):
    content = project / "content.yml"
    edit(
        content,
        "    text: A short line about Worcester.\n",
        "    text: A short line about Worcester.\n"
        "  new-bedford:\n    name: New Bedford\n    text: A line.\n"
        "  newbedford:\n    name: New Bedford\n    text: A line.\n",
    )
    with pytest.raises(BrochureError) as info:
        load_editions(content)
    line = content.read_text().splitlines().index("  newbedford:") + 1
    assert info.value.lines == [
        f"content.yml:{line}: cities.newbedford: its edition code would be 'NEWBEDFORD', the "
        "same as 'new-bedford''s; give one of them a different key (the key, not the name, "
        "makes the code)"
    ]


def test_every_document_of_every_edition_carries_its_code(built_all, editions):
    """Read back from the text layer: poppler where it is installed, pypdf always."""
    assert len(built_all) == OFFICE_FILES
    for result in built_all:
        code = editions[result.edition].code
        text = " ".join(page.extract_text() for page in PdfReader(result.path).pages)
        assert code in text.split(), (result.edition, result.document)
        if shutil.which("pdftotext"):
            assert code in poppler_text(result.path).split(), (result.edition, result.document)
        others = {e.code for e in editions.values()} - {code}
        assert not others & set(text.split()), (result.edition, result.document)


def test_the_catalog_lists_each_editions_code(built_all, editions):
    index = (built_all[0].path.parents[1] / "index.html").read_text(encoding="utf-8")
    for name, edition in editions.items():
        assert f"<code>{edition.code}</code>" in index, name


def test_fine_print_may_be_small_but_other_small_type_still_fails(project, capsys):
    """The code is 7.5 pt; the card's caption set at 8 pt on the same page still stops the
    build: the exemption covers the marked text and nothing else."""
    assert main(["check", "--content", str(project / "content.yml"), "wallet-card"]) == 0
    edit(
        project / "templates" / "css" / "wallet-card.css",
        ".back__caption { font-size: 9pt;",
        ".back__caption { font-size: 8pt;",
    )
    assert main(["check", "--content", str(project / "content.yml"), "wallet-card"]) == 1
    err = capsys.readouterr().err
    assert 'wallet-card: page 2: text set at 8.0 pt ("Scan"), below 9 pt' in err
    assert "7.5 pt" not in err


def test_fine_print_has_its_own_floor(project, capsys):
    edit(project / "templates" / "css" / "common.css", "font-size: 7.5pt;", "font-size: 6pt;")
    assert main(["check", "--content", str(project / "content.yml"), "wallet-card"]) == 1
    assert (
        'wallet-card: page 2: fine print set at 6.0 pt ("EN-26"), below 7 pt '
        "(checks.min_fine_print_pt); make it larger in the stylesheet"
    ) in capsys.readouterr().err.splitlines()


def test_marking_a_sentence_as_fine_print_is_refused(project, capsys):
    edit(
        project / "templates" / "wallet-card.html.j2",
        '<div class="back__text">',
        '<div class="back__text" data-fine-print>',
    )
    assert main(["check", "--content", str(project / "content.yml"), "wallet-card"]) == 1
    assert (
        "wallet-card: page 2: 'A line. (978) 699-9786 EN-26' is marked "
        "data-fine-print, but fine print is only for a short code (at most 16 characters); "
        "remove the mark and set the text at checks.min_type_pt or larger"
    ) in capsys.readouterr().err.splitlines()
