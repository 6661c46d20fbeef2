"""The one adapter to WeasyPrint's laid-out box tree, which has no public API.

The fit check must know where text landed after layout: WeasyPrint's `Document` exposes pages
but not their boxes, so we reach `Page._page_box` and the box classes here, and only here.
tests/test_layoutboxes.py renders a small page and fails loudly, naming what moved, when a
WeasyPrint release changes any of it (the version is pinned to a range in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: Attributes and methods of layout boxes the fit check reads.
BOX_API = ("content_box_y", "border_box_y", "border_height", "position_y", "height", "style")


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
