"""One typographic voice across scripts (issue 12): every script's font is drawn at the size
that gives it Atkinson Hyperlegible's x-height (brochure/fonts.py, size_adjust), so a line of
Vietnamese, Arabic, Nepali or Chinese looks the same size as an English one beside it."""

from __future__ import annotations

import ctypes
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from brochure import fonts
from brochure.content import Checks
from brochure.legibility import measure
from brochure.paths import PROJECT_ROOT
from brochure.pdf import Renderer

PHONE = "9786999786"
#: The fonts the Spanish FAQ's language list draws each script in, by their PDF name.
SCRIPT_FONTS = {
    "Noto-Sans-Arabic": "Noto Sans Arabic",
    "Noto-Sans-Devanagari": "Noto Sans Devanagari",
    "Noto-Sans-CJK-TC": "Noto Sans CJK TC",
    "Noto-Sans-CJK-SC": "Noto Sans CJK SC",
    "Noto-Sans": "Noto Sans",
}


def regular_faces() -> dict[str, fonts.FontFace]:
    found: dict[str, fonts.FontFace] = {}
    for face in fonts.faces():
        if face.weight == 400 or face.variable:
            found.setdefault(face.family, face)
    return found


def declared_x_height(face: fonts.FontFace) -> float:
    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    return font["OS/2"].sxHeight / font["head"].unitsPerEm


def test_each_font_draws_its_x_at_the_height_it_declares():
    """The factors rest on each font's declared x-height (OS/2 sxHeight); wherever a font has
    an x, the top of its outline is at that height (flat-topped, so within 1 % of an em)."""
    checked = 0
    for face in regular_faces().values():
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        name = font.getBestCmap().get(ord("x"))
        if name is None:
            continue  # Noto Sans Arabic and Devanagari draw no Latin: they follow Noto Sans
        pen = BoundsPen(font.getGlyphSet())
        font.getGlyphSet()[name].draw(pen)
        top = pen.bounds[3] / font["head"].unitsPerEm
        assert abs(top - declared_x_height(face)) < 0.01, (face.family, top)
        checked += 1
    assert checked >= 3  # Atkinson Hyperlegible, Noto Sans, Noto Sans CJK


def test_each_family_is_drawn_to_atkinsons_x_height():
    base = declared_x_height(regular_faces()[fonts.SIZE_BASE])
    adjust = fonts.size_adjust()
    assert adjust[fonts.SIZE_BASE] == 1
    for family, face in regular_faces().items():
        assert adjust[family] == pytest.approx(base / declared_x_height(face), abs=0.001)
    # Noto runs larger than Atkinson at the same size: every other script is drawn smaller.
    assert all(0.85 < f < 1 for family, f in adjust.items() if family != fonts.SIZE_BASE)


def test_fontconfig_scales_every_family_once():
    """One rule per family: a rule matched twice would scale a font twice."""
    config = ET.fromstring(fonts.fontconfig_xml([], Path("/cache"), fonts.size_adjust()))
    rules = []
    for match in config.iter("match"):
        test = match.find("test")
        factor = float(match.find("edit/times/double").text)
        rules.append((test.get("compare"), test.find("string").text, factor))
    for family, factor in fonts.size_adjust().items():
        applying = [
            f
            for compare, name, f in rules
            if (compare == "eq" and name == family) or (compare == "contains" and name in family)
        ]
        assert applying == ([] if factor == 1 else [factor]), family


def chars(path: Path, page: int = 0) -> tuple[str, list[tuple[str, float]]]:
    """The page's text as pdfium reads it, and each character's font (its PDF name without the
    subset tag) and printed size in points (pdfium's size is in CSS pixels: times 0.75)."""
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page].get_textpage()
        text = textpage.get_text_range()
        found = []
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        for index in range(textpage.count_chars()):
            raw.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, flags)
            name = buffer.value.decode().split("+", 1)[-1]
            found.append((name, round(raw.FPDFText_GetFontSize(textpage.raw, index) * 0.75, 2)))
        return text, found
    finally:
        pdf.close()


def family_of(name: str) -> str | None:
    known = [prefix for prefix in SCRIPT_FONTS if name.startswith(prefix)]
    return SCRIPT_FONTS[max(known, key=len)] if known else None


def test_each_script_in_the_language_list_is_drawn_at_its_factor(built_all):
    """The Spanish FAQ's "we speak your language" list sets every name at one size in the
    stylesheet; in the PDF, Atkinson Hyperlegible's "English" is drawn at that size and every
    other script's font at that size times its family's factor (Noto Sans for Vietnamese)."""
    path = next(b.path for b in built_all if (b.edition, b.document) == ("es", "faq"))
    text, found = chars(path)
    start = text.index("English:")
    font, size = found[start]
    assert font.startswith("Atkinson-Hyperlegible")
    adjust = fonts.size_adjust()
    seen = set()
    for char, (name, drawn) in zip(text, found, strict=True):
        family = family_of(name)
        if family is not None and not char.isspace():
            assert drawn == pytest.approx(size * adjust[family], abs=0.03), (name, drawn, size)
            seen.add(family)
    assert seen == set(SCRIPT_FONTS.values())


#: Three lines of x's, one per typeface that draws Latin, at one size in the stylesheet.
PROBE = "<p style=\"font: 40pt/2 '{family}'; margin: 0\">xxxxx</p>"


def ink_rows(png) -> list[tuple[int, int]]:
    """The runs of rows holding dark ink, top to bottom: (first, last)."""
    pixels, width = png.tobytes(), png.width
    dark = [min(pixels[y * width : (y + 1) * width]) < 128 for y in range(png.height)]
    runs: list[tuple[int, int]] = []
    for y, inked in enumerate(dark):
        if inked and runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        elif inked:
            runs.append((y, y))
    return runs


def test_latin_in_every_typeface_looks_the_same_size():
    """Measured in pixels, not from the fonts' figures: a line of x's (no ascender, no
    descender: its ink is the x-height) in Atkinson Hyperlegible, Noto Sans and Noto Sans CJK,
    each at 40 pt in the stylesheet, laid out and written by the build's own renderer and drawn
    by pdfium, stand the same height to within 2 %. Unscaled, Noto Sans stands 8 % taller."""
    families = (fonts.SIZE_BASE, "Noto Sans", "Noto Sans CJK TC")
    html = "".join(PROBE.format(family=family) for family in families)
    renderer = Renderer((PROJECT_ROOT,), PROJECT_ROOT)
    document, report = renderer.layout(html, PROJECT_ROOT / "templates", "probe")
    pdf = pdfium.PdfDocument(renderer.write(document, report))
    try:
        png = pdf[0].render(scale=600 / 72).to_pil().convert("L")
    finally:
        pdf.close()
    heights = [last - first + 1 for first, last in ink_rows(png)]
    assert len(heights) == len(families), heights
    for family, height in zip(families[1:], heights[1:], strict=True):
        assert height / heights[0] == pytest.approx(1, abs=0.02), (family, heights)


def test_legibility_reads_a_script_at_the_size_the_stylesheet_names(built_all):
    """The legibility check counts a Vietnamese page's body (Noto Sans, drawn smaller) at the
    size it looks: the same as the Spanish page's, set at the same size in the stylesheet."""
    pdfs = {
        b.edition: b.path.read_bytes()
        for b in built_all
        if b.document == "faq" and b.edition in ("es", "vi")
    }
    es, vi = (measure(pdfs[e], PHONE, Checks()) for e in ("es", "vi"))
    assert vi.body == pytest.approx(es.body, abs=0.1), (vi.body, es.body)
