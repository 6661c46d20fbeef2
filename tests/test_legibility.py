"""Legibility read from the laid-out PDF (brochure/legibility.py): type sizes, contrast and the
phone number, checked against independent readers (pypdf's sizes, this file's own WCAG
arithmetic). The rules that stop a build (8 pt type, body under 11 pt, light-grey text) are in
the corpus (tests/corpus/template-cases.yml); here are the figures and the warnings."""

from __future__ import annotations

import pytest

from brochure.cli import main
from brochure.content import Checks
from brochure.legibility import contrast, measure
from tests.conftest import edit
from tests.pdfread import printed_runs
from tests.test_readability import contrast as wcag_contrast

PHONE = "9786999786"
#: Where each English document prints its edition code (the template marks it fine print).
CODE = "EN-26"
FINE = {"trifold": frozenset({(1, CODE)}), "faq": frozenset({(1, CODE)})}
FINE["wallet-card"] = frozenset({(2, CODE)})


@pytest.mark.parametrize("document", ["trifold", "faq", "wallet-card"])
def test_sizes_agree_with_pypdf(built, document):
    found = measure(built[document].read_bytes(), PHONE, Checks(), fine_print=FINE[document])
    sizes = [size for size, text in printed_runs(built[document]) if text.strip() != CODE]
    assert found.smallest == pytest.approx(min(sizes), abs=0.05)
    assert not found.errors and not found.warnings
    assert found.smallest >= 9 and found.body >= 11
    assert found.phone >= found.body


@pytest.mark.parametrize("document", ["trifold", "faq", "wallet-card"])
def test_the_edition_code_is_the_only_text_under_9_pt(built, document):
    """Printed at 7.5 pt: without its fine-print mark the same check refuses it."""
    codes = [size for size, text in printed_runs(built[document]) if text.strip() == CODE]
    assert codes == [pytest.approx(7.5, abs=0.05)]
    found = measure(built[document].read_bytes(), PHONE, Checks())
    assert found.errors == (
        f'page {min(FINE[document])[0]}: text set at 7.5 pt ("{CODE}"), below 9 pt '
        "(checks.min_type_pt); make it larger in the stylesheet",
    )


def test_lowest_contrast_is_the_phone_number_on_the_pale_teal_box(built):
    """The rust phone number (#9c3d12) on the call box's pale teal (#e3f0ef): the lowest pair
    on the English tri-fold and FAQ, worked out with this test file's own WCAG formula."""
    expected = wcag_contrast("#9c3d12", "#e3f0ef")
    for document in ("trifold", "faq"):
        found = measure(built[document].read_bytes(), PHONE, Checks(), fine_print=FINE[document])
        assert found.contrast == pytest.approx(expected, abs=0.02), document
        assert "699-9786" in found.contrast_text
    assert expected > 4.5


def test_wcag_ratio_examples():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    assert contrast((0x1D, 0x2A, 0x30), (255, 255, 255)) == pytest.approx(
        wcag_contrast("#1d2a30", "#ffffff"), abs=0.01
    )


def test_draft_editions_keep_contrast_under_their_draft_marks(built_all):
    """The see-through DRAFT word lies over the text of every draft: what is under it must
    still read (the white cover text over the white wash on teal was 3.8:1 before)."""
    paths = {(b.edition, b.document): b.path for b in built_all}
    for edition in ("es", "ar", "vi"):
        fine = frozenset({(1, f"{edition.upper()}-26")})
        found = measure(paths[(edition, "trifold")].read_bytes(), PHONE, Checks(), fine_print=fine)
        assert not found.errors, (edition, found.errors)
        assert found.contrast >= 4.5, edition


def test_a_phone_number_smaller_than_the_body_is_a_warning(project, capsys):
    """The FAQ prints the number once, in its footer; the body text (the most letters: the
    small project's questions) is 14 pt."""
    edit(
        project / "templates" / "css" / "faq.css",
        ".faq__call .faq__phone { font-size: 26pt;",
        ".faq__call .faq__phone { font-size: 12pt;",
    )
    assert main(["check", "--content", str(project / "content.yml"), "faq"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: faq: the phone number is printed at 12 pt, smaller than the body "
        "text (14 pt); make it at least as large"
    ) in err.splitlines()


def test_a_document_without_the_phone_number_is_a_warning(project, capsys):
    template = project / "templates" / "wallet-card.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace("{{ phone(content) }}", ""),
        encoding="utf-8",
    )
    assert main(["check", "--content", str(project / "content.yml"), "wallet-card"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: wallet-card: the phone number is not printed on this document; every "
        "handout must show it"
    ) in err.splitlines()


def test_the_limits_come_from_content_yml(project, capsys):
    content = project / "content.yml"
    content.write_text(content.read_text() + "checks:\n  min_type_pt: 10\n", encoding="utf-8")
    assert main(["check", "--content", str(content), "wallet-card"]) == 1
    err = capsys.readouterr().err
    assert 'wallet-card: page 2: text set at 9.0 pt ("Scan"), below 10 pt' in err
