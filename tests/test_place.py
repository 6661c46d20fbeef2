"""How a name and the state are written together (content.yml: program.place): a pattern
checked like the other patterns, and printed on a city tri-fold's front cover and the
large-print FAQ as each translation writes it, read back from the PDFs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import polib
import pytest
import yaml

from brochure.content import load_content
from brochure.documents import DOCUMENTS
from brochure.editions import load_editions
from brochure.errors import BrochureError
from brochure.paths import PROJECT_ROOT
from brochure.translations import export, import_file, load_project
from tests.conftest import build_into, edit
from tests.pdfread import poppler_text, struct_text

CITY = "worcester"
PLACE = '  place: "{name}, {region}"\n'


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def proj(tmp_path) -> Path:
    """content.yml and its translations in a scratch folder; returns content.yml."""
    shutil.copy(PROJECT_ROOT / "content.yml", tmp_path / "content.yml")
    shutil.copytree(PROJECT_ROOT / "translations", tmp_path / "translations")
    return tmp_path / "content.yml"


# --- the pattern is checked -----------------------------------------------------------------

EXAMPLE = "like '{name}, {region}'"
WHY = "the city's or the program's name, and program.region, are printed there"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "{city}, {region}",
            "has {city}, which is not one of its slots ({name}, {region}); write only those, "
            + EXAMPLE,
        ),
        ("{name}, Massachusetts", f"must contain {{region}} once, {EXAMPLE}: {WHY}"),
        ("{name}, {region} ({region})", f"must contain {{region}} once, {EXAMPLE}: {WHY}"),
        ("Massachusetts: {region}", f"must contain {{name}} once, {EXAMPLE}: {WHY}"),
        (
            "{name}, {region",
            "has a { or } that is not part of a slot; check each slot is written whole, " + EXAMPLE,
        ),
    ],
)
def test_a_wrong_pattern_in_content_yml_is_named(proj, pattern, message):
    edit(proj, PLACE, f'  place: "{pattern}"\n')
    with pytest.raises(BrochureError) as info:
        load_content(proj)
    line = line_of(proj, "  place:")
    assert info.value.lines == [f"content.yml:{line}: program.place: {message}"]


def test_a_wrong_pattern_in_a_translation_is_named(proj):
    chinese = proj.parent / "translations" / "zh-Hant.yml"
    edit(chinese, '  place: "{region}{name}"', '  place: "{region}{city}"')
    with pytest.raises(BrochureError) as info:
        load_editions(proj)
    (problem,) = info.value.lines
    line = line_of(chinese, "  place:")
    assert problem == (
        f"translations/zh-Hant.yml:{line}: program.place: has {{city}}, which is not one of its "
        f"slots ({{name}}, {{region}}); write only those, {EXAMPLE}"
    )


def test_a_content_file_without_it_keeps_the_english_order(proj):
    """Older content files (and the test corpus) have no place: they print as before."""
    edit(proj, PLACE, "")
    program = load_content(proj).program
    assert program.with_region("Worcester") == f"Worcester, {program.region}"


def test_the_translators_file_carries_it_and_a_wrong_one_comes_back_refused(proj):
    """`brochure translations export` sends the pattern with a note on its slots; a file
    that comes back with a misspelt slot is refused naming the translator's file and line,
    and nothing is written."""
    project = load_project(proj)
    po = proj.parent / "zh-Hant.po"
    po.write_bytes(export(project, "zh-Hant", "po", None))
    entry = next(e for e in polib.pofile(str(po)) if e.msgctxt == "program.place")
    chinese = proj.parent / "translations" / "zh-Hant.yml"
    english = yaml.safe_load(proj.read_text(encoding="utf-8"))["program"]["place"]
    assert entry.msgid == english
    assert entry.msgstr == yaml.safe_load(chinese.read_text(encoding="utf-8"))["program"]["place"]
    assert "Keep {name} and {region} as they are" in entry.comment
    before = chinese.read_bytes()
    text = po.read_text(encoding="utf-8")
    entry_line = text.splitlines().index(f"#. {entry.comment}") + 1  # where the entry starts
    po.write_text(text.replace(f'msgstr "{entry.msgstr}"', 'msgstr "{region}{city}"'), "utf-8")
    with pytest.raises(BrochureError) as info:
        import_file(project, po, None, PROJECT_ROOT / "templates")
    assert info.value.lines == [
        f"{po}:{entry_line}: program.place: has {{city}}, which is not one of its slots "
        f"({{name}}, {{region}}); write only those, {EXAMPLE}"
    ]
    assert chinese.read_bytes() == before


# --- the pattern is printed -----------------------------------------------------------------


def expected_place(content: Path, language: str, name_of=None) -> str:
    """The place as the language's own file writes it: its pattern filled with its city
    name (or NAME_OF(data): the program's) and its region. Read from the YAML, so a test
    holds the PDF to the translation, not to what the template happens to do."""
    english = yaml.safe_load(content.read_text(encoding="utf-8"))
    file = content.parent / english["translations"][language] if language != "en" else content
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    program = data["program"]
    name = name_of(data) if name_of else data["cities"][CITY]["name"]
    return program.get("place", english["program"]["place"]).format(
        name=name, region=program["region"]
    )


def cover_text(path: Path, direction: str) -> str:
    """What poppler reads on the front cover panel alone (page 1; left in right to left)."""
    left, width = DOCUMENTS["trifold"].for_direction(direction).panel_geometry()["cover"]
    return poppler_text(path, 0, (left * 72, 0, width * 72, 8.5 * 72))


def build_some(out: Path, content: Path, pairs: set[tuple[str, str]]) -> dict:
    built = build_into(out, content, only=frozenset(pairs), workers=1)
    return {(b.edition, b.document): b.path for b in built}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict:
    pairs = {(f"{code}-{CITY}", "trifold") for code in ("en", "zh-Hant", "zh-Hans", "ar")}
    pairs |= {(code, "faq-large-print") for code in ("zh-Hant", "ar")}
    return build_some(tmp_path_factory.mktemp("place"), PROJECT_ROOT / "content.yml", pairs)


@pytest.mark.parametrize("language", ["en", "zh-Hant", "zh-Hans"])
def test_city_cover_writes_the_place_as_the_translation_does(pdfs, language):
    """Chinese: the state first, no comma (麻省伍斯特); English: "Worcester, Massachusetts"."""
    place = expected_place(PROJECT_ROOT / "content.yml", language)
    assert place in cover_text(pdfs[(f"{language}-{CITY}", "trifold")], "ltr")


def test_arabic_city_cover_writes_the_arabic_comma(pdfs):
    """Arabic: "ووستر، ماساتشوستس". In reading order (plain pdftotext) the words run city,
    Arabic comma, state; as drawn (poppler's structure text, left to right on the page) the
    same characters come mirrored: the city sits on the right."""
    place = expected_place(PROJECT_ROOT / "content.yml", "ar")
    assert "،" in place
    path = pdfs[(f"ar-{CITY}", "trifold")]
    assert tight_commas(place) in tight_commas(poppler_text(path, 0, raw=False))
    assert place[::-1] in struct_text(path)


def tight_commas(text: str) -> str:
    """TEXT without the spaces around Arabic commas: poppler's simple bidi sets a comma between
    two right-to-left words on the far side of the space ("ووستر ،ماساتشوستس")."""
    return re.sub(r"\s*،\s*", "،", text)


def program_name(data: dict) -> str:
    return data["program"]["name"]


@pytest.mark.parametrize("language", ["zh-Hant", "ar"])
def test_large_print_and_pdf_author_write_the_program_with_the_state(pdfs, language):
    place = expected_place(PROJECT_ROOT / "content.yml", language, program_name)
    path = pdfs[(language, "faq-large-print")]
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Author"]) == place
    read = poppler_text(path, 0, raw=language != "ar")
    assert tight_commas(place) in tight_commas(read), read[:200]


def test_a_translator_changing_the_pattern_changes_the_cover(proj, tmp_path):
    """The cover follows the file, whatever order it chooses: here the city first, then a
    space and the state."""
    chinese = proj.parent / "translations" / "zh-Hant.yml"
    edit(chinese, '  place: "{region}{name}"', '  place: "{name} {region}"')
    pdfs = build_some(tmp_path / "out", proj, {(f"zh-Hant-{CITY}", "trifold")})
    place = expected_place(proj, "zh-Hant")
    assert place != expected_place(PROJECT_ROOT / "content.yml", "zh-Hant")
    assert place in cover_text(pdfs[(f"zh-Hant-{CITY}", "trifold")], "ltr")


# --- how a city's paragraph starts (trifold.back.city_lead) ----------------------------------


@pytest.fixture(scope="module")
def general(tmp_path_factory) -> dict:
    """The general tri-folds, which print every city's paragraph with its bold start."""
    pairs = {(code, "trifold") for code in ("en", "zh-Hant")}
    return build_some(tmp_path_factory.mktemp("lead"), PROJECT_ROOT / "content.yml", pairs)


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_a_citys_paragraph_starts_as_the_translation_writes_it(general, language):
    """ "Worcester. We regularly work..." in English; in Chinese the name and a full-width
    colon, with no space before the words (the colon carries its own)."""
    content = PROJECT_ROOT / "content.yml"
    english = yaml.safe_load(content.read_text(encoding="utf-8"))
    file = content.parent / english["translations"][language] if language != "en" else content
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    pattern = data["trifold"]["back"]["city_lead"]
    space = "" if language.startswith("zh") else " "
    text = poppler_text(general[(language, "trifold")], 0)
    for city in data["cities"].values():
        start = f"{pattern.format(name=city['name'])}{space}{city['text'][:4]}"
        assert start in text, (start, text[:300])


def test_a_city_lead_without_the_name_is_named(proj):
    edit(proj, '    city_lead: "{name}."\n', '    city_lead: "Worcester."\n')
    with pytest.raises(BrochureError) as info:
        load_content(proj)
    line = line_of(proj, "    city_lead:")
    assert info.value.lines == [
        f"content.yml:{line}: trifold.back.city_lead: must contain {{name}} once, like "
        "'{name}.': the city's name is printed there, in bold"
    ]
