"""The wallet card and its 10-up sheet as a screen reader user gets them by email.

An independent checker (pdfua, pinned in the test extras) must find nothing; then what it does
not check: every Figure's description and box, every link's description and Link element, and
a structure tree that reads the card once, front then back, on the sheet as on the card
(poppler's `pdfinfo -struct-text` is a second, independent reader).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
import zxingcpp

from brochure.editions import load_editions
from brochure.errors import BrochureError
from brochure.impose import AVERY_5371, impose_cards
from tests.conftest import CONTENT
from tests.pdfread import render, struct_elements, struct_text

EDITIONS = ("en", "es", "pt-BR")
CARD_FILES = ("wallet-card", "wallet-card-sheet")
#: Operators that put marks on the page: text, painted paths, shadings, forms and images.
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"}
#: Where the first card of each sheet page lies (the tagged one): top left on the fronts,
#: behind it (top right) on the backs.
FIRST_CARD = (AVERY_5371.front_slots()[0], AVERY_5371.back_slots()[0])

poppler = pytest.mark.skipif(
    not shutil.which("pdfinfo"),
    reason="poppler-utils is not installed (make test installs it when run as root)",
)


@pytest.fixture(scope="module")
def files(built_all) -> dict[tuple[str, str], Path]:
    return {(b.edition, b.document): b.path for b in built_all}


@pytest.fixture(scope="module")
def words() -> dict:
    """Each edition's content, translations overlaid: the words the PDFs must say."""
    return {edition.name: edition.content for edition in load_editions(CONTENT)}


def pdfua(*paths: Path) -> list[dict]:
    """`python -m pdfua check --format json`: one report per file (printed one after another)."""
    run = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode in (0, 1, 2, 3), run.stderr  # 4: unreadable, 5: usage
    decoder, text, reports = json.JSONDecoder(), run.stdout.strip(), []
    while text:
        report, end = decoder.raw_decode(text)
        reports.append(report)
        text = text[end:].lstrip()
    return reports


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


# --- an independent checker ------------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdfua_finds_nothing_on_the_card_or_the_sheet(files, edition):
    """No error, no warning, and every rule ran (a rule that crashes is skipped, not passed)."""
    assert_pdfua_clean([files[(edition, name)] for name in CARD_FILES])


def assert_pdfua_clean(paths: list[Path]) -> None:
    """pdfua reports every file, with no finding, no skipped rule and at least 12 rules run."""
    reports = pdfua(*paths)
    assert [Path(r["file"]).name for r in reports] == [p.name for p in paths]
    for report in reports:
        name = Path(report["file"]).name
        assert report["findings"] == [], (name, report["findings"])
        assert report["skipped"] == [], (name, report["skipped"])
        assert report["summary"]["rules_run"] >= 12, name


# --- what pdfua does not check ---------------------------------------------------------------


@pytest.mark.parametrize("document", CARD_FILES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_qr_code_is_one_figure_described_in_the_editions_language(
    files, words, edition, document
):
    content = words[edition]
    with pikepdf.open(files[(edition, document)]) as pdf:
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        assert len(figures) == 1, "the sheet tags its ten QR codes once, like the card"
        assert str(figures[0].get("/Alt", "")) == (
            f"{content.card.back.qr_caption}: {content.program.phone}"
        )


def test_the_qr_figure_box_is_where_the_code_is_printed(built):
    """The Figure's /BBox (PDF points from the bottom left) is the code measured on a 300 dpi
    render of the card's back; on the sheet, the same box on the first card's back."""
    with pikepdf.open(built["wallet-card"]) as pdf:
        (figure,) = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        box = [float(v) for v in figure.A.BBox]
        card_h = float(pdf.pages[1].MediaBox[3])
        assert [p.objgen for p in pdf.pages].index(figure.Pg.objgen) == 1
    (code,) = zxingcpp.read_barcodes(render(built["wallet-card"], 1, dpi=300))
    corners = (code.position.top_left, code.position.bottom_right)
    pt = 72 / 300
    measured = [
        corners[0].x * pt,
        card_h - corners[1].y * pt,
        corners[1].x * pt,
        card_h - corners[0].y * pt,
    ]
    assert box == pytest.approx(measured, abs=1.0)

    with pikepdf.open(built["wallet-card-sheet"]) as sheet:
        (figure,) = [e for e in struct_elements(sheet) if e.S == "/Figure"]
        assert [p.objgen for p in sheet.pages].index(figure.Pg.objgen) == 1
        x, y = FIRST_CARD[1]
        assert [float(v) for v in figure.A.BBox] == pytest.approx(
            [box[0] + x, box[1] + y, box[2] + x, box[3] + y], abs=0.01
        )


@pytest.mark.parametrize("document", CARD_FILES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_link_is_described_and_tagged(files, edition, document):
    """Each link annotation: a /Contents description and a /StructParent that leads to a
    /Link element holding it (OBJR); tab order follows the structure. The card has four: the
    number on each side, and on the back the crisis line's 988 (tel:) and its "text" (sms:),
    whose words may run over two lines (an annotation and a Link element per line). The
    sheet's links, ten of each, belong to the card's Link elements."""
    with pikepdf.open(files[(edition, document)]) as pdf:
        parents = parent_tree(pdf)
        links, elements, uris = 0, set(), set()
        for page in pdf.pages:
            assert page.obj.get("/Tabs") == "/S"
            for annotation in page.obj.get("/Annots", []):
                assert annotation.Subtype == "/Link"
                assert str(annotation.get("/Contents", "")).strip(), annotation.Rect
                element = parents[int(annotation.StructParent)]
                assert element.S == "/Link"
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                assert any(
                    isinstance(k, pikepdf.Dictionary)
                    and k.get("/Type") == "/OBJR"
                    and k.Obj.objgen == annotation.objgen
                    for k in kids
                )
                links += 1
                elements.add(element.objgen)
                uris.add(str(annotation.A.URI))
        assert uris == {"tel:+19786999786", "tel:988", "sms:988"}
        card = sum(
            len(p.obj.get("/Annots", []))
            for p in pikepdf.open(files[(edition, "wallet-card")]).pages
        )
        assert links == (10 * card if document == "wallet-card-sheet" else card) >= 4
        assert len(elements) == card  # WeasyPrint tags each line of a link as its own Link


@pytest.mark.parametrize("edition", EDITIONS)
def test_sheet_carries_the_cards_identification(files, words, edition):
    """Language, title, XMP (PDF/UA-1 and the title) and PDF 1.7, as the card has them."""
    with pikepdf.open(files[(edition, "wallet-card-sheet")]) as pdf:
        assert str(pdf.Root.Lang) == words[edition].language
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.pdf_version >= "1.7"
        title = str(pdf.docinfo.Title)
        assert title
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title") == title


@pytest.mark.parametrize("edition", EDITIONS)
def test_sheet_tags_one_card_and_marks_the_other_nine_as_artifacts(files, edition):
    """On each sheet page the tagged content is the card page's content, once (each marked
    content id once, the same ids); every form drawn is inside an /Artifact sequence and holds
    no tagged content of its own; nothing is painted outside marked content (the cut marks
    are artifacts too). A screen reader therefore reads the first card and skips its nine
    copies and the cut marks."""
    with (
        pikepdf.open(files[(edition, "wallet-card")]) as card,
        pikepdf.open(files[(edition, "wallet-card-sheet")]) as sheet,
    ):
        for index in (0, 1):
            on_card = _marked(card.pages[index])
            on_sheet = _marked(sheet.pages[index])
            assert on_sheet["mcids"] == on_card["mcids"], index
            assert len(set(on_sheet["mcids"])) == len(on_sheet["mcids"]), index
            assert on_sheet["unmarked"] == 0, index
            assert len(on_sheet["forms"]) == 9, index
            for name, inside in on_sheet["forms"]:
                assert "/Artifact" in inside, (index, name)
                form = sheet.pages[index].Resources.XObject[name]
                ops = pikepdf.parse_content_stream(form)
                assert not {str(op.operator) for op in ops} & {"BDC", "BMC"}, (index, name)


@poppler
@pytest.mark.parametrize("edition", EDITIONS)
def test_sheet_reads_the_card_once_front_then_back(files, words, edition):
    """poppler reads the sheet's structure tree as it reads the card's: the front's words, then
    the back's, each once (the draft mark, band then word, on unreviewed translations, heads
    each face)."""
    content = words[edition]
    card = struct_text(files[(edition, "wallet-card")])
    sheet = struct_text(files[(edition, "wallet-card-sheet")])
    assert sheet == card
    phone = content.program.phone
    front = [content.card.front.label, phone, content.card.front.who_answers]
    code = next(e.code for e in load_editions(CONTENT) if e.name == edition)
    crisis = " ".join(p.words for p in content.crisis.card_parts if p.words.strip())
    back = [content.card.back.line, phone, crisis, code, content.card.back.qr_caption]
    band = [content.draft_band, content.draft_word] if content.draft_band in sheet else []
    expected = " ".join([*band, *front, *band, *back])
    assert " ".join(sheet) == expected


@poppler
def test_poppler_calls_the_sheet_tagged(built):
    info = subprocess.run(
        ["pdfinfo", str(built["wallet-card-sheet"])], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info


def test_sheet_costs_about_one_card(built):
    """The sheet stays near the size of the card it is made from: one set of fonts shared by
    every copy, streams compressed (left uncompressed, it was three times the card)."""
    card = built["wallet-card"].stat().st_size
    sheet = built["wallet-card-sheet"].stat().st_size
    assert sheet < 1.5 * card, (sheet, card)


def test_sheet_is_made_only_from_a_tagged_card(built):
    """An untagged card cannot become an accessible sheet: said, not crashed."""
    with pikepdf.open(built["wallet-card"]) as pdf:
        del pdf.Root.StructTreeRoot
        untagged = io.BytesIO()
        pdf.save(untagged)
    with pytest.raises(BrochureError, match="the card is not tagged"):
        impose_cards(untagged.getvalue())


def test_sheet_is_not_made_from_a_press_card(built_press):
    """The press card (tagged too, with its bleed) is the wrong size for the sheet: said."""
    with pytest.raises(BrochureError, match="the sheet can only place 252 x 144 pt cards"):
        impose_cards(built_press["wallet-card"].read_bytes())


# --- helpers ---------------------------------------------------------------------------------


def _marked(page: pikepdf.Page) -> dict:
    """Marked content ids in stream order, forms drawn (with the tags around each Do), and how
    many painting operators lie outside any marked-content sequence."""
    stack: list[str] = []
    found: dict = {"mcids": [], "forms": [], "unmarked": 0}
    for op in pikepdf.parse_content_stream(page):
        if isinstance(op, pikepdf.ContentStreamInlineImage):
            found["unmarked"] += not stack
            continue
        name = str(op.operator)
        if name in ("BDC", "BMC"):
            stack.append(str(op.operands[0]))
            properties = op.operands[-1] if name == "BDC" else None
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                found["mcids"].append(int(properties.MCID))
        elif name == "EMC":
            stack.pop()
        elif name in PAINTING and not stack:
            found["unmarked"] += 1
        if name == "Do":
            found["forms"].append((str(op.operands[0]), list(stack)))
    return found
