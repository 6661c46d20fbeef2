"""Editions: languages, city tri-folds, review status, and the incremental, parallel build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from brochure.cli import main
from brochure.content import load_content
from brochure.documents import DOCUMENTS, Profile
from brochure.editions import load_editions
from brochure.errors import BrochureError
from brochure.paths import PROJECT_ROOT
from tests.conftest import (
    CITIES,
    DOCUMENT_NAMES,
    LANGUAGES,
    OFFICE_FILES,
    PER_LANGUAGE,
    build_into,
    edit,
)
from tests.pdfread import (
    colour_mask,
    count_colour,
    page_texts,
    printed_runs_in_fonts,
    render,
    struct_elements,
    text_boxes,
)

BAND = "DRAFT TRANSLATION – DO NOT HAND OUT"
EDITIONS = LANGUAGES
DRAFTS = len(LANGUAGES) - 1  # every translation is a draft until reviewed


def by_edition(built_all) -> dict[tuple[str, str], Path]:
    return {(b.edition, b.document): b.path for b in built_all}


def test_every_edition_builds_every_document(built_all):
    found = by_edition(built_all)
    expected = {(e, d) for e in EDITIONS for d in DOCUMENT_NAMES}
    expected |= {(f"{e}-{c}", "trifold") for e in EDITIONS for c in CITIES}
    assert set(found) == expected
    for (edition, document), path in found.items():
        assert path == path.parents[1] / edition / f"{document}.pdf"


@pytest.mark.parametrize(
    ("edition", "lang", "phrase"),
    [
        ("en", "en", "Coming back to treatment"),
        ("es", "es", "Volver al tratamiento"),
        ("pt-BR", "pt-BR", "Voltar ao tratamento"),
    ],
)
def test_language_text_and_lang(built_all, edition, lang, phrase):
    path = by_edition(built_all)[(edition, "faq")]
    assert phrase in page_texts(path)[0]
    assert PdfReader(path).trailer["/Root"]["/Lang"] == lang


def test_translations_keep_the_one_phone_number(built_all):
    for (edition, _document), path in by_edition(built_all).items():
        assert any("(978) 699-9786" in text for text in page_texts(path)), edition


@pytest.mark.parametrize(
    ("edition", "files"),
    [("es", PER_LANGUAGE), ("pt-BR", PER_LANGUAGE), ("es-worcester", 1), ("pt-BR-somerville", 1)],
)
def test_unreviewed_translation_pages_carry_the_band(built_all, edition, files):
    checked = 0
    for (name, _document), path in by_edition(built_all).items():
        if name == edition:
            for text in page_texts(path):
                assert BAND in text, (edition, path.name)
            checked += 1
    assert checked == files


def test_english_pages_carry_no_band(built_all):
    checked = 0
    for (name, _document), path in by_edition(built_all).items():
        if name.startswith("en"):
            assert all(BAND not in text for text in page_texts(path)), path
            checked += 1
    assert checked == PER_LANGUAGE + len(CITIES)


# --- the band as a reader sees it: red pixels on the paper ---------------------------------

#: --warning in templates/css/tokens.css, the band's background (#b3261e), written out here so
#: that a band repainted in another colour, or in none, is noticed.
WARNING_RED = (0xB3, 0x26, 0x1E)
DPI = 100
PT = DPI / 72  # pixels per point
SHEET_H = 11 * 72
#: Avery 5371/8371 card corners (lower left, PDF points): 0.75 in and 4.25 in from the left;
#: rows 2 in tall from 0.5 in below the top of the sheet. The back page mirrors the columns
#: (612 - x - 252), which with these margins puts the backs on the same places.
CARD_W, CARD_H = 252, 144
CARD_CORNERS = [(x, y) for y in (612, 468, 324, 180, 36) for x in (54, 306)]


def draft_files(built_all) -> list[tuple[str, str, Path]]:
    return sorted(
        (edition, document, path)
        for (edition, document), path in by_edition(built_all).items()
        if not edition.startswith("en")
    )


@dataclass(frozen=True)
class Box:
    """A part of a page a reader sees as one: a panel, a card face, a card on a sheet, a page.

    left, top, right, bottom in points from the page's top left; `paper` names the edges that
    are the edge of the paper or a cut (a printer cannot reach within 0.25 in of those).
    """

    where: str
    left: float
    top: float
    right: float
    bottom: float
    paper: frozenset[str]

    def pixels(self) -> tuple[int, int, int, int]:
        return tuple(round(v * PT) for v in (self.left, self.top, self.right, self.bottom))


ALL_EDGES = frozenset({"left", "top", "right", "bottom"})


def boxes_of(document: str, page: int, bleed: float = 0) -> list[Box]:
    """Every box of one page of a document, from the geometry brochure declares; BLEED (points)
    moves them in from the page's edge to the trim, as on a press file."""
    if bleed:
        return [
            replace(
                b,
                left=b.left + bleed,
                top=b.top + bleed,
                right=b.right + bleed,
                bottom=b.bottom + bleed,
            )
            for b in boxes_of(document, page)
        ]
    spec = DOCUMENTS[document]
    if spec.panels:
        width = spec.width_in * 72
        found = []
        for panel in spec.panels[page]:
            left, size = spec.panel_geometry()[panel.key]
            right = (left + size) * 72
            edges = {"top", "bottom"}
            edges |= {"left"} if left == 0 else set()
            edges |= {"right"} if right == width else set()
            found.append(Box(panel.key, left * 72, 0, right, spec.height_in * 72, frozenset(edges)))
        return found
    if document == "wallet-card-sheet":
        return [
            Box(f"card at {x},{y}", x, SHEET_H - y - CARD_H, x + CARD_W, SHEET_H - y, ALL_EDGES)
            for x, y in CARD_CORNERS
        ]
    return [Box("page", 0, 0, *spec.size_pt, ALL_EDGES)]


def band_in(image, box: Box, colour: tuple[int, int, int] = WARNING_RED) -> tuple:
    """The band's extent inside BOX (page pixels): at least 5 pt of the warning red across
    most of the box's width, with light letters on it."""
    crop = image.crop(box.pixels())
    mask = colour_mask(crop, colour)
    red = mask.histogram()[255]
    assert red >= 0.5 * crop.width * 5 * PT, (box.where, "no band", red)
    left, top, right, bottom = mask.getbbox()
    assert right - left >= 0.6 * crop.width, (box.where, "band too short", (left, right))
    letters = count_colour(crop.crop((left, top, right, bottom)), (255, 255, 255), 40)
    assert letters >= 0.02 * (right - left) * (bottom - top), (box.where, "no text on the band")
    x, y = box.pixels()[:2]
    return (x + left, y + top, x + right, y + bottom)


def assert_inside_safe_area(found: tuple[int, int, int, int], box: Box) -> None:
    """Nothing of the band within 0.25 in of a paper edge or cut, nor past a fold."""
    safe = 0.25 * 72 * PT
    left, top, right, bottom = box.pixels()
    limits = {
        "left": left + safe * ("left" in box.paper),
        "top": top + safe * ("top" in box.paper),
        "right": right - safe * ("right" in box.paper),
        "bottom": bottom - safe * ("bottom" in box.paper),
    }
    x1, y1, x2, y2 = found
    assert x1 >= limits["left"] - 1 and y1 >= limits["top"] - 1, (box.where, found, limits)
    assert x2 <= limits["right"] + 1 and y2 <= limits["bottom"] + 1, (box.where, found, limits)


def big_word_centres(path: Path, page: int, word: str) -> list[tuple[float, float]]:
    """Where WORD is printed large (letters over 0.3 in), as pdfium reads the page: centres
    in points from the top left."""
    pdf = pdfium.PdfDocument(path)
    try:
        height = pdf[page].get_height()
        textpage = pdf[page].get_textpage()
        searcher = textpage.search(word, match_case=True)
        found = []
        while (hit := searcher.get_next()) is not None:
            first, count = hit
            lefts, bottoms, rights, tops = zip(
                *(textpage.get_charbox(i) for i in range(first, first + count)), strict=True
            )
            if max(t - b for t, b in zip(tops, bottoms, strict=True)) >= 0.3 * 72:
                centre = ((min(lefts) + max(rights)) / 2, height - (min(bottoms) + max(tops)) / 2)
                found.append(centre)
        return found
    finally:
        pdf.close()


def test_every_box_of_every_draft_page_shows_the_mark_inside_the_safe_area(built_all, content):
    """Every panel, card face, card on a sheet and page: the band, inside the area a printer
    reaches, and the large diagonal word across the box."""
    files = draft_files(built_all)
    assert len(files) == DRAFTS * (PER_LANGUAGE + len(CITIES))
    boxes_checked = 0
    for edition, document, path in files:
        for index in range(len(PdfReader(path).pages)):
            image = render(path, index, dpi=DPI)
            words = big_word_centres(path, index, content.draft_word)
            for box in boxes_of(document, index):
                where = (edition, document, index, box.where)
                assert_inside_safe_area(band_in(image, replace(box, where=str(where))), box)
                inside = [
                    (x, y)
                    for x, y in words
                    if box.left < x < box.right and box.top < y < box.bottom
                ]
                assert len(inside) == 1, (where, "no large draft word", words)
                boxes_checked += 1
    # tri-fold: 6 panels; FAQ: 1 page; card: 2 faces; sheet: 20 cards; flyer and poster: 1
    # page each (per language); large print: its pages, as many as its words take; and 6
    # panels for each city tri-fold.
    large_print = sum(
        len(PdfReader(path).pages) for _, document, path in files if document == "faq-large-print"
    )
    assert large_print >= 2 * DRAFTS
    assert (
        boxes_checked == DRAFTS * (6 + 1 + 2 + 20 + 1 + 1) + large_print + DRAFTS * len(CITIES) * 6
    )


def test_press_draft_marks_stay_inside_the_trim(tmp_path, content):
    """A print shop's file of a draft (a proof, say): the band sits 0.25 in inside the trim,
    so a cut that wanders never takes it off, and no mark stops at the trim."""
    bleed = 0.125 * 72
    results = build_into(tmp_path, profile=Profile("press"), documents=("trifold", "wallet-card"))
    files = [r for r in results if r.edition == "es"]
    assert len(files) == 2
    for result in files:
        for index in range(len(PdfReader(result.path).pages)):
            image = render(result.path, index, dpi=DPI)
            # The band's colour as printed from CMYK: read it beside the band's first letter.
            left, bottom, _right, top = text_boxes(result.path, index, content.draft_band)[0]
            media = PdfReader(result.path).pages[index].mediabox  # starts at -bleed
            x = (left - 2 - float(media.left)) * PT
            y = (float(media.top) - (top + bottom) / 2) * PT
            colour = image.convert("RGB").getpixel((round(x), round(y)))
            assert colour[0] > 120 and colour[1] < 110, colour  # a red, not the paper
            for box in boxes_of(result.document, index, bleed):
                assert_inside_safe_area(band_in(image, box, colour), box)


def test_draft_band_is_english_type_of_at_least_9_pt(built_all, content):
    """The band is English in every edition, so it is set in the English typeface (Atkinson
    Hyperlegible), not in the page's script's, and never below 9 pt."""
    for edition, document, path in draft_files(built_all):
        if document == "wallet-card-sheet":
            continue  # the same drawing as the card, placed ten times
        runs = [r for r in printed_runs_in_fonts(path) if content.draft_band in r[1]]
        assert runs, (edition, document)
        assert min(size for size, _, _ in runs) >= 9, (edition, document, runs)
        faces = {font.split("+")[-1] for _, _, font in runs}
        assert faces == {"Atkinson-Hyperlegible-Bold"}, (edition, document, faces)


def test_draft_mark_is_tagged_english_inside_a_translation(built_all, content):
    """A screen reader reads the English band with English rules (/Lang en on its structure
    element), in a document whose language is the translation's."""
    for edition, document, path in draft_files(built_all):
        if document == "wallet-card-sheet":
            continue  # tagged by the imposition step (test_profiles)
        with pikepdf.open(path) as pdf:
            assert str(pdf.Root.Lang) in LANGUAGES[1:]
            # (The FAQ's "we speak your language" list has an English line: an LI, not a band.)
            marked = [
                e
                for e in struct_elements(pdf)
                if str(e.get("/Lang", "")) == "en" and e.S not in ("/LI", "/LBody")
            ]
            expected = sum(len(boxes_of(document, i)) for i in range(len(pdf.pages)))
            assert len(marked) == expected, (edition, document, len(marked))
    for (edition, document), path in by_edition(built_all).items():
        if edition.startswith("en") and document != "wallet-card-sheet":
            with pikepdf.open(path) as pdf:
                assert not any("/Lang" in e for e in struct_elements(pdf)), (edition, document)


def test_english_pages_show_none_of_the_warning_red(built_all):
    checked = 0
    for (edition, document), path in by_edition(built_all).items():
        if edition.startswith("en"):
            for index in range(len(PdfReader(path).pages)):
                image = render(path, index, dpi=DPI)
                assert count_colour(image, WARNING_RED) == 0, (edition, document, index)
            checked += 1
    assert checked == PER_LANGUAGE + len(CITIES)


@pytest.mark.parametrize(("edition", "lang"), [("en", "en"), ("es", "es"), ("pt-BR", "pt-BR")])
def test_card_sheet_carries_the_editions_language(built_all, edition, lang):
    path = by_edition(built_all)[(edition, "wallet-card-sheet")]
    assert PdfReader(path).trailer["/Root"].get("/Lang") == lang


def test_city_trifold_carries_only_its_city(built_all, content):
    found = by_edition(built_all)
    worcester, somerville = content.cities["worcester"], content.cities["somerville"]
    outside = page_texts(found[("en-worcester", "trifold")])[0]
    assert worcester.text[:40] in outside and somerville.text[:40] not in outside
    outside = page_texts(found[("en-somerville", "trifold")])[0]
    assert somerville.text[:40] in outside and worcester.text[:40] not in outside
    general = page_texts(found[("en", "trifold")])[0]
    assert worcester.text[:40] in general and somerville.text[:40] in general
    # The city's paragraph is on the back cover panel (the middle of the outside page).
    (box, *_) = text_boxes(found[("en-worcester", "trifold")], 0, worcester.text[:20])
    assert box[0] >= 3.625 * 72 and box[2] <= (3.625 + 3.6875) * 72


# --- review status and missing fields, on copies -------------------------------------------


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """content.yml and its translations in a scratch folder, safe to edit."""
    shutil.copy(PROJECT_ROOT / "content.yml", tmp_path / "content.yml")
    shutil.copytree(PROJECT_ROOT / "translations", tmp_path / "translations")
    return tmp_path / "content.yml"


def test_reviewed_translation_prints_clean(project_copy, tmp_path, capsys):
    spanish = project_copy.parent / "translations" / "es.yml"
    edit(spanish, "  reviewed: false\n", "  reviewed: true\n  reviewed_by: Ana Pérez, CMI\n")
    # The old whole-file switch becomes a review record per string (tests/test_translations.py).
    assert main(["translations", "migrate", "es", "--content", str(project_copy)]) == 0
    out = tmp_path / "out"
    assert main(["build", "faq", "--content", str(project_copy), "--out", str(out)]) == 0
    assert BAND not in page_texts(out / "es" / "faq.pdf")[0]
    assert BAND in page_texts(out / "pt-BR" / "faq.pdf")[0]
    err = capsys.readouterr().err
    assert "warning: pt-BR: translation not yet reviewed" in err
    assert "warning: es:" not in err


def test_reviewed_needs_a_reviewer(project_copy):
    spanish = project_copy.parent / "translations" / "es.yml"
    edit(spanish, "  reviewed: false\n", "  reviewed: true\n")
    with pytest.raises(BrochureError) as info:
        load_editions(project_copy)
    assert info.value.lines == [
        "translations/es.yml:9: review.reviewed_by: name the translator who reviewed it"
    ]


def test_missing_translation_field_is_named_never_filled_from_english(project_copy):
    spanish = project_copy.parent / "translations" / "es.yml"
    edit(
        spanish,
        "      answer: Ese miedo es normal. Nombrarlo desde el principio ayuda a evitarlo.\n",
        "",
    )
    with pytest.raises(BrochureError) as info:
        load_editions(project_copy)
    (line,) = info.value.lines
    text = spanish.read_text(encoding="utf-8")
    where = text[: text.index("    - question: ¿Y si tengo miedo")].count("\n") + 1
    assert line == (
        f"translations/es.yml:{where}: faq.items.3.answer: missing in this translation; "
        "translate the English: 'That fear is normal. Naming it early actually h...'"
    )


def test_translation_may_not_repeat_the_phone_number(project_copy):
    spanish = project_copy.parent / "translations" / "es.yml"
    edit(
        spanish, "  region: Massachusetts\n", '  region: Massachusetts\n  phone: "(978) 555-0100"\n'
    )
    with pytest.raises(BrochureError) as info:
        load_editions(project_copy)
    assert info.value.lines[0].endswith(
        "program.phone: is set once in content.yml for every language; remove it"
    )


def test_translation_with_extra_faq_item_is_an_error(project_copy):
    portuguese = project_copy.parent / "translations" / "pt-BR.yml"
    edit(
        portuguese,
        "  call: Ligue para saber mais.",
        "    - question: Extra?\n      answer: Extra.\n  call: Ligue para saber mais.",
    )
    with pytest.raises(BrochureError) as info:
        load_editions(project_copy)
    assert "faq.items: has 7 entries but content.yml has 6" in info.value.lines[0]


def test_translation_file_outside_the_project_is_refused(project_copy):
    edit(project_copy, "  es: translations/es.yml", "  es: ../../etc/es.yml")
    with pytest.raises(BrochureError) as info:
        load_editions(project_copy)
    text = project_copy.read_text(encoding="utf-8")
    where = text[: text.index("  es: ../../etc")].count("\n") + 1
    assert info.value.lines == [
        f"content.yml:{where}: translations.es: '../../etc/es.yml' is outside the project "
        "folder; copy the file into it"
    ]


# --- incremental, parallel build -------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    code = (
        "import sys; from brochure.cli import main; status = main(sys.argv[1:]); "
        "print('weasyprint loaded' if 'weasyprint' in sys.modules else 'weasyprint not loaded'); "
        "sys.exit(status)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def stamps(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.pdf")}


def test_no_op_rebuild_writes_nothing_and_skips_weasyprint(project_copy, tmp_path):
    out = tmp_path / "out"
    first = run_cli("build", "--content", str(project_copy), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = stamps(out)
    assert len(before) == OFFICE_FILES
    second = run_cli("build", "--content", str(project_copy), "--out", str(out))
    assert second.returncode == 0
    assert second.stdout.splitlines() == [
        f"up to date: {OFFICE_FILES} files in {out}, nothing changed",
        "weasyprint not loaded",
    ]
    assert stamps(out) == before


def test_changing_one_translation_rebuilds_only_its_files(project_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--content", str(project_copy), "--out", str(out)).returncode == 0
    before = stamps(out)
    spanish = project_copy.parent / "translations" / "es.yml"
    edit(spanish, "    qr_caption: Escanee para llamar", "    qr_caption: Escanee y llame")
    result = run_cli("build", "--content", str(project_copy), "--out", str(out))
    assert result.returncode == 0, result.stderr
    after = stamps(out)
    changed = sorted(name for name in after if after[name] != before[name])
    # Spanish's own files, and every other FAQ, poster and tri-fold (city ones too): their "we
    # speak your language" list reads every translation (a line, and whether it is reviewed).
    others = [
        f"{code}/{d}.pdf"
        for code in LANGUAGES
        if code != "es"
        for d in ("faq", "poster", "trifold")
    ]
    others += [
        f"{code}-{city}/trifold.pdf" for code in LANGUAGES if code != "es" for city in CITIES
    ]
    assert changed == sorted(
        [
            "es/trifold.pdf",
            "es/faq.pdf",
            "es/wallet-card.pdf",
            "es/wallet-card-sheet.pdf",
            "es/tear-off-flyer.pdf",
            "es/poster.pdf",
            "es/faq-large-print.pdf",
            "es-worcester/trifold.pdf",
            "es-somerville/trifold.pdf",
            *others,
        ]
    )
    assert f"{OFFICE_FILES - PER_LANGUAGE - len(CITIES) - len(others)} up to date" in result.stdout


def test_a_pdf_changed_by_hand_is_rebuilt(project_copy, tmp_path):
    out = tmp_path / "out"
    assert (
        run_cli("build", "faq", "--content", str(project_copy), "--out", str(out)).returncode == 0
    )
    (out / "es" / "faq.pdf").write_bytes(b"not a pdf")
    result = run_cli("build", "faq", "--content", str(project_copy), "--out", str(out))
    assert result.returncode == 0
    assert (out / "es" / "faq.pdf").read_bytes().startswith(b"%PDF")
    assert f"{len(LANGUAGES) - 1} up to date" in result.stdout


def test_english_content_is_shared_by_all_editions(project_copy):
    english = load_content(project_copy)
    editions = load_editions(project_copy)
    assert [e.name for e in editions] == [
        *LANGUAGES,
        *(f"{language}-{city}" for city in CITIES for language in LANGUAGES),
    ]
    for edition in editions:
        assert edition.content.program.phone == english.program.phone
