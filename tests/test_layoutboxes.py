"""WeasyPrint's box tree has no public API; brochure/layoutboxes.py is the one place that
reaches into it. If a WeasyPrint release moves any of it, this fails first, saying what."""

from __future__ import annotations

from brochure import layoutboxes
from brochure.pdf import load_weasyprint


def laid_out():
    weasyprint = load_weasyprint()
    html = (
        '<div data-fit="x" style="height: 1in; font-size: 12pt"><p>Some text</p>'
        '<div data-fit-end></div><span style="position: absolute">here</span></div>'
    )
    return weasyprint.HTML(string=html).render()


def test_pages_still_carry_their_root_box():
    (page,) = laid_out().pages
    assert hasattr(page, "_page_box"), "WeasyPrint's Page lost _page_box: update layoutboxes.py"
    top, bottom = layoutboxes.page_content_area(page)
    assert bottom > top >= 0


def test_boxes_still_have_what_the_fit_check_reads():
    (page,) = laid_out().pages
    found = {"fit": None, "block": 0, "placeholder": 0}

    def walk(box) -> None:
        box = layoutboxes.positioned(box)
        element = layoutboxes.element_of(box)
        if element is not None and element.get("data-fit") == "x":
            found["fit"] = box
        if hasattr(box, "_box") or not layoutboxes.in_flow(box):
            found["placeholder"] += 1
        found["block"] += layoutboxes.is_block(box)
        for child in layoutboxes.children(box):
            walk(child)

    walk(layoutboxes.page_root(page))
    box = found["fit"]
    assert box is not None, "boxes no longer carry their element: update layoutboxes.py"
    missing = [name for name in layoutboxes.BOX_API if not hasattr(box, name)]
    assert not missing, f"WeasyPrint boxes lost {missing}: update layoutboxes.py and check.py"
    assert layoutboxes.font_size(box) == 16  # 12 pt in CSS px
    assert box.height == 96  # 1 in
    assert found["block"] >= 2 and found["placeholder"] >= 1
