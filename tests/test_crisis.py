"""The crisis and after-hours block (content.yml: crisis): numbers checked like the program's,
written once and never typed into a line or a translation; every number a tel: link and every
offer of a text an sms: link, tagged, in every edition; nothing printed when switched off."""

from __future__ import annotations

import pikepdf
import pytest
from pypdf import PdfReader

from brochure.cli import main
from brochure.content import load_content
from brochure.editions import load_editions
from brochure.errors import BrochureError
from tests.conftest import CONTENT, LANGUAGES, edit
from tests.pdfread import page_texts
from tests.test_content import errors_for, line_of, real_content_with

HELP_LINE = "833-773-2445"
#: Every link the tri-fold and the FAQ carry for the crisis lines, and the card's.
BOX_LINKS = {"tel:+18337732445", "sms:+18337732445", "tel:988", "sms:988", "tel:911"}
CARD_LINKS = {"tel:988", "sms:988"}


def test_numbers_are_checked_and_each_line_knows_its_links(content):
    crisis = content.crisis
    assert crisis.numbers == {"help_line": HELP_LINE, "lifeline": "988", "emergency": "911"}
    links = [{p.href for p in parts if p.href} for parts in crisis.line_parts]
    assert links == [
        {"tel:+18337732445", "sms:+18337732445"},
        {"tel:988", "sms:988"},
        {"tel:911"},  # "call" only: no text offered, no sms: link
    ]
    text_words = [p.words for parts in crisis.line_parts for p in parts if p.kind == "text"]
    assert text_words == ["text", "text"]
    assert crisis.printed(crisis.card) == "24/7: call or text 988"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("833-773-244", "'833-773-244' has 9 digits; a US number has 10, like (978) 699-9786"),
        (
            '"989"',
            "'989' is not a number a phone can dial; a short number must be 988 or a "
            "service code such as 211 or 911, otherwise write all 10 digits, like (833) 773-2445",
        ),
        (
            "133-773-2445",
            "'133-773-2445' is not a valid US number (area code or exchange starts 0/1)",
        ),
    ],
)
def test_a_wrong_number_names_file_line_and_field(tmp_path, written, message):
    text = real_content_with("help_line: 833-773-2445", f"help_line: {written}")
    assert errors_for(tmp_path, text) == [
        f"content.yml:{line_of(text, 'help_line:')}: crisis.numbers.help_line: {message}"
    ]


def test_an_unquoted_988_and_other_spellings_are_read_as_the_number(tmp_path):
    path = tmp_path / "content.yml"
    text = real_content_with('lifeline: "988"', "lifeline: 988")
    path.write_text(text.replace("help_line: 833-773-2445", 'help_line: "+1 (833) 773 2445"'))
    assert load_content(path).crisis.numbers["lifeline"] == "988"
    assert load_content(path).crisis.numbers["help_line"] == HELP_LINE


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Suicide & Crisis Lifeline: call or [text] 988.",
            "has a number typed in; write the number's name in braces, like {lifeline}, where "
            "it goes: the numbers are written once, under crisis.numbers in content.yml",
        ),
        (
            "Suicide & Crisis Lifeline: call or [text] us.",
            "must name one number in braces where it goes, like 'call {lifeline}' (found 0); "
            "the names are those under crisis.numbers in content.yml",
        ),
        (
            "Suicide & Crisis Lifeline: call or [text {lifeline}.",
            "may put [ ] around one word or phrase only, the one that offers a text message, "
            "like 'call or [text] {lifeline}'; check that every [ and { is closed",
        ),
        (
            "Suicide & Crisis Lifeline: call or [text] {lifelin}.",
            "crisis.lines.1: {lifelin} is not one of the numbers under crisis.numbers "
            "(help_line, lifeline, emergency); use one of those names, or add the number there",
        ),
    ],
)
def test_a_line_without_its_number_name_or_with_a_typed_number_is_refused(tmp_path, line, message):
    text = real_content_with('"Suicide & Crisis Lifeline: call or [text] {lifeline}."', f'"{line}"')
    where = f"content.yml:{line_of(text, line)}:"
    prefix = "" if message.startswith("crisis.") else " crisis.lines.1:"
    assert errors_for(tmp_path, text) == [f"{where}{prefix} {message}"]


def test_24_7_is_the_one_run_of_digits_a_line_may_hold(tmp_path):
    path = tmp_path / "content.yml"
    path.write_text(real_content_with('  card: "24/7: call', '  card: "Open 24/7: call'))
    assert load_content(path).crisis.card.startswith("Open 24/7")
    path.write_text(real_content_with('  card: "24/7: call', '  card: "24/7/365: call'))
    with pytest.raises(BrochureError, match=r"crisis\.card: has a number typed in"):
        load_content(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'al {lifeline}."',
            'al 988."',
            "crisis.lines.1: has a number typed in; write the number's name in braces",
        ),
        (
            'al {lifeline}."',
            'al {emergency}."',
            "crisis.lines.1: names {emergency} but content.yml's line names {lifeline}; keep "
            "{lifeline} as it is (only the words around it are translated)",
        ),
        (
            'llame o [envíe un texto] al {lifeline}."',
            'llame o envíe un texto al {lifeline}."',
            "crisis.lines.1: put [ ] around the words that offer a text message, as content.yml "
            "does ('Suicide & Crisis Lifeline: call or [text] {lifeline}.')",
        ),
        (
            "  numbers:",
            "  numbers:",  # replaced below: a translation that repeats the numbers
            "crisis.numbers: is set once in content.yml for every language; remove it",
        ),
    ],
)
def test_a_translation_carries_words_only(tmp_path, old, new, message):
    """The numbers live once in content.yml: a translation that types one, names another
    line's number, drops the text link or repeats the numbers is refused, naming its line."""
    import shutil

    project = tmp_path / "p"
    shutil.copytree(CONTENT.parent / "translations", project / "translations")
    shutil.copy(CONTENT, project / "content.yml")
    spanish = project / "translations" / "es.yml"
    if old == "  numbers:":
        edit(spanish, "  heading: ¿Necesita", '  numbers: {lifeline: "988"}\n  heading: ¿Necesita')
    else:
        edit(spanish, old, new)
    with pytest.raises(BrochureError) as info:
        load_editions(project / "content.yml")
    text = spanish.read_text(encoding="utf-8")
    needle = "numbers: {" if old == "  numbers:" else (new if old != new else old)
    line = text[: text.index(needle)].count("\n") + 1
    assert len(info.value.lines) == 1, info.value.lines
    assert info.value.lines[0].startswith(f"translations/es.yml:{line}: {message}")


def _links(path) -> dict[int, set[str]]:
    """URI of every link annotation, by page (from 0), each with its structure parent."""
    found: dict[int, set[str]] = {}
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                assert "/StructParent" in annotation, (path, annotation.A.URI)
                found.setdefault(index, set()).add(str(annotation.A.URI))
    return found


def test_every_crisis_number_is_a_link_in_every_edition(built_all):
    """Tri-fold (inside, page 2), FAQ and the card's back (page 2): the numbers dial (tel:),
    the words that offer a text start one (sms:), each link tagged for screen readers; the
    printed text carries the numbers."""
    seen = set()
    for result in built_all:
        if result.document == "wallet-card-sheet":
            continue
        last = len(PdfReader(result.path).pages) - 1  # large print: after the questions
        page, expected = {
            "trifold": (1, BOX_LINKS),
            "faq": (0, BOX_LINKS),
            "wallet-card": (1, CARD_LINKS),
            "tear-off-flyer": (0, BOX_LINKS),
            "poster": (0, BOX_LINKS),
            "faq-large-print": (last, BOX_LINKS),
        }[result.document]
        links = _links(result.path)
        assert expected <= links[page], (result.edition, result.document, links)
        others = set().union(*(v for k, v in links.items() if k != page))
        assert not others & BOX_LINKS, (result.edition, result.document)
        text = page_texts(result.path)[page]
        numbers = ["988"] if result.document == "wallet-card" else [HELP_LINE, "988", "911"]
        assert all(n in text for n in numbers), (result.edition, result.document)
        seen.add(result.edition.split("-")[0] if "-" in result.edition else result.edition)
    assert {language.split("-")[0] for language in LANGUAGES} <= seen


def test_switched_off_nothing_is_printed(project, capsys):
    """`show: false` (or no crisis block at all, as in the small project): no box, no line
    on the card, no crisis link; the build still passes every check."""
    content = project / "content.yml"
    block = (
        'crisis:\n  show: false\n  numbers: {lifeline: "988"}\n  heading: Need help now?\n'
        '  lines:\n    - "Call or [text] {lifeline}."\n  card: "24/7: call or [text] {lifeline}"\n'
    )
    content.write_text(content.read_text(encoding="utf-8") + block, encoding="utf-8")
    out = project / "out"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    documents = ("trifold", "faq", "wallet-card", "tear-off-flyer", "poster", "faq-large-print")
    for document in documents:
        path = out / "en" / f"{document}.pdf"
        assert not any("988" in text for text in page_texts(path)), document
        assert not set().union(*_links(path).values()) & BOX_LINKS, document
    edit(content, "  show: false\n", "  show: true\n")
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    assert "988" in page_texts(out / "en" / "wallet-card.pdf")[1]
    capsys.readouterr()
