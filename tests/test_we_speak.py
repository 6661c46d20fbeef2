""" "We speak your language" on the FAQ: a line per language in its own language and script,
each with the number as a link; reviewed languages only, except on drafts; and the other
languages' files are inputs of the list, so a review elsewhere rebuilds it. On the back of
the tri-fold, short of room: each language's own name alone, under the panel's one large
number, and the panel still fits in every edition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from brochure.build import build
from brochure.check import check_fit
from brochure.documents import DOCUMENTS, OFFICE
from brochure.editions import direction_of, load_editions
from brochure.errors import BrochureError
from brochure.options import BuildOptions
from brochure.paths import PROJECT_ROOT
from brochure.pdf import Renderer
from brochure.pipeline import template_context
from brochure.render import render_html
from tests.conftest import CONTENT, LANGUAGES, edit, run_brochure
from tests.pdfread import embedded_fonts, poppler_text, struct_elements, text_boxes

NUMBER = "(978) 699-9786"
TEMPLATES = PROJECT_ROOT / "templates"
X = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
#: Each language's own line as its translator wrote it (read from the files, not the code).
LATIN = {"en": "English:", "es": "Español:", "pt-BR": "Português:", "ht": "Kreyòl ayisyen:"}
#: Each language's own name, in its own script, as the tri-fold's back lists it.
NAMES = {
    "en": "English",
    "es": "Español",
    "pt-BR": "Português",
    "ht": "Kreyòl ayisyen",
    "vi": "Tiếng Việt",
    "ar": "العربية",
    "ne": "नेपाली",
    "zh-Hant": "中文（繁體）",  # noqa: RUF001 - Chinese writes full-width parentheses
    "zh-Hans": "中文（简体）",  # noqa: RUF001
    "sq": "Shqip",
}
#: The typeface each script's entry is set in, as named inside the PDF.
TYPEFACES = {
    "ar": "Noto-Sans-Arabic",
    "ne": "Noto-Sans-Devanagari",
    "zh-Hant": "Noto-Sans-CJK-TC",
    "zh-Hans": "Noto-Sans-CJK-SC",
}


def faq(built_all, edition: str) -> Path:
    return next(b.path for b in built_all if b.edition == edition and b.document == "faq")


def list_languages(path: Path) -> list[str]:
    """The /Lang of every list item in the PDF's structure tree, in reading order."""
    with pikepdf.open(path) as pdf:
        return [
            str(e.Lang)
            for e in struct_elements(pdf)
            if e.S == "/LI" and "/Lang" in e and str(e.Lang) != pdf.Root.Lang
        ]


def test_a_draft_lists_every_other_language_each_tagged_in_its_own(built_all):
    others = [code for code in LANGUAGES if code != "es"]
    assert list_languages(faq(built_all, "es")) == others
    text = poppler_text(faq(built_all, "es"))
    for code, words in LATIN.items():
        if code != "es":
            assert f"{words} {NUMBER}" in text, code
    # The call box's number, then one per listed language.
    assert text.count(NUMBER) == 1 + len(others)


def test_every_line_dials_the_number(built_all):
    with pikepdf.open(faq(built_all, "pt-BR")) as pdf:
        uris = [str(a.A.URI) for a in pdf.pages[0].Annots if "/A" in a and "/URI" in a.A]
    assert uris.count("tel:+19786999786") == 1 + len(LANGUAGES) - 1


def test_the_english_edition_lists_no_draft(built_all):
    assert list_languages(faq(built_all, "en")) == []
    text = poppler_text(faq(built_all, "en"))
    assert text.count(NUMBER) == 1
    assert "Español" not in text


@pytest.fixture
def proj(tmp_path) -> Path:
    shutil.copy(PROJECT_ROOT / "content.yml", tmp_path / "content.yml")
    shutil.copytree(PROJECT_ROOT / "translations", tmp_path / "translations")
    return tmp_path / "content.yml"


def review_spanish(proj: Path) -> None:
    """A translator confirms every Spanish string (XLIFF state final), imported with a name."""
    cli = ("--content", str(proj))
    result = run_brochure("translations", "export", "es", *cli, cwd=proj.parent)
    assert result.returncode == 0, result.stderr
    xliff = proj.parent / "es.xlf"
    tree = etree.parse(str(xliff))
    for target in tree.iterfind(".//x:target", X):
        target.set("state", "final")
    tree.write(str(xliff), xml_declaration=True, encoding="UTF-8")
    result = run_brochure(
        "translations", "import", str(xliff), "--reviewed-by", "Ana", *cli, cwd=proj.parent
    )
    assert result.returncode == 0, result.stderr


def test_a_reviewed_language_joins_every_list_and_rebuilds_only_the_lists(proj):
    out = proj.parent / "out"
    options = BuildOptions.create(proj, TEMPLATES, out, documents=("faq", "wallet-card"))
    build(options)
    review_spanish(proj)
    rebuilt = {(b.edition, b.document) for b in build(options).built}
    # Every FAQ shows or checks the list; no card does, so only Spanish's (its draft mark
    # went) is made again.
    assert rebuilt == {(code, "faq") for code in LANGUAGES} | {("es", "wallet-card")}
    assert list_languages(out / "en" / "faq.pdf") == ["es"]
    assert f"Español: {NUMBER}" in poppler_text(out / "en" / "faq.pdf")
    # Reviewed Spanish lists reviewed languages only: English, not the drafts.
    assert list_languages(out / "es" / "faq.pdf") == ["en"]
    # A draft still lists every other language, Spanish among them.
    assert "es" in list_languages(out / "pt-BR" / "faq.pdf")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Español: llame", "must contain {number} once, where the phone number goes"),
        ("Español: {number} {number}", "must contain {number} once"),
        ("Español: (978) 699-9786", "has a number typed in; write {number}"),
        # The tri-fold's back prints the name before the colon alone.
        ("{number}: Español", "must start with the language's own name and a colon"),
        ("Español {number}", "must start with the language's own name and a colon"),
    ],
)
def test_a_line_without_its_number_slot_is_named(proj, line, message):
    spanish = proj.parent / "translations" / "es.yml"
    edit(spanish, '  line: "Español: {number}"', f'  line: "{line}"')
    with pytest.raises(BrochureError) as info:
        load_editions(proj)
    number = spanish.read_text(encoding="utf-8").splitlines().index(f'  line: "{line}"') + 1
    (problem,) = info.value.lines
    assert problem.startswith(f"translations/es.yml:{number}: speak.line: ")
    assert message in problem


def row_by_row(path: Path) -> list[list[tuple[str, float, float]]]:
    """The list's entries whose names are Latin, as (code, left, right) per row, each row in
    the file's (reading) order; rows are told apart by their height on the page."""
    rows: dict[float, list[tuple[str, float, float]]] = {}
    for code in list_languages(path):
        if code in LATIN or code in ("vi", "sq"):
            [(left, _, right, top)] = text_boxes(path, 0, f"{NAMES[code]}: {NUMBER}")
            row = next((t for t in rows if abs(t - top) < 2), top)
            rows.setdefault(row, []).append((code, left, right))
    return [rows[top] for top in sorted(rows, reverse=True)]


@pytest.mark.parametrize("document", ["faq", "poster"])
@pytest.mark.parametrize("edition", ["es", "ar"])
def test_the_list_runs_in_the_pages_direction(built_all, edition, document):
    """Every row reads from the start of the line: left to right in Spanish, right to left in
    Arabic, whose first entry is the rightmost (the grid does not follow the direction by
    itself). Rows go down the page in the file's order."""
    path = next(b.path for b in built_all if b.edition == edition and b.document == document)
    rows = row_by_row(path)
    assert len(rows) >= 3, rows
    rtl = direction_of(edition) == "rtl"
    for row in rows:
        starts = [right if rtl else left for _, left, right in row]
        assert starts == sorted(starts, reverse=rtl), (edition, document, row)
    entries = [entry for row in rows for entry in row]
    first = rows[0][0]
    if rtl:
        assert first[2] > max(right for _, _, right in entries) - 1, (first, entries)
    else:
        assert first[1] < min(left for _, left, _ in entries) + 1, (first, entries)
    order = [code for row in rows for code, _, _ in row]
    listed = [code for code in list_languages(path) if code in order]
    assert order == listed, (edition, document, order)


# --- The back of the tri-fold -----------------------------------------------------------------


def trifold(built_all, edition: str) -> Path:
    return next(b.path for b in built_all if b.edition == edition and b.document == "trifold")


def back_panel(path: Path, language: str, raw: bool = True) -> str:
    """What poppler reads on the back cover: the middle panel of page 1 (mirrored or not).
    RAW false: in reading order (plain pdftotext), which gives Arabic right to left
    (brochure/readback.py) but moves a Chinese name's full-width bracket on a right-to-left
    page."""
    spec = DOCUMENTS["trifold"].for_direction(direction_of(language))
    left, width = spec.panel_geometry()["back"]
    return poppler_text(path, 0, (left * 72, 0, width * 72, 8.5 * 72), raw=raw)


@pytest.mark.parametrize("edition", ["es", "ar"])
def test_a_draft_trifolds_back_names_every_other_language_under_the_number(built_all, edition):
    """Spanish, and Arabic's mirrored page: every other language's own name, each tagged with
    its language, on the back cover, after the number (printed there once, not per name)."""
    others = [code for code in LANGUAGES if code != edition]
    path = trifold(built_all, edition)
    assert list_languages(path) == others
    drawn, read = back_panel(path, edition), back_panel(path, edition, raw=False)
    assert drawn.count(NUMBER) == 1, drawn
    for code in others:
        text = read if direction_of(code) == "rtl" else drawn
        assert NAMES[code] in text, (code, text)
        assert text.index(NUMBER) < text.index(NAMES[code]), code
    assert NAMES[edition] not in drawn + read


def test_each_name_on_the_trifold_is_set_in_its_own_scripts_typeface(built_all):
    faces = [name.split("+", 1)[-1] for name in embedded_fonts(trifold(built_all, "es"))]
    for code, typeface in TYPEFACES.items():
        assert typeface in faces, (code, faces)


def test_the_english_trifold_names_no_draft(built_all):
    path = trifold(built_all, "en")
    assert list_languages(path) == []
    text = back_panel(path, "en")
    assert not any(NAMES[code] in text for code in LANGUAGES if code != "en"), text


def test_a_reviewed_language_is_named_on_the_english_trifold(proj):
    """Once Spanish is reviewed, the English tri-fold names it, and only it; reviewed Spanish
    names reviewed English only; a draft still names every other language."""
    review_spanish(proj)
    out = proj.parent / "out"
    build(BuildOptions.create(proj, TEMPLATES, out, documents=("trifold",)))
    assert list_languages(out / "en" / "trifold.pdf") == ["es"]
    text = back_panel(out / "en" / "trifold.pdf", "en")
    assert "Español" in text and "Português" not in text
    assert list_languages(out / "en-worcester" / "trifold.pdf") == ["es"]
    assert list_languages(out / "es" / "trifold.pdf") == ["en"]
    assert list_languages(out / "vi" / "trifold.pdf") == [c for c in LANGUAGES if c != "vi"]


def test_every_trifold_back_fits_with_its_list():
    """The fit check, asked directly of every tri-fold edition (every language, every city):
    no panel overflows, and each edition that has names to list does list them."""
    renderer = Renderer((PROJECT_ROOT,), PROJECT_ROOT)
    problems = {}
    editions = [e for e in load_editions(CONTENT) if e.makes("trifold")]
    for edition in editions:
        spec = DOCUMENTS["trifold"].for_direction(edition.direction)
        html = render_html(TEMPLATES, spec.template, template_context(edition, spec, OFFICE))
        assert ('class="we-speak we-speak--names"' in html) == bool(edition.speakers), edition
        document, _report = renderer.layout(html, TEMPLATES, spec.template, "pdf/ua-1")
        words = edition.sources[-1].relative_to(CONTENT.parent).as_posix()
        problems[edition.name] = check_fit(spec, document, words)
    assert len(problems) == len(LANGUAGES) * 3
    assert not any(problems.values()), {name: p for name, p in problems.items() if p}
