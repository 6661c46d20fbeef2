"""Roster reading and validation: a corpus of broken rosters, each with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure import fonts
from brochure.content import load_content
from brochure.errors import BrochureError
from brochure.roster import RosterRules, load_roster, slugify

ROOT = Path(__file__).resolve().parents[1]
HEADER = "first_name,pronouns,city,languages,card_language,quantity\n"


@pytest.fixture(scope="module")
def rules() -> RosterRules:
    return RosterRules.from_content(load_content(ROOT / "content.yml"))


def load(tmp_path: Path, rules: RosterRules, data: bytes | str, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return load_roster(path, rules, fonts.coverage())


#: (case, file name, file bytes, exact messages)
BROKEN: list[tuple[str, str, bytes | str, list[str]]] = [
    (
        "language that is only a prefix",
        "roster.csv",
        HEADER + "Ana,,Worcester,es,en,10\nBea,,Worcester,en,en,10\nLu,,Worcester,pt,en,10\n",
        ["roster.csv:4: languages: 'pt' is not a language we have; did you mean 'pt-BR'?"],
    ),
    (
        "unknown card language",
        "roster.csv",
        HEADER + "Ana,,Worcester,es,fr,10\n",
        [
            "roster.csv:2: card_language: 'fr' is not a language we have; use one of: "
            "en es pt-BR ht vi ar ne zh-Hant zh-Hans sq"
        ],
    ),
    (
        "unknown city, misspelt",
        "roster.csv",
        HEADER + "Ana,,Worcestr,es,en,10\n",
        ["roster.csv:2: city: 'Worcestr' is not one of our cities; did you mean 'Worcester'?"],
    ),
    (
        "unknown city",
        "roster.csv",
        HEADER + "Ana,,Boston,es,en,10\n",
        [
            "roster.csv:2: city: 'Boston' is not one of our cities; write one of: "
            "Worcester, Somerville"
        ],
    ),
    (
        "empty name",
        "roster.csv",
        HEADER + "Ana,,Worcester,es,en,10\n ,she/her,Somerville,,en,10\n",
        ["roster.csv:3: first_name: is empty; write the worker's first name"],
    ),
    (
        "duplicate worker",
        "roster.csv",
        HEADER + "Ana,,Worcester,es,en,10\nBea,,Worcester,,en,\nana,,worcester,,en,5\n",
        [
            "roster.csv:4: first_name: 'ana' in Worcester is already on line 2; list each "
            "worker once and set their quantity (two people with the same first name: tell "
            "them apart, like 'Ana M.')"
        ],
    ),
    (
        "a character no font has",
        "roster.csv",
        HEADER + "Ana 😀,,Worcester,es,en,10\n",
        [
            "roster.csv:2: first_name: the fonts have no character '😀' (U+1F600); check the "
            "spelling (an emoji or a symbol cannot be printed) or ask a designer to add a font"
        ],
    ),
    (
        "formula (DDE command)",
        "roster.csv",
        HEADER + "=cmd|' /C calc'!A0,,Worcester,es,en,10\n",
        [
            "roster.csv:2: first_name: \"=cmd|' /C calc'!A0\" looks like a spreadsheet formula; "
            "a roster holds only plain text (a formula can run commands when the file is "
            "opened): type the text itself"
        ],
    ),
    (
        "formula starting with @ and +",
        "roster.csv",
        HEADER + "Ana,@SUM(1+1),Worcester,es,en,10\nBea,,+Somerville,,en,\n",
        [
            "roster.csv:2: pronouns: '@SUM(1+1)' looks like a spreadsheet formula; a roster "
            "holds only plain text (a formula can run commands when the file is opened): type "
            "the text itself",
            "roster.csv:3: city: '+Somerville' looks like a spreadsheet formula; a roster "
            "holds only plain text (a formula can run commands when the file is opened): type "
            "the text itself",
        ],
    ),
    (
        "HTML in a cell",
        "roster.csv",
        HEADER + "<b>Ana</b>,,Worcester,es,en,10\n",
        [
            "roster.csv:2: first_name: contains markup ('<b>Ana</b>'); text is printed exactly "
            "as written, so HTML tags, entities and template codes are not allowed: remove it"
        ],
    ),
    (
        "quantity not a number, negative, too many",
        "roster.csv",
        HEADER + "Ana,,Worcester,,en,ten\nBea,,Worcester,,en,-5\nCy,,Worcester,,en,5000\n",
        [
            f"roster.csv:{line}: quantity: {value!r} is not a number of cards; write a whole "
            "number from 1 to 1000 (or leave it empty for 10)"
            for line, value in ((2, "ten"), (3, "-5"), (4, "5000"))
        ],
    ),
    (
        "Excel's Windows-1252",
        "roster.csv",
        (HEADER + "José,,Worcester,es,en,10\n").encode("cp1252"),
        [
            "roster.csv:2: this file is not UTF-8 (byte 0xE9, which Excel's Windows code page "
            "reads as 'é'); names with accents would come out wrong, so save it again as CSV "
            'UTF-8: in Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; in '
            'LibreOffice tick "Edit filter settings" and pick Unicode (UTF-8)'
        ],
    ),
    (
        "UTF-16",
        "roster.csv",
        (HEADER + "Ana,,Worcester,,en,\n").encode("utf-16"),
        [
            'roster.csv:1: this file is UTF-16 (Excel\'s "Unicode Text"); save it as CSV '
            'UTF-8: in Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; in '
            'LibreOffice tick "Edit filter settings" and pick Unicode (UTF-8)'
        ],
    ),
    (
        "oversized file",
        "roster.csv",
        HEADER + "Ana,,Worcester,,en,\n" * 30000,
        [
            "roster.csv: the file is 586 KB; a roster is at most 512 KB (about 5,000 workers). "
            "Is this the right file?"
        ],
    ),
    (
        "too many workers",
        "roster.csv",
        HEADER + "".join(f"W{i},,Worcester,,en,1\n" for i in range(2001)),
        ["roster.csv: 2001 workers; at most 2000 at a time: split the roster"],
    ),
    (
        "unknown and missing columns",
        "roster.csv",
        "first name,town,languages\nAna,Worcester,es\n",
        [
            "roster.csv:1: town: unknown column (columns: first_name, pronouns, city, "
            "languages, card_language, quantity)",
            "roster.csv:1: city: required column missing; the first line names the columns: "
            "first_name,pronouns,city,languages,card_language,quantity",
        ],
    ),
    (
        "misspelt column",
        "roster.csv",
        "first_name,city,languges\nAna,Worcester,es\n",
        ["roster.csv:1: languges: unknown column; did you mean 'languages'?"],
    ),
    (
        "unquoted comma",
        "roster.csv",
        HEADER + "Ana, Jr.,she/her,Worcester,es,en,10\n",
        [
            "roster.csv:2: this row has 7 cells but the header names 6 columns ('10' is outside "
            'them); a name with a comma must be in quotes ("Ana, Jr.")'
        ],
    ),
    (
        "invisible control character",
        "roster.csv",
        HEADER + "Ana\u202e,,Worcester,es,en,10\n",
        [
            "roster.csv:2: first_name: contains an invisible control character U+202E "
            "(RIGHT-TO-LEFT OVERRIDE); remove it: right-to-left text is handled by the templates"
        ],
    ),
    (
        "empty roster",
        "roster.csv",
        HEADER,
        ["roster.csv:1: the roster has no workers; add one row per worker"],
    ),
    (
        "YAML: unknown key and bad language",
        "roster.yml",
        "workers:\n  - first_name: Ana\n    city: Worcester\n    languages: [es, pt]\n"
        "  - first_name: Bea\n    citty: Somerville\n",
        ["roster.yml:6: citty: unknown key; did you mean 'city'?"],
    ),
    (
        "YAML: bad language on its line",
        "roster.yml",
        "workers:\n  - first_name: Ana\n    city: Worcester\n    languages: [es, pt]\n",
        ["roster.yml:4: languages: 'pt' is not a language we have; did you mean 'pt-BR'?"],
    ),
    (
        "two names, one file name",
        "roster.csv",
        HEADER + "Aña,,Worcester,,en,\nAna,,Worcester,,en,\n",
        [
            "roster.csv:3: first_name: 'Ana' and 'Aña' (line 2) would share the file name "
            "ana-worcester.pdf; tell them apart, like 'Ana M.'"
        ],
    ),
    (
        "an Excel workbook renamed .csv",
        "roster.csv",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        [
            "roster.csv: this is an Excel workbook, not a CSV file; open it in Excel and save "
            'it as CSV UTF-8: in Excel choose File > Save As > "CSV UTF-8 (Comma delimited) '
            '(*.csv)"; in LibreOffice tick "Edit filter settings" and pick Unicode (UTF-8)'
        ],
    ),
    (
        "NUL bytes",
        "roster.csv",
        HEADER + "Ana\x00,,Worcester,,en,\n",
        [
            "roster.csv:2: contains NUL bytes, so it is not a text file; save the roster as CSV "
            'UTF-8: in Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; in '
            'LibreOffice tick "Edit filter settings" and pick Unicode (UTF-8)'
        ],
    ),
    (
        "not a roster file type",
        "roster.xlsx",
        b"PK\x03\x04",
        [
            "{path}: a roster is a .csv file (from a spreadsheet) or a .yml file; save it as "
            "CSV UTF-8"
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_roster_exact_messages(tmp_path, rules, name, data, expected) -> None:
    with pytest.raises(BrochureError) as caught:
        load(tmp_path, rules, data, name)
    assert caught.value.lines == [line.format(path=tmp_path / name) for line in expected]


def test_corpus_has_at_least_twelve_cases() -> None:
    assert len(BROKEN) >= 12


def test_bom_and_crlf_read_right(tmp_path, rules) -> None:
    """Excel's "CSV UTF-8" starts with a byte order mark and ends lines with CR LF."""
    data = ("\ufeff" + HEADER + 'Nguyễn,he/him,worcester,"vi, EN",,\n').replace("\n", "\r\n")
    (worker,) = load(tmp_path, rules, data.encode("utf-8"))
    assert (worker.first_name, worker.pronouns, worker.city, worker.city_name) == (
        "Nguyễn",
        "he/him",
        "worcester",
        "Worcester",
    )
    assert (worker.languages, worker.card_language, worker.quantity) == (("vi", "en"), "en", 10)
    assert worker.where == "roster.csv:2"


@pytest.mark.parametrize("separator", [";", "\t"], ids=["semicolons", "tabs"])
def test_semicolons_and_tabs_read_like_commas(tmp_path, rules, separator) -> None:
    """Excel in Brazil and most of Europe separates cells with semicolons."""
    data = HEADER.replace(",", separator) + separator.join(
        ["João", "ele", "Somerville", "pt-BR es", "pt-BR", "20"]
    )
    (worker,) = load(tmp_path, rules, data + "\n")
    assert (worker.first_name, worker.pronouns, worker.city) == ("João", "ele", "somerville")
    assert (worker.languages, worker.card_language, worker.quantity) == (
        ("pt-BR", "es"),
        "pt-BR",
        20,
    )


def test_yaml_roster_same_as_csv(tmp_path, rules) -> None:
    csv_workers = load(tmp_path, rules, HEADER + "Đức,,Somerville,vi es,vi,25\n")
    yaml_workers = load(
        tmp_path,
        rules,
        "workers:\n  - first_name: Đức\n    city: Somerville\n    languages: [vi, es]\n"
        "    card_language: vi\n    quantity: 25\n",
        "roster.yml",
    )
    strip = [(w.first_name, w.city, w.languages, w.card_language, w.quantity) for w in csv_workers]
    assert strip == [
        (w.first_name, w.city, w.languages, w.card_language, w.quantity) for w in yaml_workers
    ]


def test_example_roster_loads(rules) -> None:
    workers = load_roster(ROOT / "roster.example.csv", rules, fonts.coverage())
    assert {w.city for w in workers} == {"worcester", "somerville"}
    assert {"Nguyễn", "Đức"} <= {w.first_name for w in workers}
    assert len({w.slug for w in workers}) == len(workers)


def test_slugs() -> None:
    assert slugify("Nguyễn") == "nguyen"
    assert slugify("Đức") == "duc"
    assert slugify("Jean-Baptiste") == "jean-baptiste"
    assert slugify("李") == "worker-674e"


def test_card_fonts_follow_tokens_css_however_its_rules_are_written(tmp_path) -> None:
    """The fast card path reads each language's body font from tokens.css: a rule may name
    several selectors, and comments are not rules."""
    from brochure.worker_card import font_stacks

    tokens = tmp_path / "tokens.css"
    tokens.write_text(
        "/* :lang(xx) { --font-body: Wrong; } */\n"
        ':root, :lang(en), :lang(es) { --font-body: "Atkinson Hyperlegible", sans-serif; }\n'
        ':lang(ar) { --ink: #000; --font-body: "Noto Sans Arabic", "Noto Sans"; }\n'
    )
    stacks = font_stacks(tokens)
    assert stacks == {
        "": ("Atkinson Hyperlegible",),
        "en": ("Atkinson Hyperlegible",),
        "es": ("Atkinson Hyperlegible",),
        "ar": ("Noto Sans Arabic", "Noto Sans"),
    }
    # The project's own file: every language with a font of its own is found.
    project = font_stacks(Path(__file__).parents[1] / "templates" / "css" / "tokens.css")
    assert {"", "vi", "ar", "ne", "zh-Hant", "zh-Hans"} <= set(project)
