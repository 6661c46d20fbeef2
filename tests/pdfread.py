"""Read PDFs back the way a person would see them: text, where it sits, and pixels."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import ImageChops
from pypdf import PdfReader

from brochure import fonts


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
    """(type size in points, text) for every run of text, as a reader sees it (below)."""
    return [(size, text) for size, text, _ in printed_runs_in_fonts(path, pages)]


def printed_runs_in_fonts(
    path: Path, pages: list[int] | None = None
) -> list[tuple[float, str, str]]:
    """(type size in points, text, the font's PDF name) for every run of text.

    The size in the text operator is scaled by the text and graphics matrices (WeasyPrint
    draws in CSS pixels under a 0.75 scale), so both are applied. A script font drawn
    smaller to match Atkinson Hyperlegible's x-height (Noto Sans Arabic at 0.925 of 11 pt)
    reads as the size it was asked for, so the drawn size is divided by that factor.
    """
    runs: list[tuple[float, str, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            drawn = size * abs(tm[1] * cm[2] + tm[3] * cm[3])
            name = str(font.get("/BaseFont", "")) if font else ""
            runs.append((round(drawn / fonts.size_adjust_of(name), 2), text.strip(), name))

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


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _then(first: Matrix, second: Matrix) -> Matrix:
    """The matrix that applies FIRST, then SECOND (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def page_drawing(path: Path, page_index: int) -> tuple[list, list]:
    """What a page's own content stream draws, in page coordinates (PDF points, origin at the
    bottom left), with the graphics state (q, Q, cm) followed:

    - stroked straight segments (x1, y1, x2, y2), from m, l, h and re paths painted with
      S, s, B, B*, b or b* (filled-only paths are left out; a curve is taken as its chord);
    - form XObjects drawn with Do: (name, (left, bottom, right, top)), the form's /BBox
      carried through its /Matrix and the current transformation;
    - artwork drawn in place under a clipping path, as a form is clipped to its box (the
      tagged first card of a card sheet): ("clip", the clipping path's bounds).

    Neither is entered: their drawing is their own (the card art on a card sheet), so what is
    drawn while such a clip is in force is left out, up to the Q that ends it.
    """
    from pypdf.generic import ContentStream

    reader = PdfReader(path)
    page = reader.pages[page_index]
    xobjects = page["/Resources"].get_object().get("/XObject", {})
    ctm, stack = IDENTITY, []
    segments, pending, placements = [], [], []
    start = current = None
    clipping = False  # W or W* seen: the path being built becomes the clip when painted
    clip_depth = None  # the q depth at which the outermost clip was set, while it holds
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        values = (
            [float(v) for v in operands]
            if op in (b"cm", b"m", b"l", b"re", b"c", b"v", b"y")
            else []
        )
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
            if clip_depth is not None and len(stack) < clip_depth:
                clip_depth = None
        elif op in (b"W", b"W*"):
            clipping = True
        elif op == b"cm":
            ctm = _then(tuple(values), ctm)
        elif op == b"m":
            start = current = _apply(ctm, *values)
        elif op in (b"l", b"c", b"v", b"y"):  # a curve counts as its chord
            end = _apply(ctm, *values[-2:])
            pending.append((*current, *end))
            current = end
        elif op == b"h" and start is not None:
            pending.append((*current, *start))
            current = start
        elif op == b"re":
            x, y, w, h = values
            corners = [_apply(ctm, *p) for p in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]
            pending += [(*corners[i], *corners[(i + 1) % 4]) for i in range(4)]
        elif op in (b"S", b"s", b"B", b"B*", b"b", b"b*", b"f", b"F", b"f*", b"n"):
            if op in (b"s", b"b", b"b*") and start is not None and current != start:
                pending.append((*current, *start))
            if op in (b"S", b"s", b"B", b"B*", b"b", b"b*") and clip_depth is None:
                segments += pending
            if clipping and clip_depth is None and pending:
                xs = [v for seg in pending for v in seg[0::2]]
                ys = [v for seg in pending for v in seg[1::2]]
                placements.append(("clip", (min(xs), min(ys), max(xs), max(ys))))
                clip_depth = len(stack)
            pending, start, current, clipping = [], None, None, False
        elif op == b"Do" and clip_depth is None:
            name = str(operands[0])
            form = xobjects[name].get_object()
            matrix = _then(tuple(float(v) for v in form.get("/Matrix", IDENTITY)), ctm)
            left, bottom, right, top = (float(v) for v in form["/BBox"])
            corners = [_apply(matrix, x, y) for x in (left, right) for y in (bottom, top)]
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            placements.append((name, (min(xs), min(ys), max(xs), max(ys))))
    return segments, placements


# --- colour, read with pikepdf (not with brochure's own reader, brochure/inks.py) ----------

RGB_OPERATORS = {"rg", "RG", "g", "G"}
NOT_CMYK_NAMES = {"/DeviceRGB", "/CalRGB", "/DeviceGray", "/CalGray"}


def _space_is_cmyk(space, resources) -> bool:
    """Whether a colour space (a name, maybe listed in RESOURCES, or an array) is CMYK."""
    import pikepdf

    if isinstance(space, pikepdf.Name):
        if str(space) in ("/DeviceCMYK", "/Pattern"):
            return True
        listed = resources.get("/ColorSpace", {}) if resources is not None else {}
        return str(space) in listed and _space_is_cmyk(listed[str(space)], None)
    family = str(space[0])
    if family == "/ICCBased":
        return int(space[1].get("/N")) == 4
    if family == "/Pattern":
        return len(space) == 1 or _space_is_cmyk(space[1], resources)
    return False


def not_cmyk(path: Path) -> list[str]:
    """Every use of a colour that is not CMYK, anywhere in the file: colour operators (rg, RG,
    g, G, and cs/CS naming another space) in every content stream (pages, form XObjects,
    tiling patterns, soft masks, annotation appearances), and RGB or grey colour spaces named
    by any object at all (shadings, pictures, transparency groups, resources)."""
    import pikepdf

    found: list[str] = []
    with pikepdf.open(path) as pdf:
        for number, obj in enumerate(pdf.objects):
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                for key, value in obj.items():
                    if key == "/DestOutputProfile":
                        continue
                    if isinstance(value, pikepdf.Name) and str(value) in NOT_CMYK_NAMES:
                        found.append(f"object {number}: {key} {value}")
                    if (
                        key in ("/ColorSpace", "/CS")
                        and isinstance(value, pikepdf.Array)
                        and not _space_is_cmyk(value, None)
                    ):
                        found.append(f"object {number}: {key} {value[0]}")
            if (
                isinstance(obj, pikepdf.Array)
                and len(obj) == 2
                and obj[0] == "/ICCBased"
                and int(obj[1].get("/N")) != 4
            ):
                found.append(f"object {number}: ICCBased with {obj[1].get('/N')} components")

        def walk(stream, resources, where: str, seen: set) -> None:
            if stream.objgen in seen:
                return
            seen = seen | {stream.objgen}
            resources = resources if resources is not None else pikepdf.Dictionary()
            for instruction in pikepdf.parse_content_stream(stream):
                op = str(instruction.operator)
                if op in RGB_OPERATORS:
                    found.append(f"{where}: {op}")
                elif op in ("cs", "CS") and not _space_is_cmyk(instruction.operands[0], resources):
                    found.append(f"{where}: {instruction.operands[0]} {op}")
            for name, xobject in resources.get("/XObject", {}).items():
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources"), f"{where} form {name}", seen)
            for name, pattern in resources.get("/Pattern", {}).items():
                if pattern.get("/PatternType") == 1:
                    walk(pattern, pattern.get("/Resources"), f"{where} pattern {name}", seen)
            for name, state in resources.get("/ExtGState", {}).items():
                mask = state.get("/SMask")
                if isinstance(mask, pikepdf.Dictionary) and "/G" in mask:
                    walk(mask.G, mask.G.get("/Resources"), f"{where} mask {name}", seen)

        for index, page in enumerate(pdf.pages):
            where = f"page {index + 1}"
            walk(page.obj, page.obj.get("/Resources"), where, set())
            for annotation in page.obj.get("/Annots", []):
                for appearance in annotation.get("/AP", {}).values():
                    streams = [appearance] if isinstance(appearance, pikepdf.Stream) else []
                    streams += [] if streams else list(appearance.values())
                    for stream in streams:
                        walk(stream, stream.get("/Resources"), f"{where} annotation", set())
    return found


def text_colours(path: Path) -> dict[tuple[int, tuple[float, ...], float], int]:
    """How many glyphs each page sets in each fill colour and printed size:
    (page number, fill colour (rounded to 3 places), size in points) -> glyph count.
    Only the page's own content stream, as WeasyPrint writes text there."""
    import pikepdf

    counts: dict[tuple[int, tuple[float, ...], float], int] = {}
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            fonts = page.obj.Resources.get("/Font", {})
            fill: tuple[float, ...] = (0.0,)
            ctm, stack, size, font = IDENTITY, [], 0.0, None
            tm: Matrix = IDENTITY
            for instruction in pikepdf.parse_content_stream(page.obj):
                op, args = str(instruction.operator), instruction.operands
                if op == "q":
                    stack.append((ctm, fill))
                elif op == "Q":
                    ctm, fill = stack.pop()
                elif op == "cm":
                    ctm = _then(tuple(float(v) for v in args), ctm)
                elif op in ("sc", "scn", "k", "rg", "g"):
                    fill = tuple(round(float(v), 3) for v in args)
                elif op == "Tf":
                    font, size = fonts.get(str(args[0])), float(args[1])
                elif op == "Tm":
                    tm = tuple(float(v) for v in args)
                elif op in ("Tj", "TJ"):
                    strings = args[0] if op == "TJ" else [args[0]]
                    width = 2 if font is not None and font.get("/Subtype") == "/Type0" else 1
                    glyphs = sum(
                        len(bytes(s)) // width for s in strings if isinstance(s, pikepdf.String)
                    )
                    matrix = _then(tm, ctm)
                    printed = round(size * math.hypot(matrix[2], matrix[3]), 1)
                    key = (number, fill, printed)
                    counts[key] = counts.get(key, 0) + glyphs
    return counts


def glyph_stream(path: Path, font_name: str) -> list[list[int]]:
    """The glyph ids a PDF draws in fonts whose name contains FONT_NAME, page by page, in the
    order they are drawn. WeasyPrint subsets fonts keeping glyph ids (HarfBuzz's retain-gids),
    so these are the font file's own ids: what HarfBuzz gives when it shapes the same text.
    A code is taken through the font's CIDToGIDMap (brochure/readback.py gives a glyph drawn
    for other letters a code of its own). Text in another font between two runs is marked
    with -1 (a word never spans it)."""
    import pikepdf

    pages = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", {})
            glyphs: list[int] = []
            current = ""
            to_glyph = b""
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name == "Tf":
                    font = fonts[str(operands[0])]
                    current = str(font.BaseFont)
                    mapping = font.DescendantFonts[0].get("/CIDToGIDMap")
                    to_glyph = mapping.read_bytes() if isinstance(mapping, pikepdf.Stream) else b""
                elif name in ("Tj", "TJ"):
                    if font_name not in current:
                        glyphs.append(-1)
                        continue
                    items = operands[0] if name == "TJ" else [operands[0]]
                    data = b"".join(bytes(i) for i in items if isinstance(i, pikepdf.String))
                    codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
                    glyphs += [
                        int.from_bytes(to_glyph[2 * c : 2 * c + 2], "big")
                        if 2 * c + 2 <= len(to_glyph)
                        else c
                        for c in codes
                    ]
            pages.append(glyphs)
    return pages


# --- poppler: the text and the structure tree as another program reads them ----------------

BIDI_MARKS = set("\u202a\u202b\u202c\u202d\u202e")


def poppler_text(
    path: Path, page: int | None = None, box: tuple[float, ...] | None = None, raw: bool = True
) -> str:
    """What poppler reads in drawing order (`pdftotext -raw`, which does not join "treat-" and
    "ment" the way plain pdftotext does; a screen reader does not either): all pages, or PAGE
    (from 0), optionally inside BOX (left, top, width, height in points from the top left).
    RAW false: plain `pdftotext`, which puts right-to-left lines in reading order.
    White space collapsed, no-break spaces as spaces, poppler's bidi embedding marks out."""
    pages = [] if page is None else ["-f", str(page + 1), "-l", str(page + 1)]
    crop: list[str] = []
    if box is not None:
        crop = ["-x", str(round(box[0])), "-y", str(round(box[1]))]
        crop += ["-W", str(round(box[2])), "-H", str(round(box[3]))]
    out = _pdftotext(path, *(["-raw"] if raw else []), "-r", "72", *pages, *crop)
    kept = "".join(" " if c == "\u00a0" else c for c in out if c not in BIDI_MARKS)
    return " ".join(kept.split())


def drawn_lines(path: Path) -> list[str]:
    """Each line as drawn (`pdftotext -raw`), stripped; empty lines dropped."""
    return [line.strip() for line in _pdftotext(path, "-raw").splitlines() if line.strip()]


def _pdftotext(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@dataclass
class Node:
    """One structure element from `pdfinfo -struct-text`: its type, its text lines, its kids."""

    kind: str
    lines: list[str] = field(default_factory=list)
    kids: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def text_lines(self) -> list[str]:
        """Its text, one entry per line as laid out (each Span is one line of a block)."""
        return self.lines + [line for kid in self.kids for line in kid.text_lines()]


def structure(path: Path) -> Node:
    """The structure tree as poppler reads it (`pdfinfo -struct-text`)."""
    output = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout
    root = Node("root")
    stack: list[tuple[int, Node]] = [(-1, root)]
    for line in output.splitlines():
        depth = len(line) - len(line.lstrip(" "))
        item = line.strip()
        while stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1]
        if item.startswith('"'):
            parent.lines.append(item[1:-1])
        elif item:
            node = Node(item.split(" ")[0])
            parent.kids.append(node)
            stack.append((depth, node))
    return root


def struct_text(path: Path) -> list[str]:
    """The text poppler reads from the structure tree, element by element, in order."""
    return [line for line in structure(path).text_lines() if line.strip()]


# --- pikepdf: the structure tree's objects ------------------------------------------------


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
