"""The documents, read back from the real PDFs."""

from __future__ import annotations

import math
import re

import pytest
import zxingcpp
from pypdf import PdfReader

from brochure.impose import SheetLayout
from tests.pdfread import (
    embedded_fonts,
    font_sizes,
    page_drawing,
    page_texts,
    render,
    text_boxes,
)

IN = 72
EXPECTED = {
    "trifold": (2, 11 * IN, 8.5 * IN),
    "faq": (1, 8.5 * IN, 11 * IN),
    "wallet-card": (2, 3.5 * IN, 2 * IN),
    "wallet-card-sheet": (2, 8.5 * IN, 11 * IN),
    "tear-off-flyer": (1, 8.5 * IN, 11 * IN),
    "poster": (1, 11 * IN, 17 * IN),
    "faq-large-print": (2, 8.5 * IN, 11 * IN),  # English: its words take two pages today
}
PHONE = "(978) 699-9786"

# Avery 5371/8371 written out as numbers, not read from brochure.impose: US Letter (612 x 792
# pt, origin at the bottom left), 3.5 x 2 in cards, 2 across from 0.75 in, 5 down from 0.5 in
# below the top, no gaps. Lower-left corners, row by row from the top left.
CARD_W, CARD_H = 252.0, 144.0
AVERY_FRONTS = [
    (54.0, 612.0), (306.0, 612.0),
    (54.0, 468.0), (306.0, 468.0),
    (54.0, 324.0), (306.0, 324.0),
    (54.0, 180.0), (306.0, 180.0),
    (54.0, 36.0), (306.0, 36.0),
]  # fmt: skip
# Long-edge duplex flips the sheet left to right: each back sits behind its front.
AVERY_BACKS = [(612.0 - x - CARD_W, y) for x, y in AVERY_FRONTS]
MARK_CLEARANCE = 4.5  # 1/16 in between every cut mark and every card


def test_every_document_is_built(built):
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


@pytest.mark.parametrize("edition", ["en", "es", "pt-BR"])
def test_card_qr_code_dials_the_number(built_all, edition):
    path = next(b.path for b in built_all if (b.edition, b.document) == (edition, "wallet-card"))
    image = render(path, 1, dpi=300)
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == ["tel:+19786999786"]


def _card_qr(path):
    """The card back at 300 dpi (greyscale) and its one decoded QR code."""
    image = render(path, 1, dpi=300).convert("L")
    (result,) = zxingcpp.read_barcodes(image)
    return image, result


def test_card_qr_code_is_a_full_qr_code_with_medium_error_correction(built):
    """Error correction M (15 %) at least, as qr.py asks segno for; segno raises it when that
    costs no extra modules, so the code on the card today is Q."""
    _image, result = _card_qr(built["wallet-card"])
    assert result.format == zxingcpp.BarcodeFormat.QRCode  # not a Micro QR code
    assert result.ec_level in ("M", "Q", "H"), result.ec_level
    assert result.extra["ECLevel"] == result.ec_level


def _quiet_zone_modules(image, result, side: str) -> float:
    """How many modules of white lie beside the code on SIDE, up to the card's edge. The top
    and bottom bands run 4 modules past the code each way, so they hold the quiet zone's
    corners; the left and right bands run the code's height."""
    where = result.position
    corners = (where.top_left, where.top_right, where.bottom_right, where.bottom_left)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    modules = 17 + 4 * int(result.extra["Version"])
    module = (right - left) / modules
    assert abs((bottom - top) - (right - left)) <= 2, "the code is not square"
    reach = round(4 * module) + 2
    step = 0
    while step < 12 * module:
        edge = 2 + step  # 2 px clear of the symbol: its edge pixels are anti-aliased
        box = {
            "left": (left - edge - 1, top, left - edge, bottom),
            "right": (right + edge, top, right + edge + 1, bottom),
            "top": (left - reach, top - edge - 1, right + reach, top - edge),
            "bottom": (left - reach, bottom + edge, right + reach, bottom + edge + 1),
        }[side]
        outside = box[0] < 0 or box[1] < 0 or box[2] > image.width or box[3] > image.height
        if outside or image.crop(box).getextrema()[0] < 250:  # any ink, however faint
            break
        step += 1
    return (step + 2) / module


@pytest.mark.parametrize(
    "side",
    [
        "left",
        "top",
        "right",
        "bottom",
    ],
)
@pytest.mark.parametrize("edition", ["en", "es", "pt-BR"])
def test_card_qr_code_has_a_four_module_quiet_zone(built_all, edition, side):
    path = next(b.path for b in built_all if (b.edition, b.document) == (edition, "wallet-card"))
    image, result = _card_qr(path)
    assert _quiet_zone_modules(image, result, side) >= 4, side


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
    """Each page draws the card face at exactly the Avery 5371 card rectangles (the backs'
    columns mirrored), read from the content stream: forms placed with cm and Do, and the
    face drawn in place (the tagged copy a screen reader reads), clipped to its card."""
    for page_index, corners in ((0, AVERY_FRONTS), (1, AVERY_BACKS)):
        _segments, placed = page_drawing(built["wallet-card-sheet"], page_index)
        assert len(placed) == 10, page_index
        rects = sorted(tuple(round(v, 2) for v in rect) for _name, rect in placed)
        assert rects == sorted((x, y, x + CARD_W, y + CARD_H) for x, y in corners), page_index


def test_sheet_cards_show_the_card_where_the_card_shows_it(built):
    """The phone number sits on each card of the sheet exactly where it sits on the single
    card: the front's on page 1 at the Avery corners, the back's on page 2 mirrored."""
    for page_index, corners in ((0, AVERY_FRONTS), (1, AVERY_BACKS)):
        (on_card,) = text_boxes(built["wallet-card"], page_index, PHONE)
        found = sorted(text_boxes(built["wallet-card-sheet"], page_index, PHONE))
        expected = sorted(
            (x + on_card[0], y + on_card[1], x + on_card[2], y + on_card[3]) for x, y in corners
        )
        assert len(found) == len(expected) == 10, page_index
        for got, want in zip(found, expected, strict=True):
            assert got == pytest.approx(want, abs=0.25), (page_index, got, want)


def test_back_slots_mirror_columns_for_long_edge_duplex():
    layout = SheetLayout(left=1 * IN)  # asymmetric, so mirroring is visible
    fronts, backs = layout.front_slots(), layout.back_slots()
    assert fronts[0] == (1 * IN, backs[0][1])
    assert backs[0][0] == (8.5 - 1 - 3.5) * IN
    for (fx, fy), (bx, by) in zip(fronts, backs, strict=True):
        assert fy == by
        assert fx + layout.card_w / 2 == pytest.approx(layout.sheet_w - (bx + layout.card_w / 2))


def test_cut_marks_lie_outside_every_card(built):
    """Every stroked line on the sheet stays at least 1/16 in (4.5 pt) from every card, as the
    stroke's centre line: a mark ending on a card edge or inside a card is a cut card."""
    sheet = built["wallet-card-sheet"]
    fronts, _ = page_drawing(sheet, 0)
    assert len(fronts) == 2 * 3 + 2 * 6  # above and below each column edge, beside each row edge
    cards = [(x, y, x + CARD_W, y + CARD_H) for x, y in AVERY_FRONTS]
    for page_index in (0, 1):
        segments, _ = page_drawing(sheet, page_index)
        for segment in segments:
            for card in cards:
                gap = _segment_to_rectangle(segment, card)
                assert gap >= MARK_CLEARANCE - 0.01, (page_index, segment, card, round(gap, 2))
            x1, y1, x2, y2 = segment
            for x in (x1, x2):  # office printers cannot print within 1/4 in of the edge
                assert 0.25 * IN <= x <= 8.25 * IN, segment
            for y in (y1, y2):
                assert 0.25 * IN <= y <= 10.75 * IN, segment


def test_cut_marks_line_up_with_every_card_edge(built):
    segments, _ = page_drawing(built["wallet-card-sheet"], 0)
    vertical: dict[float, list[str]] = {}
    horizontal: dict[float, list[str]] = {}
    for x1, y1, x2, y2 in segments:
        if x1 == pytest.approx(x2):
            where = "above" if min(y1, y2) >= 756 else "below" if max(y1, y2) <= 36 else "?"
            vertical.setdefault(round(x1, 2), []).append(where)
        elif y1 == pytest.approx(y2):
            where = "left" if max(x1, x2) <= 54 else "right" if min(x1, x2) >= 558 else "?"
            horizontal.setdefault(round(y1, 2), []).append(where)
    assert {x: sorted(w) for x, w in vertical.items()} == {
        x: ["above", "below"] for x in (54, 306, 558)
    }
    assert {y: sorted(w) for y, w in horizontal.items()} == {
        y: ["left", "right"] for y in (36, 180, 324, 468, 612, 756)
    }


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


def _point_to_segment(px, py, x1, y1, x2, y2):
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def _segments_cross(a, b):
    """Whether two segments cross at a point inside both (touching is a distance of 0 and is
    found by _point_to_segment)."""

    def side(x1, y1, x2, y2, px, py):
        return (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)

    d1, d2 = side(*b, *a[:2]), side(*b, *a[2:])
    d3, d4 = side(*a, *b[:2]), side(*a, *b[2:])
    return d1 * d2 < 0 and d3 * d4 < 0


def _segment_to_rectangle(segment, rectangle):
    """Shortest distance from a line segment to a filled rectangle (0 when they meet)."""
    left, bottom, right, top = rectangle
    x1, y1, x2, y2 = segment
    if any(left <= x <= right and bottom <= y <= top for x, y in ((x1, y1), (x2, y2))):
        return 0.0
    corners = [(left, bottom), (right, bottom), (right, top), (left, top)]
    edges = [(*corners[i], *corners[(i + 1) % 4]) for i in range(4)]
    if any(_segments_cross(segment, edge) for edge in edges):
        return 0.0
    return min(
        [_point_to_segment(x, y, *edge) for edge in edges for x, y in ((x1, y1), (x2, y2))]
        + [_point_to_segment(x, y, *segment) for x, y in corners]
    )


def test_segment_to_rectangle_distance():
    card = (54, 612, 306, 756)
    assert _segment_to_rectangle((54, 760.5, 54, 774), card) == pytest.approx(4.5)
    assert _segment_to_rectangle((54, 756, 54, 774), card) == 0  # ends on the edge
    assert _segment_to_rectangle((54, 738, 54, 774), card) == 0  # runs into the card
    assert _segment_to_rectangle((18, 700, 400, 700), card) == 0  # crosses it
    assert _segment_to_rectangle((40, 770, 50, 760), card) == pytest.approx(math.hypot(4, 4))


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
