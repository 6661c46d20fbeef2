"""Sending a translation out and bringing it back: XLIFF and PO export, import with review
records, stale strings after an English change, and every hostile import refused with
nothing written."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from brochure.build import build
from brochure.cli import main
from brochure.editions import load_editions
from brochure.errors import BrochureError
from brochure.exchange import read_incoming
from brochure.options import BuildOptions
from brochure.paths import PROJECT_ROOT
from brochure.review import State
from brochure.translations import import_file, load_project, migrate
from tests.conftest import LANGUAGES, edit, run_brochure
from tests.pdfread import page_texts

BAND = "DRAFT TRANSLATION – DO NOT HAND OUT"
X = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
TEMPLATES = PROJECT_ROOT / "templates"
SCHEMA = PROJECT_ROOT / ".venv" / "share" / "xliff" / "xliff-core-1.2-strict.xsd"
REVIEWER = "Ana Pérez, CMI"
#: A sentence of content.yml the round trip changes, and its Spanish.
ENGLISH = "call: Call when you’re ready."
HEADLINE_ID = "trifold.cover.call"


@pytest.fixture
def proj(tmp_path) -> Path:
    """content.yml and its translations in a scratch folder; returns content.yml."""
    shutil.copy(PROJECT_ROOT / "content.yml", tmp_path / "content.yml")
    shutil.copytree(PROJECT_ROOT / "translations", tmp_path / "translations")
    return tmp_path / "content.yml"


def cli(proj: Path, *args: str):
    return run_brochure("translations", *args, "--content", str(proj), cwd=proj.parent)


def export_file(proj: Path, *args: str) -> Path:
    result = cli(proj, "export", *args)
    assert result.returncode == 0, result.stderr
    return proj.parent / result.stdout.split()[1].rstrip(":")


def mark_xliff_final(path: Path) -> None:
    """What a translator's CAT tool does when every string is confirmed: state="final"."""
    tree = etree.parse(str(path))
    for target in tree.iterfind(".//x:target", X):
        target.set("state", "final")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def draft_of(proj: Path, language: str) -> bool:
    return next(e for e in load_editions(proj) if e.name == language).draft


def faq_text(proj: Path, language: str) -> str:
    out = proj.parent / "out"
    only = frozenset({(language, "faq")})
    options = BuildOptions.create(proj, TEMPLATES, out, documents=("faq",), only=only)
    build(options)
    return page_texts(out / language / "faq.pdf")[0]


def test_round_trip_xliff_then_stale_then_po(proj):
    # Out as XLIFF, confirmed in the "CAT tool", back in with a reviewer.
    xliff = export_file(proj, "es", "--format", "xliff")
    mark_xliff_final(xliff)
    result = cli(proj, "import", str(xliff), "--reviewed-by", REVIEWER)
    assert result.returncode == 0, result.stderr
    assert f"{STRINGS} strings recorded as reviewed" in result.stdout
    assert not draft_of(proj, "es") and draft_of(proj, "pt-BR")
    assert BAND not in faq_text(proj, "es")

    # One English sentence changes: es is stale, named, and drafted again.
    edit(proj, ENGLISH, "call: Call us when you’re ready.")
    editions = {e.name: e for e in load_editions(proj)}
    assert editions["es"].draft
    assert editions["es"].review.ids(State.STALE) == [HEADLINE_ID]
    warnings = editions["es"].review.warnings("es")
    assert warnings[0].startswith(f"es: {HEADLINE_ID}: English changed after review on ")
    status = cli(proj, "status", "es").stdout.splitlines()
    n = str(STRINGS)
    assert status[1].split() == ["es", n, n, str(STRINGS - 1), "1", "0", "0"]
    assert BAND in faq_text(proj, "es")

    # Only the stale string goes out, as PO, with the old and the new English.
    po_path = export_file(proj, "es", "--format", "po", "--only-stale")
    catalog = polib.pofile(str(po_path))
    assert [e.msgctxt for e in catalog] == [HEADLINE_ID]
    (entry,) = catalog
    assert entry.msgid == "Call us when you’re ready."
    assert entry.previous_msgid == "Call when you’re ready."
    assert "fuzzy" in entry.flags
    entry.msgstr = "Llámenos cuando esté listo."
    entry.flags.remove("fuzzy")
    catalog.save(str(po_path))
    result = cli(proj, "import", str(po_path), "--reviewed-by", REVIEWER)
    assert result.returncode == 0, result.stderr
    assert cli(proj, "status", "es").stdout.splitlines()[1].split()[3:6] == [str(STRINGS), "0", "0"]
    assert not draft_of(proj, "es")
    assert "Llámenos cuando esté listo." in (proj.parent / "translations" / "es.yml").read_text()


def test_import_keeps_comments_and_order_and_changes_only_the_string(proj):
    spanish = proj.parent / "translations" / "es.yml"
    before = spanish.read_text(encoding="utf-8").splitlines()
    po_path = export_file(proj, "es", "--format", "po")
    catalog = polib.pofile(str(po_path))
    entry = next(e for e in catalog if e.msgctxt == "faq.items.0.answer")
    entry.msgstr = "Sí. Volver es común, y usted es bienvenido de nuevo."
    catalog.save(str(po_path))
    assert cli(proj, "import", str(po_path)).returncode == 0
    after = spanish.read_text(encoding="utf-8").splitlines()
    diff = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # The folded block (`answer: >-`) stays a folded block; nothing else in the file moves.
    assert diff == [
        "-        Sí. Dejar el tratamiento es común, y volver es bienvenido. Ayuda a entender "
        "mejor qué",
        "-        apoyo necesita ahora.",
        "+        Sí. Volver es común, y usted es bienvenido de nuevo.",
    ]
    # Imported without a reviewer: words changed, nothing recorded as reviewed.
    assert not (proj.parent / "translations" / "es.review.yml").exists()


def test_fuzzy_po_entries_are_imported_but_not_reviewed(proj):
    po_path = export_file(proj, "es", "--format", "po")
    catalog = polib.pofile(str(po_path))
    for entry in list(catalog)[:3]:
        entry.flags.remove("fuzzy")
    catalog.save(str(po_path))
    result = cli(proj, "import", str(po_path), "--reviewed-by", REVIEWER)
    assert result.returncode == 0, result.stderr
    assert f"3 strings recorded as reviewed; {STRINGS - 3} still marked unfinished" in result.stdout
    assert draft_of(proj, "es")
    assert cli(proj, "status", "es").stdout.splitlines()[1].split()[3] == "3"


def test_hand_edit_after_review_puts_the_draft_mark_back(proj):
    xliff = export_file(proj, "es")
    mark_xliff_final(xliff)
    assert cli(proj, "import", str(xliff), "--reviewed-by", REVIEWER).returncode == 0
    edit(proj.parent / "translations" / "es.yml", "Llame cuando", "Llámenos cuando")
    edition = next(e for e in load_editions(proj) if e.name == "es")
    assert edition.draft
    assert edition.review.ids(State.EDITED) == ["trifold.cover.call"]


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """OASIS's XLIFF 1.2 strict schema, read with its xml.xsd from disk (no network)."""
    if not SCHEMA.is_file():
        pytest.skip("XLIFF 1.2 schema not downloaded (make test-deps fetches it from Debian)")
    text = SCHEMA.read_text(encoding="utf-8").replace(
        "http://www.w3.org/2001/xml.xsd", (SCHEMA.parent / "xml.xsd").as_uri()
    )
    return etree.XMLSchema(etree.fromstring(text.encode(), base_url=SCHEMA.as_uri()))


def test_exported_xliff_is_valid_xliff_1_2(proj, schema):
    # A stale string too: it carries an alt-trans, which must be valid where it sits.
    xliff = export_file(proj, "es")
    mark_xliff_final(xliff)
    assert cli(proj, "import", str(xliff), "--reviewed-by", REVIEWER).returncode == 0
    edit(proj, ENGLISH, "call: Call us when you’re ready.")
    for args in (("es",), ("ar",), ("es", "--only-stale")):
        exported = export_file(proj, *args, "--out", f"check-{len(args)}.xlf")
        document = etree.parse(str(exported))
        assert schema.validate(document), schema.error_log.last_error
    assert len(document.findall(".//x:alt-trans", X)) == 1


def test_schema_check_catches_a_broken_file(proj, schema):
    """The schema test above can fail: a trans-unit without its id is refused."""
    document = etree.parse(str(export_file(proj, "es")))
    del document.find(".//x:trans-unit", X).attrib["id"]
    assert not schema.validate(document)


def test_status_on_the_repository_counts_every_string():
    result = run_brochure("translations", "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["language", "strings", "translated"]
    expected = STRINGS
    rows = {line.split()[0]: line.split()[1:] for line in lines[1 : lines.index("")]}
    assert set(rows) == set(LANGUAGES) - {"en"}
    for language, row in rows.items():
        assert row == [str(expected), str(expected), "0", "0", "0", str(expected)], language


def _count_strings() -> int:
    import yaml

    data = yaml.safe_load((PROJECT_ROOT / "content.yml").read_text(encoding="utf-8"))
    skip = {"language", "revised", "translations", "city_editions", "draft_band", "draft_word"}
    del data["program"]["phone"]
    # The crisis lines' numbers and their switch are written once, in content.yml.
    del data["crisis"]["numbers"], data["crisis"]["show"]

    def count(value) -> int:
        if isinstance(value, str):
            return 1
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, list):
            return sum(count(v) for v in value)
        return 0

    return sum(count(v) for k, v in data.items() if k not in skip)


#: Every text a translator translates, counted here by hand from content.yml.
STRINGS = _count_strings()


def test_the_count_is_the_strings_walk_and_eighty_eight():
    """80 before the crisis block; it adds its heading, its three lines and the card's line;
    the large-print FAQ's page label ("Page {page} of {pages}") is one more, the way a name
    and the state are written together ("{name}, {region}") one more again, and the bold
    start of a city's paragraph ("{name}.") the last."""
    import yaml

    from brochure.strings import text_units

    data = yaml.safe_load((PROJECT_ROOT / "content.yml").read_text(encoding="utf-8"))
    assert len(text_units(data, None)) == STRINGS == 88
    crisis = [u.id for u in text_units(data, None) if u.id.startswith("crisis")]
    assert crisis == [
        "crisis.heading",
        "crisis.lines.0",
        "crisis.lines.1",
        "crisis.lines.2",
        "crisis.card",
    ]


def test_old_whole_file_switch_migrates_to_records(proj):
    spanish = proj.parent / "translations" / "es.yml"
    edit(spanish, "  reviewed: false\n", "  reviewed: true\n  reviewed_by: Ana Pérez, CMI\n")
    with pytest.raises(BrochureError) as info:
        load_editions(proj)
    assert "run `brochure translations migrate es` once" in info.value.lines[0]
    assert migrate(load_project(proj), "es") == STRINGS
    text = spanish.read_text(encoding="utf-8")
    assert "reviewed: true" not in text and "reviewed_by" not in text
    assert "note: Draft by the development team" in text  # the note is kept
    records = (proj.parent / "translations" / "es.review.yml").read_text(encoding="utf-8")
    assert records.count("reviewed_by: Ana Pérez, CMI") == STRINGS
    assert not draft_of(proj, "es")


def test_review_records_change_rebuilds_the_edition(proj):
    """The records decide the draft mark, so they are an input of the incremental build."""
    out = proj.parent / "out"
    options = BuildOptions.create(proj, TEMPLATES, out, documents=("faq",))
    build(options)
    assert build(options).built == []
    xliff = export_file(proj, "es")
    mark_xliff_final(xliff)
    assert cli(proj, "import", str(xliff), "--reviewed-by", REVIEWER).returncode == 0
    rebuilt = {b.edition for b in build(options).built}
    # Spanish's FAQ loses its draft mark; every other FAQ's language list changes with it.
    assert rebuilt == set(LANGUAGES)
    assert BAND not in page_texts(out / "es" / "faq.pdf")[0]
    # The catalog gives the manager the same numbers as `status`.
    catalog = (out / "index.html").read_text(encoding="utf-8")
    assert f"Translation review: {STRINGS} of {STRINGS} strings reviewed." in catalog
    assert catalog.count(f"Translation review: 0 of {STRINGS} strings reviewed.") == 8


# --- hostile imports: a clear error, nothing written ----------------------------------------


def _xliff_with(proj: Path, change) -> Path:
    path = export_file(proj, "es")
    tree = etree.parse(str(path))
    change(tree)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def _target(tree, unit_id: str):
    return tree.find(f".//x:trans-unit[@id='{unit_id}']/x:target", X)


def _duplicate(tree) -> None:
    unit = tree.find(".//x:trans-unit[@id='faq.title']", X)
    unit.addnext(etree.fromstring(etree.tostring(unit)))


def _unknown(tree) -> None:
    tree.find(".//x:trans-unit[@id='faq.title']", X).set("id", "faq.subtitle")


def _html(tree) -> None:
    _target(tree, "faq.title").text = "Volver <b>al</b> tratamiento"


def _inline_markup(tree) -> None:
    target = _target(tree, "faq.title")
    etree.SubElement(target, f"{{{X['x']}}}g", id="1").text = "negrita"


def _phone(tree) -> None:
    _target(tree, "faq.call").text = "Llámenos al (978) 699-9786."


def _empty(tree) -> None:
    _target(tree, "faq.title").text = ""


def _other_language(tree) -> None:
    tree.find(".//x:file", X).set("target-language", "fr")


def _old_english(tree) -> None:
    tree.find(".//x:trans-unit[@id='faq.title']/x:source", X).text = "Coming back"


def _too_long(tree) -> None:
    _target(tree, "card.front.label").text = "Llame " * 30


HOSTILE_XLIFF = {
    "duplicate id": (_duplicate, "faq.title: appears twice in the file; keep one"),
    "field no longer exists": (
        _unknown,
        "faq.subtitle: no such string in content.yml (removed or renamed since the export); "
        "export the file again",
    ),
    "HTML in a target": (_html, "faq.title: contains markup ('<b>al</b>'); text is printed"),
    "CAT inline markup": (_inline_markup, "faq.title: contains markup from the translation tool"),
    "phone number typed in": (_phone, "faq.call: contains a phone number; leave it out"),
    "empty target": (_empty, "faq.title: the translation is empty"),
    "another language": (_other_language, ":1: the file is for 'fr', which is not one of"),
    "English changed since export": (_old_english, "faq.title: the English changed since"),
    "does not fit": (_too_long, "with the imported words: es: wallet-card:"),
}


@pytest.mark.parametrize("case", HOSTILE_XLIFF)
def test_hostile_xliff_import_is_refused_and_writes_nothing(proj, case):
    change, message = HOSTILE_XLIFF[case]
    path = _xliff_with(proj, change)
    _refused(proj, path, message)


def _refused(proj: Path, path: Path, message: str) -> None:
    spanish = proj.parent / "translations" / "es.yml"
    before = spanish.read_bytes()
    with pytest.raises(BrochureError) as info:
        import_file(load_project(proj), path, REVIEWER, TEMPLATES)
    text = "\n".join(info.value.lines)
    assert message in text, text
    assert text.startswith(str(path)) or "with the imported words" in text, text
    assert "Traceback" not in text
    assert spanish.read_bytes() == before
    assert not (proj.parent / "translations" / "es.review.yml").exists()


def test_error_names_the_line_of_the_unit(proj):
    path = _xliff_with(proj, _html)
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if 'id="faq.title"' in text
    )
    with pytest.raises(BrochureError) as info:
        import_file(load_project(proj), path, REVIEWER, TEMPLATES)
    assert info.value.lines[0].startswith(f"{path}:{line}: faq.title: ")


def test_truncated_xliff_is_refused(proj):
    path = export_file(proj, "es")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _refused(proj, path, "not a complete XLIFF file")


def test_fifty_megabyte_file_is_refused_before_reading(proj, tmp_path):
    path = tmp_path / "huge.xlf"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    _refused(proj, path, "50.0 MB is far too big")


def test_xml_entities_are_not_expanded(proj, tmp_path):
    path = tmp_path / "laughs.xlf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY f SYSTEM "file:///etc/passwd">]>'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
        '<file target-language="es" source-language="en" original="x" datatype="plaintext">'
        '<body><trans-unit id="faq.title"><source>Coming back to treatment</source>'
        '<target state="final">&b;&f;</target></trans-unit></body></file></xliff>',
        encoding="utf-8",
    )
    (unit,) = read_incoming(path, path.name, path.read_bytes()).units
    assert "root:" not in unit.target  # /etc/passwd was not read in
    assert "a" * 20 not in unit.target  # nor the entities expanded
    with pytest.raises(BrochureError) as info:
        import_file(load_project(proj), path, REVIEWER, TEMPLATES)
    assert "faq.title: contains markup" in info.value.lines[0]


def test_a_po_without_language_is_refused(proj, tmp_path):
    path = tmp_path / "nolang.po"
    path.write_text('msgctxt "faq.title"\nmsgid "Coming back to treatment"\nmsgstr "Volver"\n')
    _refused(proj, path, ":1: the file does not say its language")


def test_broken_review_records_are_named(proj):
    records = proj.parent / "translations" / "es.review.yml"
    records.write_text("strings:\n  faq.title:\n    reviewed_by: Ana\n", encoding="utf-8")
    with pytest.raises(BrochureError) as info:
        load_editions(proj)
    assert info.value.lines == [
        "translations/es.review.yml:2: strings.faq.title: needs reviewed_by, date, english and "
        "translation_sha256; restore the file from git"
    ]


def test_unknown_language_in_the_commands(proj):
    result = cli(proj, "export", "fr")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "'fr' is not one of this project's translations (es, pt-BR, ht, vi, ar, ne, zh-Hant, "
        "zh-Hans, sq); content.yml lists them under translations:"
    )
    assert "Traceback" not in result.stderr


def test_the_command_line_says_what_to_do(proj):
    result = main(["translations", "status", "--content", str(proj)])
    assert result == 0


def test_serve_watches_the_review_records(proj):
    """An import writes es.review.yml (which may not exist yet): the live preview must see it."""
    from brochure.serve import Watcher

    watcher = Watcher(BuildOptions.create(proj, TEMPLATES, proj.parent / "out"))
    records = (proj.parent / "translations" / "es.review.yml").resolve()
    assert records in {p.resolve() for p in watcher.files()}
    before = watcher.stamps()
    xliff = export_file(proj, "es")
    mark_xliff_final(xliff)
    assert cli(proj, "import", str(xliff), "--reviewed-by", REVIEWER).returncode == 0
    after = watcher.stamps()
    assert [p for p in after if after[p] != before.get(p)] != []
