"""The wallet card as a screen reader user gets it by email.

An independent checker (pdfua, pinned in the test extras) must find nothing; then what it does
not check: the QR code's description, in the edition's language, and its box.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
import zxingcpp

from brochure.editions import load_editions
from tests.conftest import CONTENT
from tests.pdfread import render

EDITIONS = ("en", "es", "pt-BR")
CARD_FILES = ("wallet-card",)  # the card sheet is not tagged yet


@pytest.fixture(scope="module")
def files(built_all) -> dict[tuple[str, str], Path]:
    return {(b.edition, b.document): b.path for b in built_all}


@pytest.fixture(scope="module")
def words() -> dict:
    """Each edition's content, translations overlaid: the words the PDFs must say."""
    return {edition.name: edition.content for edition in load_editions(CONTENT)}


def pdfua(*paths: Path) -> list[dict]:
    """`python -m pdfua check --format json`: one report per file (printed one after another)."""
    run = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode in (0, 1, 2, 3), run.stderr  # 4: unreadable, 5: usage
    decoder, text, reports = json.JSONDecoder(), run.stdout.strip(), []
    while text:
        report, end = decoder.raw_decode(text)
        reports.append(report)
        text = text[end:].lstrip()
    return reports


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, in document (reading) order."""
    found = []

    def walk(node: pikepdf.Object) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") not in ("/MCR", "/OBJR"):
            if "/S" in node:
                found.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


# --- an independent checker ------------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdfua_finds_nothing_on_the_card(files, edition):
    """No error, no warning, and every rule ran (a rule that crashes is skipped, not passed)."""
    paths = [files[(edition, name)] for name in CARD_FILES]
    reports = pdfua(*paths)
    assert [Path(r["file"]).name for r in reports] == [p.name for p in paths]
    for report in reports:
        name = Path(report["file"]).name
        assert report["findings"] == [], (name, report["findings"])
        assert report["skipped"] == [], (name, report["skipped"])
        assert report["summary"]["rules_run"] >= 12, name


# --- what pdfua does not check ---------------------------------------------------------------


@pytest.mark.parametrize("document", CARD_FILES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_qr_code_is_one_figure_described_in_the_editions_language(
    files, words, edition, document
):
    content = words[edition]
    with pikepdf.open(files[(edition, document)]) as pdf:
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        assert len(figures) == 1
        assert str(figures[0].get("/Alt", "")) == (
            f"{content.card.back.qr_caption}: {content.program.phone}"
        )


def test_the_qr_figure_box_is_where_the_code_is_printed(built):
    """The Figure's /BBox (PDF points from the bottom left) is the code measured on a 300 dpi
    render of the card's back."""
    with pikepdf.open(built["wallet-card"]) as pdf:
        (figure,) = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        box = [float(v) for v in figure.A.BBox]
        card_h = float(pdf.pages[1].MediaBox[3])
        assert [p.objgen for p in pdf.pages].index(figure.Pg.objgen) == 1
    (code,) = zxingcpp.read_barcodes(render(built["wallet-card"], 1, dpi=300))
    corners = (code.position.top_left, code.position.bottom_right)
    pt = 72 / 300
    measured = [
        corners[0].x * pt,
        card_h - corners[1].y * pt,
        corners[1].x * pt,
        card_h - corners[0].y * pt,
    ]
    assert box == pytest.approx(measured, abs=1.0)
