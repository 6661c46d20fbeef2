"""Read PDFs back the way a person would see them: text, where it sits, and pixels."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader


def page_texts(path: Path) -> list[str]:
    """Text of each page, whitespace collapsed so line breaks do not split phrases."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def text_boxes(path: Path, page_index: int, needle: str) -> list[tuple[float, float, float, float]]:
    """Every place NEEDLE appears on a page: (left, bottom, right, top) in PDF points."""
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page_index].get_textpage()
        searcher = textpage.search(needle, match_case=True)
        boxes = []
        while (hit := searcher.get_next()) is not None:
            first, count = hit
            first_box = textpage.get_charbox(first)
            last_box = textpage.get_charbox(first + count - 1)
            boxes.append((first_box[0], min(first_box[1], last_box[1]), last_box[2], first_box[3]))
        return boxes
    finally:
        pdf.close()


def font_sizes(path: Path, page_index: int, needle: str) -> list[float]:
    """Printed type size in points of each run of text containing NEEDLE on a page.

    The size in the text operator is scaled by the text and graphics matrices (WeasyPrint
    draws in CSS pixels under a 0.75 scale), so both are applied, as a printer would.
    """
    sizes: list[float] = []

    def visit(text, cm, tm, _font, size):
        if needle in text:
            scale_y = abs(tm[1] * cm[2] + tm[3] * cm[3])
            sizes.append(round(size * scale_y, 2))

    PdfReader(path).pages[page_index].extract_text(visitor_text=visit)
    return sizes


def render(path: Path, page_index: int, dpi: int = 150):
    """A page as a PIL image."""
    pdf = pdfium.PdfDocument(path)
    try:
        return pdf[page_index].render(scale=dpi / 72).to_pil()
    finally:
        pdf.close()
