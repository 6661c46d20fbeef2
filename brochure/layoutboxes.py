"""The one adapter to WeasyPrint's laid-out box tree, which has no public API.

The fit check must know where text landed after layout: WeasyPrint's `Document` exposes pages
but not their boxes, so we reach `Page._page_box` and the box classes here, and only here.
tests/test_layoutboxes.py renders a small page and fails loudly, naming what moved, when a
WeasyPrint release changes any of it (the version is pinned to a range in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Attributes and methods of layout boxes the fit check reads.
BOX_API = (
    "content_box_x",
    "content_box_y",
    "border_box_y",
    "border_height",
    "position_x",
    "position_y",
    "margin_width",
    "width",
    "height",
    "style",
)


def page_root(page: Any) -> Any:
    """The root box of one laid-out page."""
    return page._page_box


def page_content_area(page: Any) -> tuple[float, float]:
    """Top and bottom of the page's content area, in CSS px."""
    root = page_root(page)
    top = root.content_box_y()
    return top, top + root.height


def children(box: Any) -> Iterator[Any]:
    yield from getattr(box, "children", ())


def element_of(box: Any) -> Any:
    """The HTML element a box was made for (None for anonymous boxes)."""
    return getattr(box, "element", None)


def positioned(box: Any) -> Any:
    """Absolutely positioned boxes sit inside a placeholder; this is the box itself."""
    return getattr(box, "_box", box)


def is_block(box: Any) -> bool:
    """Block-level and flex boxes: the ones whose content can overrun their own height."""
    from weasyprint.formatting_structure import boxes

    return isinstance(box, boxes.BlockLevelBox | boxes.FlexContainerBox)


def in_flow(box: Any) -> bool:
    style = getattr(box, "style", None)
    return style is None or style["position"] not in ("absolute", "fixed")


def fixed(box: Any) -> bool:
    """A `position: fixed` box, which WeasyPrint repeats on every page (the draft mark)."""
    style = getattr(positioned(box), "style", None)
    return style is not None and style["position"] == "fixed"


def sideways_overrun(box: Any) -> float:
    """How far the text of a block's lines runs past either side of the block's content box
    (a number kept unbroken that is wider than its box), or the items of a grid or flex row
    past theirs (columns sized to their content that add up to more than the row); 0 for a
    box with neither."""
    from weasyprint.formatting_structure import boxes

    if not isinstance(box.width, int | float):
        return 0.0
    if isinstance(box, boxes.GridContainerBox | boxes.FlexContainerBox):
        rows = [box.children]
    elif isinstance(box, boxes.BlockContainerBox):
        rows = [line.children for line in box.children if isinstance(line, boxes.LineBox)]
    else:
        return 0.0
    start = box.content_box_x()
    worst = 0.0
    for items in rows:
        if items:
            left = min(child.position_x for child in items)
            right = max(child.position_x + child.margin_width() for child in items)
            worst = max(worst, right - (start + box.width), start - left)
    return worst


def font_size(box: Any) -> float:
    return box.style["font_size"]


def tag_languages() -> None:
    """Give the PDF structure element of every HTML element with its own `lang` a /Lang.

    WeasyPrint writes the document's language only, so a screen reader would read an English
    line inside a Spanish handout (the draft band) with Spanish rules. Its tagger builds the
    structure tree in one recursive generator, `weasyprint.pdf.tags._build_box_tree`, which
    yields the structure elements made for a box; we wrap it once. Called before any render.
    """
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "brochure_lang", False):
        return

    def build_with_lang(box: Any, *args: Any) -> Iterator[Any]:
        element = element_of(positioned(box))
        lang = None
        if element is not None and element.tag not in ("html", "body"):
            lang = element.get("lang")
        for made in build(box, *args):
            if lang and "Lang" not in made:
                import pydyf

                made["Lang"] = pydyf.String(lang)
            yield made

    build_with_lang.brochure_lang = True  # type: ignore[attr-defined]
    tags._build_box_tree = build_with_lang


#: Text whose shaped glyphs cannot be read back from the glyphs alone, by Unicode block:
#: Arabic (Noto Sans Arabic draws a letter as a dotless shape shared by several letters plus
#: its dots, and WeasyPrint's ToUnicode map loses letters of shaped clusters: its issue #2841),
#: Devanagari and the other Indic scripts (a vowel sign drawn before its consonant, a conjunct
#: drawn as one glyph), and Vietnamese letters with two accents or a dot below (drawn as a
#: letter plus marks, which came back as "tri ị" for "trị").
SHAPED_SCRIPTS = (
    (0x0300, 0x036F),
    (0x0590, 0x08FF),
    (0x0900, 0x0DFF),
    (0x1EA0, 0x1EFF),
    (0xFB1D, 0xFEFF),
)


def needs_actual_text(text: str) -> bool:
    return any(low <= ord(char) <= high for char in text for low, high in SHAPED_SCRIPTS)


def mark_actual_text() -> None:
    """Give each run of Arabic, Devanagari or Vietnamese text its words as /ActualText, so a
    screen reader, a search and a copy get the right letters whatever the font's glyphs say.

    WeasyPrint opens a marked-content sequence (/Span <</MCID n>> BDC) around each text box in
    `Stream.marked`; we wrap it once to add the box's own text to that property list.
    """
    import pydyf
    from weasyprint.pdf.stream import Stream

    marked = Stream.marked
    if getattr(marked, "brochure_actual_text", False):
        return

    @contextmanager
    def marked_with_text(self: Any, box: Any, tag: str) -> Iterator[None]:
        text = getattr(box, "text", "")
        if self._tags is None or not needs_actual_text(text):
            with marked(self, box, tag):
                yield
            return
        mcid = len(self._tags)
        self._tags[box] = {"tag": tag, "mcid": mcid}
        properties = pydyf.Dictionary({"MCID": mcid, "ActualText": pydyf.String(text)})
        pydyf.Stream.begin_marked_content(self, tag, properties)
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    marked_with_text.brochure_actual_text = True  # type: ignore[attr-defined]
    Stream.marked = marked_with_text
