"""The four core documents, read back from the real PDFs."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ContentStream

from brochure.impose import AVERY_5371, SheetLayout
from tests.pdfread import embedded_fonts, font_sizes, page_texts, render, text_boxes

IN = 72
EXPECTED = {
    "trifold": (2, 11 * IN, 8.5 * IN),
    "faq": (1, 8.5 * IN, 11 * IN),
    "wallet-card": (2, 3.5 * IN, 2 * IN),
    "wallet-card-sheet": (2, 8.5 * IN, 11 * IN),
}
PHONE = "(978) 699-9786"


def test_all_four_documents_are_built(built):
    assert sorted(built) == sorted(EXPECTED)
    for path in built.values():
        assert path.parent.name == "en"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_count_and_size(built, name):
    pages, width, height = EXPECTED[name]
    reader = PdfReader(built[name])
    assert len(reader.pages) == pages
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.01)


def test_content_phone_is_the_programs_number(content):
    assert content.program.phone == PHONE
    assert content.program.phone_tel == "tel:+19786999786"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_phone_number_on_every_document(built, name):
    assert any(PHONE in text for text in page_texts(built[name]))


def test_phone_on_card_front_and_trifold_outside(built):
    assert PHONE in page_texts(built["wallet-card"])[0]
    assert PHONE in page_texts(built["trifold"])[0]


def test_phone_on_card_front_is_large(built):
    sizes = font_sizes(built["wallet-card"], 0, PHONE)
    assert sizes
    assert min(sizes) >= 14


def test_front_cover_panel_carries_name_and_phone(built, content):
    """The cover is the right-hand panel of page 1: x from 11in - 3.6875in to 11in."""
    cover_left = (11 - 3.6875) * IN
    for needle in ("Intensive Outpatient", PHONE):
        boxes = text_boxes(built["trifold"], 0, needle)
        assert boxes, f"{needle!r} not found on the outside of the tri-fold"
        assert any(b[0] >= cover_left and b[2] <= 11 * IN for b in boxes), (needle, boxes)
    assert content.program.name.startswith("Intensive Outpatient")


def test_back_cover_names_both_cities(built):
    back_left, back_right = 3.625 * IN, (3.625 + 3.6875) * IN
    for city in ("Worcester", "Somerville"):
        boxes = text_boxes(built["trifold"], 0, city)
        assert any(back_left <= b[0] and b[2] <= back_right for b in boxes), city


def test_trifold_panel_text_stays_inside_its_panel(built):
    """No word crosses a fold line: every character box lies within one panel."""
    folds = {0: [3.625 * IN, 7.3125 * IN], 1: [3.6875 * IN, 7.375 * IN]}
    for page_index, fold_xs in folds.items():
        boxes = _all_char_boxes(built["trifold"], page_index)
        assert len(boxes) > 300
        for left, _bottom, right, _top in boxes:
            for fold in fold_xs:
                assert not (left < fold - 0.5 and right > fold + 0.5), (page_index, fold)
            assert left >= 0.25 * IN and right <= 10.75 * IN


def test_faq_has_six_questions_and_answers(built, content):
    (text,) = page_texts(built["faq"])
    assert len(content.faq.items) == 6
    for item in content.faq.items:
        assert " ".join(item.question.split()) in text
        assert " ".join(item.answer.split()) in text
    assert PHONE in text


def test_card_front_has_no_diagnosis_words(built):
    front = page_texts(built["wallet-card"])[0].lower()
    for word in ("addiction", "substance", "treatment", "rehab", "mental", "relapse", "iop"):
        assert word not in front


def test_card_qr_code_dials_the_number(built):
    image = render(built["wallet-card"], 1, dpi=300)
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == ["tel:+19786999786"]


def test_sheet_has_ten_card_fronts_at_avery_positions(built):
    boxes = text_boxes(built["wallet-card-sheet"], 0, PHONE)
    assert len(boxes) == 10
    height = 11 * IN
    slots = set()
    for left, _bottom, _right, top in boxes:
        column = (left - 0.75 * IN) // (3.5 * IN)
        row = (height - top - 0.5 * IN) // (2 * IN)
        slots.add((int(column), int(row)))
    assert slots == {(c, r) for c in range(2) for r in range(5)}


def test_sheet_backs_carry_ten_qr_codes(built):
    image = render(built["wallet-card-sheet"], 1, dpi=200)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 10
    assert {r.text for r in results} == {"tel:+19786999786"}


def test_sheet_places_cards_with_no_gaps(built):
    """The form XObject is drawn at exactly the Avery 5371 card corners on each page."""
    reader = PdfReader(built["wallet-card-sheet"])
    for page, expected in zip(
        reader.pages, (AVERY_5371.front_slots(), AVERY_5371.back_slots()), strict=True
    ):
        placed = _placements(page, reader)
        assert sorted(placed) == sorted((round(x, 2), round(y, 2)) for x, y in expected)
    xs = sorted({x for x, _ in AVERY_5371.front_slots()})
    assert xs == [0.75 * IN, 4.25 * IN]
    assert max(y for _, y in AVERY_5371.front_slots()) == (11 - 0.5 - 2) * IN


def test_back_slots_mirror_columns_for_long_edge_duplex():
    layout = SheetLayout(left=1 * IN)  # asymmetric, so mirroring is visible
    fronts, backs = layout.front_slots(), layout.back_slots()
    assert fronts[0] == (1 * IN, backs[0][1])
    assert backs[0][0] == (8.5 - 1 - 3.5) * IN
    for (fx, fy), (bx, by) in zip(fronts, backs, strict=True):
        assert fy == by
        assert fx + layout.card_w / 2 == pytest.approx(layout.sheet_w - (bx + layout.card_w / 2))


def test_cut_marks_lie_outside_every_card(built):
    reader = PdfReader(built["wallet-card-sheet"])
    lines = _stroked_lines(reader.pages[0], reader)
    assert len(lines) == 2 * 3 + 2 * 6  # top and bottom per column edge, both sides per row edge
    cards = [(x, y, x + 3.5 * IN, y + 2 * IN) for x, y in AVERY_5371.front_slots()]
    for x1, y1, x2, y2 in lines:
        for cx1, cy1, cx2, cy2 in cards:
            inside_x = max(x1, x2) > cx1 + 0.01 and min(x1, x2) < cx2 - 0.01
            inside_y = max(y1, y2) > cy1 + 0.01 and min(y1, y2) < cy2 - 0.01
            assert not (inside_x and inside_y), ((x1, y1, x2, y2), (cx1, cy1))
        for value in (x1, x2):
            assert 0.25 * IN <= value <= 8.25 * IN
        for value in (y1, y2):
            assert 0.25 * IN <= value <= 10.75 * IN


def test_every_font_is_embedded_and_packaged(built):
    for path in built.values():
        fonts = embedded_fonts(path)
        assert fonts, path
        for name, descriptor in fonts.items():
            assert re.search(r"Atkinson|Noto", name), name
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


# --- helpers ---------------------------------------------------------------------------------


def _all_char_boxes(path, page_index):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page_index].get_textpage()
        return [
            textpage.get_charbox(i)
            for i in range(textpage.count_chars())
            if not textpage.get_text_range(i, 1).isspace()
        ]
    finally:
        pdf.close()


def _operations(page, reader):
    return ContentStream(page.get_contents(), reader).operations


def _placements(page, reader):
    placed = []
    matrix = None
    for operands, op in _operations(page, reader):
        if op == b"cm":
            matrix = [float(v) for v in operands]
        elif op == b"Do":
            placed.append((round(matrix[4], 2), round(matrix[5], 2)))
    return placed


def _stroked_lines(page, reader):
    lines, start = [], None
    for operands, op in _operations(page, reader):
        if op == b"m":
            start = tuple(float(v) for v in operands)
        elif op == b"l":
            lines.append((*start, *(float(v) for v in operands)))
    return lines


# --- the panel geometry lives in one place ---------------------------------------------------


def test_trifold_stylesheet_states_no_panel_position_of_its_own():
    """Widths and positions come from documents.py as CSS variables; the CSS must not repeat
    them (a second copy would silently disagree with the guides, proofs and checks)."""
    from brochure.paths import PROJECT_ROOT

    css = (PROJECT_ROOT / "templates" / "css" / "trifold.css").read_text()
    for number in ("3.625in", "3.6875in", "7.3125in", "7.375in"):
        assert number not in css


@pytest.mark.parametrize(
    ("page", "key", "width", "needle_from"),
    [(0, "flap", 3.5, "back"), (1, "inside-left", 3.5625, "inside-middle")],
)
def test_a_panel_width_declared_in_documents_moves_the_panels(
    monkeypatch, tmp_path, content, page, key, width, needle_from
):
    """Narrow one panel in documents.py: the next panel's text moves left by as much."""
    import dataclasses

    from brochure import documents
    from brochure.build import check
    from brochure.options import BuildOptions
    from tests.conftest import CONTENT

    def heading_left(pdf_bytes: bytes) -> float:
        path = tmp_path / f"trifold-{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(pdf_bytes)
        heading = {
            "back": content.trifold.back.heading,
            "inside-middle": content.trifold.inside_middle.heading,
        }[needle_from]
        boxes = text_boxes(path, page, heading.split()[0])
        assert boxes, heading
        return min(b[0] for b in boxes)

    options = BuildOptions.create(
        CONTENT, documents=("trifold",), workers=1, only=frozenset({("en", "trifold")})
    )
    before = heading_left(check(options)[1][0].pdf)
    spec = documents.DOCUMENTS["trifold"]
    panels = tuple(
        tuple(dataclasses.replace(p, width_in=width) if p.key == key else p for p in row)
        for row in spec.panels
    )
    monkeypatch.setitem(documents.DOCUMENTS, "trifold", dataclasses.replace(spec, panels=panels))
    old_width = next(p.width_in for row in spec.panels for p in row if p.key == key)
    after = heading_left(check(options)[1][0].pdf)
    assert after - before == pytest.approx((width - old_width) * IN, abs=0.5)
