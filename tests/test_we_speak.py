""" "We speak your language" on the FAQ: a line per language in its own language and script,
each with the number as a link; reviewed languages only, except on drafts; and the other
languages' files are inputs of the list, so a review elsewhere rebuilds it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from brochure.build import build
from brochure.editions import load_editions
from brochure.errors import BrochureError
from brochure.options import BuildOptions
from brochure.paths import PROJECT_ROOT
from tests.conftest import LANGUAGES, edit, run_brochure
from tests.pdfread import poppler_text, struct_elements

NUMBER = "(978) 699-9786"
TEMPLATES = PROJECT_ROOT / "templates"
X = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
#: Each language's own line as its translator wrote it (read from the files, not the code).
LATIN = {"en": "English:", "es": "Español:", "pt-BR": "Português:", "ht": "Kreyòl ayisyen:"}


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
