"""What a screen reader user and a search meet, read by poppler (not by our code): every word
whole, FAQ questions as headings, headings and bullet lines that never end on one word."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from brochure.editions import Edition, load_editions
from brochure.render import keep_last_words
from tests.conftest import CONTENT, LANGUAGES, OFFICE_FILES
from tests.pdfread import poppler_text, struct_elements, structure
from tests.test_card_access import pdfua

#: Which content fields each document prints (the city paragraphs: only the edition's own city
#: in a city tri-fold). Fields not listed are not printed: file names, language codes, and the
#: draft marks (checked in test_editions).
FAQ = (".faq.title", ".faq.intro", ".faq.items.", ".faq.call")
PRINTED = {
    "trifold": (".program.name", ".program.region", ".trifold.", ".closing", ".cities."),
    "faq": (".program.name", ".program.region", *FAQ, ".closing"),
    "wallet-card": (".card.",),
    "tear-off-flyer": (
        ".program.name",
        ".program.region",
        ".program.short_name",
        ".trifold.cover.headline",
        ".trifold.cover.call",
        ".trifold.back.how_to_reach.",
    ),
    "poster": (".program.name", ".program.region", ".trifold.cover.", ".card.back.qr_caption"),
    "faq-large-print": (".program.name", ".program.region", *FAQ, ".closing"),
}


def text_fields(value: object, path: str = "") -> list[tuple[str, str]]:
    """Every string of the content, with its field path (.trifold.cover.headline)."""
    if isinstance(value, str):
        return [(path, value)]
    if hasattr(type(value), "model_fields"):
        return [
            found
            for name in type(value).model_fields
            for found in text_fields(getattr(value, name), f"{path}.{name}")
        ]
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in text_fields(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [found for i, v in enumerate(value) for found in text_fields(v, f"{path}[{i}]")]
    return []


def printed_fields(edition: Edition, document: str) -> list[tuple[str, str]]:
    found = []
    for path, text in text_fields(edition.content):
        if not path.startswith(PRINTED[document]):
            continue
        if path.startswith(".card.worker."):
            continue  # printed on outreach workers' own cards only (tests/test_cards.py)
        if edition.city and path.startswith(".cities.") and f".cities.{edition.city}." not in path:
            continue
        if path.endswith(".city_lead"):
            continue  # a pattern ("{name}."), printed with each city's name (test_place)
        if edition.city and path.endswith("cities_heading"):
            continue  # a city tri-fold names its city instead
        found.append((path, text))
    return found


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def editions() -> dict[str, Edition]:
    return {edition.name: edition for edition in load_editions(CONTENT)}


#: Written without spaces between words: a line break between two characters is no break in
#: the text, so these are compared with all white space taken out.
WITHOUT_SPACES = ("zh-Hant", "zh-Hans")
#: Arabic comes back from `pdftotext -raw` in the order it is drawn, right to left; plain
#: pdftotext puts it in reading order (test_languages checks it); here only left-to-right.
RIGHT_TO_LEFT = ("ar",)
#: Languages whose glyphs alone do not give the words back (Arabic: right to left; Devanagari:
#: vowel signs drawn before their consonant; Vietnamese: letters drawn with separate marks);
#: their lines carry /ActualText instead (brochure/layoutboxes.py).
GLYPHS_ALONE_MISREAD = ("ar", "ne", "vi")


def language_of(edition: str) -> str:
    """en-worcester -> en; pt-BR-somerville -> pt-BR."""
    for city in ("-worcester", "-somerville"):
        edition = edition.removesuffix(city)
    return edition


def test_every_word_of_the_content_comes_back_whole(built_all, editions):
    checked = 0
    for result in built_all:
        language = language_of(result.edition)
        if result.document not in PRINTED or language in RIGHT_TO_LEFT:
            continue
        text = poppler_text(result.path)
        if language in WITHOUT_SPACES:
            text = "".join(text.split())
        for field_path, words in printed_fields(editions[result.edition], result.document):
            wanted = "".join(words.split()) if language in WITHOUT_SPACES else flat(words)
            assert wanted in text, (result.edition, result.document, field_path)
            checked += 1
    assert checked > 500 * (len(LANGUAGES) - 1) // 3, checked


# --- the structure tree, as poppler reads it -----------------------------------------------


def test_faq_questions_are_headings(built_all, editions):
    checked = 0
    for result in built_all:
        if result.document != "faq":
            continue
        # The questions are the headings of the FAQ's main part (the footer's "we speak your
        # language" list has a heading of its own).
        (main,) = [node for node in structure(result.path).walk() if node.kind == "Part"]
        headings = [flat(" ".join(node.text_lines())) for node in main.walk() if node.kind == "H2"]
        questions = [flat(item.question) for item in editions[result.edition].content.faq.items]
        if language_of(result.edition) in GLYPHS_ALONE_MISREAD:
            # poppler's structure reader takes the glyphs, not the /ActualText (test_languages)
            assert len(headings) == len(questions), result.edition
        else:
            assert headings == questions, result.edition
        checked += 1
    assert checked == len(LANGUAGES)


def test_headings_and_bullet_lines_never_end_with_one_word(built_all):
    """A heading or bullet that wraps keeps at least two words on its last line (in languages
    that put spaces between words)."""
    wrapped = 0
    for result in built_all:
        if result.document == "wallet-card-sheet" or language_of(result.edition) in WITHOUT_SPACES:
            continue
        for node in structure(result.path).walk():
            if not re.fullmatch(r"H\d?|LBody", node.kind):
                continue
            lines = [flat(line) for line in node.text_lines() if flat(line)]
            if len(lines) < 2:
                continue
            wrapped += 1
            assert len(lines[-1].split()) >= 2, (result.edition, result.document, lines)
    assert wrapped > 20, wrapped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I come back?", "Can I come\u00a0back?"),
        ("Two words", "Two words"),
        ("One", "One"),
        ("回到治疗", "回到治疗"),
    ],
)
def test_keep_last_words_ties_the_last_two(text, expected):
    assert keep_last_words(text) == expected


def test_faq_lines_run_about_60_to_70_characters(built_all):
    """Lines of 80+ characters are hard to follow back to the next line's start (measured in
    the alphabetic scripts; Han characters are each a word's width)."""
    checked = 0
    for result in built_all:
        if result.document != "faq" or result.edition in (*WITHOUT_SPACES, "ar", "ne"):
            continue
        (main,) = [node for node in structure(result.path).walk() if node.kind == "Part"]
        full_lines = [
            len(flat(line))
            for node in main.walk()
            if node.kind == "P"
            for line in node.text_lines()[:-1]  # a paragraph's last line may be short
        ]
        assert len(full_lines) >= 5, (result.edition, full_lines)
        assert max(full_lines) <= 72 and min(full_lines) >= 50, (result.edition, full_lines)
        checked += 1
    assert checked == len(LANGUAGES) - 4


# --- an independent checker on every office file --------------------------------------------

#: pdfua 0.1.3's heading rule crashes on any heading whose /K is an array (valid PDF; WeasyPrint
#: writes it so): `getattr(array, "is_integer", False)` raises instead of returning False. The
#: rule asks that headings are not empty; test_no_heading_is_empty checks that instead.
PDFUA_CRASHES_ON_HEADINGS = "UA-14-001"


def test_pdfua_finds_nothing_on_any_office_file(built_all):
    """No error and no warning on every office PDF of every edition; every rule ran, but for
    the one pdfua cannot run on headings."""
    paths = [result.path for result in built_all]
    reports = pdfua(*paths)
    assert len(reports) == len(paths) == OFFICE_FILES
    for report in reports:
        where = Path(report["file"]).relative_to(paths[0].parents[1])
        assert report["findings"] == [], (where, report["findings"])
        skipped = {skip["rule_id"] for skip in report["skipped"]}
        assert skipped <= {PDFUA_CRASHES_ON_HEADINGS}, (where, report["skipped"])
        assert report["summary"]["rules_run"] >= 11, where


def test_no_heading_is_empty(built_all):
    headings = 0
    for result in built_all:
        for node in structure(result.path).walk():
            if re.fullmatch(r"H\d?", node.kind):
                assert flat(" ".join(node.text_lines())), (result.edition, result.document)
                headings += 1
    assert headings > 50, headings


def test_every_file_and_every_figure_and_link_is_described(built_all):
    """/Lang and a title on every file, /Alt on every Figure, /Contents on every link."""
    figures = links = 0
    for result in built_all:
        with pikepdf.open(result.path) as pdf:
            where = (result.edition, result.document)
            assert str(pdf.Root.get("/Lang", "")) == language_of(result.edition), where
            assert str(pdf.docinfo.get("/Title", "")).strip(), where
            for element in struct_elements(pdf):
                if element.get("/S") == "/Figure":
                    assert str(element.get("/Alt", "")).strip(), where
                    figures += 1
            for page in pdf.pages:
                for annotation in page.obj.get("/Annots", []):
                    if annotation.get("/Subtype") == "/Link":
                        assert str(annotation.get("/Contents", "")).strip(), where
                        links += 1
    assert figures >= len(LANGUAGES) * 2 and links >= OFFICE_FILES, (figures, links)
