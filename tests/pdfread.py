"""Read PDFs back the way a person would see them: text, where it sits, and pixels."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import ImageChops
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


def printed_runs(path: Path, pages: list[int] | None = None) -> list[tuple[float, str]]:
    """(type size in points, text) for every run of text, as a printer sets it.

    The size in the text operator is scaled by the text and graphics matrices (WeasyPrint
    draws in CSS pixels under a 0.75 scale), so both are applied.
    """
    runs: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            runs.append((round(size * abs(tm[1] * cm[2] + tm[3] * cm[3]), 2), text.strip()))

    reader = PdfReader(path)
    for index in pages if pages is not None else range(len(reader.pages)):
        reader.pages[index].extract_text(visitor_text=visit)
    return runs


def font_sizes(path: Path, page_index: int, needle: str) -> list[float]:
    """Printed type size of each run of text containing NEEDLE on a page."""
    return [size for size, text in printed_runs(path, [page_index]) if needle in text]


def embedded_fonts(path: Path) -> dict[str, object]:
    """Every font the PDF uses (pages and form XObjects): base name -> font descriptor."""
    found: dict[str, object] = {}

    def visit(resources):
        resources = resources.get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            found[str(font["/BaseFont"])] = target.get("/FontDescriptor", {}).get_object()
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in PdfReader(path).pages:
        visit(page["/Resources"])
    return found


def render(path: Path, page_index: int, dpi: int = 150):
    """A page as a PIL image."""
    pdf = pdfium.PdfDocument(path)
    try:
        return pdf[page_index].render(scale=dpi / 72).to_pil()
    finally:
        pdf.close()


def colour_mask(image, rgb: tuple[int, int, int], tolerance: int = 10):
    """A greyscale mask of IMAGE: 255 where a pixel is within TOLERANCE of RGB in every
    channel, 0 elsewhere. mask.getbbox() is where the colour is; count_colour how much."""
    bands = [
        band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
        for band, c in zip(image.convert("RGB").split(), rgb, strict=True)
    ]
    return ImageChops.darker(ImageChops.darker(bands[0], bands[1]), bands[2])


def count_colour(image, rgb: tuple[int, int, int], tolerance: int = 10) -> int:
    """How many pixels of IMAGE are within TOLERANCE of RGB in every channel."""
    return colour_mask(image, rgb, tolerance).histogram()[255]
