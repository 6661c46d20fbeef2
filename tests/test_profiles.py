"""Office and press files: boxes, PDF/X and PDF/UA identification, structure, links, print
preferences, repeatable bytes. Read with pypdf, and with poppler as a second reader."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from brochure.documents import Profile
from tests.conftest import build_into
from tests.pdfread import embedded_fonts, render

IN = 72
TRIM = {
    "trifold": (11 * IN, 8.5 * IN),
    "faq": (8.5 * IN, 11 * IN),
    "wallet-card": (3.5 * IN, 2 * IN),
    "wallet-card-sheet": (8.5 * IN, 11 * IN),
}
DUPLEX = {
    "trifold": "/DuplexFlipShortEdge",
    "faq": "/Simplex",
    "wallet-card": "/DuplexFlipShortEdge",
    "wallet-card-sheet": "/DuplexFlipLongEdge",
}
TEL = "tel:+19786999786"
BLEED = 0.125 * IN


def size(box):
    return (round(float(box.width), 2), round(float(box.height), 2))


def xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


# --- boxes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TRIM))
def test_office_boxes_are_the_trim(built, name):
    for page in PdfReader(built[name]).pages:
        assert size(page.mediabox) == TRIM[name]
        assert size(page.trimbox) == TRIM[name]


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_press_boxes_add_an_eighth_inch_bleed(built_press, name):
    width, height = TRIM[name]
    for page in PdfReader(built_press[name]).pages:
        assert size(page.trimbox) == (width, height)
        assert size(page.bleedbox) == (width + 2 * BLEED, height + 2 * BLEED)
        assert size(page.mediabox) == (width + 2 * BLEED, height + 2 * BLEED)
        trim, media = page.trimbox, page.mediabox
        assert float(trim.left) - float(media.left) == pytest.approx(BLEED)
        assert float(media.top) - float(trim.top) == pytest.approx(BLEED)


def test_card_sheet_is_office_only(built_press):
    assert "wallet-card-sheet" not in built_press


# --- identification and colour -------------------------------------------------------------


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card", "wallet-card-sheet"])
def test_office_files_are_pdf_ua_1_and_tagged(built, name):
    reader = PdfReader(built[name])
    root = reader.trailer["/Root"]
    assert re.search(r'pdfuaid:part="1"|<pdfuaid:part>1</pdfuaid:part>', xmp(reader))
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_press_files_are_pdf_x_4_with_a_cmyk_output_intent(built_press, name):
    reader = PdfReader(built_press[name])
    metadata = xmp(reader)
    assert "PDF/X-4" in metadata
    assert "GTS_PDFXVersion" in metadata
    (intent,) = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4  # CMYK
    assert "SWOP" in str(intent["/OutputConditionIdentifier"])


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_press_files_paint_in_cmyk_only(built_press, name):
    reader = PdfReader(built_press[name])
    operators = set()
    for stream in _all_content_streams(reader):
        operators |= {op for _, op in ContentStream(stream, reader).operations}
    assert not operators & {b"rg", b"RG", b"g", b"G"}, "DeviceRGB/Gray paint in a press file"
    assert b"scn" in operators


def test_press_cover_colour_runs_into_the_bleed(built_press, built_proof):
    """Top-right corner of the outside page, inside the bleed: teal, not paper."""
    image = render(built_press["trifold"], 0, dpi=72).convert("RGB")
    red, _green, blue = image.getpixel((image.width - 3, 3))
    assert blue > red + 40 and red < 60


def test_crop_marks_on_proofs_only(built_press, built_proof):
    """Top-left corner of the bleed is blank in the print-shop file, marked on the proof."""
    press = render(built_press["faq"], 0, dpi=144).convert("L")
    proof = render(built_proof["faq"], 0, dpi=144).convert("L")
    corner = (0, 0, int(0.125 * 144) + 3, int(0.125 * 144) + 3)
    assert press.crop(corner).getextrema()[0] > 250
    assert proof.crop(corner).getextrema()[0] < 100


def test_fold_marks_on_the_trifold_proof(built_proof):
    image = render(built_proof["trifold"], 0, dpi=144).convert("L")
    for fold in (3.625, 7.3125):
        x = int((fold + 0.125) * 144)
        strip = image.crop((x - 2, 0, x + 3, int(0.1 * 144)))
        assert strip.getextrema()[0] < 100, fold


# --- reading, links, print dialog ------------------------------------------------------------


def test_trifold_reads_cover_first(built):
    """Screen readers follow the structure tree: the cover headline comes before the flap."""
    reader = PdfReader(built["trifold"])
    kinds = [kind for kind in _structure_types(reader) if kind in ("/H1", "/H2")]
    assert kinds[:2] == ["/H1", "/H2"]


@pytest.mark.parametrize(
    ("name", "pages_with_links"),
    [("trifold", [0, 1]), ("faq", [0]), ("wallet-card", [0, 1]), ("wallet-card-sheet", [0, 1])],
)
def test_phone_is_a_tel_link(built, name, pages_with_links):
    reader = PdfReader(built[name])
    for index in pages_with_links:
        uris = [
            a.get_object()["/A"]["/URI"]
            for a in reader.pages[index].get("/Annots", [])
            if a.get_object().get("/Subtype") == "/Link"
        ]
        assert TEL in uris, (name, index)
        if name == "wallet-card-sheet":
            assert uris.count(TEL) >= 10


@pytest.mark.parametrize("name", sorted(TRIM))
def test_print_dialog_preferences(built, name):
    prefs = PdfReader(built[name]).trailer["/Root"]["/ViewerPreferences"]
    assert prefs["/Duplex"] == DUPLEX[name]
    assert prefs["/PrintScaling"] == "/None"


@pytest.mark.parametrize("name", sorted(TRIM))
def test_fonts_embedded_and_subset(built, name):
    names = set(embedded_fonts(built[name]))
    assert names
    assert all(re.fullmatch(r"/[A-Z]{6}\+.+", n) for n in names), names


def test_office_ink_stays_a_quarter_inch_inside_the_trim(built):
    for name in ("trifold", "faq", "wallet-card", "wallet-card-sheet"):
        for index in range(len(PdfReader(built[name]).pages)):
            image = render(built[name], index, dpi=100).convert("L")
            band = int(0.24 * 100)
            w, h = image.size
            for box in ((0, 0, w, band), (0, h - band, w, h), (0, 0, band, h), (w - band, 0, w, h)):
                assert image.crop(box).getextrema()[0] > 245, (name, index, box)


# --- repeatable bytes ------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [Profile("office"), Profile("press")])
def test_identical_input_gives_identical_bytes(tmp_path, profile):
    first = build_into(tmp_path / "a", profile=profile)
    second = build_into(tmp_path / "b", profile=profile)
    assert len(first) == len(second) >= 3
    for a, b in zip(first, second, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name


DOCUMENT_ID = re.compile(
    r"xmp\.did:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
)


def document_ids(results) -> dict[tuple[str, str], str]:
    """(edition, document) -> the one XMP DocumentID in each file."""
    ids = {}
    for b in results:
        metadata = xmp(PdfReader(b.path))
        (ids[(b.edition, b.document)],) = DOCUMENT_ID.findall(metadata)
        assert metadata.count("xmp.did:") == 1, b.path
    return ids


def test_press_document_id_is_not_random(tmp_path):
    """The same input gives the same DocumentID in a fresh folder; each file has its own."""
    choices = {"profile": Profile("press"), "documents": ("faq", "wallet-card")}
    first = document_ids(build_into(tmp_path / "a", **choices))
    second = document_ids(build_into(tmp_path / "b", **choices))
    assert sorted(first) == sorted(
        (edition, document)
        for edition in ("en", "es", "pt-BR")
        for document in ("faq", "wallet-card")
    )
    assert first == second
    assert len(set(first.values())) == len(first), first


# --- a second, independent reader: poppler ---------------------------------------------------

poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="poppler-utils is not installed (make test installs it when run as root)",
)


@poppler
@pytest.mark.parametrize("name", sorted(TRIM))
def test_poppler_reads_the_phone_number(built, name):
    text = subprocess.run(
        ["pdftotext", "-layout", str(built[name]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "(978) 699-9786" in text


@poppler
def test_poppler_sees_tagged_pages_and_boxes(built, built_press):
    info = _pdfinfo(built["trifold"])
    assert info["Tagged"] == "yes"
    assert info["Pages"] == "2"
    assert info["Page size"].startswith("792 x 612 pts")
    press = _pdfinfo(built_press["trifold"])
    trim = [float(v) for v in press["TrimBox"].split()]
    bleed = [float(v) for v in press["BleedBox"].split()]
    assert trim[2] - trim[0] == pytest.approx(792)
    assert bleed[2] - bleed[0] == pytest.approx(792 + 18)


# --- helpers ---------------------------------------------------------------------------------


def _pdfinfo(path):
    out = subprocess.run(
        ["pdfinfo", "-box", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


def _all_content_streams(reader):
    for page in reader.pages:
        yield page.get_contents()
        for xobject in page["/Resources"].get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield xobject


def _structure_types(reader):
    def walk(node):
        node = node.get_object()
        if hasattr(node, "get") and "/S" in node:
            yield str(node["/S"])
        kids = node.get("/K") if hasattr(node, "get") else None
        if kids is None:
            return
        if not isinstance(kids, list):
            kids = [kids]
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get"):
                yield from walk(kid)

    yield from walk(reader.trailer["/Root"]["/StructTreeRoot"])
