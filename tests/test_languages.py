"""The ten languages of Worcester and Somerville: each built, in its own script's typeface,
shaped as HarfBuzz shapes it, read back in reading order, and Arabic mirrored."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from functools import cache
from itertools import pairwise
from pathlib import Path

import fontpkg
import pikepdf
import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
import zxingcpp
from pypdf import PdfReader

from brochure import fonts
from brochure.documents import DOCUMENTS
from brochure.editions import Edition, load_editions
from brochure.impose import AVERY_5371
from brochure.readback import ARABIC
from tests.conftest import CONTENT
from tests.pdfread import drawn_lines, embedded_fonts, glyph_stream, poppler_text, render
from tests.test_accessibility import PRINTED, printed_fields

#: In the order the two cities' language services rank them after English (issue 12).
LANGUAGES = ("en", "es", "pt-BR", "ht", "vi", "ar", "ne", "zh-Hant", "zh-Hans", "sq")
#: The typeface that must set each language's text, as named inside the PDF.
TYPEFACE = {
    "vi": "Noto-Sans",
    "ar": "Noto-Sans-Arabic",
    "ne": "Noto-Sans-Devanagari",
    "zh-Hant": "Noto-Sans-CJK-TC",
    "zh-Hans": "Noto-Sans-CJK-SC",
}
#: Scripts whose shaping is checked against HarfBuzz: the font family, and which letters.
SHAPED = {
    "ar": ("Noto Sans Arabic", "ARABIC"),
    "ne": ("Noto Sans Devanagari", "DEVANAGARI"),
}


@pytest.fixture(scope="module")
def editions() -> dict[str, Edition]:
    return {edition.name: edition for edition in load_editions(CONTENT)}


@pytest.fixture(scope="module")
def files(built_all) -> dict[tuple[str, str], Path]:
    return {(b.edition, b.document): b.path for b in built_all}


def test_every_language_is_an_edition_with_its_city_trifolds(files):
    languages = {edition for edition, _ in files if "-worcester" not in edition}
    languages = {e for e in languages if "-somerville" not in e}
    assert languages == set(LANGUAGES)
    for language in LANGUAGES:
        for document in ("trifold", "faq", "wallet-card", "wallet-card-sheet"):
            path = files[(language, document)]
            assert len(PdfReader(path).pages) == DOCUMENTS[document].pages, (language, document)
            assert PdfReader(path).trailer["/Root"]["/Lang"] == language
        for city in ("worcester", "somerville"):
            assert (f"{language}-{city}", "trifold") in files


@pytest.mark.parametrize("language", sorted(TYPEFACE))
def test_each_script_is_set_in_its_own_typeface(files, language):
    """Vietnamese in Noto Sans (Atkinson Hyperlegible lacks its stacked accents), the other
    scripts in the Noto family made for them; subset, never whole."""
    for document in ("trifold", "faq", "wallet-card"):
        found = embedded_fonts(files[(language, document)])
        names = [name.split("+", 1)[-1] for name in found]
        assert any(name.startswith(TYPEFACE[language]) for name in names), (document, names)
        assert all("+" in name for name in found), ("not subset", document, list(found))


def test_chinese_files_stay_small(files):
    """The Han font is 20 MB a weight; subset, a Chinese tri-fold is a few hundred KB at most.
    Each Han face costs about 110 KB however few its glyphs (WeasyPrint's subset keeps the
    glyph ids), and a Chinese tri-fold or FAQ carries two: its own, and the other Chinese
    name's in the "we speak your language" list (about 500 KB in all)."""
    for language in ("zh-Hant", "zh-Hans"):
        for document in ("trifold", "faq", "wallet-card"):
            size = files[(language, document)].stat().st_size
            assert size < 600_000, (language, document, size)


@cache
def harfbuzz_font(family: str) -> hb.Font:
    (font_file,) = fontpkg.family(family).files
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file.path))))


def shaped(family: str, word: str, language: str) -> list[int]:
    """The glyph ids HarfBuzz gives for WORD in LANGUAGE (Nepali has forms of its own), in
    drawing (visual) order."""
    buffer = hb.Buffer()
    buffer.add_str(word)
    buffer.language = language
    buffer.guess_segment_properties()
    hb.shape(harfbuzz_font(family), buffer, {})
    return [info.codepoint for info in buffer.glyph_infos]


def contains(stream: list[int], part: list[int]) -> bool:
    return any(stream[i : i + len(part)] == part for i in range(len(stream) - len(part) + 1))


@pytest.mark.parametrize("language", sorted(SHAPED))
def test_shaping_is_what_harfbuzz_gives(files, editions, language):
    """Every word of the script, as drawn in the PDF, is the glyph sequence HarfBuzz makes of
    it with the same font: Arabic letters joined (initial, medial, final forms), Devanagari
    conjuncts and vowel signs in place. A word drawn letter by letter in isolated forms, or
    with a broken cluster, is a different sequence."""
    family, script = SHAPED[language]
    words = 0
    for document in ("trifold", "faq", "wallet-card"):
        pages = glyph_stream(files[(language, document)], family.replace(" ", "-"))
        for _field, text in printed_fields(editions[language], document):
            for word in text.split():
                word = word.strip(".,:;!?()«»\"'،؟।")
                letters = [c for c in word if c.isalpha()]
                if not letters or not all(script in unicodedata.name(c, "") for c in letters):
                    continue
                glyphs = shaped(family, word, language)
                assert any(contains(page, glyphs) for page in pages), (document, word, glyphs)
                words += 1
    assert words > 150, words


def arabic_words(text: str) -> list[str]:
    """The words of TEXT written in Arabic letters only (not "IOP", not the number)."""
    words = [word.strip(".,:;!?()«»\"'،؟") for word in text.split()]
    return [w for w in words if w and all("\u0600" <= c <= "\u06ff" for c in w)]


def test_arabic_trifold_is_mirrored(files, editions):
    """An Arabic reader opens the brochure from the other side: the front cover is the
    left-hand panel of the outside page, the tuck-in flap the right-hand one; inside, the
    narrower panel is on the left. Words are found where poppler reads them."""
    path = files[("ar", "trifold")]
    fold = editions["ar"].content.trifold
    mirrored = DOCUMENTS["trifold"].for_direction("rtl").panel_geometry()
    assert mirrored["cover"][0] == 0 and mirrored["flap"][0] + mirrored["flap"][1] == 11
    assert mirrored["inside-right"] == (0.0, 3.625)

    def panel_text(page: int, key: str) -> str:
        left, width = mirrored[key]
        return poppler_text(path, page, (left * 72, 0, width * 72, 8.5 * 72), raw=False)

    for page, key, text in [
        (0, "cover", fold.cover.headline),
        (0, "flap", fold.flap.heading),
        (1, "inside-right", fold.inside_right.heading),
        (1, "inside-left", fold.inside_left.heading),
    ]:
        found = panel_text(page, key)
        for word in arabic_words(text):
            assert word in found, (key, word, found[:80])


def qr_centres_in_card(path: Path, page: int, dpi: int = 100) -> list[float]:
    """Where each QR code's centre sits across its card, in inches from the card's left edge,
    as zxing finds them on the page drawn: the single card's page is the card; a sheet's
    cards are AVERY_5371's columns."""
    image = render(path, page, dpi=dpi)
    codes = zxingcpp.read_barcodes(image)
    assert codes and all(code.text == "tel:+19786999786" for code in codes), path
    centres = []
    for code in codes:
        p = code.position
        x = (p.top_left.x + p.top_right.x + p.bottom_left.x + p.bottom_right.x) / 4 / dpi
        if image.width / dpi > 4:  # a sheet: the card's column
            lefts = [AVERY_5371.left / 72 + c * AVERY_5371.card_w / 72 for c in range(2)]
            x -= max(left for left in lefts if left <= x)
        centres.append(x)
    return centres


@pytest.mark.parametrize("document", ["wallet-card", "wallet-card-sheet"])
def test_arabic_card_has_its_qr_code_on_the_other_side(files, document):
    """The card's back mirrors: the QR code is on the right of an English card and as far
    from the left of an Arabic one, on the single card and on every card of the sheet's back
    (whose columns are mirrored again for the long-edge flip: that keeps each card whole)."""
    width = AVERY_5371.card_w / 72
    english = qr_centres_in_card(files[("en", document)], 1)
    arabic = qr_centres_in_card(files[("ar", document)], 1)
    assert len(english) == len(arabic) == (10 if document == "wallet-card-sheet" else 1)
    assert all(x > width / 2 for x in english), english
    # Where the English code is, seen in a mirror (the Arabic caption's column is 0.1 in wider).
    assert all(abs(x - (width - e)) < 0.2 for x, e in zip(arabic, english, strict=True)), arabic


@pytest.mark.parametrize("document", sorted(PRINTED))
def test_pdftotext_reads_arabic_in_reading_order(files, editions, document):
    """`pdftotext` gives every Arabic word with its letters in reading order, the words of a
    field in order (brochure/readback.py gives each drawn glyph its letters: the font draws
    many letters as a shared dotless shape plus dots)."""
    assert_arabic_reads_in_order(files[("ar", document)], editions, document)


def test_press_files_read_arabic_in_reading_order(built_press_all, editions):
    """A print shop's PDF/X-4 is tagged too, so the same read-back holds for it."""
    press = {b.document: b.path for b in built_press_all if b.edition == "ar"}
    assert {"trifold", "faq", "wallet-card"} <= set(press), sorted(press)
    for document, path in press.items():
        if document in PRINTED:
            assert_arabic_reads_in_order(path, editions, document)


def assert_arabic_reads_in_order(path: Path, editions: dict[str, Edition], document: str) -> None:
    read = poppler_text(path, raw=False)
    words = 0
    for field, text in printed_fields(editions["ar"], document):
        wanted = arabic_words(text)
        assert all(word in read for word in wanted), (field, [w for w in wanted if w not in read])
        if len(wanted) > 1:  # in order: each word after the one before it
            at = [read.find(" ".join(wanted[i : i + 2])) for i in range(len(wanted) - 1)]
            assert sum(a >= 0 for a in at) >= len(at) // 2, (field, text)
        words += len(wanted)
    assert words > 5, words


def test_arabic_lines_need_no_actual_text(files):
    """Every Arabic line of every file was matched glyph for glyph and its /ActualText dropped
    (poppler and pdfium both reverse an /ActualText of right-to-left text); Devanagari and
    Vietnamese lines keep theirs."""
    for (edition, document), path in files.items():
        if edition.split("-")[0] not in ("ar", "ne", "vi"):
            continue
        left = [t for t in actual_texts(path) if ARABIC.search(t)]
        assert not left, (edition, document, left[:2])
    assert any(ARABIC.search(t) is None for t in actual_texts(files[("ne", "faq")]))


def actual_texts(path: Path) -> list[str]:
    """Every /ActualText of a marked-content sequence, in drawing order."""
    found = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                    text = operands[1].get("/ActualText")
                    if text is not None:
                        found.append(str(text))
    return found


def number_lines(path: Path, page: int) -> list[str]:
    """The number's characters on each line of a page, sorted left to right by where pdfium
    finds them drawn: what a reader's eye meets, whatever order the file stores them in."""
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page].get_textpage()
        lines: list[tuple[float, list[tuple[float, str]]]] = []
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if char not in "0123456789()-":
                continue
            left, bottom, _right, top = textpage.get_charbox(index)
            middle = (bottom + top) / 2
            line = next((items for y, items in lines if abs(y - middle) < 6), None)
            if line is None:
                lines.append((middle, line := []))
            line.append((left, char))
        return ["".join(char for _, char in sorted(items)) for _, items in lines]
    finally:
        pdf.close()


#: What a line of an Arabic page may hold in digits, in reading order: the program's number
#: (one per column in the FAQ's "we speak your language" list), the crisis lines' numbers,
#: and the tail of the edition code (AR-26).
NUMBERS_LTR = re.compile(r"(\(978\)699-9786|833-773-2445|988|911|-[0-9]{2})+")


def test_arabic_phone_number_reads_left_to_right(files):
    """On the page, inside Arabic: "(978) 699-9786", never "699-9786 (978)"; the crisis
    lines' "833-773-2445" the same."""
    seen = ""
    for document in ("trifold", "faq", "wallet-card"):
        path = files[("ar", document)]
        for page in range(DOCUMENTS[document].pages):
            for line in number_lines(path, page):
                assert NUMBERS_LTR.fullmatch(line), (document, page, line)
                seen += line
    assert "(978)699-9786" in seen and "833-773-2445" in seen


#: Punctuation a line of Chinese never starts with (it closes what comes before it).
CLOSING = "，。、：；！？）」』》〉】"  # noqa: RUF001 - full-width Chinese punctuation


def is_han(character: str) -> bool:
    return unicodedata.name(character, "").startswith("CJK UNIFIED IDEOGRAPH")


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans"])
def test_han_lines_break_between_characters_never_before_closing_punctuation(files, language):
    """Chinese has no spaces: a line may end between any two characters (counted: a line
    ending in a Han character whose next line starts with one), but never just before a
    full-width comma, full stop, colon or closing bracket."""
    between = 0
    for (edition, document), path in files.items():
        if edition != language and not edition.startswith(f"{language}-"):
            continue
        lines = drawn_lines(path)
        for line in lines:
            assert not line.startswith(tuple(CLOSING)), (edition, document, line)
        between += sum(is_han(a[-1]) and is_han(b[0]) for a, b in pairwise(lines))
    assert between >= 10, between


def test_no_word_is_hyphenated_at_the_end_of_a_line(files):
    """Nothing is hyphenated, in any language: Haitian Creole, Vietnamese, Nepali and Arabic
    have no dictionary of their own, and a word split for a screen reader reads as two."""
    for (edition, document), path in files.items():
        split = [line for line in drawn_lines(path) if re.search(r"[^\W\d_][-\u2010]$", line)]
        assert not split, (edition, document, split[:3])


def test_han_font_comes_from_the_debian_package():
    """Named by path, never found on the machine by chance."""
    assert fonts.cjk_installed(), f"install {fonts.CJK_PACKAGE} (make system-deps)"
    folder = fonts._cjk_folder()
    assert folder in fonts.font_dirs()
    assert sorted(p.resolve() for p in folder.iterdir()) == sorted(fonts.CJK_FILES)


def test_without_the_han_font_the_build_says_what_to_install(tmp_path):
    """On a machine without fonts-noto-cjk, the Chinese editions fail with the command that
    installs it, naming the field, never with boxes printed for the characters."""
    code = (
        "import sys; from pathlib import Path; from brochure import fonts; "
        "fonts.CJK_FILES = (Path('/nonexistent/NotoSansCJK-Regular.ttc'),); "
        "from brochure.cli import main; "
        f"sys.exit(main(['build', 'faq', '--out', {str(tmp_path)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 1, result.stderr
    # One line, not one per character nor per document (every draft FAQ lists the Chinese
    # lines too).
    assert [line for line in result.stderr.splitlines() if "font" in line] == [
        "translations/zh-Hans.yml, translations/zh-Hant.yml: Chinese text, but the Chinese "
        "font is not installed; run `make system-deps` as root (Debian package fonts-noto-cjk)"
    ]
    assert not (tmp_path / "zh-Hant" / "faq.pdf").exists()
    assert not (tmp_path / "en" / "faq.pdf").exists()  # nothing is written when one fails
