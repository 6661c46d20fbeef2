"""Preflight: a PDF that is not what the document promises is never written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brochure import layoutboxes as boxes
from brochure.documents import DocumentSpec
from brochure.errors import BrochureError
from brochure.inks import PageInk


def check_page_count(spec: DocumentSpec, pages: int) -> None:
    """A page too many means text spilled out of a box; a page too few means a face is lost."""
    fewest, most = spec.page_range
    if fewest == most and pages != most:
        raise BrochureError(
            f"{spec.name}: laid out on {pages} page(s) but must have exactly {most}; "
            "some text does not fit its box: shorten it or make the type smaller"
        )
    if not fewest <= pages <= most:
        raise BrochureError(
            f"{spec.name}: laid out on {pages} page(s) but must have {fewest} to {most}; "
            "shorten the text it shows, or make the type smaller"
        )


def check_pdf(spec: DocumentSpec, pdf: bytes, bleed_in: float = 0.0, slug_in: float = 0.0) -> int:
    """Read the finished bytes back: page count, trim size and bleed must match the spec (and a
    proof's paper must leave SLUG_IN around the bleed for its marks). Returns the page count."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        check_page_count(spec, len(document))
        want_w, want_h = spec.size_pt
        bleed = bleed_in * 72
        for number, page in enumerate(document, start=1):
            page_boxes = {
                "trimbox": (page.get_trimbox(), 0.0),
                "mediabox": (page.get_mediabox(), bleed + slug_in * 72),
                "bleedbox": (page.get_bleedbox(), bleed),
            }
            for name, ((left, bottom, right, top), extra) in page_boxes.items():
                width, height = right - left, top - bottom
                if abs(width - want_w - 2 * extra) > 0.5 or abs(height - want_h - 2 * extra) > 0.5:
                    raise BrochureError(
                        f"{spec.name}: page {number} {name} is {width:.1f} x {height:.1f} pt "
                        f"but must be {want_w + 2 * extra:.1f} x {want_h + 2 * extra:.1f} pt; "
                        "check the @page size in the document's stylesheet"
                    )
        return len(document)
    finally:
        document.close()


def check_ink(spec: DocumentSpec, pages: list[PageInk], limit: float) -> list[str]:
    """A file the print shop can print as it is: every colour CMYK, and nowhere more ink than
    LIMIT per cent (inks.py measures both from the finished bytes)."""
    problems = []
    for page in pages:
        where = f"{spec.name}: page {page.number}"
        for what in page.problems:
            if "picture" in what:
                fix = "save the picture in CMYK, or leave it out of the press files"
            elif "overprint" in what:
                fix = "remove the overprint; the shop sets overprint itself"
            else:
                fix = (
                    "use one of the colour tokens (var(--ink), var(--brand), ...), whose "
                    "CMYK values are in templates/css/profile-press.css, instead of a colour "
                    "written straight into a stylesheet (like `red` or `#c00`)"
                )
            problems.append(f"{where} has {what}, but a press file must be all CMYK; {fix}")
        if page.coverage > limit:
            inks = " ".join(f"{v:g}" for v in page.colour)
            problems.append(
                f"{where} puts {page.coverage:.0f} % ink on one spot (device-cmyk({inks})), "
                f"more than the {limit:.0f} % a press can take; make that colour lighter "
                "in templates/css/profile-press.css or where it is written"
            )
    return problems


@dataclass
class _Fit:
    """A box that must hold its text: where it ends, and how far its content went past that."""

    page: int
    limit: float
    line: float
    spill: float = 0.0  # deepest overflow of any block inside it, in CSS px
    wide: float = 0.0  # furthest a line of its text runs past the side of its box, in CSS px
    end_page: int = -1
    end_y: float = 0.0
    words: str | None = None  # the file its text comes from, when not the edition's own


def check_fit(spec: DocumentSpec, document: Any, words_file: str = "content.yml") -> list[str]:
    """Report every box whose text does not fit: that text would be cut off or spill over.

    Templates mark a box with `data-fit="NAME"` and end it with the fit_end() marker. Two
    measurements, both read from WeasyPrint's laid-out box tree: how far any block inside the
    box is overrun by its own content (text squeezed under a neighbour or clipped), and where
    the end marker landed (text pushed past the box or onto another page).
    """
    fits: dict[str, list[_Fit]] = {}
    page_areas = []
    repeated: dict[int, int] = {}  # fixed boxes: measured on the first page they appear on
    for page_index, page in enumerate(document.pages):
        page_areas.append(boxes.page_content_area(page))
        _walk(boxes.page_root(page), page_index, [], fits, set(), repeated)
    problems = []
    # The document's own boxes, then any other a template marks (the draft band).
    for name in (*spec.fit_boxes, *(n for n in fits if n not in spec.fit_boxes)):
        if name not in fits:
            problems.append(
                f'{spec.name}: the template has no box marked data-fit="{name}"; '
                "every box that must fit needs one (see macros.html.j2)"
            )
            continue
        first = fits[name][0]
        what = f"{name} {spec.box_word}".strip() if name in spec.fit_boxes else name
        wide = max(f.wide for f in fits[name])
        if wide > 1:
            problems.append(
                f"{spec.name}: a line in the {what} is {wide / 96:.2f} in wider than the box "
                f"(words or a number that cannot break); shorten it in "
                f"{first.words or words_file}, or make its type smaller"
            )
        worst = max(_marker_overflow(first, page_areas), *(f.spill for f in fits[name]))
        # No end marker on any page: WeasyPrint dropped the rest of the text, so we can only
        # say how much was cut at least.
        lost = first.end_page < 0
        if worst > 1 or lost:
            lines = max(1, round(worst / first.line))
            amount = f"at least {lines}" if lost else f"about {lines}"
            problems.append(
                f"{spec.name}: {what} overflows by {amount} "
                f"line{'s' if lines != 1 else ''}; shorten its text in {first.words or words_file}"
            )
    return problems + _split_across_pages(spec, document, words_file)


def _split_across_pages(spec: DocumentSpec, document: Any, words_file: str) -> list[str]:
    """Report every element marked `data-keep="WHAT"` that lands on more than one page (large
    print: a question must stay with its answer). CSS asks for that with `break-inside:
    avoid`; this checks that it happened, because a block taller than a page is split anyway."""
    pages: dict[int, tuple[str, set[int]]] = {}

    def walk(box: Any, index: int) -> None:
        element = boxes.element_of(box)
        if element is not None and element.get("data-keep"):
            pages.setdefault(id(element), (element.get("data-keep"), set()))[1].add(index)
        for child in boxes.children(box):
            walk(child, index)

    for index, page in enumerate(document.pages):
        walk(boxes.page_root(page), index)
    return [
        f"{spec.name}: {what} is split across pages {min(found) + 1} and {max(found) + 1}; "
        f"shorten it in {words_file} so it fits on one page"
        for what, found in pages.values()
        if len(found) > 1
    ]


def _walk(box: Any, page: int, stack: list[str], fits: dict, seen: set, repeated: dict) -> None:
    element = boxes.element_of(box)
    pushed = False
    # A fixed box repeats on every page: its copies were measured on the first.
    if element is not None and boxes.fixed(box) and repeated.setdefault(id(element), page) != page:
        return
    if element is not None and id(element) not in seen:
        seen.add(id(element))
        name = element.get("data-fit")
        if name:
            bottom = box.content_box_y() + box.height
            fit = _Fit(page, bottom, boxes.font_size(box) * 1.35, _deepest_overrun(box))
            fit.wide = _widest_overrun(box)
            fit.words = element.get("data-words")
            fits.setdefault(name, []).append(fit)
            stack.append(name)
            pushed = True
        elif element.get("data-fit-end") is not None and stack:
            # Measure against the box's first fragment: text that spilled onto a later page
            # is text that did not fit where it belongs.
            first = fits[stack[-1]][0]
            first.end_page, first.end_y = page, box.position_y
    for child in boxes.children(box):
        _walk(child, page, stack, fits, seen, repeated)
    if pushed:
        stack.pop()


def _deepest_overrun(box: Any) -> float:
    """How far the content of this block, or of any block inside it, runs past its bottom.

    Only blocks count: a line's glyphs may rise above its line height by design.
    """
    box = boxes.positioned(box)
    if not boxes.is_block(box):
        return 0.0
    children = list(boxes.children(box))
    flow = [c for c in children if boxes.in_flow(c)]
    own = 0.0
    if flow and isinstance(box.height, int | float):
        content_end = max(c.border_box_y() + c.border_height() for c in flow)
        own = content_end - (box.content_box_y() + box.height)
    element = boxes.element_of(box)
    inner = (c for c in children if not _separate_fit_box(c, element))
    return max(own, *(_deepest_overrun(c) for c in inner), 0.0)


def _widest_overrun(box: Any) -> float:
    """How far any line inside this box runs past its side: text kept on one line (a phone
    number never breaks) that is wider than the box would be cut off or cross a cut line."""
    box = boxes.positioned(box)
    element = boxes.element_of(box)
    inner = (c for c in boxes.children(box) if not _separate_fit_box(c, element))
    return max(boxes.sideways_overrun(box), *(_widest_overrun(c) for c in inner), 0.0)


def _separate_fit_box(box: Any, parent: Any) -> bool:
    """A box inside another that is measured on its own (the draft band inside a panel), so
    its overflow is reported once, under its own name."""
    element = boxes.element_of(boxes.positioned(box))
    return element is not None and element is not parent and bool(element.get("data-fit"))


def _marker_overflow(fit: _Fit, page_areas: list[tuple[float, float]]) -> float:
    if fit.end_page < 0:
        return 0.0
    if fit.end_page == fit.page:
        return fit.end_y - fit.limit
    top, _bottom = page_areas[fit.end_page]
    between = sum(b - t for t, b in page_areas[fit.page + 1 : fit.end_page])
    return (fit.end_y - top) + between + 1


#: Fine print is a short code (the edition code, `ZHHANT-W-26`), never a sentence: a longer
#: text marked `data-fine-print` is refused, so the exemption cannot spread to words.
FINE_PRINT_CHARS = 16


def fine_print(document: Any) -> tuple[frozenset[tuple[int, str]], list[str]]:
    """The texts a template marks `data-fine-print`, with their page (from 1): the legibility
    check lets only these be smaller than checks.min_type_pt (down to min_fine_print_pt).
    Also the problems: fine print longer than a code."""
    found: set[tuple[int, str]] = set()
    problems: list[str] = []
    for index, page in enumerate(document.pages, start=1):
        for element in _marked(boxes.page_root(page), "data-fine-print", set()):
            text = " ".join("".join(element.itertext()).split())
            if len(text) > FINE_PRINT_CHARS:
                problems.append(
                    f"page {index}: {text[:40]!r} is marked data-fine-print, but fine print is "
                    f"only for a short code (at most {FINE_PRINT_CHARS} characters); remove "
                    "the mark and set the text at checks.min_type_pt or larger"
                )
            else:
                found.add((index, text))
    return frozenset(found), problems


def _marked(box: Any, attribute: str, seen: set) -> list[Any]:
    """Elements carrying ATTRIBUTE among the boxes under BOX, each once."""
    element = boxes.element_of(boxes.positioned(box))
    if element is not None and element.get(attribute) is not None and id(element) not in seen:
        seen.add(id(element))
        return [element]
    return [
        e
        for child in boxes.children(boxes.positioned(box))
        for e in _marked(child, attribute, seen)
    ]
