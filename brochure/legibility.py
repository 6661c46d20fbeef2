"""Legibility of a finished PDF, as laid out: type sizes, contrast, and the phone number.

Measured from the PDF itself, not from the stylesheets, with pdfium (pypdfium2: the engine
that draws the catalog's thumbnails):

- Text: every text object on every page (WeasyPrint writes one per run of a line), with its
  text, its size (the font size times the scale of its matrix, which carries WeasyPrint's 0.75
  scale from CSS pixels to points), its fill colour and opacity, and its box. The size is
  read as the size in Atkinson Hyperlegible with the same x-height: text in another script's
  font is drawn smaller by that font's factor (fonts.size_adjust) to look the same size, so
  a Vietnamese line drawn at 11.6 pt in Noto Sans counts as the 12.5 pt the stylesheet says.
- Sizes: the smallest type on a page (captions, the draft band and all), and the body size: the
  size most of the page's letters are set in (the draft band, a label in English, left out).
- Contrast: each run's fill colour against its background as laid out. The text objects are
  taken off the page (pdfium rewrites its content) and the rest is rendered, 1 pixel per point:
  what lies behind the words, panels, bands and marks over them included. Inside each run's
  box, grown by 1 pt, every colour covering a tenth of it is a background (more than one where
  a mark lies over part of a line), and the worst counts. Text with an opacity is first
  blended with that background, as a printer would. The ratio is WCAG 2's, and so are the
  limits: 4.5:1, and 3:1 for large text (18 pt, or 14 pt bold). Text drawn at an angle is the
  diagonal DRAFT mark, see-through by design over the words under it, and is left out;
  whatever it lies over is measured with it on top.
- The phone number: the largest run that reads as the program's number, against the body size
  of its page.
"""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Matrix

from brochure import fonts
from brochure.content import Checks

SCALE = 1.0  # render pixels per point


@dataclass(frozen=True)
class Run:
    page: int  # from 1
    text: str
    size: float  # printed, in points
    colour: tuple[int, int, int]
    alpha: int  # 255: opaque
    box: tuple[float, float, float, float]  # left, bottom, right, top in points
    turned: bool  # drawn at an angle
    bold: bool = False  # the font's weight is 700 or more


@dataclass(frozen=True)
class Legibility:
    """What one PDF's pages show: the figures for the check's table, and what is wrong."""

    smallest: float = 0.0  # points: the smallest type on any page
    smallest_text: str = ""
    body: float = 0.0  # points: the smallest body size of any page
    contrast: float = 21.0  # the lowest contrast of any text against its background
    contrast_text: str = ""
    phone: float | None = None  # points: the largest the number is printed; None: missing
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    pages: tuple[dict, ...] = field(default=(), compare=False)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""
    linear = []
    for channel in rgb:
        c = channel / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_colour(rgb: tuple[float, ...]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb[:3])


def read_runs(pdf: bytes) -> tuple[list[Run], list]:
    """Every run of text in the PDF, and each page rendered without its text (PIL images,
    SCALE pixels per point)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(pdf)
    runs: list[Run] = []
    images = []
    try:
        for number, page in enumerate(document, start=1):
            textpage = page.get_textpage()
            count = raw.FPDFPage_CountObjects(page)
            objects = [raw.FPDFPage_GetObject(page, i) for i in range(count)]
            before = len(runs)
            _collect(raw, objects, textpage, number, Matrix(), runs)
            textpage.close()
            # The page without its (level) text: what lies behind the words.
            for obj in objects:
                if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT and not _turned(obj, raw):
                    raw.FPDFPage_RemoveObject(page, obj)
                    raw.FPDFPageObj_Destroy(obj)
            if len(runs) > before:
                raw.FPDFPage_GenerateContent(page)
            image = page.render(scale=SCALE).to_pil().convert("RGB")
            # The picture shows the crop box: its top left corner is pixel (0, 0).
            left, _bottom, _right, top = page.get_cropbox()
            image.info["origin"] = (left, top)
            images.append(image)
            page.close()
    finally:
        document.close()
    return runs, images


def _turned(obj, raw) -> bool:
    matrix = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    return abs(matrix.b) > 1e-3 or abs(matrix.c) > 1e-3


def _collect(raw, objects, textpage, number: int, outer: Matrix, runs: list[Run]) -> None:
    """Text objects, entering form XObjects (their matrix carried to page space)."""
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        matrix = raw.FS_MATRIX()
        raw.FPDFPageObj_GetMatrix(obj, matrix)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            inner = Matrix(matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f) @ outer
            count = raw.FPDFFormObj_CountObjects(obj)
            kids = [raw.FPDFFormObj_GetObject(obj, i) for i in range(count)]
            _collect(raw, kids, textpage, number, inner, runs)
            continue
        if kind != raw.FPDF_PAGEOBJ_TEXT:
            continue
        length = raw.FPDFTextObj_GetText(obj, textpage, None, 0)
        buffer = ctypes.create_string_buffer(length)
        raw.FPDFTextObj_GetText(
            obj, textpage, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), length
        )
        text = buffer.raw[: max(0, length - 2)].decode("utf-16-le", "replace").strip()
        if not text:
            continue
        size = ctypes.c_float()
        raw.FPDFTextObj_GetFontSize(obj, size)
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        raw.FPDFPageObj_GetFillColor(obj, r, g, b, a)
        edges = [ctypes.c_float() for _ in range(4)]
        raw.FPDFPageObj_GetBounds(obj, *edges)
        left, bottom, right, top = (e.value for e in edges)
        if outer != Matrix():
            corners = [outer.transform((x, y)) for x in (left, right) for y in (bottom, top)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            left, bottom, right, top = min(xs), min(ys), max(xs), max(ys)
        font = raw.FPDFTextObj_GetFont(obj)
        bold = bool(font) and raw.FPDFFont_GetWeight(font) >= 700
        adjust = _size_adjust(raw, font)
        full = Matrix(matrix.a, matrix.b, matrix.c, matrix.d, 0, 0) @ outer
        scale = math.sqrt(abs(full.a * full.d - full.b * full.c))
        runs.append(
            Run(
                number,
                text,
                round(size.value * scale / adjust, 2),
                (r.value, g.value, b.value),
                a.value,
                (left, bottom, right, top),
                abs(full.b) > 1e-3 or abs(full.c) > 1e-3,
                bold,
            )
        )


def _size_adjust(raw: Any, font: Any) -> float:
    """The factor the run's font is drawn at (fonts.size_adjust_of)."""
    if not font:
        return 1.0
    length = raw.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(length)
    raw.FPDFFont_GetBaseFontName(font, buffer, length)
    return fonts.size_adjust_of(buffer.value.decode("latin-1"))


def backgrounds(image, run: Run) -> list[tuple[int, int, int]]:
    """The flat colours behind the run, from the page drawn without its text: every colour
    covering a tenth of the run's box (grown by 1 pt) or more. More than one where a mark lies
    over part of a line."""
    left, bottom, right, top = run.box
    x0, y0 = image.info["origin"]
    pad = 1.0
    box = (
        max(0, math.floor((left - x0 - pad) * SCALE)),
        max(0, math.floor((y0 - top - pad) * SCALE)),
        min(image.width, math.ceil((right - x0 + pad) * SCALE)),
        min(image.height, math.ceil((y0 - bottom + pad) * SCALE)),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        return [(255, 255, 255)]
    crop = image.crop(box)
    pixels = crop.width * crop.height
    colours = crop.getcolors(pixels) or [(pixels, (255, 255, 255))]
    top_count = max(count for count, _ in colours)
    return [c for count, c in colours if count * 10 >= pixels or count == top_count]


def large(run: Run) -> bool:
    """WCAG 2's large text: 18 pt, or 14 pt bold."""
    return run.size >= 18 or (run.bold and run.size >= 14)


def measure(
    pdf: bytes,
    phone_digits: str,
    checks: Checks,
    labels: frozenset[str] = frozenset(),
    fine_print: frozenset[tuple[int, str]] = frozenset(),
) -> Legibility:
    """Sizes, contrast and the phone number of every page, and what breaks the limits.

    LABELS: texts that are not body text (the draft band), left out of the body size.
    FINE_PRINT: (page, text) of each short code a template marks `data-fine-print` (the
    edition code): held to checks.min_fine_print_pt instead of min_type_pt, and left out of the
    body size and the smallest type. Only a run of exactly that text on that page; its
    contrast is checked like any other text's.
    """
    runs, images = read_runs(pdf)
    errors: list[str] = []
    warnings: list[str] = []
    smallest: tuple[float, str] = (math.inf, "")
    body_min = math.inf
    lowest: tuple[float, str] = (math.inf, "")
    phone: tuple[float, float] | None = None  # (size, body size of its page)
    pages = []
    for number, image in enumerate(images, start=1):
        on_page = [r for r in runs if r.page == number and not r.turned]
        if not on_page:
            continue
        fine = [r for r in on_page if (number, r.text) in fine_print]
        for run in fine:
            if run.size < checks.min_fine_print_pt:
                errors.append(
                    f"page {number}: fine print set at {run.size:.1f} pt ({_sample(run.text)}), "
                    f"below {checks.min_fine_print_pt:g} pt (checks.min_fine_print_pt); make it "
                    "larger in the stylesheet"
                )
        sized = [r for r in on_page if r not in fine] or on_page
        letters: dict[float, int] = {}
        for run in [r for r in sized if r.text not in labels] or sized:
            letters[round(run.size, 1)] = letters.get(round(run.size, 1), 0) + len(run.text)
        body = max(letters, key=lambda size: (letters[size], size))
        body_min = min(body_min, body)
        if body < checks.min_body_pt:
            errors.append(
                f"page {number}: body text is set at {body:g} pt, below {checks.min_body_pt:g} "
                "pt (checks.min_body_pt); make it larger in the stylesheet"
            )
        small = min(sized, key=lambda r: r.size)
        if small.size < smallest[0]:
            smallest = (small.size, small.text)
        reported: set[tuple] = set()
        for run in sorted(sized, key=lambda r: r.size):
            if run.size < checks.min_type_pt and ("size", run.size) not in reported:
                reported.add(("size", run.size))
                errors.append(
                    f"page {number}: text set at {run.size:.1f} pt ({_sample(run.text)}), below "
                    f"{checks.min_type_pt:g} pt (checks.min_type_pt); make it larger in the "
                    "stylesheet"
                )
        worst_here = math.inf
        for run in on_page:
            ratio, seen, behind = min(
                (contrast(shown, colour), shown, colour)
                for colour in backgrounds(image, run)
                for shown in [_blend(run, colour)]
            )
            worst_here = min(worst_here, ratio)
            if ratio < lowest[0]:
                lowest = (ratio, run.text)
            pair = (hex_colour(seen), hex_colour(behind))
            least, name = (
                (checks.min_contrast_large, "min_contrast_large")
                if large(run)
                else (checks.min_contrast, "min_contrast")
            )
            if ratio < least and pair not in reported:
                reported.add(pair)
                kind = "large text" if large(run) else "text"
                errors.append(
                    f"page {number}: {kind} in {pair[0]} on {pair[1]} ({_sample(run.text)}, "
                    f"{run.size:g} pt) has contrast {ratio:.1f}:1, below {least:g}:1 "
                    f"(checks.{name}); use a darker colour (or a lighter background) from "
                    "tokens.css"
                )
            number_here = phone_digits and phone_digits in re.sub(r"\D", "", run.text)
            if number_here and (phone is None or run.size > phone[0]):
                phone = (run.size, body)
        pages.append({"page": number, "body": body, "smallest": small.size, "contrast": worst_here})
    if phone is None:
        warnings.append(
            "the phone number is not printed on this document; every handout must show it"
        )
    elif phone[0] + 0.05 < phone[1]:
        warnings.append(
            f"the phone number is printed at {phone[0]:g} pt, smaller than the body text "
            f"({phone[1]:g} pt); make it at least as large"
        )
    return Legibility(
        smallest=smallest[0] if smallest[0] != math.inf else 0.0,
        smallest_text=smallest[1],
        body=body_min if body_min != math.inf else 0.0,
        contrast=round(lowest[0], 2) if lowest[0] != math.inf else 21.0,
        contrast_text=lowest[1],
        phone=phone[0] if phone else None,
        errors=tuple(errors),
        warnings=tuple(warnings),
        pages=tuple(pages),
    )


def _blend(run: Run, behind: tuple[int, int, int]) -> tuple[float, ...]:
    """The colour a printer shows for the run's fill over BEHIND, with its opacity."""
    if run.alpha >= 255:
        return run.colour
    share = run.alpha / 255
    return tuple(share * c + (1 - share) * b for c, b in zip(run.colour, behind, strict=True))


def _sample(text: str) -> str:
    words = text.split()
    return '"' + " ".join(words[:6]) + (" ..." if len(words) > 6 else "") + '"'
