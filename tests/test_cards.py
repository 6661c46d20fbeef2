"""`brochure cards roster.csv`: every worker's sheets, checked the way a print shop and a
screen reader would check them; and the fast way against the simple way, card by card."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pikepdf
import pytest
import uharfbuzz as hb
import zxingcpp
from PIL import ImageChops

from brochure import fonts
from brochure.impose import AVERY_5371
from brochure.paths import PROJECT_ROOT
from tests.conftest import run_brochure
from tests.pdfread import glyph_stream, poppler_text, render, struct_elements, struct_text
from tests.test_card_access import assert_pdfua_clean

EXAMPLE = PROJECT_ROOT / "roster.example.csv"
TEL = "tel:+19786999786"
#: What each worker's card must say, written out by hand from roster.example.csv and the
#: card.worker words of each edition (not produced by the code under test).
EXPECTED = {
    "ana-somerville": ("Ask for Ana (she/her)", "Somerville · Habla español, Fala português"),
    "nguyen-worcester": ("Ask for Nguyễn (he/him)", "Worcester · Nói tiếng Việt, Speaks English"),
    "duc-worcester": ("Xin gặp Đức", "Worcester · Nói tiếng Việt"),
    "marisol-worcester": (
        "Pregunte por Marisol (ella)",
        "Worcester · Habla español, Speaks English",
    ),
    "jean-baptiste-somerville": (
        "Ask for Jean-Baptiste (he/him)",
        "Somerville · Pale kreyòl, Speaks English",
    ),
    "layla-worcester": ("اسأل عن Layla (she/her)", "Worcester · يتحدث العربية, Speaks English"),
    "sami-somerville": ("Ask for Sami (they/them)", "Somerville · नेपाली बोलिन्छ, Speaks English"),
    # Four languages: the last two on a third line.
    "thao-worcester": (
        "Ask for Thảo (she/her)",
        "Worcester · Nói tiếng Việt, Habla español,",
        "Fala português, Pale kreyòl",
    ),
    # Chinese needs Noto Sans CJK (not TrueType): made the simple way by both.
    "lan-somerville": ("Ask for Lan", "Somerville · 講廣東話, Speaks English"),
}
poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def roster_rows() -> dict[str, dict[str, str]]:
    with EXAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    slugs = list(EXPECTED)
    assert len(rows) == len(slugs)
    return dict(zip(slugs, rows, strict=True))


def cards_on_each_sheet(quantity: int) -> list[int]:
    """Written independently of brochure.impose: 25 cards -> 10, 10, 5."""
    sheets = []
    while quantity > 0:
        sheets.append(min(10, quantity))
        quantity -= 10
    return sheets


@pytest.fixture(scope="module")
def fast(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cards-fast")
    result = run_brochure("cards", str(EXAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote cards for 9 workers" in result.stdout
    return out / "cards"


@pytest.fixture(scope="module")
def simple(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cards-simple")
    result = run_brochure("cards", str(EXAMPLE), "--out", str(out), "--simple")
    assert result.returncode == 0, result.stderr
    return out / "cards"


@pytest.fixture(params=["fast", "simple"])
def made(request, fast, simple) -> Path:
    return {"fast": fast, "simple": simple}[request.param]


def test_one_file_per_worker_and_the_combined_file(made):
    assert sorted(p.name for p in made.iterdir()) == sorted(
        [f"{slug}.pdf" for slug in EXPECTED] + ["all-cards.pdf"]
    )


@poppler
@pytest.mark.parametrize("slug", list(EXPECTED))
def test_each_sheet_says_the_workers_lines_and_the_number(made, slug):
    """The first card of the first sheet, read through its tags (poppler's structure reader):
    the number, the name line and the languages line, each once."""
    read = struct_text(made / f"{slug}.pdf")
    joined = "".join(read)  # a line of several languages is one Span per language
    assert joined.count("(978) 699-9786") == 2  # front and back, not once per card
    if slug in {"layla-worcester", "sami-somerville"}:
        # Arabic and Devanagari come back right only through /ActualText (next test).
        assert joined.count(roster_rows()[slug]["first_name"]) == 1
    else:
        for line in EXPECTED[slug]:
            assert joined.count(line) == 1, line


def actual_texts(path: Path) -> list[str]:
    """The /ActualText of every marked-content sequence on the first page."""
    found = []
    with pikepdf.open(path) as pdf:
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[0]):
            properties = operands[1] if str(operator) == "BDC" else None
            if isinstance(properties, pikepdf.Dictionary) and "/ActualText" in properties:
                found.append(str(properties.ActualText))
    return found


def test_devanagari_runs_carry_their_words_as_actual_text(made):
    """Its glyphs alone cannot give the words back (vowel signs drawn before their
    consonant): the tagged card carries them, in reading order, for a screen reader."""
    assert any("नेपाली बोलिन्छ" in text for text in actual_texts(made / "sami-somerville.pdf"))


@poppler
def test_the_arabic_run_reads_back_from_its_glyphs(made):
    """Each Arabic glyph is mapped to its letters (brochure/readback.py), so pdftotext reads
    the line in reading order with no /ActualText, which poppler would reverse."""
    path = made / "layla-worcester.pdf"
    assert "يتحدث العربية" in poppler_text(path, 0, raw=False)
    assert not any("العربية" in text for text in actual_texts(path))


@poppler
def test_poppler_reads_the_devanagari_line_through_actual_text(made):
    x, y = AVERY_5371.front_slots()[0]
    box = (x, AVERY_5371.sheet_h - y - AVERY_5371.card_h, AVERY_5371.card_w, AVERY_5371.card_h)
    text = poppler_text(made / "sami-somerville.pdf", 0, box)
    assert "Somerville · नेपाली बोलिन्छ, Speaks English" in text


@poppler
@pytest.mark.parametrize("slug", list(EXPECTED))
def test_pages_and_cards_follow_the_quantity(made, slug):
    """Two pages a sheet; on each front as many cards (first names) as that sheet holds."""
    row = roster_rows()[slug]
    expected = cards_on_each_sheet(int(row["quantity"]))
    path = made / f"{slug}.pdf"
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2 * len(expected)
    first_name = row["first_name"]
    for sheet, count in enumerate(expected):
        assert poppler_text(path, 2 * sheet).count(first_name) == count, (sheet, count)


@pytest.mark.parametrize("slug", ["nguyen-worcester", "sami-somerville"])
def test_qr_codes_dial_the_number_in_mirrored_columns(made, slug):
    """Every back on every sheet dials the number, and sits behind its front: the backs of a
    sheet with an odd number of cards fill the right-hand column first (long-edge flip)."""
    row = roster_rows()[slug]
    path = made / f"{slug}.pdf"
    dpi = 150
    for sheet, count in enumerate(cards_on_each_sheet(int(row["quantity"]))):
        codes = zxingcpp.read_barcodes(render(path, 2 * sheet + 1, dpi=dpi))
        assert [c.text for c in codes] == [TEL] * count
        right = sum(1 for c in codes if c.position.top_left.x > 4.25 * dpi)
        # Fronts fill left, right, left, ...: the left column has the extra card; behind
        # it, on the back, the right column does.
        assert right == (count + 1) // 2
        assert count - right == count // 2


def test_fronts_fill_the_left_column_first(fast):
    """Sami's 5 cards: 3 on the left, 2 on the right of the front."""
    from tests.pdfread import text_boxes

    boxes = text_boxes(fast / "sami-somerville.pdf", 0, "Sami")
    left = sum(1 for b in boxes if b[0] < 4.25 * 72)
    assert (left, len(boxes) - left) == (3, 2)


def test_pdfua_finds_nothing_on_any_workers_file(made):
    assert_pdfua_clean([made / f"{slug}.pdf" for slug in EXPECTED])


def test_worker_lines_are_tagged_once_each_run_with_its_language(fast):
    """A P per line; a Span per run carrying the run's language; each marked-content id of
    the page in the parent tree once."""
    with pikepdf.open(fast / "ana-somerville.pdf") as pdf:
        spans = [
            (str(e.get("/Lang", "")), int(e.K[0]))
            for e in struct_elements(pdf)
            if e.S == "/Span" and "/Lang" in e
        ]
        assert [lang for lang, _mcid in spans] == ["en", "en", "es", "en", "pt-BR"]
        page = pdf.pages[0]
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        by_mcid = tree[int(page.obj.StructParents)]
        for _lang, mcid in spans:
            assert by_mcid[mcid].S == "/Span"


@pytest.mark.parametrize(
    ("slug", "word"), [("nguyen-worcester", "Nguyễn"), ("duc-worcester", "Đức")]
)
def test_names_shape_as_harfbuzz_shapes_them(fast, simple, slug, word):
    """The glyphs drawn for the name are the ones HarfBuzz gives for it in Noto Sans Bold
    (Atkinson lacks the stacked accents): in the fast file and in WeasyPrint's."""
    face = next(f for f in fonts.faces() if f.family == "Noto Sans")
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(face.path))))
    font.set_variations({"wght": 700})
    buffer = hb.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    expected = [info.codepoint for info in buffer.glyph_infos]
    assert len(expected) == len(word)
    for path in (fast / f"{slug}.pdf", simple / f"{slug}.pdf"):
        drawn = glyph_stream(path, "Noto")[0]  # WeasyPrint names it Noto-Sans-Bold
        found = any(drawn[i : i + len(expected)] == expected for i in range(len(drawn)))
        assert found, (path.parent.name, expected)


@pytest.mark.parametrize("slug", list(EXPECTED))
@pytest.mark.parametrize("page", [0, 1])
def test_fast_and_simple_cards_look_the_same(fast, simple, slug, page):
    """Rendered at 100 dpi, the two ways differ in at most 0.05 % of the pixels by more than
    a quarter of the range (anti-aliasing at glyph edges)."""
    a = render(fast / f"{slug}.pdf", page, dpi=100).convert("L")
    b = render(simple / f"{slug}.pdf", page, dpi=100).convert("L")
    assert a.size == b.size
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
    changed = diff.histogram()[255]
    assert changed <= a.width * a.height * 0.0005, changed


@poppler
@pytest.mark.parametrize("slug", list(EXPECTED))
def test_fast_and_simple_cards_read_back_the_same(fast, simple, slug):
    """The first card, front and back, as poppler reads it (ActualText honoured)."""
    for page, (x, y) in enumerate((AVERY_5371.front_slots()[0], AVERY_5371.back_slots()[0])):
        box = (x, AVERY_5371.sheet_h - y - AVERY_5371.card_h, AVERY_5371.card_w, AVERY_5371.card_h)
        assert poppler_text(fast / f"{slug}.pdf", page, box) == poppler_text(
            simple / f"{slug}.pdf", page, box
        )


def test_combined_file_holds_every_workers_sheets_in_order(made):
    rows = roster_rows()
    expected = [
        (rows[slug]["first_name"], count)
        for slug in EXPECTED
        for count in cards_on_each_sheet(int(rows[slug]["quantity"]))
    ]
    path = made / "all-cards.pdf"
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2 * len(expected)
        assert "/StructTreeRoot" not in pdf.Root
    if shutil.which("pdftotext"):
        for sheet, (first_name, count) in enumerate(expected):
            assert poppler_text(path, 2 * sheet).count(first_name) == count
    for sheet, (_name, count) in enumerate(expected):
        codes = zxingcpp.read_barcodes(render(path, 2 * sheet + 1, dpi=100))
        assert [c.text for c in codes] == [TEL] * count


def test_fast_combined_file_shares_the_static_card(fast, simple):
    """Drawn from one copy of each card language's card: smaller than the pages copied."""
    assert (fast / "all-cards.pdf").stat().st_size < (simple / "all-cards.pdf").stat().st_size


#: One worker per card language the fast way draws itself (left to right, TrueType fonts).
EVERY_CARD = "".join(
    f"{name},,Worcester,{spoken},{card},3\n"
    for name, spoken, card in (
        ("Ana", "es en", "en"),
        ("Bea", "pt-BR es", "es"),
        ("Caio", "pt-BR", "pt-BR"),
        ("Dieula", "ht en", "ht"),
        ("Đức", "vi", "vi"),
        ("Bishal", "ne en", "ne"),
        ("Arta", "sq en", "sq"),
    )
)


@pytest.fixture(scope="module")
def every_card(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("every-card")
    roster = folder / "roster.csv"
    roster.write_text("first_name,pronouns,city,languages,card_language,quantity\n" + EVERY_CARD)
    made = {}
    for way in ("fast", "simple"):
        extra = ["--simple"] if way == "simple" else []
        result = run_brochure("cards", str(roster), "--out", str(folder / way), *extra)
        assert result.returncode == 0, result.stderr
        made[way] = folder / way / "cards"
    return made


@pytest.mark.parametrize(
    "slug",
    ["ana", "bea", "caio", "dieula", "duc", "bishal", "arta"],
)
def test_every_card_language_looks_the_same_both_ways(every_card, slug):
    """Each edition's card (its fonts, its draft marks, its words for "Ask for"): the fast
    way's lines land where WeasyPrint puts them."""
    fast_pdf = every_card["fast"] / f"{slug}-worcester.pdf"
    simple_pdf = every_card["simple"] / f"{slug}-worcester.pdf"
    with pikepdf.open(fast_pdf) as pdf:  # really drawn the fast way, not laid out
        assert "/Worker" in pdf.pages[0].Resources.XObject
    a = render(fast_pdf, 0, dpi=100).convert("L")
    b = render(simple_pdf, 0, dpi=100).convert("L")
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
    assert diff.histogram()[255] <= a.width * a.height * 0.0005
