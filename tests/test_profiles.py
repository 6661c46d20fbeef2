"""Office and press files: boxes, PDF/X and PDF/UA identification, structure, links, print
preferences, repeatable bytes. Read with pypdf, and with poppler as a second reader."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from brochure.documents import (
    DOCUMENTS,
    MARK_LENGTH_IN,
    MARK_OFFSET_IN,
    PROOF_SLUG_IN,
    Profile,
)
from tests.conftest import LANGUAGES, build_into
from tests.pdfread import embedded_fonts, not_cmyk, page_drawing, render

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
GS = ["gs", "-q", "-dSAFER", "-dNOPAUSE", "-dBATCH"]
PROFILE_FOLDS = {name: spec.folds for name, spec in DOCUMENTS.items() if spec.folds}
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


@pytest.mark.parametrize("kind", ["press", "proof"])
@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_no_rgb_anywhere_in_press_files_or_proofs(built_press, built_proof, kind, name):
    """pikepdf: every content stream (forms, patterns, masks, annotations) and every object."""
    path = (built_press if kind == "press" else built_proof)[name]
    assert not_cmyk(path) == []


def test_the_rgb_scan_finds_rgb(built):
    """The scan above is not blind: it finds the office file's RGB."""
    assert any(": rg" in line for line in not_cmyk(built["faq"]))


def test_press_cover_colour_runs_into_the_bleed(built_press, built_proof):
    """Top-right corner of the outside page, inside the bleed: teal, not paper."""
    image = render(built_press["trifold"], 0, dpi=72).convert("RGB")
    red, _green, blue = image.getpixel((image.width - 3, 3))
    assert blue > red + 40 and red < 60


# --- proofs: marks on more paper, outside the bleed ----------------------------------------

SLUG = (PROOF_SLUG_IN + 0.125) * IN  # from the trim to the proof's paper edge
NEAR, FAR = MARK_OFFSET_IN * IN, (MARK_OFFSET_IN + MARK_LENGTH_IN) * IN


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_proof_has_more_paper_and_keeps_trim_and_bleed(built_press, built_proof, name):
    """Read by pikepdf: TrimBox and BleedBox are the press file's; the MediaBox leaves room
    outside the bleed for a gap and a 1/4 in mark on every side."""
    room = (0.0625 + 0.25) * IN
    with pikepdf.open(built_proof[name]) as proof, pikepdf.open(built_press[name]) as press:
        for ours, shop in zip(proof.pages, press.pages, strict=True):
            assert list(ours.obj.TrimBox) == list(shop.obj.TrimBox)
            assert list(ours.obj.BleedBox) == list(shop.obj.BleedBox)
            media = [float(v) for v in ours.obj.MediaBox]
            bleed = [float(v) for v in ours.obj.BleedBox]
            assert bleed[0] - media[0] >= room and bleed[1] - media[1] >= room
            assert media[2] - bleed[2] >= room and media[3] - bleed[3] >= room
            trim = [float(v) for v in ours.obj.TrimBox]
            expected = [trim[0] - SLUG, trim[1] - SLUG, trim[2] + SLUG, trim[3] + SLUG]
            assert media == pytest.approx(expected)


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_proof_marks_are_outside_the_bleed_and_long_enough(built_proof, name):
    """Every line drawn beyond the trim is a mark: wholly outside the BleedBox, at least
    1/4 in long, in line with a trim edge or a fold. Four corners, two marks each."""
    width, height = TRIM[name]
    reader = PdfReader(built_proof[name])
    for index, page in enumerate(reader.pages):
        b_left, b_bottom, b_right, b_top = (float(v) for v in page.bleedbox)
        segments, _ = page_drawing(built_proof[name], index)
        marks = [
            seg
            for seg in segments
            if min(seg[0], seg[2]) < 0
            or max(seg[0], seg[2]) > width
            or min(seg[1], seg[3]) < 0
            or max(seg[1], seg[3]) > height
        ]
        folds = [f * IN for f in (PROFILE_FOLDS.get(name) or [(), ()])[index]]
        assert len(marks) == 8 + 2 * len(folds), marks
        for x1, y1, x2, y2 in marks:
            outside = (
                max(x1, x2) <= b_left
                or min(x1, x2) >= b_right
                or max(y1, y2) <= b_bottom
                or min(y1, y2) >= b_top
            )
            assert outside, (x1, y1, x2, y2)
            assert math.hypot(x2 - x1, y2 - y1) >= 0.25 * IN - 0.01
            if x1 == x2:
                assert x1 in (0, width, *folds)
            else:
                assert y1 == y2 and y1 in (0, height)


@pytest.mark.parametrize("name", ["trifold", "faq", "wallet-card"])
def test_proof_marks_are_seen_on_every_corner(built_press, built_proof, name):
    """Rendered (pdfium): at every corner, dark pixels run along each trim line outside the
    bleed, for 1/4 in, even beside the cover colour; the press file has no such paper."""
    dpi = 144
    scale = dpi / IN
    for index in range(len(PdfReader(built_proof[name]).pages)):
        image = render(built_proof[name], index, dpi=dpi).convert("L")
        w, h = image.size
        trim_left, trim_top = round(SLUG * scale), round(SLUG * scale)
        trim_right, trim_bottom = w - trim_left, h - trim_top
        near, far = round(NEAR * scale) + 2, round(FAR * scale) - 2
        for x, y, dx, dy in (
            (trim_left, trim_top, -1, -1),
            (trim_right, trim_top, 1, -1),
            (trim_left, trim_bottom, -1, 1),
            (trim_right, trim_bottom, 1, 1),
        ):
            # A 0.5 pt line is one pixel wide here, shared by two: the darkest across it.
            across = range(-2, 3)
            along_x = [
                min(image.getpixel((x + dx * d, y + e)) for e in across) for d in range(near, far)
            ]
            along_y = [
                min(image.getpixel((x + e, y + dy * d)) for e in across) for d in range(near, far)
            ]
            for line in (along_x, along_y):
                assert max(line) < 200, (name, index, x, y)
    press = render(built_press[name], 0, dpi=dpi)
    assert press.size[0] < render(built_proof[name], 0, dpi=dpi).size[0]


def test_fold_marks_on_the_trifold_proof(built_proof):
    """Dashed marks above and below each fold, outside the bleed, visible on both pages."""
    dpi = 144
    scale = dpi / IN
    for index, folds in enumerate(PROFILE_FOLDS["trifold"]):
        image = render(built_proof["trifold"], index, dpi=dpi).convert("L")
        for fold in folds:
            x = round((SLUG + fold * IN) * scale)
            for top in (True, False):
                edge = round(SLUG * scale) if top else image.height - round(SLUG * scale)
                sign = -1 if top else 1
                column = [
                    min(image.getpixel((x + dx, edge + sign * d)) for dx in range(-2, 3))
                    for d in range(round(NEAR * scale), round(FAR * scale))
                ]
                dark = [i for i, v in enumerate(column) if v < 200]
                assert dark, (index, fold, top)
                assert (dark[-1] - dark[0]) / scale >= 0.25 * IN - 3, (index, fold, top)
                assert len(dark) < len(column), "fold marks are dashed"


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript is not installed")
def test_proof_marks_are_black_ink_alone(built_proof, tmp_path):
    """Ghostscript's CMYK rendering of the paper outside the bleed: only K, at full strength."""
    from PIL import Image

    out = tmp_path / "faq.tif"
    subprocess.run(
        [*GS, "-sDEVICE=tiff32nc", "-r72", f"-sOutputFile={out}", str(built_proof["faq"])],
        check=True,
        timeout=120,
    )
    image = Image.open(out)
    margin = round(SLUG - 0.125 * IN)  # the paper outside the bleed, at 72 dpi: 1 px = 1 pt
    w, h = image.size
    inked = set()
    for box in ((0, 0, w, margin), (0, h - margin, w, h), (0, 0, margin, h), (w - margin, 0, w, h)):
        pixels = image.crop(box).tobytes()
        inked |= {pixels[i : i + 4] for i in range(0, len(pixels), 4)} - {bytes(4)}
    assert inked == {bytes((0, 0, 0, 255))}


def test_proofs_are_still_pdf_x_4(built_proof):
    """All CMYK and the marks outside the BleedBox: what PDF/X-4 allows, so the claim stays."""
    reader = PdfReader(built_proof["trifold"])
    assert "PDF/X-4" in xmp(reader)
    assert len(reader.trailer["/Root"]["/OutputIntents"]) == 1


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
        (edition, document) for edition in LANGUAGES for document in ("faq", "wallet-card")
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


@poppler
def test_poppler_sees_the_proof_boxes(built_proof):
    info = _pdfinfo(built_proof["trifold"])
    media, bleed, trim = (
        [float(v) for v in info[box].split()] for box in ("MediaBox", "BleedBox", "TrimBox")
    )
    assert trim == [0, 0, 792, 612]
    assert bleed == [-9, -9, 801, 621]
    assert media[0] <= bleed[0] - 0.3125 * IN and media[2] >= bleed[2] + 0.3125 * IN


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
