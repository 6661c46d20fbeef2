"""Arabic lines of the kinds a translator may write read back in order (brochure/readback.py):
numbers in Arabic-Indic or Persian digits, a vowel sign shown on its own, the invisible joiners
and soft hyphens content may hold. Each is drawn by WeasyPrint the way a build draws it, then
read by poppler, which is not our code."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from brochure.pdf import Renderer
from brochure.readback import ARABIC
from tests.pdfread import poppler_text

LINES = {
    "arabic-indic number": ["اتصل بنا ٢٤ ساعة في اليوم", "من ١٠ إلى ١٢٥ يوما"],
    "persian number": ["الرقم ۱۲۳ هنا"],
    "decimal number": ["نحو ٣٫٥ ساعات"],
    "mark alone, then on a letter": ["علامة َ وحدها", "كَتَبَ الدرس"],
    "mark on a letter, then alone": ["كَتَبَ الدرس", "علامة َ وحدها"],
    "joiners": ["مرحبا\u200dبك", "نحن\u200cهنا"],
    "soft hyphen": ["مرح\u00adبا بك"],
}


def draw(lines: list[str], folder: Path) -> Path:
    """LINES as paragraphs of a tagged Arabic page (as the office profile draws them)."""
    body = "".join(f"<p>{line}</p>" for line in lines)
    html = (
        '<html lang="ar" dir="rtl"><head><title>t</title></head>'
        f'<body style="font-family: Noto Sans Arabic; font-size: 14pt">{body}</body></html>'
    )
    renderer = Renderer(roots=(folder,), name_base=folder)
    document, report = renderer.layout(html, folder, "t.html", "pdf/ua-1")
    path = folder / "t.pdf"
    path.write_bytes(renderer.write(document, report, "pdf/ua-1"))
    return path


def arabic_actual_texts(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [
            str(operands[1]["/ActualText"])
            for page in pdf.pages
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC"
            and isinstance(operands[1], pikepdf.Dictionary)
            and ARABIC.search(str(operands[1].get("/ActualText", "")))
        ]


@pytest.mark.parametrize("case", sorted(LINES))
def test_arabic_line_reads_back_in_order(case, tmp_path):
    """Every line matched glyph for glyph (no /ActualText left, which poppler would reverse),
    and poppler reads its letters and digits in reading order. Poppler moves a space across
    a number, so spaces are not compared."""
    lines = LINES[case]
    path = draw(lines, tmp_path)
    assert arabic_actual_texts(path) == []
    read = re.sub(r"\s", "", poppler_text(path, raw=False))
    for line in lines:
        wanted = re.sub(r"\s", "", line.replace("\u00ad", ""))
        assert wanted in read, (case, line, read)
